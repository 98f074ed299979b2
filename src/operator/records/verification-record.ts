import { randomBytes } from "node:crypto";

import { concat, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";

import { OperatorError } from "../operator-error.js";

/**
 * The operator's verification record (the law keeps it for seven years): what was checked for one attestation,
 * when, and against which CRL — never the holder's attributes (name, date of birth, gender, address), nor the
 * certificates themselves. The chain holds only {@link recordCommitment}, a salted hash of its canonical form, in the
 * `Attested` event; the operator keeps the record and the salt, so it can later show an auditor (or the holder)
 * exactly what it checked, and cannot rewrite it.
 */
export interface VerificationRecord {
  /** Format version of this record. */
  readonly version: 1;
  readonly chainId: string;
  /** Lower-case 0x addresses. */
  readonly registry: string;
  readonly subject: string;
  readonly attester: string;
  /** The binding digest the card and the wallet signed. */
  readonly bindingDigest: string;
  readonly keyNullifier: string;
  /** When the checks ran (ISO 8601, the chain's time). */
  readonly checkedAt: string;
  /** `jpki-auth` (authentication certificate only) or `jpki-auth+sign` (with the signing certificate). */
  readonly method: "jpki-auth" | "jpki-auth+sign";
  /** One entry per certificate checked. */
  readonly certificates: readonly CheckedCertificate[];
  /** The wallet's consent: how its signature was checked. */
  readonly subjectSignature: "ecdsa" | "erc1271";
  /** The claims published, and their names. */
  readonly claims: number;
  readonly claimNames: readonly string[];
  /** Whether a person tag was published (the tag itself is on chain). */
  readonly personTag: boolean;
}

/** A certificate's checks, by reference (issuer and serial), with its chain and the CRL it was checked against. */
export interface CheckedCertificate {
  readonly role: "auth" | "sign";
  /** Lower-case hex of the issuing CA's key id (the certificate's AKI). */
  readonly issuerKeyId: string;
  /** Lower-case hex serial. */
  readonly serialHex: string;
  /** SHA-256 fingerprints of the chain's CA certificates, leaf's issuer first. */
  readonly chain: readonly string[];
  /** The on-chain trust anchor id the chain ends at. */
  readonly caId: number;
  /** The CRLs it was checked against (its partition's and/or its CA's full CRL, the newest of each). */
  readonly crls: ReadonlyArray<{
    /** Lower-case hex key id of the CRL's issuer. */
    readonly issuerKeyId: string;
    /** The CRL's cRLNumber (hex), or null when it has none. */
    readonly number: string | null;
    /** The CRL's thisUpdate (ISO 8601). */
    readonly thisUpdate: string;
  }>;
}

/** A record with its salt and commitment, as the store keeps it. */
export interface SealedRecord {
  readonly record: VerificationRecord;
  /** The canonical JSON that was committed to (what an auditor re-hashes). */
  readonly canonical: string;
  /** 32 random bytes, 0x-hex. */
  readonly salt: string;
  /** `keccak256(salt ‖ utf8(canonical))`, 0x-hex: the `recordCommitment` on chain. */
  readonly commitment: string;
}

/** JSON with object keys sorted at every level and no white space: one text per record. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("non-finite number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The commitment to a canonical record text under a salt. */
export function recordCommitment(canonical: string, salt: string): string {
  const s = getBytes(salt);
  if (s.length !== 32) throw new OperatorError("OPERATOR_BAD_INPUT", "a record salt is 32 bytes");
  return keccak256(concat([s, toUtf8Bytes(canonical)]));
}

/** Seals a record: canonical form, a fresh random salt (or the given one, for tests), the commitment. */
export function sealRecord(record: VerificationRecord, salt: string = hexlify(randomBytes(32))): SealedRecord {
  const canonical = canonicalJson(record);
  return { record, canonical, salt, commitment: recordCommitment(canonical, salt) };
}
