import { createHash } from "node:crypto";

import { AnonError } from "./anon-error.js";
import { hashToField } from "./signals.js";

/**
 * The fixed, domain-separated message whose card signature is the holder's anonymous-proof secret. The card signs
 * the 32-byte digest sha256(ANON_SECRET_MESSAGE) with its authentication key exactly as it signs a binding digest
 * (`CardSigner.sign("auth", digest, pin)`: RSASSA-PKCS1-v1_5 over DigestInfo(SHA-256, sha256(digest))). PKCS#1 v1.5 is deterministic, so the same card always gives the
 * same signature: the holder can derive the secret again after losing a device. The digest is a SHA-256 of ASCII
 * text, never an EIP-712 digest (those hash "\x19\x01" ‖ domain ‖ struct with keccak), so no binding or revocation
 * can be this message.
 */
export const ANON_SECRET_MESSAGE = "jpki-kyc/anon-secret/v1: derive my anonymous-proof secret (never share)";

/** The 32 bytes the card signs to derive the secret. */
export function anonSecretDigest(): Uint8Array {
  return new Uint8Array(createHash("sha256").update(ANON_SECRET_MESSAGE, "utf8").digest());
}

/**
 * The secret from the card's signature over {@link anonSecretDigest}: hashToField(signature) (keccak256 >> 8, a
 * BN254 scalar field element). The signature IS the secret's seed: it must never leave the holder's machine.
 * @throws AnonError `ANON_OUT_OF_RANGE` for a signature shorter than 256 bytes (not an RSA-2048+ card signature).
 */
export function anonSecretFromSignature(signature: Uint8Array): bigint {
  if (signature.length < 256) {
    throw new AnonError("ANON_OUT_OF_RANGE", "the card signature must be at least 256 bytes (RSA-2048 or more)");
  }
  return hashToField(signature);
}

/** Derives the secret with a card: `sign` signs a 32-byte digest with the authentication key. */
export async function deriveAnonSecret(sign: (digest: Uint8Array) => Promise<Uint8Array>): Promise<bigint> {
  return anonSecretFromSignature(await sign(anonSecretDigest()));
}
