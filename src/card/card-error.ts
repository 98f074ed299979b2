import { KycError } from "../errors.js";

/** Stable codes of every error the card layer raises. */
export type CardErrorCode =
  /** The PIN or signing password was wrong; `triesLeft` says how many tries remain (when the card tells). */
  | "CARD_WRONG_PIN"
  /** The PIN or signing password is locked (no tries left); only the municipality can reset it. */
  | "CARD_PIN_LOCKED"
  /** No card reader was found (or the PC/SC service is not running). */
  | "CARD_NO_READER"
  /** A reader was found, but there is no card in it. */
  | "CARD_NO_CARD"
  /** The card was removed (or lost contact) in the middle of an operation. */
  | "CARD_REMOVED"
  /** The JPKI application or a file on the card was not found (status word 6A82). */
  | "CARD_NOT_FOUND"
  /** The card answered with a status word this layer does not expect. */
  | "CARD_STATUS"
  /** The security status was not satisfied (the PIN was not verified first). */
  | "CARD_SECURITY_STATUS"
  /** A required optional dependency (PC/SC binding, pkcs11js) or native service is not available. */
  | "CARD_UNAVAILABLE"
  /** The card spec, PIN format or another argument given to the card layer is invalid. */
  | "CARD_BAD_ARGUMENT"
  /** The card (or token) returned data that does not make sense (truncated certificate, wrong signature size). */
  | "CARD_BAD_RESPONSE"
  /** The PKCS#11 module reported an error this layer does not map to a more specific code. */
  | "CARD_PKCS11";

/** The error every card access path raises on purpose. */
export class CardError extends KycError {
  declare readonly code: CardErrorCode;
  /** For `CARD_WRONG_PIN`: tries left when known. */
  readonly triesLeft?: number;
  /** For `CARD_STATUS` and friends: the ISO 7816 status word. */
  readonly statusWord?: number;

  constructor(
    code: CardErrorCode,
    message: string,
    options?: { cause?: unknown; triesLeft?: number; statusWord?: number },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.triesLeft !== undefined) this.triesLeft = options.triesLeft;
    if (options?.statusWord !== undefined) this.statusWord = options.statusWord;
  }
}

/** Formats a status word as four hex digits, e.g. `6A82`. */
export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, "0");
}
