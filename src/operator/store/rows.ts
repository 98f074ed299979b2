import { OperatorError } from "../operator-error.js";
import { canonicalJson, recordCommitment } from "../records/verification-record.js";
import type {
  AttestationRecord,
  AttestationStatus,
  NewAttestation,
  StoredVerificationRecord,
  SubmissionMode,
} from "./types.js";

/** A result row of either backend, by column name. */
export type Row = Record<string, unknown>;

/** Statuses of a live row (at most one per subject and registry). */
export const LIVE: readonly AttestationStatus[] = ["pending", "active", "revoke-pending"];

/** The note of a row closed because a re-attestation of its subject replaced it. */
export const SUPERSEDED_NOTE = "superseded by";

/**
 * The rows whose certificates crl-sync checks (SQL over alias `a`): `active` and `revoke-pending` ones (a revocation
 * not yet confirmed), and a row superseded by a re-attestation still `pending` (until that lands, the chain still
 * holds the superseded record).
 */
export const CHECKED = `(a.status IN ('active', 'revoke-pending') OR (a.status = 'revoked' AND EXISTS (
  SELECT 1 FROM attestations s WHERE s.supersedes = a.id AND s.status = 'pending')))`;

/**
 * The rows whose record is, or may again be, on chain (SQL over alias `a`): live rows, and a row superseded by a
 * still-pending re-attestation (it comes back if that one fails).
 */
export const BACKING = `(a.status IN ('pending', 'active', 'revoke-pending') OR (a.status = 'revoked' AND EXISTS (
  SELECT 1 FROM attestations s WHERE s.supersedes = a.id AND s.status = 'pending')))`;

/** A stored row as an {@link AttestationRecord} (both backends use the same columns). */
export function toRecord(row: Row): AttestationRecord {
  const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(row.id),
    chainId: BigInt(String(row.chain_id)),
    registry: String(row.registry),
    subject: String(row.subject),
    keyNullifier: String(row.key_nullifier),
    personTag: nullable(row.person_tag),
    claims: Number(row.claims),
    caId: Number(row.ca_id),
    expiryCap: Number(row.expiry_cap),
    mode: row.mode as SubmissionMode,
    relayDeadline: row.relay_deadline === null || row.relay_deadline === undefined ? null : Number(row.relay_deadline),
    status: row.status as AttestationStatus,
    txHash: nullable(row.tx_hash),
    revokeTxHash: nullable(row.revoke_tx_hash),
    error: nullable(row.error),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    supersedes: row.supersedes === null || row.supersedes === undefined ? null : Number(row.supersedes),
    bindingNonce:
      row.binding_nonce === null || row.binding_nonce === undefined ? null : BigInt(String(row.binding_nonce)),
    bindingDeadline:
      row.binding_deadline === null || row.binding_deadline === undefined ? null : Number(row.binding_deadline),
  };
}

export function toStoredRecord(row: Row): StoredVerificationRecord {
  return {
    attestationId: Number(row.attestation_id),
    canonical: String(row.canonical),
    salt: String(row.salt),
    commitment: String(row.commitment),
  };
}

/**
 * Refuses a sealed verification record that does not belong to `attestation` or whose commitment does not
 * recompute (the store keeps only what an auditor can check).
 */
export function checkSealedRecord(attestation: NewAttestation): void {
  const sealed = attestation.verification!;
  const bad = (why: string): never => {
    throw new OperatorError("OPERATOR_BAD_INPUT", `the verification record is inconsistent: ${why}`);
  };
  if (canonicalJson(sealed.record) !== sealed.canonical) bad("its canonical text is not the record's");
  if (recordCommitment(sealed.canonical, sealed.salt).toLowerCase() !== sealed.commitment.toLowerCase()) {
    bad("the commitment does not recompute from the text and the salt");
  }
  const r = sealed.record;
  if (r.subject.toLowerCase() !== attestation.subject.toLowerCase()) bad("it names another subject");
  if (r.keyNullifier.toLowerCase() !== attestation.keyNullifier.toLowerCase()) bad("it names another card key");
  if (r.registry.toLowerCase() !== attestation.registry.toLowerCase() || r.chainId !== attestation.chainId.toString()) {
    bad("it names another registry or chain");
  }
}

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
