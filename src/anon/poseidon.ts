import { buildPoseidon, type Poseidon } from "circomlibjs";

import type { AnonHasher } from "./anon-hasher.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

let circomlibPoseidon: Promise<Poseidon> | undefined;
let hasher: Promise<AnonHasher> | undefined;

function field(name: string, value: bigint): bigint {
  if (value < 0n || value >= SNARK_SCALAR_FIELD) {
    throw new AnonError("ANON_OUT_OF_FIELD", `${name} is not an element of the BN254 scalar field`);
  }
  return value;
}

/** circomlibjs' Poseidon itself, loaded once per process (the one {@link loadAnonHasher} uses), for bulk hashing. */
export function loadCircomlibPoseidon(): Promise<Poseidon> {
  circomlibPoseidon ??= buildPoseidon();
  return circomlibPoseidon;
}

/** Loads circomlibjs' Poseidon once per process and returns the statement's hashes. */
export function loadAnonHasher(): Promise<AnonHasher> {
  hasher ??= loadCircomlibPoseidon().then((poseidon) => {
    const hash = (inputs: bigint[]): bigint => poseidon.F.toObject(poseidon(inputs));
    return {
      commitment: (secret) => hash([field("secret", secret)]),
      leaf: (commitment, claims, expiresAt) =>
        hash([field("commitment", commitment), field("claims", claims), field("expiresAt", expiresAt)]),
      nullifier: (scope, secret) => hash([field("scope", scope), field("secret", secret)]),
      node: (left, right) => hash([field("left", left), field("right", right)]),
    };
  });
  return hasher;
}
