import { KycError } from "../errors.js";

/** Stable codes of the errors the SDK raises. */
export type SdkErrorCode =
  /** An address argument is not a valid EVM address. */
  | "SDK_INVALID_ADDRESS"
  /** A claim name is not one of `auth`, `identity`, `age18`, `age20`, or a mask is not a uint32. */
  | "SDK_INVALID_CLAIMS"
  /** There is no contract at the registry address, or it does not answer like a KYC registry. */
  | "SDK_NOT_A_REGISTRY"
  /** The node could not be reached or answered with an error. */
  | "SDK_UNAVAILABLE";

/** An error of the front-end SDK (`jpki-kyc/sdk`); `code` is stable, `message` is one line for the user. */
export class SdkError extends KycError {
  declare readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
