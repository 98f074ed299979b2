import { SqliteOperatorStore } from "./sqlite-store.js";
import type { OpenStoreOptions } from "./sqlite-store-core.js";
import type {
  ActiveCertificate,
  AttestationRecord,
  AttestationStatus,
  NewAttestation,
  PartitionInUse,
  StoredCertificate,
  StoredVerificationRecord,
} from "./types.js";

/**
 * The operator's private store: which certificate backs which on-chain attestation. Two implementations: embedded
 * SQLite (`SqliteOperatorStore`, the default: one file, one process) and PostgreSQL (`PostgresOperatorStore`: several
 * service instances behind a load balancer share one database). `openOperatorStore` picks one from a store location.
 *
 * Durability protocol: {@link insertPending} is called BEFORE a transaction is sent (or a relay file written);
 * the result is recorded afterwards ({@link markActive} / {@link markFailed}); rows left `pending` or
 * `revoke-pending` by a crash are settled from chain state on the next run (see `reconcile.ts`).
 * Every method runs in its own transaction, so a row is either fully written or absent; {@link transaction} groups
 * several calls into one (all or nothing).
 */
export interface OperatorStore {
  /** Where the store lives: a file path, `:memory:`, or a PostgreSQL URL without its password. */
  readonly path: string;
  /** The highest applied schema version (read when the store was opened and migrated). */
  readonly schemaVersion: number;

  /**
   * Runs `fn` in one transaction: every store call made inside it (on this store, awaited within `fn`) is committed
   * together or not at all. Nested calls are savepoints. PostgreSQL may run `fn` again after a serialization failure,
   * so `fn` must have no effect outside the store.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;

  /**
   * Takes every key in `keys` (a request's subject, card key and person) across the processes sharing this store, or
   * none when any is held by another process: with PostgreSQL, session advisory locks that every service instance on
   * the database sees; with SQLite (one process owns the file) granted at once. Within a process the service's own
   * in-process lock comes first. Returns the release function, or undefined when a key is busy; the keys stay held
   * until it is called (or the holder's connection ends).
   */
  tryLockKeys(keys: readonly string[]): Promise<(() => Promise<void>) | undefined>;

