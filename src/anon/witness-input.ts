import type { AnonHasher } from "./anon-hasher.js";
import type { AnonHolder } from "./anon-holder.js";
import type { AnonStatement } from "./anon-statement.js";
import { AnonError } from "./anon-error.js";
import type { AnonTree } from "./anon-tree.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

/** The circuit's input signals (decimal strings), as snarkjs' witness calculator takes them. */
export type AnonCircuitInput = Record<string, string | string[]>;

const UINT32 = 2n ** 32n;
const UINT64 = 2n ** 64n;
const UINT160 = 2n ** 160n;

function inRange(name: string, value: bigint, bound: bigint, type: string): void {
  if (value < 0n || value >= bound) throw new AnonError("ANON_OUT_OF_RANGE", `${name} is not a ${type}`);
}

function inField(name: string, value: bigint): void {
  if (value < 0n || value >= SNARK_SCALAR_FIELD) {
    throw new AnonError("ANON_OUT_OF_FIELD", `${name} is not an element of the BN254 scalar field`);
  }
}

/**
 * The circuit input for a holder proving `statement` against `tree` (whose root must be `statement.root`).
 * Checks everything the circuit will check, so that a holder who cannot prove gets a clear error instead of a
 * failed witness computation.
 * @throws AnonError `ANON_OUT_OF_RANGE`, `ANON_OUT_OF_FIELD`, `ANON_NOT_A_MEMBER` (no leaf of the holder in the
 * tree, or the tree's root is not `statement.treeRoot`), `ANON_UNSATISFIABLE` (claims lack a mask bit, or the
 * leaf expires by the root's `validUntil`).
 */
export function anonWitnessInput(
  hasher: AnonHasher,
  tree: AnonTree,
  holder: AnonHolder,
  statement: AnonStatement,
): AnonCircuitInput {
  inField("secret", holder.secret);
  inRange("claims", holder.claims, UINT32, "uint32");
  inRange("expiresAt", holder.expiresAt, UINT64, "uint64");
  inRange("claimsMask", statement.claimsMask, UINT32, "uint32");
  inRange("validUntil", statement.validUntil, UINT64, "uint64");
  inField("scope", statement.scope);
  inRange("signal", statement.signal, UINT160, "160-bit value");
  inField("treeRoot", statement.treeRoot);
  if (tree.root !== statement.treeRoot) {
    throw new AnonError("ANON_NOT_A_MEMBER", "the tree given is not the tree of the statement's root");
  }
  if ((holder.claims & statement.claimsMask) !== statement.claimsMask) {
    throw new AnonError("ANON_UNSATISFIABLE", "the holder's claims lack a bit the claims mask requires");
  }
  if (holder.expiresAt <= statement.validUntil) {
    throw new AnonError("ANON_UNSATISFIABLE", "the holder's leaf expires before the root's validUntil");
  }
  const leaf = hasher.leaf(hasher.commitment(holder.secret), holder.claims, holder.expiresAt);
  const index = tree.indexOf(leaf);
  if (index < 0) throw new AnonError("ANON_NOT_A_MEMBER", "the holder's leaf is not in the tree");
  const path = tree.path(index);
  return {
    root: hasher.publishedRoot(statement.treeRoot, statement.validUntil).toString(),
    scope: statement.scope.toString(),
    claimsMask: statement.claimsMask.toString(),
    signalValue: statement.signal.toString(),
    validUntil: statement.validUntil.toString(),
    secret: holder.secret.toString(),
    claims: holder.claims.toString(),
    expiresAt: holder.expiresAt.toString(),
    siblings: path.siblings.map(String),
    indices: path.indices.map(String),
  };
}
