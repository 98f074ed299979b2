import { buildPoseidon, type Poseidon } from "circomlibjs";

import type { AnonHasher } from "./anon-hasher.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";
import { ANON_NULLIFIER_BITS, ANON_ROOT_BITS } from "./signals.js";

let circomlibPoseidon: Promise<Poseidon> | undefined;
let hasher: Promise<AnonHasher> | undefined;

/** The nullifier bits the circuit keeps (`ANON_NULLIFIER_BITS`). */
const NULLIFIER_MASK = (1n << ANON_NULLIFIER_BITS) - 1n;
/** The root bits the circuit and the registry keep (`ANON_ROOT_BITS`). */
const ROOT_MASK = (1n << ANON_ROOT_BITS) - 1n;

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
      nullifier: (scope, secret) => hash([field("scope", scope), field("secret", secret)]) & NULLIFIER_MASK,
      node: (left, right) => hash([field("left", left), field("right", right)]),
      publishedRoot: (treeRoot, validUntil) =>
        hash([field("treeRoot", treeRoot), field("validUntil", validUntil)]) & ROOT_MASK,
    };
  });
  return hasher;
}
