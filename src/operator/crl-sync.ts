import { FROM_SIGNING } from "../claims.js";
import type { PiiMaterial } from "../privacy/pii-guard.js";
import { coveringScopes, scopeKey } from "../pki/crl-selection.js";
import { OperatorError } from "./operator-error.js";
import { reconcilePending, type ReconcileChain, type ReconcileResult } from "./reconcile.js";
import type { OperatorStore } from "./store/operator-store.js";
import type { AttestationRecord, PartitionInUse } from "./store/types.js";

/** One verified CRL, as crl-sync uses it: a serial lookup for one (issuing CA, scope). */
export interface CrlPartition {
  /** Lower-case hex subject key id of the CA that signed the CRL (= the AKI of the certificates it covers). */
  readonly issuerKeyId: string;
  /**
   * The CRL's scope: a partition name (same form as the store's `partition`), or `FULL_CRL_SCOPE` for a CRL that
   * covers every certificate of its CA.
   */
  readonly partition: string;
  /** Index lookup of a serial (the PKI layer's hex form); undefined when not listed. */
  lookup(serialHex: string): unknown;
}

/** `SkipReason` names of the registry's batch calls. */
export type SkipReasonName = "NotActive" | "NotAuthorized" | "AlreadyBurned" | "NoSigningClaims";

/**
 * What crl-sync needs from the chain (implemented over `RegistryClient` in `crl-sync-chain.ts`): the store
 * settlement's reads, the two CRL batch calls and the heartbeat. Every write passes the PII guard with `pii`, calls
 * `onSent` with the hash before waiting, and returns what the receipt's events say.
 */
export interface CrlSyncChain extends ReconcileChain {
  /** The latest block's timestamp (the chain's now). */
  now(): Promise<bigint>;
  /**
   * `revokeInvalidKeys(keyNullifiers)`: burns each key and revokes its active record with `CertificateInvalid`.
   * `revoked`: subjects of the `Revoked` events; `burned`: nullifiers of `CardKeyBurned`; `skipped`: `KeySkipped`.
   */
  revokeInvalidKeys(
    keyNullifiers: readonly string[],
    pii: readonly PiiMaterial[],
    onSent: (hash: string) => void | Promise<void>,
  ): Promise<{
    hash: string;
    gasUsed: bigint;
    revoked: string[];
    burned: string[];
    skipped: Array<{ keyNullifier: string; reason: SkipReasonName }>;
  }>;
  /**
   * `dropSigningClaims(subjects)`: drops IDENTITY and the AGE claims, the records stay active at AUTH.
   * `dropped`: the `SigningClaimsDropped` events (with the claims left); `skipped`: `SubjectSkipped`.
   */
  dropSigningClaims(
    subjects: readonly string[],
    pii: readonly PiiMaterial[],
    onSent: (hash: string) => void | Promise<void>,
  ): Promise<{
    hash: string;
    gasUsed: bigint;
    dropped: Array<{ subject: string; claims: number }>;
    skipped: Array<{ subject: string; reason: SkipReasonName }>;
  }>;
  /** Sends `recordCrlSync()` and waits for it. */
  recordCrlSync(): Promise<{ hash: string; gasUsed: bigint }>;
}

/** Options of {@link crlSync}. */
export interface CrlSyncOptions {
  readonly store: OperatorStore;
  readonly chain: CrlSyncChain;
  /**
   * The CRLs to use, one per (issuer key id, scope), already verified and chosen (`selectCrls`,
   * `verifiedPartitions`).
   */
  readonly crls: readonly CrlPartition[];
  /** Entries per batch transaction (default 50). */
  readonly batchSize?: number;
  /** List what would be revoked or dropped; send nothing, change nothing (pending rows are not settled either). */
  readonly dryRun?: boolean;
  /** Progress of the CRL scan and of the batches. */
  readonly onProgress?: (phase: "scan" | "revoke", done: number, total: number) => void;
}

/**
 * What crl-sync does for a listed row: `revoke` (its authentication certificate is listed: `revokeInvalidKeys`
 * burns the card key), `drop-claims` (only its signing certificate is listed: `dropSigningClaims`; the record stays
 * active at AUTH).
 */
export type CrlAction = "revoke" | "drop-claims";

/** A store row found listed in a CRL. */
export interface ListedAttestation {
  readonly attestationId: number;
  readonly subject: string;
  /** Which of its certificates is listed (`auth`, `sign`, or both). */
  readonly roles: ReadonlyArray<"auth" | "sign">;
  readonly action: CrlAction;
  /** True when an interrupted run had already marked the row (`revoke-pending`, or its claims `drop-pending`). */
  readonly resumed: boolean;
}

