// Types of anon-subtree.mjs (plain JavaScript so that worker threads load it without a TypeScript loader).
import type { Poseidon } from "circomlibjs";

/** Subtree roots of the operator's tree (as `AnonTree.build` makes it) with one circomlibjs Poseidon instance. */
export interface AnonSubtreeHasher {
  /**
   * The root of the subtree of height `height` over m ≤ 2^height leaf positions: `values` holds commitment, claims,
   * expiresAt of position i at 3i, 3i + 1, 3i + 2; `removed[i]` = 1 makes the leaf 0; positions past m hold 0.
   * The values must be field elements (not checked here).
   */
  leavesRoot(height: number, values: readonly bigint[], removed: Uint8Array): bigint;
  /** The root at level `depth` over the consecutive subtree roots of level `height` (the rest empty). */
  rootAbove(height: number, depth: number, roots: readonly bigint[]): bigint;
}

/** circomlibjs' `buildPoseidon`, from its Poseidon module alone when possible (faster to load). */
export function importBuildPoseidon(): Promise<() => Promise<Poseidon>>;

/** A subtree hasher over `poseidon`. */
export function anonSubtreeHasher(poseidon: Poseidon): AnonSubtreeHasher;
