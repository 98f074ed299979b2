import { getBytes, keccak256, type BytesLike } from "ethers";

import type { AnonPublicSignals } from "./anon-public-signals.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

/**
 * The order of the public signals in the proof and in `AnonVerifier.verifyProof(proof, uint256[4])`: circom puts
 * the output first, then the public inputs in their declaration order in `AnonAttestation`.
 */
export const ANON_PUBLIC_SIGNAL_ORDER = ["nullifierSignal", "root", "scope", "claimsMask"] as const;

/** The nullifier's bits kept in the packed signal (93 + 160 = 253 < log2 r). */
export const ANON_NULLIFIER_BITS = 93n;
/** The published root's bits: the low 176 of Poseidon(treeRoot, validUntil), one registry slot with its times. */
export const ANON_ROOT_BITS = 176n;
/** The signal's bits (an address). */
export const ANON_SIGNAL_BITS = 160n;
const SIGNAL_MASK = (1n << ANON_SIGNAL_BITS) - 1n;

/** Maps bytes to a field element: keccak256(bytes) >> 8 (248 bits, below the field order; Semaphore's convention). */
export function hashToField(bytes: BytesLike): bigint {
  return BigInt(keccak256(getBytes(bytes))) >> 8n;
}

/** The 160-bit signal of a message: keccak256(bytes) >> 96 (as the consumer computes it on chain). */
export function signalOfMessage(bytes: BytesLike): bigint {
  return BigInt(keccak256(getBytes(bytes))) >> 96n;
}

/** The 160-bit signal of a recipient address (the address as a number). */
export function signalOfAddress(address: string): bigint {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new AnonError("ANON_OUT_OF_RANGE", `${address} is not an address`);
  return BigInt(address);
}

/** Splits the packed public signal into the 93-bit nullifier and the 160-bit signal. */
export function unpackNullifierSignal(nullifierSignal: bigint): { nullifier: bigint; signal: bigint } {
  return { nullifier: nullifierSignal >> ANON_SIGNAL_BITS, signal: nullifierSignal & SIGNAL_MASK };
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
  const [nullifierSignal, root, scope, claimsMask] = values as [bigint, bigint, bigint, bigint];
  return { nullifierSignal, root, scope, claimsMask, ...unpackNullifierSignal(nullifierSignal) };
}
