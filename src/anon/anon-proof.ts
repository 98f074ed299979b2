import type { Groth16Proof } from "snarkjs";

/** A Groth16 proof as snarkjs makes it (JSON-safe: numbers are decimal strings). */
export interface AnonProof {
  /** The proof points (`pi_a`, `pi_b`, `pi_c` in projective form with z = 1). */
  readonly proof: Groth16Proof;
  /** The public signals in the verifier's order (`ANON_PUBLIC_SIGNAL_ORDER`), decimal strings. */
  readonly publicSignals: readonly string[];
}
