import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";

import pg from "pg";

import { OperatorError } from "../operator-error.js";
import type { Migration } from "./migrations.js";
import type { OperatorStore } from "./operator-store.js";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
import {
  BACKING,
  CHECKED,
  checkSealedRecord,
  LIVE,
  oneLine,
  SUPERSEDED_NOTE,
  toRecord,
  toStoredRecord,
  type Row,
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

/** Options of {@link PostgresOperatorStore.connect}. */
export interface PostgresStoreOptions {
  /** Clock for `created_at` / `updated_at` (unix seconds); defaults to the system clock. */
  readonly now?: () => number;
  /** Migrations to apply (tests only); defaults to {@link POSTGRES_MIGRATIONS}. */
  readonly migrations?: readonly Migration[];
  /** The schema the tables live in (created if missing); defaults to the role's search path (`public`). */
  readonly schema?: string;
  /** Maximum pooled connections (default 10), plus one connection that holds the key locks. */
  readonly maxConnections?: number;
  /** Rows per query of {@link PostgresOperatorStore.activeCertificates} (default 5,000; tests use a small one). */
  readonly pageSize?: number;
}

/** The open transaction of an async context: its connection and savepoint depth. */
interface TxContext {
  readonly client: pg.PoolClient;
  depth: number;
}

/** SQLSTATEs after which a SERIALIZABLE transaction is run again: serialization failure, deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 12;
/** Serialises schema migrations of instances starting at the same time (a constant session advisory lock id). */
const MIGRATION_LOCK = "7310392117203542001";

/**
 * The URL with its password replaced by `***` (for messages and logs: the password never leaves the connection).
 */
export function redactStoreUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

/**
 * The 64-bit advisory lock id of a lock key (`subject:0x…`, `key:0x…`, `person:…`): the first 8 bytes of its
 * SHA-256, signed, as PostgreSQL's `bigint`.
 */
export function advisoryLockId(key: string): string {
  const digest = createHash("sha256").update(`jpki-kyc:${key}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}

/**
 * {@link OperatorStore} on PostgreSQL (node-postgres pool), for an operator that runs several service instances
 * behind a load balancer on one database. Same schema (translated migrations, `schema_version`), same semantics as
 * the SQLite store: every multi-statement method is one SERIALIZABLE transaction, run again (up to 12 times, with a
 * random back-off) on a serialization failure or deadlock; {@link transaction} groups calls of an async context on
 * one connection (nested calls are savepoints).
 *
 * Cross-instance safety: {@link tryLockKeys} takes session advisory locks (`pg_try_advisory_lock`, one 64-bit id per
 * key) on a dedicated connection, so two instances never work on the same subject, card key or person at once; the
 * locks end with the release function or with the connection (a crashed instance frees its keys, its pending row
 * stays for `reconcilePending` at the next start-up of any instance). The unique index on live rows remains the last
 * line: a second live row for a subject is refused by the database itself.
 */
export class PostgresOperatorStore implements OperatorStore {
  private readonly context = new AsyncLocalStorage<TxContext>();
  private version = 0;
  private lockClient: pg.Client | undefined;
  private lockClientReady: Promise<pg.Client> | undefined;
  /** Keys this process holds (a session advisory lock is re-entrant within its session, so they are kept here too). */
  private readonly held = new Set<string>();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    private readonly now: () => number,
    /** The URL without its password. */
    readonly path: string,
    private readonly pageSize: number,
  ) {}

  /**
   * Connects to the database at `url` (`postgres://user:password@host:port/database`), and applies pending migrations
   * (serialised across instances by an advisory lock).
   * @throws OperatorError `OPERATOR_STORE` when the server cannot be reached, the schema is newer than this tool, or a
   * migration fails. The message names the URL without its password.
   */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresOperatorStore> {
    const where = redactStoreUrl(url);
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new OperatorError("OPERATOR_BAD_INPUT", `not a schema name: ${options.schema}`);
    }
    const config: pg.ClientConfig = {
      connectionString: url,
      ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
      connectionTimeoutMillis: 10_000,
    };
    const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
    // An idle connection that the server drops must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const store = new PostgresOperatorStore(pool, config, now, where, options.pageSize ?? 5000);
    try {
      await store.migrate(options.migrations ?? POSTGRES_MIGRATIONS, options.schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof OperatorError) throw error;
      throw new OperatorError("OPERATOR_STORE", `cannot open the operator store ${where}: ${oneLine(error)}`, {
        cause: error,
      });
    }
    return store;
  }

  get schemaVersion(): number {
    return this.version;
  }

  /**
   * Applies pending migrations under a session advisory lock taken BEFORE the migration transaction starts (its
   * snapshot then sees what an instance that migrated first committed).
   */
  private async migrate(migrations: readonly Migration[], schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK]);
      try {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query("BEGIN");
        try {
          await this.context.run({ client, depth: 0 }, () => this.applyMigrations(migrations));
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      } finally {
        await client.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  private async applyMigrations(migrations: readonly Migration[]): Promise<void> {
    {
      await this.q(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      const applied = new Set((await this.q("SELECT version FROM schema_version")).map((r) => Number(r.version)));
      const current = Math.max(0, ...applied);
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
        if (applied.has(migration.version)) continue;
        await this.q(migration.sql);
        await this.q("INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)", [
          migration.version,
          migration.description,
          this.now(),
        ]);
      }
      this.version = Number((await this.q("SELECT MAX(version) AS v FROM schema_version"))[0]?.v ?? 0);
    }
  }

  /** One statement on the context's transaction connection, or on the pool (its own implicit transaction). */
  private async q(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    const tx = this.context.getStore();
    const result = await (tx !== undefined ? tx.client.query(sql, [...values]) : this.pool.query(sql, [...values]));
    return result.rows as Row[];
  }

  /** One statement, returning the number of rows it changed. */
  private async changed(sql: string, values: readonly unknown[]): Promise<number> {
    const tx = this.context.getStore();
    const result = await (tx !== undefined ? tx.client.query(sql, [...values]) : this.pool.query(sql, [...values]));
    return result.rowCount ?? 0;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const current = this.context.getStore();
    if (current !== undefined) {
      const savepoint = `sp${current.depth++}`;
      await current.client.query(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn();
        await current.client.query(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await current.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
        throw error;
      } finally {
        current.depth--;
      }
    }
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
        const result = await this.context.run({ client, depth: 0 }, fn);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        const code = (error as { code?: unknown }).code;
        if (typeof code === "string" && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  private async lockConnection(): Promise<pg.Client> {
    if (this.lockClient !== undefined) return this.lockClient;
    this.lockClientReady ??= (async () => {
      const client = new pg.Client(this.config);
      client.on("error", () => {
        // The connection is gone, and with it every advisory lock it held: forget it (the next request reconnects).
        if (this.lockClient === client) this.lockClient = undefined;
        this.lockClientReady = undefined;
      });
      try {
        await client.connect();
      } catch (error) {
        this.lockClientReady = undefined;
        throw error;
      }
      this.lockClient = client;
      return client;
    })();
    return this.lockClientReady;
  }

  async tryLockKeys(keys: readonly string[]): Promise<(() => Promise<void>) | undefined> {
    const unique = [...new Set(keys)];
    if (unique.some((k) => this.held.has(k))) return undefined;
    for (const k of unique) this.held.add(k);
    const ids = unique.map(advisoryLockId);
    const forget = (): void => {
      for (const k of unique) this.held.delete(k);
    };
    let client: pg.Client;
    let got: boolean[];
    try {
      client = await this.lockConnection();
      const result = await client.query(
        "SELECT pg_try_advisory_lock(k) AS ok FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i",
        [ids],
      );
      got = result.rows.map((r: { ok: boolean }) => r.ok);
    } catch (error) {
      forget();
      throw new OperatorError(
        "OPERATOR_STORE",
        `cannot lock keys in the operator store ${this.path}: ${oneLine(error)}`,
        {
          cause: error,
        },
      );
    }
    const unlock = async (which: readonly string[]): Promise<void> => {
      if (which.length === 0) return;
      await client
        .query("SELECT pg_advisory_unlock(k) FROM unnest($1::bigint[]) AS t(k)", [which])
        .catch(() => undefined);
    };
    if (got.some((ok) => !ok)) {
      await unlock(ids.filter((_, i) => got[i]));
      forget();
      return undefined;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await unlock(ids);
      forget();
    };
  }

  async insertPending(attestation: NewAttestation): Promise<number> {
    const chainId = attestation.chainId.toString();
    const registry = attestation.registry.toLowerCase();
    const subject = attestation.subject.toLowerCase();
    if (attestation.verification !== undefined) checkSealedRecord(attestation);
    try {
      return await this.transaction(async () => {
        const live = await this.liveRow(chainId, registry, subject);
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
        for (const cert of attestation.certificates) {
          if (cert.role !== "sign") continue;
          const holder = await this.q(
            `SELECT a.id AS id FROM certificates c JOIN attestations a ON a.id = c.attestation_id
              WHERE c.role = 'sign' AND c.issuer_key_id = $1 AND c.serial = $2 AND c.state <> 'dropped'
                AND a.chain_id = $3 AND a.registry = $4 AND a.subject <> $5 AND ${BACKING} LIMIT 1`,
            [cert.issuerKeyId.toLowerCase(), cert.serialHex.toLowerCase(), chainId, registry, subject],
          );
          if (holder[0] !== undefined) {
            throw new OperatorError(
              "OPERATOR_SIGN_CERT_IN_USE",
              `this signing certificate already backs attestation #${Number(holder[0].id)} of another subject; a signing certificate backs one subject's attestation only (revoke that one first)`,
            );
          }
        }
        const t = this.now();
        if (superseding !== undefined) {
          await this.q("UPDATE attestations SET status = 'revoked', error = $1, updated_at = $2 WHERE id = $3", [
            "superseded by a new attestation of the subject",
            t,
            superseding,
          ]);
        }
        const inserted = await this.q(
          `INSERT INTO attestations (chain_id, registry, subject, key_nullifier, person_tag, claims, ca_id, expiry_cap,
             mode, relay_deadline, status, created_at, updated_at, supersedes, binding_nonce, binding_deadline)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13, $14, $15) RETURNING id`,
          [
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
          ],
        );
        const id = Number(inserted[0]!.id);
        if (superseding !== undefined) {
          await this.q("UPDATE attestations SET error = $1 WHERE id = $2", [
            `superseded by attestation #${id} (re-attestation)`,
            superseding,
          ]);
        }
        for (const cert of attestation.certificates) {
          await this.q(
            "INSERT INTO certificates (attestation_id, role, issuer_key_id, partition, serial, not_after) VALUES ($1, $2, $3, $4, $5, $6)",
            [
              id,
              cert.role,
              cert.issuerKeyId.toLowerCase(),
              cert.partition,
              cert.serialHex.toLowerCase(),
              cert.notAfter,
            ],
          );
        }
        const sealed = attestation.verification;
        if (sealed !== undefined) {
          await this.q(
            "INSERT INTO verification_records (attestation_id, canonical, salt, commitment) VALUES ($1, $2, $3, $4)",
            [id, sealed.canonical, sealed.salt.toLowerCase(), sealed.commitment.toLowerCase()],
          );
        }
        return id;
      });
    } catch (error) {
      // Another instance's live row for the subject committed first (the unique index on live rows).
      if ((error as { code?: unknown; constraint?: unknown }).constraint === "attestations_live_subject") {
        throw new OperatorError(
          "OPERATOR_STORE_CONFLICT",
          `the store already has a live attestation for ${subject}; revoke or reconcile it first`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async setTxHash(id: number, txHash: string): Promise<void> {
    await this.q("UPDATE attestations SET tx_hash = $1, updated_at = $2 WHERE id = $3", [
      txHash.toLowerCase(),
      this.now(),
      id,
    ]);
  }

  async markActive(id: number, txHash: string | null): Promise<void> {
    await this.q(
      "UPDATE attestations SET status = 'active', tx_hash = COALESCE($1, tx_hash), error = NULL, updated_at = $2 WHERE id = $3 AND status = 'pending'",
      [txHash?.toLowerCase() ?? null, this.now(), id],
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.transaction(async () => {
      const changed = await this.changed(
        "UPDATE attestations SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
        [error.slice(0, 500), this.now(), id],
      );
      const superseded = (await this.get(id))?.supersedes ?? null;
      if (changed === 0 || superseded === null) return;
      await this.q(
        "UPDATE attestations SET status = 'active', error = NULL, updated_at = $1 WHERE id = $2 AND status = 'revoked' AND error LIKE $3",
        [this.now(), superseded, `${SUPERSEDED_NOTE}%`],
      );
    });
  }

  async markRevokePending(ids: readonly number[]): Promise<void> {
    await this.q(
      "UPDATE attestations SET status = 'revoke-pending', updated_at = $1 WHERE id = ANY($2::bigint[]) AND status IN ('active', 'revoke-pending')",
      [this.now(), [...ids]],
    );
  }

  async setRevokeTxHash(ids: readonly number[], txHash: string): Promise<void> {
    await this.q("UPDATE attestations SET revoke_tx_hash = $1, updated_at = $2 WHERE id = ANY($3::bigint[])", [
      txHash.toLowerCase(),
      this.now(),
      [...ids],
    ]);
  }

  async markRevoked(ids: readonly number[], txHash: string | null): Promise<void> {
    await this.transaction(async () => {
      const hash = txHash?.toLowerCase() ?? null;
      for (const id of ids) {
        await this.q(
          "UPDATE attestations SET status = 'revoked', revoke_tx_hash = COALESCE($1, revoke_tx_hash), updated_at = $2 WHERE id = $3 AND status IN ('pending', 'active', 'revoke-pending')",
          [hash, this.now(), id],
        );
        await this.q(
          "UPDATE attestations SET revoke_tx_hash = COALESCE($1, revoke_tx_hash), error = $2, updated_at = $3 WHERE id = $4 AND status = 'revoked' AND error LIKE $5",
          [
            hash,
            "revoked on chain while superseded by a pending re-attestation",
            this.now(),
            id,
            `${SUPERSEDED_NOTE}%`,
          ],
        );
      }
    });
  }

  async markClaimsDropPending(ids: readonly number[]): Promise<void> {
    await this.q(
      "UPDATE certificates SET state = 'drop-pending' WHERE attestation_id = ANY($1::bigint[]) AND role = 'sign' AND state <> 'dropped'",
      [[...ids]],
    );
  }

  async setDropTxHash(ids: readonly number[], txHash: string): Promise<void> {
    await this.q(
      "UPDATE certificates SET drop_tx_hash = $1 WHERE attestation_id = ANY($2::bigint[]) AND role = 'sign' AND state = 'drop-pending'",
      [txHash.toLowerCase(), [...ids]],
    );
  }

  async markClaimsDropped(id: number, claims: number, txHash: string | null): Promise<void> {
    await this.transaction(async () => {
      const changed = await this.changed(
        "UPDATE attestations SET claims = $1, person_tag = NULL, updated_at = $2 WHERE id = $3 AND status IN ('active', 'revoke-pending')",
        [claims, this.now(), id],
      );
      if (changed === 0) return;
      await this.q(
        "UPDATE certificates SET state = 'dropped', drop_tx_hash = COALESCE($1, drop_tx_hash) WHERE attestation_id = $2 AND role = 'sign'",
        [txHash?.toLowerCase() ?? null, id],
      );
    });
  }

  async dropPending(chainId: bigint, registry: string): Promise<AttestationRecord[]> {
    const rows = await this.q(
      `SELECT a.* FROM attestations a JOIN certificates c ON c.attestation_id = a.id AND c.role = 'sign'
        WHERE a.chain_id = $1 AND a.registry = $2 AND c.state = 'drop-pending'
          AND a.status IN ('active', 'revoke-pending') ORDER BY a.id`,
      [chainId.toString(), registry.toLowerCase()],
    );
    return rows.map(toRecord);
  }

  async certificates(id: number): Promise<StoredCertificate[]> {
    const rows = await this.q("SELECT * FROM certificates WHERE attestation_id = $1 ORDER BY role", [id]);
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

  async verificationRecord(id: number): Promise<StoredVerificationRecord | undefined> {
    const row = (await this.q("SELECT * FROM verification_records WHERE attestation_id = $1", [id]))[0];
    return row === undefined ? undefined : toStoredRecord(row);
  }

  async verificationRecords(
    chainId: bigint,
    registry: string,
    subject?: string,
  ): Promise<Array<{ attestation: AttestationRecord; record: StoredVerificationRecord }>> {
    const rows = await this.q(
      `SELECT a.*, v.attestation_id AS v_id, v.canonical AS v_canonical, v.salt AS v_salt, v.commitment AS v_commitment
         FROM verification_records v JOIN attestations a ON a.id = v.attestation_id
        WHERE a.chain_id = $1 AND a.registry = $2 AND ($3::text IS NULL OR a.subject = $3) ORDER BY a.id`,
      [chainId.toString(), registry.toLowerCase(), subject?.toLowerCase() ?? null],
    );
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

  async markSuperseded(id: number, note: string): Promise<void> {
    await this.q(
      "UPDATE attestations SET status = 'revoked', error = $1, updated_at = $2 WHERE id = $3 AND status IN ('active', 'revoke-pending')",
      [note.slice(0, 500), this.now(), id],
    );
  }

  async markActiveAgain(id: number): Promise<void> {
    await this.q(
      "UPDATE attestations SET status = 'active', revoke_tx_hash = NULL, updated_at = $1 WHERE id = $2 AND status = 'revoke-pending'",
      [this.now(), id],
    );
  }

  async markMissingOnChain(id: number, error: string): Promise<void> {
    await this.q(
      "UPDATE attestations SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND status IN ('active', 'revoke-pending')",
      [error.slice(0, 500), this.now(), id],
    );
  }

  async get(id: number): Promise<AttestationRecord | undefined> {
    const row = (await this.q("SELECT * FROM attestations WHERE id = $1", [id]))[0];
    return row === undefined ? undefined : toRecord(row);
  }

  async bySubject(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord[]> {
    const rows = await this.q(
      "SELECT * FROM attestations WHERE chain_id = $1 AND registry = $2 AND subject = $3 ORDER BY id",
      [chainId.toString(), registry.toLowerCase(), subject.toLowerCase()],
    );
    return rows.map(toRecord);
  }

  live(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord | undefined> {
    return this.liveRow(chainId.toString(), registry.toLowerCase(), subject.toLowerCase());
  }

  async liveByKey(chainId: bigint, registry: string, keyNullifier: string): Promise<AttestationRecord[]> {
    const rows = await this.q(
      "SELECT * FROM attestations WHERE chain_id = $1 AND registry = $2 AND key_nullifier = $3 AND status = ANY($4::text[]) ORDER BY id",
      [chainId.toString(), registry.toLowerCase(), keyNullifier.toLowerCase(), [...LIVE]],
    );
    return rows.map(toRecord);
  }

  async keysByPersonTag(chainId: bigint, registry: string, personTag: string): Promise<string[]> {
    const rows = await this.q(
      "SELECT DISTINCT key_nullifier FROM attestations WHERE chain_id = $1 AND registry = $2 AND person_tag = $3 ORDER BY key_nullifier",
      [chainId.toString(), registry.toLowerCase(), personTag.toLowerCase()],
    );
    return rows.map((r) => String(r.key_nullifier));
  }

  async byStatus(
    chainId: bigint,
    registry: string,
    statuses: readonly AttestationStatus[],
  ): Promise<AttestationRecord[]> {
    const rows = await this.q(
      "SELECT * FROM attestations WHERE chain_id = $1 AND registry = $2 AND status = ANY($3::text[]) ORDER BY id",
      [chainId.toString(), registry.toLowerCase(), [...statuses]],
    );
    return rows.map(toRecord);
  }

  async counts(chainId: bigint, registry: string): Promise<Record<AttestationStatus, number>> {
    const counts: Record<AttestationStatus, number> = {
      pending: 0,
      active: 0,
      "revoke-pending": 0,
      revoked: 0,
      failed: 0,
    };
    const rows = await this.q(
      "SELECT status, COUNT(*) AS n FROM attestations WHERE chain_id = $1 AND registry = $2 GROUP BY status",
      [chainId.toString(), registry.toLowerCase()],
    );
    for (const row of rows) counts[row.status as AttestationStatus] = Number(row.n);
    return counts;
  }

  async partitionsInUse(chainId: bigint, registry: string): Promise<PartitionInUse[]> {
    const rows = await this.q(
      `SELECT c.issuer_key_id AS issuer, c.partition AS partition, COUNT(*) AS n
         FROM certificates c JOIN attestations a ON a.id = c.attestation_id
        WHERE a.chain_id = $1 AND a.registry = $2 AND ${CHECKED} AND c.state <> 'dropped'
        GROUP BY c.issuer_key_id, c.partition ORDER BY c.issuer_key_id, c.partition`,
      [chainId.toString(), registry.toLowerCase()],
    );
    return rows.map((r) => ({ issuerKeyId: String(r.issuer), partition: String(r.partition), count: Number(r.n) }));
  }

  /** Pages through the partition's certificates by (attestation id, role), `pageSize` rows per query. */
  async *activeCertificates(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    partition: string,
  ): AsyncIterableIterator<ActiveCertificate> {
    let after: [number, string] = [0, ""];
    for (;;) {
      const rows = await this.q(
        `SELECT c.attestation_id AS id, a.subject AS subject, c.role AS role, c.serial AS serial
           FROM certificates c JOIN attestations a ON a.id = c.attestation_id
          WHERE c.issuer_key_id = $1 AND c.partition = $2 AND a.chain_id = $3 AND a.registry = $4 AND ${CHECKED}
            AND c.state <> 'dropped' AND (c.attestation_id, c.role) > ($5::bigint, $6::text)
          ORDER BY c.attestation_id, c.role LIMIT $7`,
        [
          issuerKeyId.toLowerCase(),
          partition,
          chainId.toString(),
          registry.toLowerCase(),
          after[0],
          after[1],
          this.pageSize,
        ],
      );
      for (const r of rows) {
        yield {
          attestationId: Number(r.id),
          subject: String(r.subject),
          role: r.role as "auth" | "sign",
          serialHex: String(r.serial),
        };
      }
      const last = rows[rows.length - 1];
      if (rows.length < this.pageSize || last === undefined) return;
      after = [Number(last.id), String(last.role)];
    }
  }

  async crlNumberSeen(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    scope: string,
  ): Promise<bigint | undefined> {
    const row = (
      await this.q(
        "SELECT crl_number AS n FROM crl_numbers WHERE chain_id = $1 AND registry = $2 AND issuer_key_id = $3 AND scope = $4",
        [chainId.toString(), registry.toLowerCase(), issuerKeyId.toLowerCase(), scope],
      )
    )[0];
    return row === undefined ? undefined : BigInt(`0x${String(row.n)}`);
  }

  async recordCrlNumber(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    scope: string,
    crlNumber: bigint,
  ): Promise<void> {
    if (crlNumber < 0n) throw new OperatorError("OPERATOR_BAD_INPUT", "a CRL number is never negative");
    await this.transaction(async () => {
      const seen = await this.crlNumberSeen(chainId, registry, issuerKeyId, scope);
      if (seen !== undefined && seen >= crlNumber) return;
      await this.q(
        `INSERT INTO crl_numbers (chain_id, registry, issuer_key_id, scope, crl_number, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain_id, registry, issuer_key_id, scope) DO UPDATE SET crl_number = excluded.crl_number, updated_at = excluded.updated_at`,
        [
          chainId.toString(),
          registry.toLowerCase(),
          issuerKeyId.toLowerCase(),
          scope,
          crlNumber.toString(16),
          this.now(),
        ],
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lock = this.lockClient;
    this.lockClient = undefined;
    this.lockClientReady = undefined;
    await lock?.end().catch(() => undefined);
    await this.pool.end();
  }

  private async liveRow(chainId: string, registry: string, subject: string): Promise<AttestationRecord | undefined> {
    const row = (
      await this.q(
        "SELECT * FROM attestations WHERE chain_id = $1 AND registry = $2 AND subject = $3 AND status = ANY($4::text[]) LIMIT 1",
        [chainId, registry, subject, [...LIVE]],
      )
    )[0];
    return row === undefined ? undefined : toRecord(row);
  }
}
