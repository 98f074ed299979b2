import { coveringScopes, scopeKey } from "../pki/crl-selection.js";
import { OperatorError } from "./operator-error.js";
import type { PiiMaterial } from "./pii-guard.js";
import type { OperatorStore } from "./store/operator-store.js";
import type { PartitionInUse } from "./store/types.js";

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

/** What crl-sync needs from the chain (implemented over `RegistryClient` in `crl-sync-chain.ts`). */
export interface CrlSyncChain {
  readonly chainId: bigint;
  readonly registry: string;
  /**
   * Sends `revokeBatch(subjects, CertificateInvalid)` through the PII guard and waits for it.
   * `onSent` is called with the hash before waiting. Returns the subjects the receipt's `Revoked` events name.
   */
  revokeBatch(
    subjects: readonly string[],
    pii: readonly PiiMaterial[],
    onSent: (hash: string) => void,
  ): Promise<{ hash: string; gasUsed: bigint; revoked: string[] }>;
  /** Sends `recordCrlSync()` and waits for it. */
  recordCrlSync(): Promise<{ hash: string; gasUsed: bigint }>;
  /** The on-chain status name of `subject`'s record (`Active`, `Revoked`, `Expired`, ...). */
  statusOf(subject: string): Promise<string>;
  /**
   * False when `subject`'s record on chain is no longer the one this operator issued with the card key
   * `keyNullifier`: another attester re-attested it, or it is bound to another card (the holder revoked and was
   * attested again). True otherwise, including when there is no record at all (the status settles that row).
   */
  isOwnRecord(subject: string, keyNullifier: string): Promise<boolean>;
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
  /** Entries per `revokeBatch` transaction (default 50). */
  readonly batchSize?: number;
  /** List what would be revoked; send nothing, change nothing. */
  readonly dryRun?: boolean;
  /** Progress of the CRL scan and of the batches. */
  readonly onProgress?: (phase: "scan" | "revoke", done: number, total: number) => void;
}

/** A store row found listed in a CRL. */
export interface ListedAttestation {
  readonly attestationId: number;
  readonly subject: string;
  /** Which of its certificates is listed (`auth`, `sign`, or both). */
  readonly roles: ReadonlyArray<"auth" | "sign">;
  /** True when the row was left `revoke-pending` by an interrupted run. */
  readonly resumed: boolean;
}

/** The outcome of one crl-sync run. */
export interface CrlSyncResult {
  readonly dryRun: boolean;
  /** Active certificates checked against a CRL. */
  readonly checkedCertificates: number;
  /** CRL partitions present in the folder that the store depends on. */
  readonly checkedPartitions: number;
  /** Partitions the store depends on that the folder lacks: the heartbeat is NOT recorded. */
  readonly missingPartitions: readonly PartitionInUse[];
  /** Every attestation found listed (including ones resumed from an interrupted run). */
  readonly listed: readonly ListedAttestation[];
  /** Revocation transactions sent in this run. */
  readonly batches: ReadonlyArray<{ hash: string; gasUsed: bigint; size: number; revoked: number }>;
  /** Rows that were already revoked on chain (by an earlier, interrupted run or by someone else). */
  readonly alreadyRevoked: number;
  /** Rows found listed whose record is no longer active on chain for another reason (e.g. Expired). */
  readonly notActive: ReadonlyArray<{ subject: string; status: string }>;
  /**
   * Rows found listed whose record was replaced on chain (another attester re-attested the subject, or another
   * card key holds it): closed without sending, since only the record's attester (or a revoker) may revoke it and
   * that attester's own CRL sync covers it.
   */
  readonly replaced: ReadonlyArray<{ subject: string; attestationId: number }>;
  /** The heartbeat transaction, when recorded. */
  readonly heartbeat: { hash: string; gasUsed: bigint } | undefined;
}

/** Statuses meaning the record can never be active again: the store row is closed as revoked. */
const FINAL_STATUSES = new Set(["Revoked", "Expired", "None"]);

