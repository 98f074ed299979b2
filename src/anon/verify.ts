import { groth16 } from "snarkjs";

import type { AnonExpectation } from "./anon-expectation.js";
import type { AnonVerificationKey } from "./verification-key.js";
import type { AnonProof } from "./anon-proof.js";
import type { AnonPublicSignals } from "./anon-public-signals.js";
import { AnonError } from "./anon-error.js";
import { checkProofShape } from "./proof-shape.js";
import { decodePublicSignals } from "./signals.js";

/**
 * Verifies a proof off chain (no file access: runs in a browser too; the key comes from `loadVerificationKey` on Node,
 * or is fetched by a front end and checked with `checkVerificationKey`) against the verification key and what the verifier expects; returns the decoded
 * public signals (the caller records `nullifier`).
 * @throws AnonError `ANON_MALFORMED_PROOF`, `ANON_POINT_NOT_ON_CURVE`, `ANON_OUT_OF_FIELD` (a public signal not
 * below the field order), `ANON_WRONG_ROOT` (root not accepted), `ANON_STATEMENT_MISMATCH` (claims mask, scope
 * or signal differ from the expected ones), `ANON_INVALID_PROOF` (the pairing check fails).
 */
export async function verifyAnonProof(
  verificationKey: AnonVerificationKey,
  proof: AnonProof,
  expected: AnonExpectation,
): Promise<AnonPublicSignals> {
  checkProofShape(proof.proof);
  const signals = decodePublicSignals(proof.publicSignals);
  const roots: readonly bigint[] = typeof expected.roots === "bigint" ? [expected.roots] : expected.roots;
  if (!roots.includes(signals.root)) {
    throw new AnonError("ANON_WRONG_ROOT", "the proof's root is not a root the verifier accepts");
  }
  for (const name of ["claimsMask", "scope", "signal"] as const) {
    const want = expected[name];
    if (want !== undefined && want !== signals[name]) {
      throw new AnonError("ANON_STATEMENT_MISMATCH", `the proof's ${name} is not the expected one`);
    }
  }
  const valid = await groth16.verify(verificationKey, [...proof.publicSignals], proof.proof);
  if (!valid) throw new AnonError("ANON_INVALID_PROOF", "the proof does not verify against its public signals");
  return signals;
}
