/** One `AnonRootPublished` event of the registry: a root an attester published, where, and with what. */
export interface AnonRootPublication {
  /** The published root, Poseidon(treeRoot, validUntil) mod 2^176, as 0x-hex bytes32 (lower-case). */
  readonly root: string;
  readonly attester: string;
  /** Where the registry holds it (attesterId << 8 | ring index): what a consumer takes (`anonRootAt(ref)`). */
  readonly ref: bigint;
  /** The validUntil of this publication (unix seconds): the root commits to it. */
  readonly validUntil: bigint;
  readonly leafCount: number;
  readonly blockNumber: number;
}
