import type { SealedRecord } from "../records/verification-record.js";

/** Lifecycle of an attestation in the operator store. */
export type AttestationStatus = "pending" | "active" | "revoke-pending" | "revoked" | "failed";

/** How the attestation reaches the chain: sent by the operator, or signed for the holder to relay. */
export type SubmissionMode = "direct" | "relay";

/** A certificate backing an attestation, reduced to what a CRL check needs. No attributes. */
export interface CertificateRef {
  /** `auth` (the bound card key) or `sign` (identity claims). */
  readonly role: "auth" | "sign";
  /** Lower-case hex of the issuing CA's subject key identifier (the certificate's AKI key id). */
  readonly issuerKeyId: string;
  /** The CRL partition the certificate's distribution point names. */
  readonly partition: string;
  /** Lower-case hex serial, in the PKI layer's form (the same one `StreamedCrl.lookup` takes). */
  readonly serialHex: string;
  /** Certificate notAfter, unix seconds. */
  readonly notAfter: number;
}

/** Everything written for a new attestation before its transaction is sent (or its relay file written). */
export interface NewAttestation {
  readonly chainId: bigint;
  readonly registry: string;
  readonly subject: string;
  readonly keyNullifier: string;
  readonly personTag: string | null;
  readonly claims: number;
  readonly caId: number;
  readonly expiryCap: number;
  readonly mode: SubmissionMode;
  readonly relayDeadline?: number;
  readonly certificates: readonly CertificateRef[];
  /**
   * The id of the subject's `active` row this attestation replaces on chain (a re-attestation with the same card
   * key, or a renewal). That row is closed as superseded in the same transaction and reopened if this one fails.
   */
  readonly supersedes?: number;
  /** The holder nonce the card signed (`nonces(subject)` at binding time); consumed when the attestation lands. */
  readonly bindingNonce?: bigint;
  /** The binding deadline (unix seconds): after it the attestation can no longer land, so a pending row may fail. */
  readonly bindingDeadline?: number;
  /** The verification record with its salt and commitment (kept seven years; see `records/verification-record.ts`). */
  readonly verification?: SealedRecord;
}

/**
 * A row of the store. Addresses and hashes are lower-case 0x hex. A row superseded by a later attestation of the
 * same subject (re-attestation, renewal) is closed with status `revoked` and an `error` note starting
 * "superseded by": its on-chain record was replaced, not revoked, and it is no longer checked against CRLs.
 */
export interface AttestationRecord {
  readonly id: number;
  readonly chainId: bigint;
  readonly registry: string;
  readonly subject: string;
  readonly keyNullifier: string;
  readonly personTag: string | null;
  readonly claims: number;
  readonly caId: number;
  readonly expiryCap: number;
  readonly mode: SubmissionMode;
  readonly relayDeadline: number | null;
  readonly status: AttestationStatus;
  readonly txHash: string | null;
  readonly revokeTxHash: string | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The row this one superseded (re-attestation / renewal), or null. */
  readonly supersedes: number | null;
  /** The holder nonce signed in the binding, or null (rows written before schema version 2). */
  readonly bindingNonce: bigint | null;
  /** The binding deadline (unix seconds), or null (rows written before schema version 4). */
  readonly bindingDeadline: number | null;
}

/**
 * crl-sync's state of a stored certificate: `checked` (looked up in its CRL), `drop-pending` (the signing
 * certificate is listed and `dropSigningClaims` is being sent for its row), `dropped` (its claims were dropped on
 * chain, or it backed none: no longer checked).
 */
export type CertificateState = "checked" | "drop-pending" | "dropped";

/** A certificate row of the store. */
export interface StoredCertificate extends CertificateRef {
  readonly attestationId: number;
  readonly state: CertificateState;
  /** The `dropSigningClaims` transaction that dropped its claims, when known. */
  readonly dropTxHash: string | null;
}

/** A verification record as the store keeps it: the committed text and its salt (never certificate attributes). */
export interface StoredVerificationRecord {
  readonly attestationId: number;
  /** The canonical JSON of the record (`canonicalJson(VerificationRecord)`): what the commitment covers. */
  readonly canonical: string;
  /** 0x-hex, 32 bytes. */
  readonly salt: string;
  /** 0x bytes32: `recordCommitment(canonical, salt)`, the `recordCommitment` of the `Attested` event. */
  readonly commitment: string;
}

/** One active certificate to check against a CRL. */
export interface ActiveCertificate {
  readonly attestationId: number;
  readonly subject: string;
  readonly role: "auth" | "sign";
  readonly serialHex: string;
}

/** A CRL partition some live attestation depends on. */
export interface PartitionInUse {
  readonly issuerKeyId: string;
  readonly partition: string;
  /** Number of active certificates in it. */
  readonly count: number;
}