/** One batch transaction sent. */
export interface CrlBatch {
  readonly kind: "revokeInvalidKeys" | "dropSigningClaims";
  readonly hash: string;
  readonly gasUsed: bigint;
  readonly size: number;
  /** Records revoked (`revokeInvalidKeys`) or changed (`dropSigningClaims`) by it. */
  readonly changed: number;
}

/** The outcome of one crl-sync run. */
export interface CrlSyncResult {
  readonly dryRun: boolean;
  /** Pending rows settled from chain state before the scan (undefined in a dry run). */
  readonly reconciled: ReconcileResult | undefined;
  /** Certificates of active attestations checked against a CRL. */
  readonly checkedCertificates: number;
  /** CRL partitions present in the folder that the store depends on. */
  readonly checkedPartitions: number;
  /** Partitions the store depends on that the folder lacks: the heartbeat is NOT recorded. */
  readonly missingPartitions: readonly PartitionInUse[];
  /** Every attestation found listed. */
  readonly listed: readonly ListedAttestation[];
  /** Transactions sent in this run. */
  readonly batches: readonly CrlBatch[];
  /** Rows whose record was already revoked on chain (by an earlier, interrupted run or by someone else). */
  readonly alreadyRevoked: number;
  /** Rows whose record had ended on chain for another reason (e.g. Expired): closed. */
  readonly notActive: ReadonlyArray<{ subject: string; status: string }>;
  /**
   * Rows whose record was replaced on chain (another attester re-attested the subject, or another card key holds
   * it): closed without sending, since only the record's attester (or a revoker) may act on it and that attester's
   * own CRL sync covers it.
   */
  readonly replaced: ReadonlyArray<{ subject: string; attestationId: number }>;
  /**
   * Rows whose signing certificate is listed and whose claims from it are now gone: dropped on chain by this run
   * (`sent`), found already dropped (an interrupted run), or there were none to drop (`none`). The rows stay
   * active at the remaining claims; their signing certificate is no longer checked.
   */
  readonly claimsDropped: ReadonlyArray<{
    subject: string;
    attestationId: number;
    claims: number;
    how: "sent" | "already" | "none";
  }>;
  /** Listed rows left unsettled (the registry skipped them for a reason that needs attention): no heartbeat. */
  readonly unsettled: ReadonlyArray<{ subject: string; attestationId: number; why: string }>;
  /** The heartbeat transaction, when recorded. */
  readonly heartbeat: { hash: string; gasUsed: bigint } | undefined;
}

/** Statuses meaning the record can never be active again: the store row is closed. */
const FINAL_STATUSES = new Set(["Revoked", "Expired", "None"]);

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

interface Hit {
  subject: string;
  roles: Set<"auth" | "sign">;
  serials: string[];
}

/**
 * Daily CRL sync. First settles the store's pending rows from chain state (an attestation whose transaction was
 * mined after an RPC timeout is active, hence checked). Then finds the store's active attestations whose
 * certificate is listed in a CRL:
 * - authentication certificate listed → `revokeInvalidKeys(keyNullifiers)`: the card key is burned and its active
 *   record revoked (`CertificateInvalid`); the row is closed;
 * - only the signing certificate listed (JPKI revokes it on a move or a name change) → `dropSigningClaims(subjects)`:
 *   IDENTITY and the AGE claims are dropped, the record stays active at AUTH; the row keeps its remaining claims,
 *   releases its person tag, and its signing certificate is no longer checked (a row with no claim from it needs no
 *   transaction);
 * then records the CRL-sync heartbeat.
 *
 * Crash safety: rows are marked (`revoke-pending`, or the signing certificate `drop-pending`) BEFORE their batch is
 * sent, and settled once the receipt's events (or the chain state) confirm it. A killed run leaves marked rows; the
 * next run settles them from chain state (key burned, claims gone) and re-sends only what is still to do (the
 * registry skips and reports entries it cannot act on, so nothing is done twice and a batch never reverts for one
 * entry). The heartbeat is recorded only when every partition the store depends on had a CRL and every listed row
 * was settled.
 *
 * Rows still pending after the settlement (not landed, deadline not passed) are not checked and do not hold the
 * heartbeat back: the next run settles and checks them (`reconciled.stillPending` reports them).
 *
 * The scan walks the store's checked certificates one partition at a time (SQL index on issuer, partition) and
 * looks each serial up in the index of the partition's CRL and of the CA's full CRL, whichever were given (a
 * certificate is listed when either lists it; a partition with neither is missing): cost O(stored certificates),
 * independent of the CRLs' size.
 */