/**
 * Daily CRL sync: finds the store's active attestations whose certificate is listed in a CRL, revokes them with
 * `revokeBatch(…, CertificateInvalid)` in batches, then records the CRL-sync heartbeat.
 *
 * Order and crash safety: rows are marked `revoke-pending` BEFORE their batch is sent and `revoked` once the
 * receipt (or the chain state) confirms it. A run that was killed leaves `revoke-pending` rows; the next run
 * settles them from chain state and re-sends only those still active (the registry's batch skips entries that
 * are not active, so nothing is revoked twice). The heartbeat is recorded only when every partition the store
 * depends on had a CRL and every batch was confirmed.
 *
 * The scan walks the store's active certificates one partition at a time (SQL index on issuer, partition) and
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

  // 1. Scan.
  const inUse = store.partitionsInUse(chain.chainId, chain.registry);
  const total = inUse.reduce((n, p) => n + p.count, 0);
  const missingPartitions: PartitionInUse[] = [];
  const hits = new Map<number, { subject: string; roles: Set<"auth" | "sign">; serials: string[] }>();
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
    for (const cert of store.activeCertificates(chain.chainId, chain.registry, part.issuerKeyId, part.partition)) {
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

  // 2. Rows an interrupted run left revoke-pending.
  const resumedRows = store.byStatus(chain.chainId, chain.registry, ["revoke-pending"]);
  const listed: ListedAttestation[] = [
    ...resumedRows.map((r) => ({
      attestationId: r.id,
      subject: r.subject,
      roles: [] as Array<"auth" | "sign">,
      resumed: true,
    })),
    ...[...hits.entries()].map(([id, h]) => ({
      attestationId: id,
      subject: h.subject,
      roles: [...h.roles],
      resumed: false,
    })),
  ];
  if (options.dryRun === true) {
    return {
      dryRun: true,
      checkedCertificates: checked,
      checkedPartitions,
      missingPartitions,
      listed,
      batches: [],
      alreadyRevoked: 0,
      notActive: [],
      replaced: [],
      heartbeat: undefined,
    };
  }

  // 3. Settle resumed rows from chain state.
  let alreadyRevoked = 0;
  const notActive: Array<{ subject: string; status: string }> = [];
  const todo: Array<{ id: number; subject: string; serials: string[] }> = [];
  for (const row of resumedRows) {
    const status = await chain.statusOf(row.subject);
    if (status === "Revoked") {
      store.markRevoked([row.id], null);
      alreadyRevoked++;
    } else if (FINAL_STATUSES.has(status)) {
      store.markRevoked([row.id], null);
      notActive.push({ subject: row.subject, status });
    } else {
      todo.push({ id: row.id, subject: row.subject, serials: [] });
    }
  }
  for (const [id, hit] of hits) todo.push({ id, subject: hit.subject, serials: hit.serials });
  // A record replaced on chain is not ours to revoke: sending it would revert the whole batch (NotAuthorizedToRevoke).
  const replaced: Array<{ subject: string; attestationId: number }> = [];
  for (let i = todo.length - 1; i >= 0; i--) {
    const t = todo[i]!;
    const row = store.get(t.id);
    if (row === undefined || (await chain.isOwnRecord(t.subject, row.keyNullifier))) continue;
    store.markSuperseded(t.id, "superseded on chain by another attestation (another attester or card key)");
    replaced.unshift({ subject: t.subject, attestationId: t.id });
    todo.splice(i, 1);
  }

  // 4. Batches.
  const batches: Array<{ hash: string; gasUsed: bigint; size: number; revoked: number }> = [];
  let unsettled = 0;
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const ids = batch.map((b) => b.id);
    store.markRevokePending(ids);
    const pii: PiiMaterial[] = batch.flatMap((b) =>
      b.serials.map((serialHex) => ({ label: "listed certificate", serialHex })),
    );
    const sent = await chain.revokeBatch(
      batch.map((b) => b.subject),
      pii,
      (hash) => store.setRevokeTxHash(ids, hash),
    );
    const revokedNow = new Set(sent.revoked.map((s) => s.toLowerCase()));
    const confirmed: number[] = [];
    for (const b of batch) {
      if (revokedNow.has(b.subject.toLowerCase())) {
        confirmed.push(b.id);
        continue;
      }
      const status = await chain.statusOf(b.subject);
      if (status === "Revoked") {
        store.markRevoked([b.id], null);
        alreadyRevoked++;
      } else if (FINAL_STATUSES.has(status)) {
        store.markRevoked([b.id], null);
        notActive.push({ subject: b.subject, status });
      } else {
        unsettled++;
      }
    }
    store.markRevoked(confirmed, sent.hash);
    batches.push({ hash: sent.hash, gasUsed: sent.gasUsed, size: batch.length, revoked: confirmed.length });
    options.onProgress?.("revoke", Math.min(start + batchSize, todo.length), todo.length);
  }

  // 5. Heartbeat, only when complete.
  let heartbeat: { hash: string; gasUsed: bigint } | undefined;
  if (missingPartitions.length === 0 && unsettled === 0) heartbeat = await chain.recordCrlSync();
  return {
    dryRun: false,
    checkedCertificates: checked,
    checkedPartitions,
    missingPartitions,
    listed,
    batches,
    alreadyRevoked,
    notActive,
    replaced,
    heartbeat,
  };
}
