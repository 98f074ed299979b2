import { createPrivateKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { CardError } from "../card-error.js";

/** Everything a virtual JPKI card holds. Keys are node:crypto private keys (RSA). */
export interface VirtualCardContents {
  authCertificate: Uint8Array;
  authKey: KeyObject;
  authPin: string;
  /** Absent for a holder under 15 (no signing certificate). */
  signCertificate?: Uint8Array;
  signKey?: KeyObject;
  signPassword?: string;
  authCaCertificate?: Uint8Array;
  signCaCertificate?: Uint8Array;
  /** Content of EF 0006, e.g. `JPKIAPICCTOKEN2`. */
  tokenInfo: string;
}

/** The `card.json` of a dev-pki holder folder. */
interface CardJson {
  authPin?: unknown;
  signPassword?: unknown;
  tokenInfo?: unknown;
}

/**
 * Reads a dev-pki holder folder: `auth.der`, `auth.key.pem`, optional `sign.der` + `sign.key.pem`, `card.json`
 * (`{authPin, signPassword, tokenInfo}`), and optional `auth-ca.der` / `sign-ca.der`.
 * @throws CardError `CARD_NOT_FOUND` when the folder or a required file is missing, `CARD_BAD_ARGUMENT` when malformed.
 */
export function loadVirtualCardFolder(dir: string): VirtualCardContents {
  const path = (name: string) => join(dir, name);
  for (const required of ["auth.der", "auth.key.pem", "card.json"]) {
    if (!existsSync(path(required))) {
      throw new CardError("CARD_NOT_FOUND", `virtual card folder ${dir} has no ${required}`);
    }
  }
  let json: CardJson;
  try {
    json = JSON.parse(readFileSync(path("card.json"), "utf8")) as CardJson;
  } catch (cause) {
    throw new CardError("CARD_BAD_ARGUMENT", `${path("card.json")} is not valid JSON`, { cause });
  }
  if (typeof json !== "object" || json === null || typeof json.authPin !== "string") {
    throw new CardError("CARD_BAD_ARGUMENT", `${path("card.json")} lacks a string "authPin"`);
  }
  const key = (name: string): KeyObject => {
    try {
      return createPrivateKey(readFileSync(path(name)));
    } catch (cause) {
      throw new CardError("CARD_BAD_ARGUMENT", `${path(name)} is not a private key`, { cause });
    }
  };
  const optional = (name: string) => (existsSync(path(name)) ? new Uint8Array(readFileSync(path(name))) : undefined);
  const contents: VirtualCardContents = {
    authCertificate: new Uint8Array(readFileSync(path("auth.der"))),
    authKey: key("auth.key.pem"),
    authPin: json.authPin,
    tokenInfo: typeof json.tokenInfo === "string" ? json.tokenInfo : "JPKIAPICCTOKEN2",
  };
  if (existsSync(path("sign.der")) && existsSync(path("sign.key.pem"))) {
    if (typeof json.signPassword !== "string") {
      throw new CardError("CARD_BAD_ARGUMENT", `${path("card.json")} lacks a string "signPassword"`);
    }
    contents.signCertificate = new Uint8Array(readFileSync(path("sign.der")));
    contents.signKey = key("sign.key.pem");
    contents.signPassword = json.signPassword;
  }
  const authCa = optional("auth-ca.der");
  if (authCa) contents.authCaCertificate = authCa;
  const signCa = optional("sign-ca.der");
  if (signCa) contents.signCaCertificate = signCa;
  return contents;
}
