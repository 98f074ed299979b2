import { existsSync } from "node:fs";

import { groth16 } from "snarkjs";

import type { AnonArtifacts } from "./anon-artifacts-type.js";
import type { AnonProof } from "./anon-proof.js";
import { AnonError } from "./anon-error.js";
import type { AnonCircuitInput } from "./witness-input.js";

/**
 * Proves with snarkjs (witness from the circuit's wasm, then Groth16 with the proving key). The input should come
 * from {@link anonWitnessInput}, which explains why a holder cannot prove; an input the circuit rejects anyway
 * gives `ANON_UNSATISFIABLE` with snarkjs' message as the cause.
 * @throws AnonError `ANON_ARTIFACTS_MISSING` (no wasm or zkey file), `ANON_UNSATISFIABLE` (a constraint fails).
 */
export async function proveAnon(
  input: AnonCircuitInput,
  artifacts: Pick<AnonArtifacts, "wasm" | "zkey">,
): Promise<AnonProof> {
  for (const file of [artifacts.wasm, artifacts.zkey]) {
    if (!existsSync(file)) throw new AnonError("ANON_ARTIFACTS_MISSING", `${file} does not exist`);
  }
  try {
    const { proof, publicSignals } = await groth16.fullProve(input, artifacts.wasm, artifacts.zkey);
    return { proof, publicSignals };
  } catch (error) {
    if (
      error instanceof Error &&
      /Assert Failed|Not enough values|Too many values|Signal not found/.test(error.message)
    ) {
      throw new AnonError("ANON_UNSATISFIABLE", "the circuit rejects this input (a constraint fails)", {
        cause: error,
      });
    }
    throw error;
  }
}
