/** The Poseidon hashes of the anonymous-proof statement, exactly as `circuits/anon.circom` computes them. */
export interface AnonHasher {
  /** commitment = Poseidon(secret): what the holder gives at bind time instead of the secret. */
  commitment(secret: bigint): bigint;
  /** leaf = Poseidon(commitment, claims, expiresAt): one leaf of the operator's tree. */
  leaf(commitment: bigint, claims: bigint, expiresAt: bigint): bigint;
  /** nullifier = Poseidon(scope, secret) mod 2^93: one value per holder secret per application scope. */
  nullifier(scope: bigint, secret: bigint): bigint;
  /** An inner node of the tree: Poseidon(left, right). */
  node(left: bigint, right: bigint): bigint;
  /** The root an operator publishes: Poseidon(treeRoot, validUntil) mod 2^176 (`ANON_ROOT_BITS`). */
  publishedRoot(treeRoot: bigint, validUntil: bigint): bigint;
}
