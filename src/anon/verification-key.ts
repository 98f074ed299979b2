import { AnonError } from "./anon-error.js";
import { ANON_PUBLIC_SIGNAL_ORDER } from "./signals.js";

/** A Groth16 verification key as `snarkjs zkey export verificationkey` writes it. */
export type AnonVerificationKey = Record<string, unknown> & { protocol: string; curve: string; nPublic: number };

/**
 * Checks that a parsed verification key is one for this circuit (Groth16, BN254, 4 public signals).
 * @throws AnonError `ANON_ARTIFACTS_MISSING` for a foreign key; `what` names it in the message.
 */
export function checkVerificationKey(value: unknown, what = "the verification key"): AnonVerificationKey {
  const vkey = value as Partial<AnonVerificationKey> | null;
  if (
    vkey === null ||
    typeof vkey !== "object" ||
    vkey.protocol !== "groth16" ||
    vkey.curve !== "bn128" ||
    vkey.nPublic !== ANON_PUBLIC_SIGNAL_ORDER.length
  ) {
    throw new AnonError(
      "ANON_ARTIFACTS_MISSING",
      `${what} is not a Groth16 BN254 key with ${ANON_PUBLIC_SIGNAL_ORDER.length} public signals`,
    );
  }
  return vkey as AnonVerificationKey;
}
