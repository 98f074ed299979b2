import { getAddress, toBeHex, type Provider } from "ethers";

import type { AnonExpectation } from "./anon-expectation.js";
import { AnonError } from "./anon-error.js";
import type { AnonProof } from "./anon-proof.js";
import type { AnonRefVerdict } from "./anon-ref-verdict.js";
import { checkProofShape } from "./proof-shape.js";
import { usableRootAt } from "./root-at-ref.js";
import { decodePublicSignals } from "./signals.js";
import type { AnonVerificationKey } from "./verification-key.js";
import { verifyAnonProof } from "./verify.js";

/** Where `verifyAnonProofAtRef` reads the root, and what it requires of the proof beyond it. */
export interface AnonRefCheck extends Omit<AnonExpectation, "roots"> {
  /** A node of the registry's chain (an ethers provider: `BrowserProvider`, `JsonRpcProvider`, …). */
  readonly provider: Provider;
  readonly registry: string;
  /** The ref the holder (or relayer) gives with the proof: `AnonRootPublished.ref`. */
  readonly rootRef: bigint;
  /** The consumer's bound on a root's age (seconds, its `ANON_MAX_ROOT_AGE`); none: not checked. */
  readonly maxRootAge?: bigint;
}

/**
 * Verifies a proof off chain against the root the registry holds at `rootRef` now, as a consumer contract's
 * `claim(proof, rootRef, nullifierSignal)` does: a root is held there, it is the proof's root, it is usable (not past
 * validUntil, its attester not removed), not older than `maxRootAge` when given, the claims mask, scope and signal
 * are the expected ones (when given), and the pairing check passes. Nullifier reuse is the caller's record.
 * @throws AnonError `ANON_BAD_ARGUMENT` (the registry is not an address), `ANON_OUT_OF_RANGE` (rootRef),
 * `ANON_WRONG_ROOT`, `ANON_STATEMENT_MISMATCH`, `ANON_MALFORMED_PROOF`, `ANON_POINT_NOT_ON_CURVE`,
 * `ANON_OUT_OF_FIELD`, `ANON_INVALID_PROOF`, `ANON_REGISTRY_UNREADABLE`.
 */
export async function verifyAnonProofAtRef(
  verificationKey: AnonVerificationKey,
  proof: AnonProof,
  check: AnonRefCheck,
): Promise<AnonRefVerdict> {
  let registry: string;
  try {
    registry = getAddress(check.registry);
  } catch {
    throw new AnonError("ANON_BAD_ARGUMENT", `the registry ${JSON.stringify(check.registry)} is not an address`);
  }
  checkProofShape(proof.proof); // a malformed proof is refused before the node is asked
  const root = decodePublicSignals(proof.publicSignals).root;
  const state = await usableRootAt(check.provider, registry, check.rootRef, toBeHex(root, 32), check.maxRootAge);
  const signals = await verifyAnonProof(verificationKey, proof, {
    roots: [root],
    ...(check.claimsMask !== undefined ? { claimsMask: check.claimsMask } : {}),
    ...(check.scope !== undefined ? { scope: check.scope } : {}),
    ...(check.signal !== undefined ? { signal: check.signal } : {}),
  });
  return { signals, rootRef: check.rootRef, root: state };
}
