/**
 * What one leaf of an operator's tree is made of (the registry's `AnonLeaf` event, claims after any drop): the leaf
 * is Poseidon(commitment, claims, expiresAt). A removed position is given as `null` (its leaf value is 0).
 */
export interface AnonLeafInput {
  /** The holder's commitment Poseidon(secret) (a BN254 scalar field element). */
  readonly commitment: bigint;
  /** The attestation's claim bits (uint32). */
  readonly claims: bigint;
  /** The attestation's expiry (uint64 seconds). */
  readonly expiresAt: bigint;
}
