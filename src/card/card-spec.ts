import { CardError } from "./card-error.js";
import { OPENSC_PKCS11_MODULE } from "./pkcs11/pkcs11-card-signer.js";

/** Where the card is: `virtual:<dir>`, `pcsc[:<reader>]` or `pkcs11[:<module>[:<slot>]]`. */
export type CardSpec =
  | { kind: "virtual"; dir: string }
  | { kind: "pcsc"; reader?: string }
  | { kind: "pkcs11"; module: string; slot?: string };

/**
 * Parses a `--card` value. `pkcs11` alone means OpenSC's module; a trailing `:<number>` after the module path is
 * the slot.
 * @throws CardError `CARD_BAD_ARGUMENT`.
 */
export function parseCardSpec(spec: string): CardSpec {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  switch (kind) {
    case "virtual":
      if (rest === "") throw new CardError("CARD_BAD_ARGUMENT", "--card virtual:<dir> needs the holder folder");
      return { kind: "virtual", dir: rest };
    case "pcsc":
      return rest === "" ? { kind: "pcsc" } : { kind: "pcsc", reader: rest };
    case "pkcs11": {
      if (rest === "") return { kind: "pkcs11", module: OPENSC_PKCS11_MODULE };
      const m = /^(.*):(0x[0-9a-fA-F]+|[0-9]+)$/.exec(rest);
      if (m && m[1] !== "") return { kind: "pkcs11", module: m[1]!, slot: m[2]! };
      return { kind: "pkcs11", module: rest };
    }
    default:
      throw new CardError(
        "CARD_BAD_ARGUMENT",
        `unknown card "${spec}": use virtual:<dir>, pcsc[:<reader>] or pkcs11[:<module>[:<slot>]]`,
      );
  }
}
