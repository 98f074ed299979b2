import { createHmac } from "node:crypto";

import { getBytes, hexlify, isHexString, keccak256, toUtf8Bytes } from "ethers";

import { Claim } from "../claims.js";
import { ageOn } from "../pki/age.js";
import { OperatorError } from "./operator-error.js";

/**
 * Off-chain derivations of the operator: claims, person tag, expiry cap. Pure functions, no I/O.
 */

/**
 * The registry's expiry grid: half a mean Gregorian year (365.2425 days / 2 = 15,778,476 s), counted from the unix
 * epoch. Both the expiry cap and the age reference time sit on it, so what the chain shows about a birthday (the
 * certificate's notAfter capping an expiry, an AGE claim appearing) is at most "which half-year" (DESIGN.md).
 */
export const EXPIRY_GRID_SECONDS = 15_778_476;

/** `t` (unix seconds) rounded down to the expiry grid. */
export function gridFloor(seconds: number): number {
  return Math.floor(seconds / EXPIRY_GRID_SECONDS) * EXPIRY_GRID_SECONDS;
}

/**
 * The time ages are judged at: the start of the current grid period, not now. An AGE claim then appears only at a
 * grid boundary after the birthday, so the moment a holder's attestation gains AGE_20 says no more than the expiry
 * does (the half-year of the birthday), however often the holder re-attests.
 */
export function ageReferenceTime(at: Date): Date {
  return new Date(gridFloor(Math.floor(at.getTime() / 1000)) * 1000);
}

/**
 * Age in completed years on `at`, judged on the calendar date in Japan (JST, UTC+9): the PKI toolkit's `ageOn`
 * (someone born on 29 February turns a year older on 1 March in common years).
 * @throws PkiError `PKI_BAD_ARGUMENT` for a date that is not `yyyy-mm-dd`.
 */
export const ageInJst: (dateOfBirthIso: string, at: Date) => number = ageOn;

/** What the claims are derived from: only data that the off-chain checks verified. */
export interface ClaimInputs {
  /** The holder's `disclose` mask, as signed by the card. */
  readonly disclose: number;
  /** True when a signing certificate was presented, chained, checked against the CRL and its signature verified. */
  readonly signingCertificateVerified: boolean;
  /** The date of birth from the verified signing certificate (`yyyy-mm-dd`), or null when unknown/absent. */
  readonly dateOfBirth: string | null;
  /** Attestation time; the age is computed, in JST, at {@link ageReferenceTime}(at). */
  readonly at: Date;
}

/**
 * The claims to publish: `AUTH` always; `IDENTITY`, `AGE_18`, `AGE_20` only from a verified signing certificate
 * (ages from its date of birth at the grid period's start, in JST); the result is bounded by `disclose`.
 */
export function deriveClaims(inputs: ClaimInputs): number {
  let claims: number = Claim.AUTH;
  if (inputs.signingCertificateVerified) {
    claims |= Claim.IDENTITY;
    if (inputs.dateOfBirth !== null) {
      const age = ageInJst(inputs.dateOfBirth, ageReferenceTime(inputs.at));
      if (age >= 18) claims |= Claim.AGE_18;
      if (age >= 20) claims |= Claim.AGE_20;
    }
  }
  return (claims & (inputs.disclose | Claim.AUTH)) >>> 0;
}

/** The fields of the person tag, from the verified signing certificate. */
export interface PersonTagInputs {
  /** `yyyy-mm-dd` (Gregorian), or null when the certificate says unknown. */
  readonly dateOfBirth: string | null;
  /** `1`, `2` or `3` as in the certificate. */
  readonly gender: string;
  /** The name as in the certificate (family and given name separated by a full-width space). */
  readonly name: string;
}

/** Domain separation prefix of the person tag's canonical form (version 1). */
export const PERSON_TAG_DOMAIN = "jpki-kyc/person-tag/v1";

/**
 * Canonical form of a name: Unicode NFC; every run of white space (ASCII space, tab, U+3000 IDEOGRAPHIC SPACE and
 * other Unicode spaces) becomes one U+3000; leading and trailing white space removed. NFC (not NFKC): the
 * certificate's characters are kept, only their encoding is made unique.
 */
