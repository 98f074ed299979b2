import type { RegistryClient } from "../chain/registry-client.js";
import type { OperatorStore } from "./store/operator-store.js";
import type { AttestationRecord } from "./store/types.js";

/** What {@link reconcilePending} settled. */
export interface ReconcileResult {
  readonly activated: number;
  readonly failed: number;
  readonly stillPending: number;
}

/** A direct-mode row with no transaction hash older than this was never sent (crash before sending). */
export const UNSENT_GRACE_SECONDS = 600;

/**
 * Settles the store's `pending` rows of this registry from chain state (after a crash, a dropped transaction,
 * or a relay the holder submitted later):
 * - the card key is bound to the subject on chain (`keyNullifierOwner`) and the holder nonce the binding signed
 *   was consumed (rows that record it) → `active` (then `revoked` when the record has since been revoked);
 * - else the attest transaction is known and reverted, or unknown to the node → `failed`;
 * - else a relay whose relay deadline passed → `failed`; a direct row never sent (no hash, older than
 *   {@link UNSENT_GRACE_SECONDS}) → `failed`;
 * - otherwise it stays pending.
 * A row that fails reopens the row it superseded (see `OperatorStore.markFailed`).
 */
export async function reconcilePending(
  store: OperatorStore,
  client: RegistryClient,
  now: bigint,
): Promise<ReconcileResult> {
  let activated = 0;
  let failed = 0;
  let stillPending = 0;
  for (const row of store.byStatus(client.chainId, client.address, ["pending"])) {
    const owner = await client.keyNullifierOwner(row.keyNullifier);
    // A re-attestation keeps the key bound to the subject before it lands: the consumed holder nonce tells.
    const landed =
      owner.toLowerCase() === row.subject &&
      (row.bindingNonce === null || (await client.nonces(row.subject)) > row.bindingNonce);
    if (landed) {
      const onChain = await client.attestationOf(row.subject);
      store.markActive(row.id, row.txHash);
      if (onChain.statusName === "Revoked") store.markRevoked([row.id], null);
      activated++;
      continue;
    }
    if (row.txHash !== null) {
      const receipt = await client.provider.getTransactionReceipt(row.txHash);
      if (receipt !== null && receipt.status === 0) {
        await failRow(store, client, row, "the attest transaction reverted");
        failed++;
        continue;
      }
      if (receipt === null && (await client.provider.getTransaction(row.txHash)) === null) {
        await failRow(store, client, row, "the attest transaction was dropped");
        failed++;
        continue;
      }
      stillPending++;
      continue;
    }
    if (row.mode === "relay") {
      if (row.relayDeadline !== null && BigInt(row.relayDeadline) < now) {
        await failRow(store, client, row, "the relay deadline passed without the attestation being relayed");
        failed++;
      } else {
        stillPending++;
      }
      continue;
    }
    if (BigInt(row.createdAt) + BigInt(UNSENT_GRACE_SECONDS) < BigInt(Math.floor(Date.now() / 1000))) {
      await failRow(store, client, row, "never sent (interrupted before the transaction left)");
      failed++;
    } else {
      stillPending++;
    }
  }
  return { activated, failed, stillPending };
}

/**
 * Marks a pending row failed; the row it superseded comes back as `active` and is settled against the chain at once
 * (crl-sync may have revoked that record meanwhile).
 */
async function failRow(
  store: OperatorStore,
  client: RegistryClient,
  row: AttestationRecord,
  error: string,
): Promise<void> {
  store.markFailed(row.id, error);
  if (row.supersedes !== null) await settleSubject(store, client, row.subject);
}

/**
 * Settles the store's live row for `subject` (if any) against the chain before a new attestation: a record the
 * chain shows as revoked (by the holder with `revokeSelf` / `revokeByCard`, or by a revoker) becomes `revoked`; a
 * record the chain does not have at all (reset development chain) becomes `failed`. Pending rows are left to
 * {@link reconcilePending}.
 */
export async function settleSubject(store: OperatorStore, client: RegistryClient, subject: string): Promise<void> {
  const row = store.live(client.chainId, client.address, subject);
  if (row === undefined || row.status === "pending") return;
  const onChain = await client.attestationOf(subject);
  const owner = await client.keyNullifierOwner(row.keyNullifier);
  if (onChain.statusName === "None" || owner.toLowerCase() !== row.subject) {
    store.markMissingOnChain(row.id, "the record is not on chain (chain reset or registry redeployed)");
  } else if (onChain.statusName === "Revoked") {
    store.markRevoked([row.id], null);
  }
}