export async function crlSync(options: CrlSyncOptions): Promise<CrlSyncResult> {
  const { store, chain } = options;
  const batchSize = options.batchSize ?? 50;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "the batch size must be an integer from 1 to 500");
  }
  const byKey = new Map<string, CrlPartition>();
  for (const crl of options.crls) {
    const key = scopeKey(crl.issuerKeyId, crl.partition);
    if (byKey.has(key)) {
      throw new OperatorError(
        "OPERATOR_CRL",
        `two CRLs given for scope ${crl.partition} of CA ${crl.issuerKeyId}: choose one with selectCrls`,
      );
    }
    byKey.set(key, crl);
  }
  const dryRun = options.dryRun === true;

  // 0. Pending rows: an attestation that landed late is active, and checked below.
  const reconciled = dryRun ? undefined : await reconcilePending(store, chain, await chain.now());

  // 1. Scan.
  const inUse = await store.partitionsInUse(chain.chainId, chain.registry);
  const total = inUse.reduce((n, p) => n + p.count, 0);
  const missingPartitions: PartitionInUse[] = [];
  const hits = new Map<number, Hit>();
  let checked = 0;
  let checkedPartitions = 0;
  for (const part of inUse) {
    // The partition's CRL and the CA's full CRL, whichever were given (the same coverage rule as attest).
    const applicable = coveringScopes(part.partition)
      .map((scope) => byKey.get(scopeKey(part.issuerKeyId, scope)))
      .filter((c) => c !== undefined);
    if (applicable.length === 0) {
      missingPartitions.push(part);
      continue;
    }
    checkedPartitions++;
    for await (const cert of store.activeCertificates(
      chain.chainId,
      chain.registry,
      part.issuerKeyId,
      part.partition,
    )) {
      checked++;
      if (checked % 5000 === 0) options.onProgress?.("scan", checked, total);
      if (applicable.every((crl) => crl.lookup(cert.serialHex) === undefined)) continue;
      const hit = hits.get(cert.attestationId) ?? { subject: cert.subject, roles: new Set(), serials: [] };
      hit.roles.add(cert.role);
      hit.serials.push(cert.serialHex);
      hits.set(cert.attestationId, hit);
    }
  }
  options.onProgress?.("scan", checked, total);

  // 2. What to do for each listed row; rows an interrupted run marked.
  const revokePending = new Map(
    (await store.byStatus(chain.chainId, chain.registry, ["revoke-pending"])).map((r) => [r.id, r]),
  );
  const dropPending = new Map((await store.dropPending(chain.chainId, chain.registry)).map((r) => [r.id, r]));
  const listed: ListedAttestation[] = [...hits.entries()].map(([id, h]) => {
    const action: CrlAction = h.roles.has("auth") ? "revoke" : "drop-claims";
    return {
      attestationId: id,
      subject: h.subject,
      roles: [...h.roles],
      action,
      resumed: action === "revoke" ? revokePending.has(id) : dropPending.has(id),
    };
  });
  if (dryRun) {
    return {
      dryRun: true,
      reconciled,
      checkedCertificates: checked,
      checkedPartitions,
      missingPartitions,
      listed,
      batches: [],
      alreadyRevoked: 0,
      notActive: [],
      replaced: [],
      claimsDropped: [],
      unsettled: [],
      heartbeat: undefined,
    };
  }

  const run = new Run(store, chain, batchSize, options.onProgress);
  // Marked rows no longer listed (e.g. a `kyc revoke` interrupted): settled from chain state only, never re-sent
  // by crl-sync (a key is burned only for a listed authentication certificate).
  for (const row of revokePending.values()) if (!hits.has(row.id)) await run.settleUnlistedRevoke(row);
  for (const row of dropPending.values()) if (!hits.has(row.id)) await run.settleUnlistedDrop(row);

  const revokes = listed.filter((l) => l.action === "revoke");
  const drops = listed.filter((l) => l.action === "drop-claims");
  await run.revoke(revokes.map((l) => ({ id: l.attestationId, serials: hits.get(l.attestationId)!.serials })));
  await run.dropClaims(drops.map((l) => ({ id: l.attestationId, serials: hits.get(l.attestationId)!.serials })));

  // 5. Heartbeat, only when complete.
  let heartbeat: { hash: string; gasUsed: bigint } | undefined;
  if (missingPartitions.length === 0 && run.unsettled.length === 0) heartbeat = await chain.recordCrlSync();
  return {
    dryRun: false,
    reconciled,
    checkedCertificates: checked,
    checkedPartitions,
    missingPartitions,
    listed,
    batches: run.batches,
    alreadyRevoked: run.alreadyRevoked,
    notActive: run.notActive,
    replaced: run.replaced,
    claimsDropped: run.claimsDropped,
    unsettled: run.unsettled,
    heartbeat,
  };
}

