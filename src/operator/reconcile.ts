import { RegistryClient } from "../chain/registry-client.js";
import { reconcileChain } from "./crl-sync-chain.js";
import type { OperatorStore } from "./store/operator-store.js";
import type { AttestationRecord } from "./store/types.js";

/** A card key's state on chain (`keyState(keyNullifier)`). */
export interface KeyState {
  /** The subject the key was last bound to (lower-case; the zero address when never). */
  readonly subject: string;
  /** Whether that subject's record is active with this key now. */
  readonly active: boolean;
  /** Whether the key is burned (its authentication certificate was found revoked). */
  readonly burned: boolean;
}

/** A subject's record on chain, as the store settlement reads it. */
export interface RecordState {
  /** `KycStatus` name: `None`, `Active`, `Expired`, `Revoked`, `StaleOperator`, `DisabledTrustAnchor`. */
  readonly status: string;
  readonly claims: number;
}

/** Outcome of a transaction the store knows the hash of. */
export type ReceiptStatus = "success" | "reverted" | "unknown";

/**
 * The chain state the store is settled from (implemented over `RegistryClient` by `reconcileChain` in
 * `crl-sync-chain.ts`; tests use an in-memory registry).
 */
export interface ReconcileChain {
  readonly chainId: bigint;
  /** The registry address. */
  readonly registry: string;
  keyState(keyNullifier: string): Promise<KeyState>;
  /** The holder nonce of `subject` (consumed by every landed attestation and card revocation). */
  nonces(subject: string): Promise<bigint>;
  recordOf(subject: string): Promise<RecordState>;
  /**
   * False when `subject`'s record on chain is no longer the one this operator issued with the card key
   * `keyNullifier`: another attester re-attested it, or it is bound to another card. True otherwise, including when
   * there is no record at all (the status settles that row).
   */
  isOwnRecord(subject: string, keyNullifier: string): Promise<boolean>;
  /** `success` / `reverted` from the receipt of `txHash`; `unknown` when the node has no receipt (yet). */
  receiptStatus(txHash: string): Promise<ReceiptStatus>;
}

/** What {@link reconcilePending} settled. */
export interface ReconcileResult {
  readonly activated: number;
  readonly failed: number;
  readonly stillPending: number;
}

function chainOf(source: ReconcileChain | RegistryClient): ReconcileChain {
  return source instanceof RegistryClient ? reconcileChain(source) : source;
}

/**
 * Settles the store's `pending` rows of this registry from chain state only (after a crash, an RPC call that timed
 * out after the node accepted the transaction, or a relay the holder submitted later):
 * - landed — the attest transaction's receipt succeeded, or the card key is bound to the subject on chain
 *   (`keyState(keyNullifier).subject`) and the holder nonce the binding signed was consumed (`nonces(subject) >
 *   bindingNonce`) → `active`; then `revoked` when the record has since been revoked, or closed as superseded when
 *   another attester or card now holds the subject's record;
 * - not landed, and the transaction's receipt shows a revert → `failed`;
 * - not landed, and the chain's time `now` is past the binding deadline (or a relay's relay deadline), so it can
 *   never land → `failed`;
 * - otherwise it stays pending — however long ago it was written: an accepted transaction may be mined late. A row
 *   without a binding deadline (written before schema version 4) settles only from chain state.
 * A row that fails reopens the row it superseded (see `OperatorStore.markFailed`), which is settled at once.
 *
 * `now` must be read BEFORE this call (the latest block's time): a row is failed only if its attestation had not
 * landed in a state at least as recent as `now`.
 */
export async function reconcilePending(
  store: OperatorStore,
  source: ReconcileChain | RegistryClient,
  now: bigint,
): Promise<ReconcileResult> {
  const chain = chainOf(source);
  let activated = 0;
  let failed = 0;
  let stillPending = 0;
  for (const row of await store.byStatus(chain.chainId, chain.registry, ["pending"])) {
    const receipt = row.txHash === null ? "unknown" : await chain.receiptStatus(row.txHash);
    if (receipt === "success" || (await landedByState(chain, row))) {
      await store.markActive(row.id, row.txHash);
      await settleLanded(store, chain, row);
      activated++;
      continue;
    }
    if (receipt === "reverted") {
      await failRow(store, chain, row, "the attest transaction reverted");
      failed++;
      continue;
    }
    const deadline = lastChance(row);
    if (deadline !== null && now > BigInt(deadline)) {
      const why =
        row.mode === "relay" && row.relayDeadline === deadline
          ? "the relay deadline passed without the attestation being relayed"
          : "the binding deadline passed without the attestation landing";
      await failRow(store, chain, row, why);
      failed++;
      continue;
    }
    stillPending++;
  }
  return { activated, failed, stillPending };
}

/** The card key is bound to the subject and the binding's holder nonce was consumed. */
async function landedByState(chain: ReconcileChain, row: AttestationRecord): Promise<boolean> {
  const key = await chain.keyState(row.keyNullifier);
  if (key.subject.toLowerCase() !== row.subject) return false;
  // A re-attestation keeps the key bound to the subject before it lands: the consumed holder nonce tells.
  return row.bindingNonce === null || (await chain.nonces(row.subject)) > row.bindingNonce;
}

/** The last chain time at which the row's attestation could land (the earlier deadline), or null when unknown. */
function lastChance(row: AttestationRecord): number | null {
  const deadlines = [row.bindingDeadline, row.mode === "relay" ? row.relayDeadline : null].filter(
    (d): d is number => d !== null,
  );
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/** A row that just became active: the chain may have revoked or replaced its record since it landed. */
async function settleLanded(store: OperatorStore, chain: ReconcileChain, row: AttestationRecord): Promise<void> {
  const record = await chain.recordOf(row.subject);
  if (record.status === "Revoked") {
    await store.markRevoked([row.id], null);
  } else if (!(await chain.isOwnRecord(row.subject, row.keyNullifier))) {
    await store.markSuperseded(row.id, "superseded on chain by another attestation (another attester or card key)");
  }
}

/**
 * Marks a pending row failed; the row it superseded comes back as `active` and is settled against the chain at once
 * (crl-sync may have revoked that record meanwhile).
 */
async function failRow(
  store: OperatorStore,
  chain: ReconcileChain,
  row: AttestationRecord,
  error: string,
): Promise<void> {
  await store.markFailed(row.id, error);
  if (row.supersedes !== null) await settleSubject(store, chain, row.subject);
}

/**
 * Settles the store's live row for `subject` (if any) against the chain before a new attestation: a record the
 * chain shows as revoked (by the holder with `revokeSelf` / `revokeByCard`, by a revoker, or for an invalid
 * certificate) becomes `revoked`; a record replaced on chain by another attester or card key is closed as
 * superseded; a record the chain does not have at all (reset development chain) becomes `failed`. Pending rows are
 * left to {@link reconcilePending}.
 */
export async function settleSubject(
  store: OperatorStore,
  source: ReconcileChain | RegistryClient,
  subject: string,
): Promise<void> {
  const chain = chainOf(source);
  const row = await store.live(chain.chainId, chain.registry, subject);
  if (row === undefined || row.status === "pending") return;
  const record = await chain.recordOf(subject);
  if (record.status === "None") {
    await store.markMissingOnChain(row.id, "the record is not on chain (chain reset or registry redeployed)");
  } else if (record.status === "Revoked") {
    await store.markRevoked([row.id], null);
  } else if (!(await chain.isOwnRecord(subject, row.keyNullifier))) {
    await store.markSuperseded(row.id, "superseded on chain by another attestation (another attester or card key)");
  }
}
