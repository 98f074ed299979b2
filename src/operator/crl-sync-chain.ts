import type { LogDescription } from "ethers";

import { ChainError } from "../chain/chain-error.js";
import { SKIP_REASON_NAMES } from "../chain/registry-abi.js";
import type { RegistryClient } from "../chain/registry-client.js";
import type { CrlSyncChain, SkipReasonName } from "./crl-sync.js";
import type { ReconcileChain } from "./reconcile.js";

/**
 * {@link ReconcileChain} over a connected {@link RegistryClient}. `isOwnRecord` compares the record's attester with
 * the client's signer when it has one (a read-only client compares the card key only).
 */
export function reconcileChain(client: RegistryClient): ReconcileChain {
  return {
    chainId: client.chainId,
    registry: client.address,
    async keyState(keyNullifier) {
      const r = await client.read<readonly [string, boolean, boolean]>("keyState", keyNullifier);
      return { subject: String(r[0]).toLowerCase(), active: Boolean(r[1]), burned: Boolean(r[2]) };
    },
    async nonces(subject) {
      return client.nonces(subject);
    },
    async recordOf(subject) {
      const record = await client.attestationOf(subject);
      return { status: record.statusName, claims: record.claims };
    },
    async isOwnRecord(subject, keyNullifier) {
      const record = await client.attestationOf(subject);
      if (record.statusName === "None") return true;
      const me = await ownAddress(client);
      if (me !== undefined && record.attester.toLowerCase() !== me) return false;
      return client.read<boolean>("isCurrentKey", subject, keyNullifier);
    },
    async receiptStatus(txHash) {
      const receipt = await client.provider.getTransactionReceipt(txHash);
      if (receipt === null) return "unknown";
      return receipt.status === 1 ? "success" : "reverted";
    },
  };
}

async function ownAddress(client: RegistryClient): Promise<string | undefined> {
  const runner = client.runner as { getAddress?: () => Promise<string> };
  return typeof runner.getAddress === "function" ? (await runner.getAddress()).toLowerCase() : undefined;
}

function skipReason(value: unknown): SkipReasonName {
  return SKIP_REASON_NAMES[Number(value)] ?? "NotActive";
}

function named(events: readonly LogDescription[], name: string): LogDescription[] {
  return events.filter((e) => e.name === name);
}

/** {@link CrlSyncChain} over a connected {@link RegistryClient} (with a signer holding ATTESTER_ROLE). */
export function crlSyncChain(client: RegistryClient): CrlSyncChain {
  return {
    ...reconcileChain(client),
    async now() {
      const block = await client.provider.getBlock("latest");
      if (block === null) throw new ChainError("CHAIN_UNAVAILABLE", "the node returned no latest block");
      return BigInt(block.timestamp);
    },
    async revokeInvalidKeys(keyNullifiers, pii, onSent) {
      const outcome = await client.send("revokeInvalidKeys", [keyNullifiers], { pii, onSent });
      return {
        hash: outcome.hash,
        gasUsed: outcome.gasUsed,
        revoked: named(outcome.events, "Revoked").map((e) => String(e.args[0]).toLowerCase()),
        burned: named(outcome.events, "CardKeyBurned").map((e) => String(e.args[0]).toLowerCase()),
        skipped: named(outcome.events, "KeySkipped").map((e) => ({
          keyNullifier: String(e.args[0]).toLowerCase(),
          reason: skipReason(e.args[1]),
        })),
      };
    },
    async dropSigningClaims(subjects, pii, onSent) {
      const outcome = await client.send("dropSigningClaims", [subjects], { pii, onSent });
      return {
        hash: outcome.hash,
        gasUsed: outcome.gasUsed,
        dropped: named(outcome.events, "SigningClaimsDropped").map((e) => ({
          subject: String(e.args[0]).toLowerCase(),
          claims: Number(e.args[2]),
        })),
        skipped: named(outcome.events, "SubjectSkipped").map((e) => ({
          subject: String(e.args[0]).toLowerCase(),
          reason: skipReason(e.args[1]),
        })),
      };
    },
    async recordCrlSync() {
      const outcome = await client.send("recordCrlSync", [], { pii: [] });
      return { hash: outcome.hash, gasUsed: outcome.gasUsed };
    },
  };
}
