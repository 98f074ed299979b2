import { getBytes, keccak256, type BytesLike } from "ethers";

import type { AnonPublicSignals } from "./anon-public-signals.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

/**
 * The order of the public signals in the proof and in the Solidity verifier's `uint[6] pubSignals`: circom puts
 * the outputs first, then the public inputs in their declaration order in `AnonAttestation`.
 */
export const ANON_PUBLIC_SIGNAL_ORDER = ["nullifier", "root", "claimsMask", "now", "scope", "signalHash"] as const;

/** Maps bytes to a field element: keccak256(bytes) >> 8 (248 bits, below the field order; Semaphore's convention). */
export function hashToField(bytes: BytesLike): bigint {
  return BigInt(keccak256(getBytes(bytes))) >> 8n;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Parses the decimal public signals of a proof.
 * @throws AnonError `ANON_MALFORMED_PROOF` for a wrong count or a non-decimal value, `ANON_OUT_OF_FIELD` for a
 * value not below the scalar field order (such a value would alias another one modulo r).
 */
export function decodePublicSignals(signals: readonly unknown[]): AnonPublicSignals {
  if (!Array.isArray(signals) || signals.length !== ANON_PUBLIC_SIGNAL_ORDER.length) {
    throw new AnonError(
      "ANON_MALFORMED_PROOF",
      `a proof has ${ANON_PUBLIC_SIGNAL_ORDER.length} public signals (${ANON_PUBLIC_SIGNAL_ORDER.join(", ")})`,
    );
  }
  const values = signals.map((value, i) => {
    if (typeof value !== "string" || !DECIMAL.test(value)) {
      throw new AnonError(
        "ANON_MALFORMED_PROOF",
        `public signal ${ANON_PUBLIC_SIGNAL_ORDER[i]} is not a decimal string`,
      );
    }
    const n = BigInt(value);
    if (n >= SNARK_SCALAR_FIELD) {
      throw new AnonError(
        "ANON_OUT_OF_FIELD",
        `public signal ${ANON_PUBLIC_SIGNAL_ORDER[i]} is not below the BN254 scalar field order`,
      );
    }
    return n;
  });
  const [nullifier, root, claimsMask, now, scope, signalHash] = values as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { nullifier, root, claimsMask, now, scope, signalHash };
}