/** The sending half of one crl-sync run, and what it settled. */
class Run {
  readonly batches: CrlBatch[] = [];
  alreadyRevoked = 0;
  readonly notActive: Array<{ subject: string; status: string }> = [];
  readonly replaced: Array<{ subject: string; attestationId: number }> = [];
  readonly claimsDropped: Array<{
    subject: string;
    attestationId: number;
    claims: number;
    how: "sent" | "already" | "none";
  }> = [];
  readonly unsettled: Array<{ subject: string; attestationId: number; why: string }> = [];

  constructor(
    private readonly store: OperatorStore,
    private readonly chain: CrlSyncChain,
    private readonly batchSize: number,
    private readonly onProgress: CrlSyncOptions["onProgress"],
  ) {}

  /** Closes a row whose record ended on chain (`status` final). */
  private async closeEnded(row: AttestationRecord, status: string): Promise<void> {
    await this.store.markRevoked([row.id], null);
    if (status === "Revoked") this.alreadyRevoked++;
    else this.notActive.push({ subject: row.subject, status });
  }

  private async closeReplaced(row: AttestationRecord): Promise<void> {
    await this.store.markSuperseded(
      row.id,
      "superseded on chain by another attestation (another attester or card key)",
    );
    this.replaced.push({ subject: row.subject, attestationId: row.id });
  }

  /**
   * A row whose card key is burned on chain (or was never bound): its record was revoked with it (or had already
   * ended), or the subject's record now lives under another card key.
   */
  private async settleBurned(row: AttestationRecord): Promise<void> {
    const record = await this.chain.recordOf(row.subject);
    if (FINAL_STATUSES.has(record.status)) await this.closeEnded(row, record.status);
    // A burned key holds no live record (the burn revoked it): the subject's record is another key's.
    else await this.closeReplaced(row);
  }

  async settleUnlistedRevoke(row: AttestationRecord): Promise<void> {
    const record = await this.chain.recordOf(row.subject);
    if (FINAL_STATUSES.has(record.status)) await this.closeEnded(row, record.status);
  }

  async settleUnlistedDrop(row: AttestationRecord): Promise<void> {
    const record = await this.chain.recordOf(row.subject);
    if (FINAL_STATUSES.has(record.status)) await this.closeEnded(row, record.status);
    else if (record.status !== "None" && (record.claims & FROM_SIGNING) === 0) {
      await this.store.markClaimsDropped(row.id, record.claims, null);
      this.claimsDropped.push({ subject: row.subject, attestationId: row.id, claims: record.claims, how: "already" });
    }
  }

  /** Rows whose authentication certificate is listed: burn their keys with `revokeInvalidKeys`. */
  async revoke(todo: ReadonlyArray<{ id: number; serials: string[] }>): Promise<void> {
    const send: Array<{ row: AttestationRecord; serials: string[] }> = [];
    for (const t of todo) {
      const row = await this.store.get(t.id);
      if (row === undefined) continue;
      const key = await this.chain.keyState(row.keyNullifier);
      // A key never bound (zero subject) or already burned: nothing to send; the record's state settles the row.
      if (key.burned || key.subject === ZERO_ADDRESS) await this.settleBurned(row);
      else if (!(await this.chain.isOwnRecord(row.subject, row.keyNullifier))) await this.closeReplaced(row);
      else send.push({ row, serials: t.serials });
    }
    for (let start = 0; start < send.length; start += this.batchSize) {
      const batch = send.slice(start, start + this.batchSize);
      const ids = batch.map((b) => b.row.id);
      await this.store.markRevokePending(ids);
      const pii: PiiMaterial[] = batch.flatMap((b) =>
        b.serials.map((serialHex) => ({ label: "listed certificate", serialHex })),
      );
      const sent = await this.chain.revokeInvalidKeys(
        batch.map((b) => b.row.keyNullifier),
        pii,
        async (hash) => await this.store.setRevokeTxHash(ids, hash),
      );
      const revokedNow = new Set(sent.revoked.map((s) => s.toLowerCase()));
      const skipped = new Map(sent.skipped.map((s) => [s.keyNullifier.toLowerCase(), s.reason]));
      const confirmed: number[] = [];
      for (const { row } of batch) {
        if (revokedNow.has(row.subject)) {
          confirmed.push(row.id);
          continue;
        }
        const key = await this.chain.keyState(row.keyNullifier);
        if (key.burned) {
          await this.settleBurned(row);
          continue;
        }
        const reason = skipped.get(row.keyNullifier) ?? "not reported";
        this.unsettled.push({
          subject: row.subject,
          attestationId: row.id,
          why: `revokeInvalidKeys skipped the card key (${reason})`,
        });
      }
      await this.store.markRevoked(confirmed, sent.hash);
      this.batches.push({
        kind: "revokeInvalidKeys",
        hash: sent.hash,
        gasUsed: sent.gasUsed,
        size: batch.length,
        changed: confirmed.length,
      });
      this.onProgress?.("revoke", Math.min(start + this.batchSize, send.length), send.length);
    }
  }

