import { KycError } from "../errors.js";

/** Stable codes of the proof-request and binding errors. */
export type BindingErrorCode =
  /** The proof-request file is not valid JSON or a field is missing, mistyped or out of range. */
  | "BINDING_MALFORMED"
  /** The file's `format` is not one this version reads. */
  | "BINDING_UNSUPPORTED_FORMAT"
  /** The digest in the file (or returned by the registry) is not the EIP-712 digest of the binding fields. */
  | "BINDING_DIGEST_MISMATCH"
  /** No registry contract at the given address, or it does not answer the binding calls. */
  | "BINDING_NO_REGISTRY"
  /** A bad argument to the binding builder (address, claims, deadline). */
  | "BINDING_BAD_ARGUMENT"
  /** Reading or writing the file failed. */
  | "BINDING_IO"
  /** The wallet offered is not the subject's, or no key for the subject is available here. */
  | "BINDING_WRONG_WALLET"
  /** The wallet did not sign the binding, or signed something else. */
  | "BINDING_WALLET_REFUSED";

/** The error the proof-request format and the binding builder raise. */
export class BindingError extends KycError {
  declare readonly code: BindingErrorCode;

  constructor(code: BindingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
