import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

import { OperatorError } from "../operator-error.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import {
  BACKING,
  CHECKED,
  checkSealedRecord,
  LIVE,
  oneLine,
  SUPERSEDED_NOTE,
  toRecord,
  toStoredRecord,
} from "./rows.js";
import type {
  ActiveCertificate,
  AttestationRecord,
  AttestationStatus,
  CertificateState,
  NewAttestation,
  PartitionInUse,
  StoredCertificate,
  StoredVerificationRecord,
} from "./types.js";

/** Options of {@link SqliteStoreCore.open}. */
export interface OpenStoreOptions {
  /** Clock for `created_at` / `updated_at` (unix seconds); defaults to the system clock. */
  readonly now?: () => number;
  /** Migrations to apply (tests only); defaults to {@link MIGRATIONS}. */
  readonly migrations?: readonly Migration[];
}

type Row = Record<string, SQLInputValue>;

/**
 * The synchronous SQLite engine behind `SqliteOperatorStore` (which callers use through the async `OperatorStore`
 * interface): which certificate backs which on-chain attestation. Embedded SQLite
 * (`node:sqlite`), file mode 0600, WAL journal, versioned migrations.
 *
 * Durability protocol: {@link insertPending} is called BEFORE a transaction is sent (or a relay file written);
 * the result is recorded afterwards ({@link markActive} / {@link markFailed}); rows left `pending` or
 * `revoke-pending` by a crash are settled from chain state on the next run (see `reconcile.ts`).
 * Every method runs synchronously in its own implicit transaction, so a row is either fully written or absent.
 */
export class SqliteStoreCore {
  private constructor(
    private readonly db: DatabaseSync,
    private readonly now: () => number,
    /** The file the store lives in (`:memory:` for an in-memory store). */
    readonly path: string,
  ) {}

