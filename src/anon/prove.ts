import { groth16 } from "snarkjs";

import type { AnonArtifacts } from "./anon-artifacts-type.js";
import type { AnonProof } from "./anon-proof.js";
import type { AnonCircuitInput } from "./witness-input.js";

/**
 * Proves with snarkjs (witness from the circuit's wasm, then Groth16 with the proving key). The input should come
 * from {@link anonWitnessInput}, which refuses statements the holder cannot prove; a hand-made input the circuit
 * rejects makes snarkjs throw its own "Assert Failed" error.
 */
export async function proveAnon(
  input: AnonCircuitInput,
  artifacts: Pick<AnonArtifacts, "wasm" | "zkey">,
): Promise<AnonProof> {
  const { proof, publicSignals } = await groth16.fullProve(input, artifacts.wasm, artifacts.zkey);
  return { proof, publicSignals };
}
