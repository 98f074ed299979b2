import { toBeHex } from "ethers";

import { loadAnonHasher } from "../anon/poseidon.js";
import { readAnonRootPublications } from "../anon/published-roots.js";
import { readAnonRegistryEvents } from "../anon/registry-events.js";
import { anonRegistryTreeRoot } from "../anon/registry-tree-root.js";
import type { RegistryClient, TxOutcome } from "../chain/registry-client.js";
import { OperatorError } from "./operator-error.js";

/** How long a published root may be used by default: one day. */
export const DEFAULT_ANON_ROOT_VALIDITY_SECONDS = 86_400;
/** The registry's bound on a root's validity (`MAX_ANON_ROOT_VALIDITY`): seven days. */
export const MAX_ANON_ROOT_VALIDITY_SECONDS = 7 * 86_400;

/** What {@link publishAnonRootIfChanged} did. */
export interface AnonPublishOutcome {
  /** Whether a root was sent. */
  readonly published: boolean;
  /**
   * `changed`: the tree differs from the last published one; `refresh`: same tree, but the last root is past half of
   * its validity; `unchanged`: nothing to do; `empty`: this attester has no anonymous-proof leaf.
   */
  readonly reason: "changed" | "refresh" | "unchanged" | "empty";
  /** The tree root rebuilt from the registry's events. */
  readonly treeRoot: string;
  /** The root the registry holds now for this tree: Poseidon(treeRoot, validUntil) (absent when empty). */
  readonly root?: string;
  readonly validUntil?: number;
  /** The number of leaf positions published with it. */
  readonly leafCount: number;
  /** The publication, when one was sent. */
  readonly tx?: TxOutcome;
}

/** Checks a `validFor` in seconds (1 s to the registry's 7 days). */
export function checkAnonRootValidity(validFor: number): number {
  if (!Number.isSafeInteger(validFor) || validFor <= 0 || validFor > MAX_ANON_ROOT_VALIDITY_SECONDS) {
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      `a root's validity must be 1 to ${MAX_ANON_ROOT_VALIDITY_SECONDS} seconds (the registry's bound)`,
    );
  }
  return validFor;
}

/**
 * The operator's duty after anything that changes its anonymous-proof tree (an attestation that opted in, a
 * crl-sync that revoked or dropped claims): rebuild the tree from the registry's events and publish
 * `Poseidon(treeRoot, validUntil)` when it differs from the last root this attester published, or when that root is
 * past half of its validity (so holders always find a usable root). One transaction at most.
 */
export async function publishAnonRootIfChanged(
  client: RegistryClient,
  options: { validFor?: number } = {},
): Promise<AnonPublishOutcome> {
  const validFor = checkAnonRootValidity(options.validFor ?? DEFAULT_ANON_ROOT_VALIDITY_SECONDS);
  const attester = await client.signer().getAddress();
  const events = await readAnonRegistryEvents(client.provider, client.address);
  // the root only (hashed on worker threads): no paths are needed here
  const { leaves, treeRoot: root } = await anonRegistryTreeRoot(events, attester);
  const hasher = await loadAnonHasher();
  const treeRoot = toBeHex(root, 32);
  if (leaves.size === 0) return { published: false, reason: "empty", treeRoot, leafCount: 0 };

  const latestBlock = await client.provider.getBlock("latest");
  const now = BigInt(latestBlock?.timestamp ?? Math.floor(Date.now() / 1000));
  const last = (await readAnonRootPublications(client.provider, client.address, { attester })).at(-1);
  let reason: AnonPublishOutcome["reason"] = "changed";
  if (last !== undefined) {
    const lastRoot = BigInt(last.root);
    const lastValidUntil = last.validUntil;
    if (hasher.publishedRoot(root, lastValidUntil) === lastRoot) {
      if (lastValidUntil - now > BigInt(validFor) / 2n) {
        return {
          published: false,
          reason: "unchanged",
          treeRoot,
          root: toBeHex(lastRoot, 32),
          validUntil: Number(lastValidUntil),
          leafCount: leaves.size,
        };
      }
      reason = "refresh";
    }
  }
  const sent = await sendAnonRoot(client, root, leaves.size, validFor);
  return { published: true, reason, treeRoot, ...sent, leafCount: leaves.size };
}

/**
 * Sends `publishAnonRoot(Poseidon(treeRoot, validUntil), validUntil, leafCount)` with validUntil = the latest
 * block's time + `validFor` seconds (checked: 1 s to 7 days).
 */
export async function sendAnonRoot(
  client: RegistryClient,
  treeRoot: bigint,
  leafCount: number,
  validFor: number,
): Promise<{ root: string; validUntil: number; tx: TxOutcome }> {
  checkAnonRootValidity(validFor);
  const latest = await client.provider.getBlock("latest");
  const validUntil = BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000)) + BigInt(validFor);
  const root = toBeHex((await loadAnonHasher()).publishedRoot(treeRoot, validUntil), 32);
  const tx = await client.send("publishAnonRoot", [root, validUntil, leafCount], { pii: [] });
  return { root, validUntil: Number(validUntil), tx };
}