export function canonicalName(name: string): string {
  return name
    .normalize("NFC")
    .replace(/[\s\u3000]+/gu, "\u3000")
    .replace(/^\u3000|\u3000$/gu, "");
}

/**
 * The canonical byte string the person tag is computed over (documented, stable):
 *
 *     utf8(PERSON_TAG_DOMAIN) ‖ field(dateOfBirth) ‖ field(gender) ‖ field(canonicalName(name))
 *     field(s) = uint32_be(len(utf8(s))) ‖ utf8(s)
 *
 * The domain prefix is itself length-prefixed. An unknown date of birth is the empty string. Each field is
 * length-prefixed, so no two different field tuples share an encoding.
 */
export function personTagCanonical(inputs: PersonTagInputs): Uint8Array {
  const dob = inputs.dateOfBirth ?? "";
  if (dob !== "" && !/^\d{4}-\d{2}-\d{2}$/.test(dob)) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "the date of birth is not yyyy-mm-dd");
  }
  const gender = inputs.gender.normalize("NFC").trim();
  const parts = [PERSON_TAG_DOMAIN, dob, gender, canonicalName(inputs.name)].map((s) => Buffer.from(s, "utf8"));
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    chunks.push(length, part);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** `HMAC-SHA256(operatorSecret, personTagCanonical(inputs))` as 0x bytes32. */
export function personTag(operatorSecret: Uint8Array, inputs: PersonTagInputs): string {
  if (operatorSecret.length < 32) {
    throw new OperatorError("OPERATOR_SECRET", "the operator secret must be at least 32 bytes");
  }
  return hexlify(createHmac("sha256", operatorSecret).update(personTagCanonical(inputs)).digest());
}

/** notAfter rounded down to the registry's half-year grid, unix seconds: the operator's expiry bound. */
export function expiryCap(notAfter: Date): number {
  return gridFloor(Math.floor(notAfter.getTime() / 1000));
}

/** The chain id of Hardhat's local development chains (in-process network and `hardhat node`). */
export const DEV_CHAIN_ID = 31337n;

/**
 * The development operator secret: public, derived from a fixed label, used ONLY on chain id 31337 when no
 * `KYC_OPERATOR_SECRET` is configured. Anyone can compute it, so person tags made with it are not private.
 */
export const DEV_OPERATOR_SECRET: Uint8Array = getBytes(
  keccak256(toUtf8Bytes("jpki-kyc DEVELOPMENT operator secret - public, never use outside chain 31337")),
);

/** Where the operator secret came from (tasks print it). */
export interface OperatorSecret {
  readonly bytes: Uint8Array;
  /** `configured` (keystore / env) or `dev-default` (public, chain 31337 only). */
  readonly source: "configured" | "dev-default";
}

/**
 * Parses the configured secret (0x hex or plain hex of at least 32 bytes) or falls back to the public dev
 * secret on chain id 31337 only.
 * @throws OperatorError `OPERATOR_SECRET` when missing on a non-dev chain or malformed.
 */
export function resolveOperatorSecret(configured: string | undefined, chainId: bigint): OperatorSecret {
  const value = configured?.trim() ?? "";
  if (value === "") {
    if (chainId === DEV_CHAIN_ID) return { bytes: DEV_OPERATOR_SECRET, source: "dev-default" };
    throw new OperatorError(
      "OPERATOR_SECRET",
      "KYC_OPERATOR_SECRET is not set (use `npx hardhat keystore set KYC_OPERATOR_SECRET` or the environment variable; 32+ random bytes as hex)",
    );
  }
  const hex = value.startsWith("0x") ? value : `0x${value}`;
  if (!isHexString(hex) || (hex.length - 2) % 2 !== 0 || (hex.length - 2) / 2 < 32) {
    throw new OperatorError("OPERATOR_SECRET", "KYC_OPERATOR_SECRET must be hex of at least 32 bytes");
  }
  return { bytes: getBytes(hex), source: "configured" };
}
