import { KycError } from "../errors.js";

/** Stable codes of the errors the operator tooling raises on purpose. */
export type OperatorErrorCode =
  /** The operator store file cannot be opened, is not a store, or has a newer schema than this tool knows. */
  | "OPERATOR_STORE"
  /** A store row is in a state that forbids the requested change (e.g. a pending transaction for the subject). */
  | "OPERATOR_STORE_CONFLICT"
  /** The proof request, CRL or CA file is missing or cannot be read. */
  | "OPERATOR_BAD_INPUT"
  /** An off-chain check of the proof request failed (chain, validity, CRL, signature, policy, binding). */
  | "OPERATOR_CHECK_FAILED"
  /**
   * A CRL failed verification (signature, freshness), has no cRLNumber, cannot be ordered against another CRL of
   * its scope, or a partition is missing: nothing was sent.
   */
  | "OPERATOR_CRL"
  /**
   * A CRL's cRLNumber is lower than one already used for its issuer and scope (a rollback to an older CRL that may
   * miss revocations): nothing was done.
   */
  | "OPERATOR_CRL_ROLLBACK"
  /** The operator HMAC secret is missing or unusable. */
  | "OPERATOR_SECRET"
  /** A relay file is malformed, for another chain or registry, or its relay deadline has passed. */
  | "OPERATOR_RELAY"
  /** A signing certificate already backs the live attestation of another subject (one certificate, one subject). */
  | "OPERATOR_SIGN_CERT_IN_USE"
  /** A verification-records file (`kyc records export` / `verify`) is malformed or for another chain or registry. */
  | "OPERATOR_RECORDS_FILE"
  /**
   * The attester's CRL heartbeat is older than the registry's `maxStaleness`: an anonymous-proof root published now
   * could not be used (`AnonRootOutlivesCrlSync`), so none was sent; run `kyc crl-sync` first.
   */
  | "OPERATOR_CRL_STALE";

/** The error the operator tooling raises on purpose (bad input, a failed check, a refused action). */
export class OperatorError extends KycError {
  declare readonly code: OperatorErrorCode;

  constructor(code: OperatorErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(code, message, options);
  }
}
