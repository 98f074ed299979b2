import { constants, createPublicKey, verify, type KeyObject } from "node:crypto";

/** The parts of an RSA public key. */
export interface RsaKeyLike {
  modulus: Uint8Array;
  exponent: number | bigint;
}

/** A node:crypto public key from modulus and exponent (throws on a malformed key). */
export function rsaPublicKeyObject(key: RsaKeyLike): KeyObject {
  let eHex = BigInt(key.exponent).toString(16);
  if (eHex.length % 2) eHex = "0" + eHex;
  return createPublicKey({
    key: {
      kty: "RSA",
      n: Buffer.from(key.modulus).toString("base64url"),
      e: Buffer.from(eHex, "hex").toString("base64url"),
    },
    format: "jwk",
  });
}

/**
 * Verifies an RSASSA-PKCS1-v1_5 signature with the given hash over `message`. A bad key, a signature of the
 * wrong size or a mismatch all return false (a failed check is a result, not an exception).
 */
export function verifyPkcs1(
  hash: "sha256" | "sha384" | "sha512",
  key: RsaKeyLike | KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const k = "modulus" in key ? rsaPublicKeyObject(key) : key;
    return verify(hash, message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** RSASSA-PKCS1-v1_5 with SHA-256: the SHA-256 of `message` inside a DigestInfo, checked against `signature`. */
export function verifyPkcs1Sha256(key: RsaKeyLike, message: Uint8Array, signature: Uint8Array): boolean {
  return verifyPkcs1("sha256", key, message, signature);
}
