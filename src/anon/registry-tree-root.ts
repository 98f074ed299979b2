import { anonTreeRootParallel, type AnonTreeRootParallelOptions } from "./anon-tree-parallel.js";
import type { AnonRegistryEvent } from "./registry-event.js";
import { AnonRegistryLeaves } from "./registry-leaves.js";

/** Options of {@link anonRegistryTreeRoot}. */
export interface AnonRegistryTreeRootOptions extends Omit<AnonTreeRootParallelOptions, "expectedLeaves"> {
  /** apply the events of blocks up to this one only (default: all) */
  readonly toBlock?: number;
}

/** An operator's tree rebuilt from the registry's events by {@link anonRegistryTreeRoot}. */
export interface AnonRegistryTreeRoot {
  /** the leaves, by position */
  readonly leaves: AnonRegistryLeaves;
  /** the root of their tree (`AnonTree.build(hasher, leaves.leaves(hasher)).root`) */
  readonly treeRoot: bigint;
  /** the positions that hold a leaf (not 0) */
  readonly liveLeaves: number;
}

/**
 * An operator's tree root rebuilt from the registry's `events` (chain order, those up to `toBlock` when given), as
 * `kyc anon roots`, `kyc anon check-root` and the operator's own publication rebuild it: the events are applied to
 * {@link AnonRegistryLeaves} while the worker threads of {@link anonTreeRootParallel} load Poseidon, then the root is
 * hashed from the leaf inputs.
 * @throws AnonError `ANON_EVENT_ORDER` for events out of order, and what {@link anonTreeRootParallel} throws.
 */
export async function anonRegistryTreeRoot(
  events: readonly AnonRegistryEvent[],
  attester: string,
  options: AnonRegistryTreeRootOptions = {},
): Promise<AnonRegistryTreeRoot> {
  const { toBlock, ...parallel } = options;
  const inRange = (e: AnonRegistryEvent) => toBlock === undefined || (e.blockNumber ?? 0) <= toBlock;
  // no more positions than this attester's AnonLeaf events: decides whether workers start before the events apply
  const self = attester.toLowerCase();
  let expectedLeaves = 0;
  for (const e of events) {
    if (e.kind === "anonLeaf" && inRange(e) && e.attester.toLowerCase() === self) expectedLeaves++;
  }
  const leaves = new AnonRegistryLeaves(attester);
  let liveLeaves = 0;
  const treeRoot = await anonTreeRootParallel(
    () => {
      for (const e of events) {
        if (!inRange(e)) break;
        leaves.apply(e);
      }
      const inputs = leaves.leafInputs();
      liveLeaves = inputs.filter((leaf) => leaf !== null).length;
      return inputs;
    },
    { ...parallel, expectedLeaves },
  );
  return { leaves, treeRoot, liveLeaves };
}
