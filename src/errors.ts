/**
 * Base class of every error this project raises on purpose: bad input, a failed precondition, a refused action.
 * The Hardhat tasks print `message` as one line (no stack trace) and exit with `exitCode`.
 * Anything that is not a `KycError` is a bug and keeps its stack trace.
 */
export class KycError extends Error {
  /** A stable, machine-readable identifier, e.g. `PKI_MALFORMED_DER` or `CARD_WRONG_PIN`. */
  readonly code: string;
  /** The process exit code the command-line tasks use for this error. */
  readonly exitCode: number;

  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 2;
  }
}
