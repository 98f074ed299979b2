/**
 * An in-memory protocol-v2 registry for the crl-sync and reconcile tests: card keys (bound subject, burned flag),
 * records (status, claims, key, attester), holder nonces, receipts and a clock, with `revokeInvalidKeys` and
 * `dropSigningClaims` following the contract's rules (skip and report, never revert). Every write goes through the
 * real PII guard over a calldata-like encoding of its arguments.
 */
import { FROM_SIGNING } from "../../../src/claims.js";
import type { CrlSyncChain, SkipReasonName } from "../../../src/operator/crl-sync.js";
import type { KeyState, ReceiptStatus, RecordState } from "../../../src/operator/reconcile.js";
import { assertNoPii, type PiiMaterial } from "../../../src/privacy/pii-guard.js";

export const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const ZERO = "0x0000000000000000000000000000000000000000";

export interface FakeRecord {
  status: "Active" | "Revoked" | "Expired";
  claims: number;
  key: string;
  /** `me` (the operator running crl-sync) or another attester. */
  attester: "me" | "other";
}

export class FakeRegistry implements CrlSyncChain {
  readonly chainId = 31337n;
  readonly registry = REGISTRY;
  readonly keys = new Map<string, { subject: string; burned: boolean }>();
  readonly records = new Map<string, FakeRecord>();
  readonly nonceOf = new Map<string, bigint>();
  readonly receipts = new Map<string, ReceiptStatus>();
  time = 1_800_000_000n;
  /** Whether the operator still holds an active attester role (else every entry is skipped NotAuthorized). */
  attesterActive = true;

  readonly revokeBatches: string[][] = [];
  readonly dropBatches: string[][] = [];
  /** Entries sent for a key that was already burned / a subject whose claims were already gone. */
  burnedTwice = 0;
  droppedTwice = 0;
  heartbeats = 0;
  /** Throw ("kill the process") before sending the batch with this index (counted over both kinds). */
  killBeforeBatch: number | undefined;
  /** Throw after the batch with this index was mined, before its receipt is read (a kill mid-transaction). */
  killWhileMining: number | undefined;
  private txCount = 0;

  /** Binds `key` to `subject` with an active record (as a landed attestation does). */
  attest(subject: string, key: string, claims: number, attester: "me" | "other" = "me"): void {
    const k = this.keys.get(key);
    if (k?.burned === true) throw new Error("KeyBurned");
    this.keys.set(key, { subject, burned: false });
    this.records.set(subject, { status: "Active", claims, key, attester });
    this.nonceOf.set(subject, (this.nonceOf.get(subject) ?? 0n) + 1n);
  }

  private nextHash(): string {
    return `0x${(++this.txCount).toString(16).padStart(64, "0")}`;
  }

  private batchIndex(): number {
    return this.revokeBatches.length + this.dropBatches.length;
  }

  private guard(words: readonly string[], pii: readonly PiiMaterial[]): void {
    assertNoPii("0x" + words.map((w) => w.slice(2).padStart(64, "0")).join(""), pii);
  }

  async now() {
    return this.time;
  }

  async revokeInvalidKeys(
    keyNullifiers: readonly string[],
    pii: readonly PiiMaterial[],
    onSent: (h: string) => void | Promise<void>,
  ) {
    this.guard(keyNullifiers, pii);
    const index = this.batchIndex();
    if (this.killBeforeBatch !== undefined && index >= this.killBeforeBatch) throw new Error("killed");
    this.revokeBatches.push([...keyNullifiers]);
    const hash = this.nextHash();
    const revoked: string[] = [];
    const burned: string[] = [];
    const skipped: Array<{ keyNullifier: string; reason: SkipReasonName }> = [];
    for (const n of keyNullifiers) {
      const key = this.keys.get(n);
      if (key === undefined) {
        skipped.push({ keyNullifier: n, reason: "NotActive" });
        continue;
      }
      if (key.burned) {
        this.burnedTwice++;
        skipped.push({ keyNullifier: n, reason: "AlreadyBurned" });
        continue;
      }
      const record = this.records.get(key.subject);
      const own = record !== undefined && record.key === n;
      if (!(own && record.attester === "me" && this.attesterActive)) {
        skipped.push({ keyNullifier: n, reason: "NotAuthorized" });
        continue;
      }
      key.burned = true;
      burned.push(n);
      if (record.status === "Active") {
        record.status = "Revoked";
        revoked.push(key.subject);
      }
    }
    this.receipts.set(hash, "success");
    await onSent(hash);
    if (this.killWhileMining === index) throw new Error("killed while waiting for the receipt");
    return { hash, gasUsed: 1000n * BigInt(keyNullifiers.length), revoked, burned, skipped };
  }

  async dropSigningClaims(
    subjects: readonly string[],
    pii: readonly PiiMaterial[],
    onSent: (h: string) => void | Promise<void>,
  ) {
    this.guard(subjects, pii);
    const index = this.batchIndex();
    if (this.killBeforeBatch !== undefined && index >= this.killBeforeBatch) throw new Error("killed");
    this.dropBatches.push([...subjects]);
    const hash = this.nextHash();
    const dropped: Array<{ subject: string; claims: number }> = [];
    const skipped: Array<{ subject: string; reason: SkipReasonName }> = [];
    for (const s of subjects) {
      const record = this.records.get(s);
      if (record === undefined || record.status !== "Active") skipped.push({ subject: s, reason: "NotActive" });
      else if (record.attester !== "me" || !this.attesterActive) skipped.push({ subject: s, reason: "NotAuthorized" });
      else if ((record.claims & FROM_SIGNING) === 0) {
        this.droppedTwice++;
        skipped.push({ subject: s, reason: "NoSigningClaims" });
      } else {
        record.claims &= ~FROM_SIGNING;
        dropped.push({ subject: s, claims: record.claims });
      }
    }
    this.receipts.set(hash, "success");
    await onSent(hash);
    if (this.killWhileMining === index) throw new Error("killed while waiting for the receipt");
    return { hash, gasUsed: 800n * BigInt(subjects.length), dropped, skipped };
  }

  async recordCrlSync() {
    if (!this.attesterActive) throw new Error("NotAttester");
    this.heartbeats++;
    return { hash: `0x${"ee".repeat(32)}`, gasUsed: 30000n };
  }

  async keyState(keyNullifier: string): Promise<KeyState> {
    const key = this.keys.get(keyNullifier);
    if (key === undefined) return { subject: ZERO, active: false, burned: false };
    const record = this.records.get(key.subject);
    return {
      subject: key.subject,
      active: record?.key === keyNullifier && record.status === "Active",
      burned: key.burned,
    };
  }

  async nonces(subject: string) {
    return this.nonceOf.get(subject) ?? 0n;
  }

  async recordOf(subject: string): Promise<RecordState> {
    const record = this.records.get(subject);
    return record === undefined ? { status: "None", claims: 0 } : { status: record.status, claims: record.claims };
  }

  async isOwnRecord(subject: string, keyNullifier: string) {
    const record = this.records.get(subject);
    return record === undefined || (record.attester === "me" && record.key === keyNullifier);
  }

  async receiptStatus(txHash: string): Promise<ReceiptStatus> {
    return this.receipts.get(txHash) ?? "unknown";
  }
}
