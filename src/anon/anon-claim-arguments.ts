/**
 * The arguments of a `KycAnonGated` consumer's claim, in order: `claim(proof, rootRef, nullifierSignal)` (e.g.
 * `AnonAgeGatedAirdrop.claim`, `AnonGatedMock.use`).
 */
export interface AnonClaimArguments {
  /** [A.x, A.y, B.x.imaginary, B.x.real, B.y.imaginary, B.y.real, C.x, C.y] (EIP-197 order). */
  readonly proof: bigint[];
  /** Where the registry holds the proof's root (`AnonRootPublished.ref`). */
  readonly rootRef: bigint;
  /** nullifier * 2^160 + signal. */
  readonly nullifierSignal: bigint;
}
