import type { AnonLeafInput } from "../anon/anon-leaf-input.js";
import type { AnonRootPublication } from "../anon/anon-root-publication.js";
import { loadAnonHasher } from "../anon/poseidon.js";
import type { AnonRegistryEvent } from "../anon/registry-event.js";
import { AnonRegistryLeaves } from "../anon/registry-leaves.js";
import { anonRegistryTreeRoot } from "../anon/registry-tree-root.js";

/** How many blocks before its publication the operator may have read the chain for a root (as `kyc anon check-root`). */
export const ANON_PUBLICATION_LOOKBACK_BLOCKS = 4;

/**
 * Whether a root over `current` (the attester's leaf inputs now) removes or changes a leaf of the tree `last` was
 * published over, so that it must go out with `replaceAnonRoots` (every earlier root ends: a revoked holder, a dropped
 * claim or a leaf under a disabled trust anchor no longer proves against them). Without `last`: false.
 *
 * The published tree is the one at the end of `last`'s block, or of one of the `lookbackBlocks` blocks before (the
 * operator read the chain a little before its transaction was mined): when these candidates agree (all remove a leaf,
 * or none does), that is the answer; when they do not, the candidate whose root `last` commits to decides, and when
 * none matches, true (a replacement is the safe side: it costs gas and makes holders prove again, it never keeps a
 * removed leaf provable).
 */
export async function anonRootRemovesLeaves(
  events: readonly AnonRegistryEvent[],
  attester: string,
  last: AnonRootPublication | undefined,
  current: readonly (AnonLeafInput | null)[],
  lookbackBlocks = ANON_PUBLICATION_LOOKBACK_BLOCKS,
): Promise<boolean> {
  if (last === undefined) return false;
  const candidates = candidateBlocks(events, last.blockNumber, lookbackBlocks);
  const snapshots = leafInputsAtEndOf(events, attester, candidates);
  const removes = candidates.map((block) => removesLeaf(snapshots.get(block)!, current));
  if (removes.every((r) => r)) return true;
  if (removes.every((r) => !r)) return false;
  const hasher = await loadAnonHasher();
  for (const [i, block] of candidates.entries()) {
    const { treeRoot } = await anonRegistryTreeRoot(events, attester, { toBlock: block });
    if (hasher.publishedRoot(treeRoot, last.validUntil) === BigInt(last.root)) return removes[i]!;
  }
  return true;
}

/** The publication's block, then each earlier block (down to `lookback` before it) after which an event changed things. */
function candidateBlocks(events: readonly AnonRegistryEvent[], published: number, lookback: number): number[] {
  const withEvents = new Set(events.map((e) => e.blockNumber ?? 0));
  const blocks = [published];
  for (let b = published - 1; b >= Math.max(0, published - lookback); b--) {
    // no event in block b + 1: the tree at the end of b is the one at the end of b + 1
    if (withEvents.has(b + 1)) blocks.push(b);
  }
  return blocks;
}

/** The attester's leaf inputs at the end of each of `blocks`, from one pass over `events`. */
function leafInputsAtEndOf(
  events: readonly AnonRegistryEvent[],
  attester: string,
  blocks: readonly number[],
): Map<number, (AnonLeafInput | null)[]> {
  const leaves = new AnonRegistryLeaves(attester);
  const pending = [...blocks].sort((a, b) => a - b);
  const out = new Map<number, (AnonLeafInput | null)[]>();
  for (const e of events) {
    while (pending.length > 0 && (e.blockNumber ?? 0) > pending[0]!) out.set(pending.shift()!, leaves.leafInputs());
    if (pending.length === 0) break;
    leaves.apply(e);
  }
  for (const b of pending) out.set(b, leaves.leafInputs());
  return out;
}

/** A position that held a leaf in `before` holds none, or another one, in `after`. */
function removesLeaf(before: readonly (AnonLeafInput | null)[], after: readonly (AnonLeafInput | null)[]): boolean {
  return before.some((leaf, i) => {
    if (leaf === null) return false;
    const now = after[i];
    return (
      now === null ||
      now === undefined ||
      now.commitment !== leaf.commitment ||
      now.claims !== leaf.claims ||
      now.expiresAt !== leaf.expiresAt
    );
  });
}
