import { existsSync, readFileSync } from "node:fs";

import { groth16 } from "snarkjs";

import type { AnonExpectation } from "./anon-expectation.js";
import type { AnonProof } from "./anon-proof.js";
import type { AnonPublicSignals } from "./anon-public-signals.js";
import { AnonError } from "./anon-error.js";
import { checkProofShape } from "./proof-shape.js";
import { ANON_PUBLIC_SIGNAL_ORDER, decodePublicSignals } from "./signals.js";

/** A Groth16 verification key as `snarkjs zkey export verificationkey` writes it. */
export type AnonVerificationKey = Record<string, unknown> & { protocol: string; curve: string; nPublic: number };

/**
 * Reads a verification key file and checks it is one for this circuit (Groth16, BN254, 6 public signals).
 * @throws AnonError `ANON_ARTIFACTS_MISSING` for a missing, unreadable or foreign key file.
 */
export function loadVerificationKey(path: string): AnonVerificationKey {
  if (!existsSync(path)) throw new AnonError("ANON_ARTIFACTS_MISSING", `${path} does not exist`);
  let vkey: AnonVerificationKey;
  try {
    vkey = JSON.parse(readFileSync(path, "utf8")) as AnonVerificationKey;
  } catch (error) {
    throw new AnonError("ANON_ARTIFACTS_MISSING", `${path} is not JSON`, { cause: error });
  }
  if (vkey.protocol !== "groth16" || vkey.curve !== "bn128" || vkey.nPublic !== ANON_PUBLIC_SIGNAL_ORDER.length) {
    throw new AnonError("ANON_ARTIFACTS_MISSING", `${path} is not a Groth16 BN254 key with 6 public signals`);
  }
  return vkey;
}

/**
 * Verifies a proof off chain against the verification key and what the verifier expects; returns the decoded
 * public signals (the caller records `nullifier`).
 * @throws AnonError `ANON_MALFORMED_PROOF`, `ANON_POINT_NOT_ON_CURVE`, `ANON_OUT_OF_FIELD` (a public signal not
 * below the field order), `ANON_WRONG_ROOT` (root not accepted), `ANON_STATEMENT_MISMATCH` (claims mask, time,
 * scope or signal differ from the expected ones), `ANON_INVALID_PROOF` (the pairing check fails).
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
  for (const name of ["claimsMask", "now", "scope", "signalHash"] as const) {
    const want = expected[name];
    if (want !== undefined && want !== signals[name]) {
      throw new AnonError("ANON_STATEMENT_MISMATCH", `the proof's ${name} is not the expected one`);
    }
  }
  const valid = await groth16.verify(verificationKey, [...proof.publicSignals], proof.proof);
  if (!valid) throw new AnonError("ANON_INVALID_PROOF", "the proof does not verify against its public signals");
  return signals;
}