  /**
   * Records a new attestation as `pending` with its certificates, before anything is sent. With `supersedes`, the
   * subject's live row must be that `active` row: it is closed as superseded (status `revoked`) in the same
   * transaction, and {@link markFailed} reopens it if the new attestation does not land.
   *
   * With `verification`, the sealed verification record (canonical text, salt, commitment) is written in the same
   * transaction; it must be consistent (the commitment recomputes, the record names this subject and card key).
   * @throws OperatorError `OPERATOR_STORE_CONFLICT` when the subject already has a live row in this registry
   * (other than the `active` row named by `supersedes`).
   * @throws OperatorError `OPERATOR_SIGN_CERT_IN_USE` when a signing certificate (issuer key id + serial) already
   * backs the live attestation of another subject in this registry.
   * @throws OperatorError `OPERATOR_BAD_INPUT` when the verification record is inconsistent.
   */
  insertPending(attestation: NewAttestation): Promise<number>;
  /** Remembers the hash of the transaction sent for a pending row (so reconcile can look it up). */
  setTxHash(id: number, txHash: string): Promise<void>;
  /** A pending attestation was confirmed on chain. */
  markActive(id: number, txHash: string | null): Promise<void>;
  /**
   * A pending attestation did not make it on chain (reverted, dropped, relay deadline passed). The row it
   * superseded, if any, is reopened as `active`: the chain still holds that record.
   */
  markFailed(id: number, error: string): Promise<void>;
  /** Marks active rows as about to be revoked (written before the revoke transaction is sent). */
  markRevokePending(ids: readonly number[]): Promise<void>;
  /** Records the revoke transaction's hash for rows in `revoke-pending`. */
  setRevokeTxHash(ids: readonly number[], txHash: string): Promise<void>;
  /**
   * Rows confirmed revoked on chain (by this tool or anyone else). A row already closed as superseded by a
   * still-pending re-attestation gets the revocation noted, so that it is not reopened if that re-attestation fails.
   */
  markRevoked(ids: readonly number[], txHash: string | null): Promise<void>;
  /** Marks the signing certificates of these rows `drop-pending` (written before `dropSigningClaims` is sent). */
  markClaimsDropPending(ids: readonly number[]): Promise<void>;
  /** Records the `dropSigningClaims` transaction's hash on the `drop-pending` signing certificates of these rows. */
  setDropTxHash(ids: readonly number[], txHash: string): Promise<void>;
  /**
   * The claims from the signing certificate of a live row were dropped on chain (or it had none): the row stays
   * live with `claims`, its person tag is released, and its signing certificate is `dropped`.
   */
  markClaimsDropped(id: number, claims: number, txHash: string | null): Promise<void>;
  /** Live rows whose signing certificate was left `drop-pending` (an interrupted crl-sync), oldest first. */
  dropPending(chainId: bigint, registry: string): Promise<AttestationRecord[]>;
  /** The certificates stored for a row (auth first). */
  certificates(id: number): Promise<StoredCertificate[]>;
  /** The verification record stored with a row, if any. */
  verificationRecord(id: number): Promise<StoredVerificationRecord | undefined>;
  /**
   * The verification records of a registry with their rows (every status), oldest first; only `subject`'s when given.
   */
  verificationRecords(
    chainId: bigint,
    registry: string,
    subject?: string,
  ): Promise<Array<{ attestation: AttestationRecord; record: StoredVerificationRecord }>>;
  /** Closes a live row whose on-chain record was replaced by another attestation of the subject (status `revoked`). */
  markSuperseded(id: number, note: string): Promise<void>;
  /** Returns a `revoke-pending` row to `active` (its revocation was not confirmed and the record is still active). */
  markActiveAgain(id: number): Promise<void>;
  /** Closes a live row whose record does not exist on chain: status `failed` with `error`. */
  markMissingOnChain(id: number, error: string): Promise<void>;
  /** One row by id, or undefined. */
  get(id: number): Promise<AttestationRecord | undefined>;
  /** All rows for `subject` in a registry, oldest first. */
  bySubject(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord[]>;
  /** The live (pending, active or revoke-pending) row of `subject`, if any. */
  live(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord | undefined>;
  /** The live rows bound to a card key, oldest first (any subject). */
  liveByKey(chainId: bigint, registry: string, keyNullifier: string): Promise<AttestationRecord[]>;
  /** Every card key the store ever recorded with this person tag (any status): the anonymous-proof lock. */
  keysByPersonTag(chainId: bigint, registry: string, personTag: string): Promise<string[]>;
  /** Rows of a registry in the given statuses, oldest first. */
  byStatus(chainId: bigint, registry: string, statuses: readonly AttestationStatus[]): Promise<AttestationRecord[]>;
  /** Number of rows per status in a registry. */
  counts(chainId: bigint, registry: string): Promise<Record<AttestationStatus, number>>;
  /** The CRL partitions (issuer key id + partition) that the checked certificates of active attestations depend on. */
  partitionsInUse(chainId: bigint, registry: string): Promise<PartitionInUse[]>;
  /**
   * Iterates the checked certificates of active attestations in one CRL partition (lazily, for large stores),
   * including those of `revoke-pending` rows and of a row superseded by a still-pending re-attestation; a signing
   * certificate whose claims were dropped is no longer checked.
   */
  activeCertificates(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    partition: string,
  ): AsyncIterableIterator<ActiveCertificate>;
  /** The highest cRLNumber recorded for CRLs of (issuer key id, scope) in a registry, or undefined. */
  crlNumberSeen(chainId: bigint, registry: string, issuerKeyId: string, scope: string): Promise<bigint | undefined>;
  /** Records that a CRL with `crlNumber` was used for (issuer key id, scope); a lower number never replaces a higher. */
  recordCrlNumber(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    scope: string,
    crlNumber: bigint,
  ): Promise<void>;
  /** Closes the store (the database file, or the connection pool). */
  close(): Promise<void>;
}

/** The SQLite store (the default backend). */
export const OperatorStore = {
  /**
   * Opens (creating if needed) the SQLite store at `path` (or `:memory:`) and applies pending migrations.
   * @throws OperatorError `OPERATOR_STORE` when the file is not a store or has a newer schema.
   */
  open(path: string, options: OpenStoreOptions = {}): OperatorStore {
    return SqliteOperatorStore.open(path, options);
  },
};
