/** A leaf's authentication path in an {@link AnonTree}, from the leaf level up. */
export interface AnonMerklePath {
  /** The leaf's position in the tree. */
  readonly index: number;
  /** The sibling at each level, leaf level first (`ANON_TREE_DEPTH` entries). */
  readonly siblings: readonly bigint[];
  /** 0 where the running node is the left child, 1 where it is the right child (the bits of `index`). */
  readonly indices: readonly (0 | 1)[];
}
