/**
 * Test helpers for card proofs (protocol v2): a synthetic "card" is an RSA key from node:crypto, and a card signature
 * is RSASSA-PKCS1-v1_5 over DigestInfo(SHA-256, sha256(digest)) — what a real card produces when sent the DigestInfo
 * of the 32-byte EIP-712 digest. The subject (wallet) signs the same `KycBinding` with eth_signTypedData_v4 (or, for
 * a smart account, its owner signs and the account answers ERC-1271). No real card or certificate is involved.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

import { Signature, ZeroHash, getBytes, id, type Signer } from "ethers";

import { bindingTypedData } from "../../src/binding/kyc-binding.js";
import type { AttestationRequest } from "../../src/operator/attestation-request.js";

export { KEY_TYPE_RSA, keyNullifier } from "../../src/chain/key-nullifier.js";

export type { AttestationRequest } from "../../src/operator/attestation-request.js";

/** Claim bits, as in contracts/libraries/Claims.sol. */
export const Claims = { AUTH: 1, IDENTITY: 2, AGE_18: 4, AGE_20: 8 } as const;
/** The claims that come from the signing certificate (need a person tag; dropped by `dropSigningClaims`). */
export const FROM_SIGNING = Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

/** The registry's expiry grid: half a mean Gregorian year (365.2425 days / 2), seconds. */
export const EXPIRY_GRID = 15_778_476n;

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

/** A non-zero record commitment for tests (a salted hash of the operator's verification record in real use). */
export function recordCommitment(label = "verification record"): string {
  return id(`record commitment: ${label}`);
}

/** Card signature over a 32-byte digest (0x-hex): PKCS#1 v1.5 over DigestInfo(SHA-256, sha256(digest)). */
export function cardSign(card: TestCard, digest: string): string {
  const bytes = Buffer.from(digest.replace(/^0x/, ""), "hex");
  if (bytes.length !== 32) throw new Error("digest must be 32 bytes");
  return "0x" + sign("sha256", bytes, card.privateKey).toString("hex");
}

/** sha256 of arbitrary bytes, 0x-hex (for anchor key hashes). */
export function sha256Hex(data: Uint8Array): string {
  return "0x" + createHash("sha256").update(data).digest("hex");
}

/** The DER SubjectPublicKeyInfo of a card's public key. */
export function spkiDer(card: TestCard): Buffer {
  return card.publicKey.export({ format: "der", type: "spki" });
}

/** Minimal registry surface the proof builders need (an ethers `IKycRegistryFull` satisfies it). */
export interface BindingSource {
  nonces(subject: string): Promise<bigint>;
  bindingDigest(
    subject: string,
    attester: string,
    disclose: number,
    nonce: bigint,
    deadline: bigint,
    anonCommitment: string,
  ): Promise<string>;
  revokeDigest(subject: string, nonce: bigint, deadline: bigint): Promise<string>;
  getAddress(): Promise<string>;
}

/** The binding fields of a request, with the attester the holder chose. */
export interface BindingFields {
  subject: string;
  attester: string;
  disclose: number;
  deadline: bigint;
  /** default: the registry's `nonces(subject)` */
  nonce?: bigint;
  /** the anonymous-proof opt-in; default zero (none) */
  anonCommitment?: string;
}

/** The registry's `KycBinding` digest for these fields (nonce read from the registry unless given). */
export async function bindingDigestOf(registry: BindingSource, b: BindingFields): Promise<string> {
  const nonce = b.nonce ?? (await registry.nonces(b.subject));
  return registry.bindingDigest(b.subject, b.attester, b.disclose, nonce, b.deadline, b.anonCommitment ?? ZeroHash);
}

/** The card's signature over the registry's `KycBinding` digest (v2: the attester is part of the binding). */
export async function bindingSignature(
  registry: BindingSource,
  card: TestCard,
  subject: string,
  attester: string,
  disclose: number,
  deadline: bigint,
  nonce?: bigint,
): Promise<string> {
  return cardSign(card, await bindingDigestOf(registry, { subject, attester, disclose, deadline, nonce }));
}

/** The chain id of the network a registry contract is connected to. */
async function chainIdOf(signer: Signer): Promise<bigint> {
  const provider = signer.provider;
  if (provider === null) throw new Error("signer without provider");
  return (await provider.getNetwork()).chainId;
}

/**
 * The wallet's consent: an eth_signTypedData_v4 signature by `wallet` over the `KycBinding` (built with the project's
 * `bindingTypedData`). For an EOA subject `wallet` is the subject; for an ERC-1271 smart account, its owner.
 */
export async function subjectSignature(
  registry: BindingSource,
  wallet: Signer,
  b: BindingFields,
  chainId?: bigint,
): Promise<string> {
  const nonce = b.nonce ?? (await registry.nonces(b.subject));
  const typed = bindingTypedData({
    chainId: chainId ?? (await chainIdOf(wallet)),
    registry: await registry.getAddress(),
    subject: b.subject,
    attester: b.attester,
    disclose: b.disclose,
    nonce,
    deadline: b.deadline,
    anonCommitment: b.anonCommitment ?? ZeroHash,
  });
  return wallet.signTypedData(typed.domain, typed.types, typed.message);
}

/** Both binding signatures for `req` under `attester`: the card's and the wallet's (subject consent). */
export interface BindingProof {
  digest: string;
  cardSignature: string;
  subjectSignature: string;
}

export async function bindingProof(
  registry: BindingSource,
  card: TestCard,
  wallet: Signer,
  req: Pick<AttestationRequest, "subject" | "disclose" | "deadline"> & { anonCommitment?: string },
  attester: string,
  nonce?: bigint,
): Promise<BindingProof> {
  const fields: BindingFields = {
    subject: req.subject,
    attester,
    disclose: req.disclose,
    deadline: req.deadline,
    anonCommitment: req.anonCommitment ?? ZeroHash,
    nonce: nonce ?? (await registry.nonces(req.subject)),
  };
  const digest = await bindingDigestOf(registry, fields);
  const signature = await subjectSignature(registry, wallet, fields);
  // An EOA subject's signature is sent in its 64-byte EIP-2098 form, as the operator tooling does (a smart account's
  // owner signature is passed through as its ERC-1271 check expects it).
  const eoa = (await wallet.getAddress()).toLowerCase() === req.subject.toLowerCase();
  return {
    digest,
    cardSignature: cardSign(card, digest),
    subjectSignature: eoa ? Signature.from(signature).compactSerialized : signature,
  };
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

/** A 65-byte signature with a flipped byte (for negative tests). */
export function tamper(signature: string): string {
  const b = getBytes(signature);
  const i = Math.min(10, b.length - 1);
  b[i] = (b[i] ?? 0) ^ 0xff;
  return "0x" + Buffer.from(b).toString("hex");
}
