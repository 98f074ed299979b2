/** The public part of what a holder proves, chosen by the consumer (except `root`, the operator's). */
export interface AnonStatement {
  /** A root of the operator's tree that the consumer accepts. */
  readonly root: bigint;
  /** The claim bits required (uint32): the holder's claims must include every bit. */
  readonly claimsMask: bigint;
  /** The time the leaf must still be valid at (uint64 seconds): the proof shows expiresAt > now. */
  readonly now: bigint;
  /** The application: one nullifier per holder per scope (a field element, e.g. {@link hashToField}). */
  readonly scope: bigint;
  /** What the proof is bound to (recipient, message), as a field element, e.g. {@link hashToField}. */
  readonly signalHash: bigint;
}
