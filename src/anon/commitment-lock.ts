import type { AnonRegistryLeaves } from "./registry-leaves.js";

/** A card key already locked to another commitment. */
export interface AnonCommitmentConflict {
  readonly keyNullifier: string;
  readonly commitment: bigint;
}

/**
 * The operator's lock (DESIGN.md: one nullifier per person per scope): a card key keeps the first commitment it
 * opted in with, for life; at identity level so does the person (every card key the operator saw with the person's
 * tag). Returns the first of `keys` that carries a commitment other than `commitment`, from the operator's
 * `AnonLeaf` history (`leaves`), or undefined when the commitment may be used.
 */
export function anonCommitmentConflict(
  leaves: AnonRegistryLeaves,
  keys: readonly string[],
  commitment: bigint,
): AnonCommitmentConflict | undefined {
  for (const keyNullifier of keys) {
    const locked = leaves.commitmentOfKey(keyNullifier);
    if (locked !== undefined && locked !== commitment) return { keyNullifier, commitment: locked };
  }
  return undefined;
}
