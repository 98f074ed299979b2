import type { AnonHasher } from "./anon-hasher.js";
import type { AnonMerklePath } from "./anon-merkle-path.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

/** The depth of the operator's tree, fixed by the circuit: up to 2^20 (1,048,576) leaves. */
export const ANON_TREE_DEPTH = 20;

/**
 * The operator's binary Poseidon Merkle tree of anonymous leaves, as the circuit checks it: depth
 * {@link ANON_TREE_DEPTH}, node = Poseidon(left, right), every position past the given leaves holds 0 (a removed
 * leaf is also 0). Immutable: build a new tree from the new leaf list for the next root.
 */
export class AnonTree {
  /** The root the operator publishes. */
  readonly root: bigint;
  /** `layers[0]` are the leaves; `layers[l]` the non-empty nodes of level l. */
  private readonly layers: readonly (readonly bigint[])[];
  /** `zeros[l]` is the root of an empty subtree of height l. */
  private readonly zeros: readonly bigint[];

  private readonly hasher: AnonHasher;

  private constructor(hasher: AnonHasher, layers: bigint[][], zeros: bigint[]) {
    this.hasher = hasher;
    this.layers = layers;
    this.zeros = zeros;
    this.root = layers[ANON_TREE_DEPTH]?.[0] ?? (zeros[ANON_TREE_DEPTH] as bigint);
  }

  /**
   * Builds the tree over `leaves` (position i holds leaves[i]).
   * @throws AnonError `ANON_OUT_OF_RANGE` for more than 2^20 leaves, `ANON_OUT_OF_FIELD` for a leaf outside the field.
   */
  static build(hasher: AnonHasher, leaves: readonly bigint[]): AnonTree {
    if (leaves.length > 2 ** ANON_TREE_DEPTH) {
      throw new AnonError("ANON_OUT_OF_RANGE", `a tree of depth ${ANON_TREE_DEPTH} holds at most 2^20 leaves`);
    }
    leaves.forEach((leaf, i) => {
      if (leaf < 0n || leaf >= SNARK_SCALAR_FIELD) {
        throw new AnonError("ANON_OUT_OF_FIELD", `leaf ${i} is not an element of the BN254 scalar field`);
      }
    });
    const zeros = [0n];
    for (let l = 0; l < ANON_TREE_DEPTH; l++) {
      const z = zeros[l] as bigint;
      zeros.push(hasher.node(z, z));
    }
    const layers: bigint[][] = [[...leaves]];
    for (let l = 0; l < ANON_TREE_DEPTH; l++) {
      const below = layers[l] as bigint[];
      const above: bigint[] = [];
      for (let i = 0; i < below.length; i += 2) {
        above.push(hasher.node(below[i] as bigint, below[i + 1] ?? (zeros[l] as bigint)));
      }
      layers.push(above);
    }
    return new AnonTree(hasher, layers, zeros);
  }

  /**
   * The tree with the leaf at `index` replaced (0 removes it; `index` = size appends one): 20 hashes instead of a
   * rebuild. This tree is left unchanged.
   * @throws AnonError `ANON_OUT_OF_RANGE` for an index past the end or the tree's capacity, `ANON_OUT_OF_FIELD`.
   */
  withLeaf(index: number, leaf: bigint): AnonTree {
    if (!Number.isSafeInteger(index) || index < 0 || index > this.size || index >= 2 ** ANON_TREE_DEPTH) {
      throw new AnonError("ANON_OUT_OF_RANGE", `cannot set leaf ${index} of a tree of ${this.size} leaves`);
    }
    if (leaf < 0n || leaf >= SNARK_SCALAR_FIELD) {
      throw new AnonError("ANON_OUT_OF_FIELD", "the leaf is not an element of the BN254 scalar field");
    }
    const layers = this.layers.map((layer) => [...layer]);
    let position = index;
    let node = leaf;
    for (let l = 0; l <= ANON_TREE_DEPTH; l++) {
      const layer = layers[l] as bigint[];
      layer[position] = node;
      if (l === ANON_TREE_DEPTH) break;
      const left = position & 1 ? (layer[position - 1] as bigint) : node;
      const right = position & 1 ? node : (layer[position + 1] ?? (this.zeros[l] as bigint));
      node = this.hasher.node(left, right);
      position >>= 1;
    }
    return new AnonTree(this.hasher, layers, [...this.zeros]);
  }

  /** The number of leaf positions given (removed leaves included). */
  get size(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** The leaf at a position (0 past the end). */
  leaf(index: number): bigint {
    return this.layers[0]?.[index] ?? 0n;
  }

  /** The first position of a leaf, or -1. */
  indexOf(leaf: bigint): number {
    return this.layers[0]?.indexOf(leaf) ?? -1;
  }

  /**
   * The authentication path of the leaf at `index`.
   * @throws AnonError `ANON_NOT_A_MEMBER` when the index is outside the given leaves.
   */
  path(index: number): AnonMerklePath {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new AnonError("ANON_NOT_A_MEMBER", `no leaf at position ${index} (the tree has ${this.size})`);
    }
    const siblings: bigint[] = [];
    const indices: (0 | 1)[] = [];
    let position = index;
    for (let l = 0; l < ANON_TREE_DEPTH; l++) {
      const sibling = position ^ 1;
      siblings.push(this.layers[l]?.[sibling] ?? (this.zeros[l] as bigint));
      indices.push((position & 1) as 0 | 1);
      position >>= 1;
    }
    return { index, siblings, indices };
  }
}

/** The root a path leads to from a leaf (what the circuit recomputes). */
export function rootFromPath(hasher: AnonHasher, leaf: bigint, path: AnonMerklePath): bigint {
  let node = leaf;
  path.siblings.forEach((sibling, l) => {
    node = path.indices[l] === 1 ? hasher.node(sibling, node) : hasher.node(node, sibling);
  });
  return node;
}
