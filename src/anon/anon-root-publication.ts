/** One `AnonRootPublished` event of the registry: a root an attester published, and with what. */
export interface AnonRootPublication {
  /** The published root, Poseidon(treeRoot, validUntil), as 0x-hex bytes32 (lower-case). */
  readonly root: string;
  readonly attester: string;
  /** The validUntil of this publication (unix seconds): the root commits to it. */
  readonly validUntil: bigint;
  readonly leafCount: number;
  readonly blockNumber: number;
}
