import { AsyncLocalStorage } from "node:async_hooks";

import type { OperatorStore } from "./operator-store.js";
import { SqliteStoreCore, type OpenStoreOptions } from "./sqlite-store-core.js";
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
 * {@link OperatorStore} on embedded SQLite (`node:sqlite`, file mode 0600, WAL journal): the synchronous
 * {@link SqliteStoreCore} behind Promise-returning methods. A call runs at once (in the caller's tick) unless a
 * {@link transaction} is open in another async context: then it waits for that transaction to end, so the statements
 * of concurrent callers never land inside someone else's transaction. A SQLite store belongs to one process: key
 * locks across processes are granted at once (the service's in-process lock serialises its own requests); several
 * service instances need PostgreSQL.
 */
export class SqliteOperatorStore implements OperatorStore {
  private readonly context = new AsyncLocalStorage<object>();
  /** The open top-level transaction: its context token and the promise that settles when it ends. */
  private open: { token: object; done: Promise<void> } | undefined;

  private constructor(private readonly core: SqliteStoreCore) {}

  /**
   * Opens (creating if needed) the store at `path` and applies pending migrations.
   * @throws OperatorError `OPERATOR_STORE` when the file is not a store or has a newer schema.
   */
  static open(path: string, options: OpenStoreOptions = {}): SqliteOperatorStore {
    return new SqliteOperatorStore(SqliteStoreCore.open(path, options));
  }

  get path(): string {
    return this.core.path;
  }

  get schemaVersion(): number {
    return this.core.schemaVersion;
  }

  private inside(): boolean {
    return this.open !== undefined && this.context.getStore() === this.open.token;
  }

  /** Runs `fn` now when no other context's transaction is open, else after it ended. */
  private run<T>(fn: () => T): Promise<T> {
    if (this.open === undefined || this.inside()) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.open.done.then(() => this.run(fn));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside()) {
      this.core.begin();
      try {
        const result = await fn();
        this.core.commit();
        return result;
      } catch (error) {
        this.core.rollback();
        throw error;
      }
    }
    while (this.open !== undefined) await this.open.done;
    const token = {};
    let end!: () => void;
    this.open = { token, done: new Promise<void>((resolve) => (end = resolve)) };
    try {
      this.core.begin();
      try {
        const result = await this.context.run(token, fn);
        this.core.commit();
        return result;
      } catch (error) {
        this.core.rollback();
        throw error;
      }
    } finally {
      this.open = undefined;
      end();
    }
  }

  async tryLockKeys(_keys: readonly string[]): Promise<(() => Promise<void>) | undefined> {
    return async () => {};
  }

  insertPending(attestation: NewAttestation): Promise<number> {
    return this.run(() => this.core.insertPending(attestation));
  }
  setTxHash(id: number, txHash: string): Promise<void> {
    return this.run(() => this.core.setTxHash(id, txHash));
  }
  markActive(id: number, txHash: string | null): Promise<void> {
    return this.run(() => this.core.markActive(id, txHash));
  }
  markFailed(id: number, error: string): Promise<void> {
    return this.run(() => this.core.markFailed(id, error));
  }
  markRevokePending(ids: readonly number[]): Promise<void> {
    return this.run(() => this.core.markRevokePending(ids));
  }
  setRevokeTxHash(ids: readonly number[], txHash: string): Promise<void> {
    return this.run(() => this.core.setRevokeTxHash(ids, txHash));
  }
  markRevoked(ids: readonly number[], txHash: string | null): Promise<void> {
    return this.run(() => this.core.markRevoked(ids, txHash));
  }
  markClaimsDropPending(ids: readonly number[]): Promise<void> {
    return this.run(() => this.core.markClaimsDropPending(ids));
  }
  setDropTxHash(ids: readonly number[], txHash: string): Promise<void> {
    return this.run(() => this.core.setDropTxHash(ids, txHash));
  }
  markClaimsDropped(id: number, claims: number, txHash: string | null): Promise<void> {
    return this.run(() => this.core.markClaimsDropped(id, claims, txHash));
  }
  dropPending(chainId: bigint, registry: string): Promise<AttestationRecord[]> {
    return this.run(() => this.core.dropPending(chainId, registry));
  }
  certificates(id: number): Promise<StoredCertificate[]> {
    return this.run(() => this.core.certificates(id));
  }
  verificationRecord(id: number): Promise<StoredVerificationRecord | undefined> {
    return this.run(() => this.core.verificationRecord(id));
  }
  verificationRecords(
    chainId: bigint,
    registry: string,
    subject?: string,
  ): Promise<Array<{ attestation: AttestationRecord; record: StoredVerificationRecord }>> {
    return this.run(() => this.core.verificationRecords(chainId, registry, subject));
  }
  markSuperseded(id: number, note: string): Promise<void> {
    return this.run(() => this.core.markSuperseded(id, note));
  }
  markActiveAgain(id: number): Promise<void> {
    return this.run(() => this.core.markActiveAgain(id));
  }
  markMissingOnChain(id: number, error: string): Promise<void> {
    return this.run(() => this.core.markMissingOnChain(id, error));
  }
  get(id: number): Promise<AttestationRecord | undefined> {
    return this.run(() => this.core.get(id));
  }
  bySubject(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord[]> {
    return this.run(() => this.core.bySubject(chainId, registry, subject));
  }
  live(chainId: bigint, registry: string, subject: string): Promise<AttestationRecord | undefined> {
    return this.run(() => this.core.live(chainId, registry, subject));
  }
  liveByKey(chainId: bigint, registry: string, keyNullifier: string): Promise<AttestationRecord[]> {
    return this.run(() => this.core.liveByKey(chainId, registry, keyNullifier));
  }
  keysByPersonTag(chainId: bigint, registry: string, personTag: string): Promise<string[]> {
    return this.run(() => this.core.keysByPersonTag(chainId, registry, personTag));
  }
  byStatus(chainId: bigint, registry: string, statuses: readonly AttestationStatus[]): Promise<AttestationRecord[]> {
    return this.run(() => this.core.byStatus(chainId, registry, statuses));
  }
  counts(chainId: bigint, registry: string): Promise<Record<AttestationStatus, number>> {
    return this.run(() => this.core.counts(chainId, registry));
  }
  partitionsInUse(chainId: bigint, registry: string): Promise<PartitionInUse[]> {
    return this.run(() => this.core.partitionsInUse(chainId, registry));
  }
  async *activeCertificates(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    partition: string,
  ): AsyncIterableIterator<ActiveCertificate> {
    const rows = await this.run(() => this.core.activeCertificates(chainId, registry, issuerKeyId, partition));
    yield* rows;
  }
  crlNumberSeen(chainId: bigint, registry: string, issuerKeyId: string, scope: string): Promise<bigint | undefined> {
    return this.run(() => this.core.crlNumberSeen(chainId, registry, issuerKeyId, scope));
  }
  recordCrlNumber(
    chainId: bigint,
    registry: string,
    issuerKeyId: string,
    scope: string,
    crlNumber: bigint,
  ): Promise<void> {
    return this.run(() => this.core.recordCrlNumber(chainId, registry, issuerKeyId, scope, crlNumber));
  }
  close(): Promise<void> {
    return this.run(() => this.core.close());
  }
}