  /**
   * Opens (creating if needed) the store at `path` and applies pending migrations.
   * @throws OperatorError `OPERATOR_STORE` when the file is not a store or has a newer schema.
   */
  static open(path: string, options: OpenStoreOptions = {}): SqliteStoreCore {
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
      chmodSync(path, 0o600);
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
      db.exec("PRAGMA busy_timeout = 5000");
      if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      db.exec("PRAGMA foreign_keys = ON");
    } catch (cause) {
      throw new OperatorError("OPERATOR_STORE", `cannot open the operator store ${path}: ${oneLine(cause)}`, {
        cause,
      });
    }
    const store = new SqliteStoreCore(db, now, path);
    try {
      store.migrate(options.migrations ?? MIGRATIONS);
    } catch (error) {
      db.close();
      if (error instanceof OperatorError) throw error;
      throw new OperatorError("OPERATOR_STORE", `${path} is not a usable operator store: ${oneLine(error)}`, {
        cause: error,
      });
    }
    return store;
  }

  /** The highest applied schema version. */
  get schemaVersion(): number {
    const row = this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as Row | undefined;
    return Number(row?.v ?? 0);
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const current = this.schemaVersion;
    const applied = new Set(
      (this.db.prepare("SELECT version FROM schema_version").all() as Row[]).map((r) => Number(r.version)),
    );
    const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > known) {
      throw new OperatorError(
        "OPERATOR_STORE",
        `the operator store ${this.path} has schema version ${current}, newer than this tool (${known}); upgrade the tool`,
      );
    }
    let previous = 0;
    for (const migration of migrations) {
      if (migration.version <= previous) throw new Error("migrations must have strictly increasing versions");
      previous = migration.version;
      // By membership, not by the highest version: a version left free and released later is still applied.
      if (applied.has(migration.version)) continue;
      this.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")
          .run(migration.version, migration.description, this.now());
      });
    }
  }

  private depth = 0;

  /** Runs `fn` in one SQLite transaction (all or nothing); nested calls use savepoints. */
  transaction<T>(fn: () => T): T {
    this.begin();
    try {
      const result = fn();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Opens a transaction (or, inside one, a savepoint); closed by {@link commit} or {@link rollback}. */
  begin(): void {
    this.db.exec(this.depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT sp${this.depth}`);
    this.depth++;
  }

  /** Commits the innermost transaction or savepoint opened by {@link begin}. */
  commit(): void {
    this.depth--;
    this.db.exec(this.depth === 0 ? "COMMIT" : `RELEASE sp${this.depth}`);
  }

  /** Rolls the innermost transaction or savepoint opened by {@link begin} back. */
  rollback(): void {
    this.depth--;
    this.db.exec(this.depth === 0 ? "ROLLBACK" : `ROLLBACK TO sp${this.depth}; RELEASE sp${this.depth}`);
  }

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
   * backs the live attestation of another subject in this registry: one adult's signing certificate must not lend
   * its claims to several cards or wallets (JPKI does not link a card's authentication and signing certificates).
   * @throws OperatorError `OPERATOR_BAD_INPUT` when the verification record is inconsistent.
   */
  insertPending(attestation: NewAttestation): number {
    const chainId = attestation.chainId.toString();
    const registry = attestation.registry.toLowerCase();
    const subject = attestation.subject.toLowerCase();
    if (attestation.verification !== undefined) checkSealedRecord(attestation);
    return this.transaction(() => {
      const live = this.liveRow(chainId, registry, subject);
      const superseding = attestation.supersedes;
      if (live !== undefined && !(live.id === superseding && live.status === "active")) {
        throw new OperatorError(
          "OPERATOR_STORE_CONFLICT",
          `the store already has a ${live.status} attestation (#${live.id}) for ${subject}; revoke or reconcile it first`,
        );
      }
      if (superseding !== undefined && live === undefined) {
        throw new OperatorError(
          "OPERATOR_STORE_CONFLICT",
          `attestation #${superseding} is not the live attestation of ${subject}: nothing to supersede`,
        );
      }
      const signInUse = this.db.prepare(
        `SELECT a.id AS id FROM certificates c JOIN attestations a ON a.id = c.attestation_id
          WHERE c.role = 'sign' AND c.issuer_key_id = ? AND c.serial = ? AND c.state <> 'dropped'
            AND a.chain_id = ? AND a.registry = ? AND a.subject <> ? AND ${BACKING} LIMIT 1`,
      );
      for (const cert of attestation.certificates) {
        if (cert.role !== "sign") continue;
        const holder = signInUse.get(
          cert.issuerKeyId.toLowerCase(),
          cert.serialHex.toLowerCase(),
          chainId,
          registry,
          subject,
        ) as Row | undefined;
        if (holder !== undefined) {
          throw new OperatorError(
            "OPERATOR_SIGN_CERT_IN_USE",
            `this signing certificate already backs attestation #${Number(holder.id)} of another subject; a signing certificate backs one subject's attestation only (revoke that one first)`,
          );
        }
      }
      const t = this.now();
      if (superseding !== undefined) {
        this.db
          .prepare("UPDATE attestations SET status = 'revoked', error = ?, updated_at = ? WHERE id = ?")
          .run("superseded by a new attestation of the subject", t, superseding);
      }
      const result = this.db
        .prepare(
          `INSERT INTO attestations (chain_id, registry, subject, key_nullifier, person_tag, claims, ca_id, expiry_cap,
             mode, relay_deadline, status, created_at, updated_at, supersedes, binding_nonce, binding_deadline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
        )
        .run(
          chainId,
          registry,
          subject,
          attestation.keyNullifier.toLowerCase(),
          attestation.personTag?.toLowerCase() ?? null,
          attestation.claims,
          attestation.caId,
          attestation.expiryCap,
          attestation.mode,
          attestation.relayDeadline ?? null,
          t,
          t,
          superseding ?? null,
          attestation.bindingNonce?.toString() ?? null,
          attestation.bindingDeadline ?? null,
        );
      const id = Number(result.lastInsertRowid);
      if (superseding !== undefined) {
        this.db
          .prepare("UPDATE attestations SET error = ? WHERE id = ?")
          .run(`superseded by attestation #${id} (re-attestation)`, superseding);
      }
      const insertCert = this.db.prepare(
        "INSERT INTO certificates (attestation_id, role, issuer_key_id, partition, serial, not_after) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const cert of attestation.certificates) {
        insertCert.run(
          id,
          cert.role,
          cert.issuerKeyId.toLowerCase(),
          cert.partition,
          cert.serialHex.toLowerCase(),
          cert.notAfter,
        );
      }
      const sealed = attestation.verification;
      if (sealed !== undefined) {
        this.db
          .prepare("INSERT INTO verification_records (attestation_id, canonical, salt, commitment) VALUES (?, ?, ?, ?)")
          .run(id, sealed.canonical, sealed.salt.toLowerCase(), sealed.commitment.toLowerCase());
      }
      return id;
    });
  }

  /** Remembers the hash of the transaction sent for a pending row (so reconcile can look it up). */
  setTxHash(id: number, txHash: string): void {
    this.update(id, "UPDATE attestations SET tx_hash = ?, updated_at = ? WHERE id = ?", txHash.toLowerCase());
  }

  /** A pending attestation was confirmed on chain. */
  markActive(id: number, txHash: string | null): void {
    this.update(
      id,
      "UPDATE attestations SET status = 'active', tx_hash = COALESCE(?, tx_hash), error = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
      txHash?.toLowerCase() ?? null,
    );
  }

  /**
   * A pending attestation did not make it on chain (reverted, dropped, relay deadline passed). The row it
   * superseded, if any, is reopened as `active`: the chain still holds that record.
   */
  markFailed(id: number, error: string): void {
    this.transaction(() => {
      const changed = this.db
        .prepare(
          "UPDATE attestations SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
        )
        .run(error.slice(0, 500), this.now(), id);
      const superseded = this.get(id)?.supersedes ?? null;
      if (Number(changed.changes) === 0 || superseded === null) return;
      this.db
        .prepare(
          "UPDATE attestations SET status = 'active', error = NULL, updated_at = ? WHERE id = ? AND status = 'revoked' AND error LIKE ?",
        )
        .run(this.now(), superseded, `${SUPERSEDED_NOTE}%`);
    });
  }

  /** Marks active rows as about to be revoked (written before the revoke transaction is sent). */
  markRevokePending(ids: readonly number[]): void {
    this.transaction(() => {
      const stmt = this.db.prepare(
        "UPDATE attestations SET status = 'revoke-pending', updated_at = ? WHERE id = ? AND status IN ('active', 'revoke-pending')",
      );
      for (const id of ids) stmt.run(this.now(), id);
    });
  }

  /** Records the revoke transaction's hash for rows in `revoke-pending`. */
  setRevokeTxHash(ids: readonly number[], txHash: string): void {
    this.transaction(() => {
      const stmt = this.db.prepare("UPDATE attestations SET revoke_tx_hash = ?, updated_at = ? WHERE id = ?");
      for (const id of ids) stmt.run(txHash.toLowerCase(), this.now(), id);
    });
  }

  /**
   * Rows confirmed revoked on chain (by this tool or anyone else). A row already closed as superseded by a
   * still-pending re-attestation gets the revocation noted, so that it is not reopened if that re-attestation fails.
   */
  markRevoked(ids: readonly number[], txHash: string | null): void {
    this.transaction(() => {
      const stmt = this.db.prepare(
        "UPDATE attestations SET status = 'revoked', revoke_tx_hash = COALESCE(?, revoke_tx_hash), updated_at = ? WHERE id = ? AND status IN ('pending', 'active', 'revoke-pending')",
      );
      const superseded = this.db.prepare(
        "UPDATE attestations SET revoke_tx_hash = COALESCE(?, revoke_tx_hash), error = ?, updated_at = ? WHERE id = ? AND status = 'revoked' AND error LIKE ?",
      );
      for (const id of ids) {
        stmt.run(txHash?.toLowerCase() ?? null, this.now(), id);
        superseded.run(
          txHash?.toLowerCase() ?? null,
          "revoked on chain while superseded by a pending re-attestation",
          this.now(),
          id,
          `${SUPERSEDED_NOTE}%`,
        );
      }
    });
  }

  /**
   * Marks the signing certificates of these rows `drop-pending`: their claims are about to be dropped on chain
   * (written before `dropSigningClaims` is sent). The rows stay `active`; their certificates are still checked.
   */
  markClaimsDropPending(ids: readonly number[]): void {
    this.transaction(() => {
      const stmt = this.db.prepare(
        "UPDATE certificates SET state = 'drop-pending' WHERE attestation_id = ? AND role = 'sign' AND state <> 'dropped'",
      );
      for (const id of ids) stmt.run(id);
    });
  }

  /** Records the `dropSigningClaims` transaction's hash on the `drop-pending` signing certificates of these rows. */
  setDropTxHash(ids: readonly number[], txHash: string): void {
    this.transaction(() => {
      const stmt = this.db.prepare(
        "UPDATE certificates SET drop_tx_hash = ? WHERE attestation_id = ? AND role = 'sign' AND state = 'drop-pending'",
      );
      for (const id of ids) stmt.run(txHash.toLowerCase(), id);
    });
  }

  /**
   * The claims from the signing certificate of a live row were dropped on chain (or it had none): the row stays
   * live with `claims`, its person tag is released (no claim from the signing certificate is left), and its signing
   * certificate is `dropped`: no longer checked against CRLs, and free to back another attestation.
   */
  markClaimsDropped(id: number, claims: number, txHash: string | null): void {
    this.transaction(() => {
      const changed = this.db
        .prepare(
          "UPDATE attestations SET claims = ?, person_tag = NULL, updated_at = ? WHERE id = ? AND status IN ('active', 'revoke-pending')",
        )
        .run(claims, this.now(), id);
      if (Number(changed.changes) === 0) return;
      this.db
        .prepare(
          "UPDATE certificates SET state = 'dropped', drop_tx_hash = COALESCE(?, drop_tx_hash) WHERE attestation_id = ? AND role = 'sign'",
        )
        .run(txHash?.toLowerCase() ?? null, id);
    });
  }

  /** Live rows whose signing certificate was left `drop-pending` (an interrupted crl-sync), oldest first. */
  dropPending(chainId: bigint, registry: string): AttestationRecord[] {
    return (
      this.db
        .prepare(
          `SELECT a.* FROM attestations a JOIN certificates c ON c.attestation_id = a.id AND c.role = 'sign'
            WHERE a.chain_id = ? AND a.registry = ? AND c.state = 'drop-pending'
              AND a.status IN ('active', 'revoke-pending') ORDER BY a.id`,
        )
        .all(chainId.toString(), registry.toLowerCase()) as Row[]
    ).map(toRecord);
  }

  /** The certificates stored for a row (auth first). */
  certificates(id: number): StoredCertificate[] {
    const rows = this.db.prepare("SELECT * FROM certificates WHERE attestation_id = ? ORDER BY role").all(id) as Row[];
    return rows.map((r) => ({
      attestationId: Number(r.attestation_id),
      role: r.role as "auth" | "sign",
      issuerKeyId: String(r.issuer_key_id),
      partition: String(r.partition),
      serialHex: String(r.serial),
      notAfter: Number(r.not_after),
      state: r.state as CertificateState,
      dropTxHash: r.drop_tx_hash === null || r.drop_tx_hash === undefined ? null : String(r.drop_tx_hash),
    }));
  }

  /** The verification record stored with a row, if any. */
  verificationRecord(id: number): StoredVerificationRecord | undefined {
    const row = this.db.prepare("SELECT * FROM verification_records WHERE attestation_id = ?").get(id) as
      Row | undefined;
    return row === undefined ? undefined : toStoredRecord(row);
  }

  /**
   * The verification records of a registry with their rows (every status: a record is kept after its attestation
   * ended), oldest first; only `subject`'s when given.
   */
  verificationRecords(
    chainId: bigint,
    registry: string,
    subject?: string,
  ): Array<{ attestation: AttestationRecord; record: StoredVerificationRecord }> {
    const rows = this.db
      .prepare(
        `SELECT a.*, v.attestation_id AS v_id, v.canonical AS v_canonical, v.salt AS v_salt, v.commitment AS v_commitment
           FROM verification_records v JOIN attestations a ON a.id = v.attestation_id
          WHERE a.chain_id = ? AND a.registry = ? AND (? IS NULL OR a.subject = ?) ORDER BY a.id`,
      )
      .all(
        chainId.toString(),
        registry.toLowerCase(),
        subject?.toLowerCase() ?? null,
        subject?.toLowerCase() ?? null,
      ) as Row[];
    return rows.map((r) => ({
      attestation: toRecord(r),
      record: toStoredRecord({
        attestation_id: r.v_id ?? null,
        canonical: r.v_canonical ?? null,
        salt: r.v_salt ?? null,
        commitment: r.v_commitment ?? null,
      }),
    }));
  }

  /**
   * Closes a live row whose on-chain record was replaced by another attestation of the subject (another attester's
   * re-attestation, or another card key): status `revoked` with `note` (starting "superseded"). It is no longer
   * checked against CRLs.
   */
  markSuperseded(id: number, note: string): void {
    this.update(
      id,
      "UPDATE attestations SET status = 'revoked', error = ?, updated_at = ? WHERE id = ? AND status IN ('active', 'revoke-pending')",
      note.slice(0, 500),
    );
  }

  /** Returns a `revoke-pending` row to `active` (its revocation was not confirmed and the record is still active). */
  markActiveAgain(id: number): void {
    this.update(
      id,
      "UPDATE attestations SET status = 'active', revoke_tx_hash = NULL, updated_at = ? WHERE id = ? AND status = 'revoke-pending'",
    );
  }

  /**
   * Closes a live row whose record does not exist on chain (a development chain was reset, or the registry
   * redeployed at the same address): status `failed` with `error`.
   */
  markMissingOnChain(id: number, error: string): void {
    this.update(
      id,
      "UPDATE attestations SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status IN ('active', 'revoke-pending')",
      error.slice(0, 500),
    );
  }

  /** One row by id, or undefined. */
  get(id: number): AttestationRecord | undefined {
    const row = this.db.prepare("SELECT * FROM attestations WHERE id = ?").get(id) as Row | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** All rows for `subject` in a registry, oldest first. */
  bySubject(chainId: bigint, registry: string, subject: string): AttestationRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM attestations WHERE chain_id = ? AND registry = ? AND subject = ? ORDER BY id")
        .all(chainId.toString(), registry.toLowerCase(), subject.toLowerCase()) as Row[]
    ).map(toRecord);
  }

  /** The live (pending, active or revoke-pending) row of `subject`, if any. */
  live(chainId: bigint, registry: string, subject: string): AttestationRecord | undefined {
    return this.liveRow(chainId.toString(), registry.toLowerCase(), subject.toLowerCase());
  }

  /** The live (pending, active or revoke-pending) rows bound to a card key, oldest first (any subject). */
  liveByKey(chainId: bigint, registry: string, keyNullifier: string): AttestationRecord[] {
    const marks = LIVE.map(() => "?").join(", ");
    return (
      this.db
        .prepare(
          `SELECT * FROM attestations WHERE chain_id = ? AND registry = ? AND key_nullifier = ? AND status IN (${marks}) ORDER BY id`,
        )
        .all(chainId.toString(), registry.toLowerCase(), keyNullifier.toLowerCase(), ...LIVE) as Row[]
    ).map(toRecord);
  }

  /** Every card key the store ever recorded with this person tag (any status): the anonymous-proof lock. */
  keysByPersonTag(chainId: bigint, registry: string, personTag: string): string[] {
    return (
      this.db
        .prepare(
          "SELECT DISTINCT key_nullifier FROM attestations WHERE chain_id = ? AND registry = ? AND person_tag = ? ORDER BY key_nullifier",
        )
        .all(chainId.toString(), registry.toLowerCase(), personTag.toLowerCase()) as { key_nullifier: string }[]
    ).map((r) => r.key_nullifier);
  }

  /** Rows of a registry in the given statuses, oldest first. */
  byStatus(chainId: bigint, registry: string, statuses: readonly AttestationStatus[]): AttestationRecord[] {
    const marks = statuses.map(() => "?").join(", ");
    return (
      this.db
        .prepare(`SELECT * FROM attestations WHERE chain_id = ? AND registry = ? AND status IN (${marks}) ORDER BY id`)
        .all(chainId.toString(), registry.toLowerCase(), ...statuses) as Row[]
    ).map(toRecord);
  }

  /** Number of rows per status in a registry. */
  counts(chainId: bigint, registry: string): Record<AttestationStatus, number> {
    const counts: Record<AttestationStatus, number> = {
      pending: 0,
      active: 0,
      "revoke-pending": 0,
      revoked: 0,
      failed: 0,
    };
    const rows = this.db
      .prepare("SELECT status, COUNT(*) AS n FROM attestations WHERE chain_id = ? AND registry = ? GROUP BY status")
      .all(chainId.toString(), registry.toLowerCase()) as Row[];
    for (const row of rows) counts[row.status as AttestationStatus] = Number(row.n);
    return counts;
  }

  /**
   * The CRL partitions (issuer key id + partition) that the checked certificates of active attestations depend on
   * (including `revoke-pending` rows and a row superseded by a still-pending re-attestation; not a `dropped` signing
   * certificate).
   */
  partitionsInUse(chainId: bigint, registry: string): PartitionInUse[] {
    const rows = this.db
      .prepare(
        `SELECT c.issuer_key_id AS issuer, c.partition AS partition, COUNT(*) AS n
           FROM certificates c JOIN attestations a ON a.id = c.attestation_id
          WHERE a.chain_id = ? AND a.registry = ? AND ${CHECKED} AND c.state <> 'dropped'
          GROUP BY c.issuer_key_id, c.partition ORDER BY c.issuer_key_id, c.partition`,
      )
      .all(chainId.toString(), registry.toLowerCase()) as Row[];
    return rows.map((r) => ({ issuerKeyId: String(r.issuer), partition: String(r.partition), count: Number(r.n) }));
  }

  /**
   * Iterates the checked certificates of active attestations in one CRL partition (lazily, for large stores),
   * including those of `revoke-pending` rows and of a row superseded by a still-pending re-attestation; a signing
   * certificate whose claims were dropped is no longer checked.
   * Uses the `(issuer_key_id, partition, serial)` index.
   */
  *activeCertificates(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    partition: string,
  ): IterableIterator<ActiveCertificate> {
    const rows = this.db
      .prepare(
        `SELECT c.attestation_id AS id, a.subject AS subject, c.role AS role, c.serial AS serial
           FROM certificates c JOIN attestations a ON a.id = c.attestation_id
          WHERE c.issuer_key_id = ? AND c.partition = ? AND a.chain_id = ? AND a.registry = ? AND ${CHECKED}
            AND c.state <> 'dropped'`,
      )
      .iterate(issuerKeyId.toLowerCase(), partition, chainId.toString(), registry.toLowerCase()) as Iterable<Row>;
    for (const r of rows) {
      yield {
        attestationId: Number(r.id),
        subject: String(r.subject),
        role: r.role as "auth" | "sign",
        serialHex: String(r.serial),
      };
    }
  }

  /**
   * The highest cRLNumber recorded for CRLs of (issuer key id, scope) in a registry, or undefined when none was.
   * `scope` is a partition or `FULL_CRL_SCOPE`.
   */
  crlNumberSeen(chainId: bigint, registry: string, issuerKeyId: string, scope: string): bigint | undefined {
    const row = this.db
      .prepare(
        "SELECT crl_number AS n FROM crl_numbers WHERE chain_id = ? AND registry = ? AND issuer_key_id = ? AND scope = ?",
      )
      .get(chainId.toString(), registry.toLowerCase(), issuerKeyId.toLowerCase(), scope) as Row | undefined;
    return row === undefined ? undefined : BigInt(`0x${String(row.n)}`);
  }

  /** Records that a CRL with `crlNumber` was used for (issuer key id, scope); a lower number never replaces a higher. */
  recordCrlNumber(chainId: bigint, registry: string, issuerKeyId: string, scope: string, crlNumber: bigint): void {
    if (crlNumber < 0n) throw new OperatorError("OPERATOR_BAD_INPUT", "a CRL number is never negative");
    this.transaction(() => {
      const seen = this.crlNumberSeen(chainId, registry, issuerKeyId, scope);
      if (seen !== undefined && seen >= crlNumber) return;
      this.db
        .prepare(
          `INSERT INTO crl_numbers (chain_id, registry, issuer_key_id, scope, crl_number, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (chain_id, registry, issuer_key_id, scope) DO UPDATE SET crl_number = excluded.crl_number, updated_at = excluded.updated_at`,
        )
        .run(
          chainId.toString(),
          registry.toLowerCase(),
          issuerKeyId.toLowerCase(),
          scope,
          crlNumber.toString(16),
          this.now(),
        );
    });
  }

  /** Closes the database. */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private liveRow(chainId: string, registry: string, subject: string): AttestationRecord | undefined {
    const marks = LIVE.map(() => "?").join(", ");
    const row = this.db
      .prepare(
        `SELECT * FROM attestations WHERE chain_id = ? AND registry = ? AND subject = ? AND status IN (${marks}) LIMIT 1`,
      )
      .get(chainId, registry, subject, ...LIVE) as Row | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  private update(id: number, sql: string, ...values: SQLInputValue[]): void {
    this.db.prepare(sql).run(...values, this.now(), id);
  }
}
