import { KycError } from "../errors.js";

/** Raised when calldata about to be sent contains personal or certificate data. Nothing was sent. */
export class PiiGuardError extends KycError {
  declare readonly code: "PII_GUARD_REFUSED";
  /** What was found (labels only, never the value), e.g. `serial of the auth certificate (hex text)`. */
  readonly findings: readonly string[];

  constructor(findings: readonly string[]) {
    super(
      "PII_GUARD_REFUSED",
      `refused to send the transaction: its calldata contains ${findings.join("; ")} (nothing was sent)`,
      { exitCode: 3 },
    );
    this.findings = findings;
  }
}
