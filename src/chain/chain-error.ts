import { KycError } from "../errors.js";

/** Stable codes of the errors raised while talking to the chain. */
export type ChainErrorCode =
  /** The transaction (or its gas estimate) reverted; the message names the registry's custom error. */
  | "CHAIN_REVERTED"
  /** The transaction was sent but not mined in time (dropped or stuck); the store keeps it pending. */
  | "CHAIN_DROPPED"
  /** The connected network is not the one the file or the deployment is for. */
  | "CHAIN_WRONG_NETWORK"
  /** The sending account cannot pay for the transaction. */
  | "CHAIN_INSUFFICIENT_FUNDS"
  /** No registry is deployed at the address (or no deployment is known for this chain). */
  | "CHAIN_REGISTRY_NOT_DEPLOYED"
  /** The sending account lacks the role the call needs. */
  | "CHAIN_MISSING_ROLE"
  /** The node could not be reached or answered with an error that is not a revert. */
  | "CHAIN_UNAVAILABLE";

/** An error talking to the chain, with the decoded custom error name when the registry reverted. */
export class ChainError extends KycError {
  declare readonly code: ChainErrorCode;
  /** The registry's custom error name (e.g. `DeadlineExpired`), when known. */
  readonly revertName: string | undefined;

  constructor(code: ChainErrorCode, message: string, options?: { cause?: unknown; revertName?: string }) {
    super(code, message, { cause: options?.cause, exitCode: code === "CHAIN_REVERTED" ? 4 : 2 });
    this.revertName = options?.revertName;
  }
}
