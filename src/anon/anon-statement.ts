/** The public part of what a holder proves, chosen by the consumer (except the root, the operator's). */
export interface AnonStatement {
  /** The operator's tree root (`AnonTree.root`) the holder's path leads to. */
  readonly treeRoot: bigint;
  /**
   * The `validUntil` the operator published that tree root with (uint64 seconds): the proof shows the leaf expires
   * after it, and the published root is Poseidon(treeRoot, validUntil) (`publishedAnonRoot`).
   */
  readonly validUntil: bigint;
  /** The claim bits required (uint32): the holder's claims must include every bit. */
  readonly claimsMask: bigint;
  /** The application: one nullifier per holder per scope (a field element, e.g. {@link hashToField}). */
  readonly scope: bigint;
  /** What the proof is bound to (160 bits): a recipient address as a number, or `signalOfMessage(bytes)`. */
  readonly signal: bigint;
}