  /** Rows whose signing certificate only is listed: drop the claims that came from it with `dropSigningClaims`. */
  async dropClaims(todo: ReadonlyArray<{ id: number; serials: string[] }>): Promise<void> {
    const send: Array<{ row: AttestationRecord; serials: string[] }> = [];
    for (const t of todo) {
      const row = await this.store.get(t.id);
      if (row === undefined) continue;
      if (row.status === "revoked") {
        // Superseded by a pending re-attestation: dropSigningClaims acts on whichever record the subject holds
        // when it is mined, so wait until that re-attestation settles.
        this.unsettled.push({
          subject: row.subject,
          attestationId: row.id,
          why: "superseded by a pending re-attestation; its signing claims are dropped once that settles",
        });
        continue;
      }
      if ((row.claims & FROM_SIGNING) === 0) {
        await this.store.markClaimsDropped(row.id, row.claims, null);
        this.claimsDropped.push({ subject: row.subject, attestationId: row.id, claims: row.claims, how: "none" });
        continue;
      }
      const record = await this.chain.recordOf(row.subject);
      if (FINAL_STATUSES.has(record.status)) await this.closeEnded(row, record.status);
      else if (!(await this.chain.isOwnRecord(row.subject, row.keyNullifier))) await this.closeReplaced(row);
      else if ((record.claims & FROM_SIGNING) === 0) await this.alreadyDropped(row, record.claims);
      else send.push({ row, serials: t.serials });
    }
    for (let start = 0; start < send.length; start += this.batchSize) {
      const batch = send.slice(start, start + this.batchSize);
      const ids = batch.map((b) => b.row.id);
      await this.store.markClaimsDropPending(ids);
      const pii: PiiMaterial[] = batch.flatMap((b) =>
        b.serials.map((serialHex) => ({ label: "listed signing certificate", serialHex })),
      );
      const sent = await this.chain.dropSigningClaims(
        batch.map((b) => b.row.subject),
        pii,
        async (hash) => await this.store.setDropTxHash(ids, hash),
      );
      const droppedNow = new Map(sent.dropped.map((d) => [d.subject.toLowerCase(), d.claims]));
      const skipped = new Map(sent.skipped.map((s) => [s.subject.toLowerCase(), s.reason]));
      let changed = 0;
      for (const { row } of batch) {
        const claims = droppedNow.get(row.subject);
        if (claims !== undefined) {
          await this.store.markClaimsDropped(row.id, claims, sent.hash);
          this.claimsDropped.push({ subject: row.subject, attestationId: row.id, claims, how: "sent" });
          changed++;
          continue;
        }
        const record = await this.chain.recordOf(row.subject);
        if (FINAL_STATUSES.has(record.status)) await this.closeEnded(row, record.status);
        else if (!(await this.chain.isOwnRecord(row.subject, row.keyNullifier))) await this.closeReplaced(row);
        else if ((record.claims & FROM_SIGNING) === 0) await this.alreadyDropped(row, record.claims);
        else {
          this.unsettled.push({
            subject: row.subject,
            attestationId: row.id,
            why: `dropSigningClaims skipped the subject (${skipped.get(row.subject) ?? "not reported"})`,
          });
        }
      }
      this.batches.push({
        kind: "dropSigningClaims",
        hash: sent.hash,
        gasUsed: sent.gasUsed,
        size: batch.length,
        changed,
      });
      this.onProgress?.("revoke", Math.min(start + this.batchSize, send.length), send.length);
    }
  }

  private async alreadyDropped(row: AttestationRecord, claims: number): Promise<void> {
    await this.store.markClaimsDropped(row.id, claims, null);
    this.claimsDropped.push({ subject: row.subject, attestationId: row.id, claims, how: "already" });
  }
}
