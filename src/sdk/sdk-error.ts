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
  | "SDK_UNAVAILABLE"
  /** A binding argument is out of range (deadline), or a binding was changed after it was built. */
  | "SDK_INVALID_BINDING"
  /** The registry's `bindingDigest` differs from the EIP-712 digest computed here (another registry version). */
  | "SDK_DIGEST_MISMATCH"
  /** The wallet is connected to another chain than the binding's. */
  | "SDK_WRONG_CHAIN"
  /** The user rejected the signature request in the wallet (EIP-1193 error 4001). */
  | "SDK_WALLET_REFUSED"
  /** The wallet failed the request for another reason (unsupported method, locked, disconnected). */
  | "SDK_WALLET_ERROR"
  /** The wallet returned something that is not a 65-byte ECDSA signature of the binding. */
  | "SDK_BAD_SIGNATURE"
  /** The wallet signed with another account than the binding's subject. */
  | "SDK_WRONG_ACCOUNT";

/** An error of the front-end SDK (`jpki-kyc/sdk`); `code` is stable, `message` is one line for the user. */
export class SdkError extends KycError {
  declare readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
