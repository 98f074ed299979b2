import { CardError } from "../card-error.js";

/** PKCS#11 return values this layer maps (numeric values from the PKCS#11 2.40 header). */
export const Ckr = {
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  FUNCTION_CANCELED: 0x50,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

/** The numeric `CKR_*` code of an error thrown by pkcs11js, if it is one. */
export function pkcs11ReturnValue(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === "Pkcs11Error" && typeof code === "number") return code;
  if (typeof message === "string") {
    const m = /CKR_[A-Z_]+:(\d+)/.exec(message);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Maps a pkcs11js error to a `CardError`. `doing` completes "... while <doing>". `triesLeft` is what the token
 * flags say after a wrong PIN (when known). Errors that are not PKCS#11 return values are returned as `CARD_PKCS11`.
 */
export function mapPkcs11Error(error: unknown, doing: string, pinLabel = "PIN", triesLeft?: number): CardError {
  if (error instanceof CardError) return error;
  const rv = pkcs11ReturnValue(error);
  const name = rv === undefined ? String((error as Error)?.message ?? error) : `0x${rv.toString(16).toUpperCase()}`;
  switch (rv) {
    case Ckr.PIN_INCORRECT:
      return new CardError(
        "CARD_WRONG_PIN",
        `wrong ${pinLabel}` +
          (triesLeft === undefined ? "" : `: ${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left`),
        triesLeft === undefined ? { cause: error } : { cause: error, triesLeft },
      );
    case Ckr.PIN_LOCKED:
      return new CardError("CARD_PIN_LOCKED", `the ${pinLabel} is locked; the municipality office can reset it`, {
        cause: error,
        triesLeft: 0,
      });
    case Ckr.PIN_INVALID:
    case Ckr.PIN_LEN_RANGE:
      return new CardError("CARD_BAD_ARGUMENT", `the ${pinLabel} has an invalid format`, { cause: error });
    case Ckr.TOKEN_NOT_PRESENT:
      return new CardError("CARD_NO_CARD", `no card in the reader while ${doing}`, { cause: error });
    case Ckr.TOKEN_NOT_RECOGNIZED:
      return new CardError("CARD_NOT_FOUND", `the card is not recognised (no JPKI application?) while ${doing}`, {
        cause: error,
      });
    case Ckr.DEVICE_REMOVED:
    case Ckr.DEVICE_ERROR:
    case Ckr.SESSION_CLOSED:
    case Ckr.SESSION_HANDLE_INVALID:
      return new CardError("CARD_REMOVED", `the card was removed or lost contact while ${doing}`, { cause: error });
    default:
      return new CardError("CARD_PKCS11", `PKCS#11 error ${name} while ${doing}`, { cause: error });
  }
}
