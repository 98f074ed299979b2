import { createHash } from "node:crypto";

/** The JPKI application identifier (AID) on the My Number Card. */
export const JPKI_AID = Uint8Array.from([0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);

/** Elementary file identifiers of the JPKI application. */
export const JpkiFile = {
  SIGN_CERT: 0x0001,
  SIGN_CA_CERT: 0x0002,
  TOKEN_INFO: 0x0006,
  AUTH_CERT: 0x000a,
  AUTH_CA_CERT: 0x000b,
  AUTH_KEY: 0x0017,
  AUTH_PIN: 0x0018,
  SIGN_KEY: 0x001a,
  SIGN_PIN: 0x001b,
} as const;

/** Retry limits of the two PINs. */
export const AUTH_PIN_MAX_TRIES = 3;
export const SIGN_PIN_MAX_TRIES = 5;

/** Status words used by the card (ISO 7816-4). */
export const Sw = {
  OK: 0x9000,
  END_OF_FILE: 0x6282,
  WRONG_LENGTH: 0x6700,
  SECURITY_STATUS: 0x6982,
  AUTH_BLOCKED: 0x6983,
  REF_DATA_UNUSABLE: 0x6984,
  NOT_ALLOWED: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  OFFSET_OUT_OF_RANGE: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** DER prefix of `DigestInfo { sha256, NULL }` followed by a 32-byte digest. */
export const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from(Buffer.from("3031300d060960864801650304020105000420", "hex"));

/** `DigestInfo(SHA-256, sha256(message))`: what the card is sent to sign `message`. */
export function sha256DigestInfo(message: Uint8Array): Uint8Array {
  const hash = createHash("sha256").update(message).digest();
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + hash.length);
  out.set(SHA256_DIGEST_INFO_PREFIX, 0);
  out.set(hash, SHA256_DIGEST_INFO_PREFIX.length);
  return out;
}

/** The PIN format rules of JPKI: auth PIN 4 digits; signing password 6–16 uppercase letters and digits. */
export function isWellFormedPin(key: "auth" | "sign", pin: string): boolean {
  return key === "auth" ? /^[0-9]{4}$/.test(pin) : /^[A-Z0-9]{6,16}$/.test(pin);
}
