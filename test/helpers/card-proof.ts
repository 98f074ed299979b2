/**
 * Test helpers for card proofs: a synthetic "card" is an RSA key from node:crypto, and a card signature is
 * RSASSA-PKCS1-v1_5 over DigestInfo(SHA-256, sha256(digest)) — what a real card produces when sent the DigestInfo
 * of the 32-byte EIP-712 digest. No real card or certificate is involved.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/** Claim bits, as in contracts/libraries/Claims.sol. */
export const Claims = { AUTH: 1, IDENTITY: 2, AGE_18: 4, AGE_20: 8 } as const;

/** The registry's expiry grid (30 days), seconds. */
export const EXPIRY_GRID = 30n * 24n * 3600n;

/** Round a unix time down to the expiry grid. */
export function gridFloor(t: bigint): bigint {
  return t - (t % EXPIRY_GRID);
}

/** A synthetic card authentication key. */
export interface TestCard {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** big-endian modulus, no leading zero byte, 0x-hex */
  readonly modulus: string;
  readonly bits: number;
}

/** Mirrors the Solidity `AttestationRequest` struct. */
export interface AttestationRequest {
  subject: string;
  disclose: number;
  deadline: bigint;
  claims: number;
  personTag: string;
  expiryCap: bigint;
  caId: number;
}

/** Generate a fresh card key (2048-bit keygen costs ~100 ms: generate few, reuse). */
export function createTestCard(bits = 2048): TestCard {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537 });
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.n === undefined) throw new Error("RSA public key without modulus");
  const n = Buffer.from(jwk.n, "base64url");
  return { privateKey, publicKey, modulus: "0x" + n.toString("hex"), bits };
}

const cache: TestCard[] = [];
/** The i-th card of a process-wide cache of 2048-bit test cards. */
export function testCard(i: number): TestCard {
  while (cache.length <= i) cache.push(createTestCard(2048));
  const card = cache[i];
  if (card === undefined) throw new Error("unreachable");
  return card;
}

/** Card signature over a 32-byte digest (0x-hex): PKCS#1 v1.5 over DigestInfo(SHA-256, sha256(digest)). */
export function cardSign(card: TestCard, digest: string): string {
  const bytes = Buffer.from(digest.replace(/^0x/, ""), "hex");
  if (bytes.length !== 32) throw new Error("digest must be 32 bytes");
  return "0x" + sign("sha256", bytes, card.privateKey).toString("hex");
}

/** keccak256 is computed by ethers in tests; this returns the sha256 of arbitrary bytes (for anchor key hashes). */
export function sha256Hex(data: Uint8Array): string {
  return "0x" + createHash("sha256").update(data).digest("hex");
}

/** The DER SubjectPublicKeyInfo of a card's public key. */
export function spkiDer(card: TestCard): Buffer {
  return card.publicKey.export({ format: "der", type: "spki" });
}

/** Minimal registry surface the proof builder needs (an ethers contract satisfies it). */
export interface BindingSource {
  nonces(subject: string): Promise<bigint>;
  bindingDigest(subject: string, disclose: number, nonce: bigint, deadline: bigint): Promise<string>;
  revokeDigest(subject: string, nonce: bigint, deadline: bigint): Promise<string>;
}

/** Reads the subject's nonce and has the card sign the registry's KycBinding digest. */
export async function bindingSignature(
  registry: BindingSource,
  card: TestCard,
  subject: string,
  disclose: number,
  deadline: bigint,
  nonce?: bigint,
): Promise<string> {
  const n = nonce ?? (await registry.nonces(subject));
  return cardSign(card, await registry.bindingDigest(subject, disclose, n, deadline));
}

/** Has the card sign the registry's Revoke digest for the subject's current nonce. */
export async function revokeSignature(
  registry: BindingSource,
  card: TestCard,
  subject: string,
  deadline: bigint,
): Promise<string> {
  return cardSign(card, await registry.revokeDigest(subject, await registry.nonces(subject), deadline));
}
