import type { AnonCalldata } from "./anon-calldata.js";
import type { AnonProof } from "./anon-proof.js";

/**
 * A proof a holder made with `proveAsHolder`, with what a consumer needs to check and send it. Holds nothing that
 * identifies the holder: no subject, card key, person tag, commitment, leaf position or secret.
 */
export interface AnonHolderProof {
  readonly chainId: bigint;
  readonly registry: string;
  /** The attester whose published root the proof is against. */
  readonly attester: string;
  /** The published root (0x-hex bytes32). */
  readonly root: string;
  /** The root's validUntil (unix seconds): the holder's leaf outlives it. */
  readonly validUntil: bigint;
  /** The block of the root's publication whose tree the proof was made against. */
  readonly publishedInBlock: number;
  readonly scope: bigint;
  /** The 160-bit signal (a recipient address as a number, or a message's `signalOfMessage`). */
  readonly signal: bigint;
  readonly claimsMask: bigint;
  /** Poseidon(scope, secret) mod 2^93: the same for every proof of this holder in this scope. */
  readonly nullifier: bigint;
  readonly proof: AnonProof;
  readonly calldata: AnonCalldata;
  /** Milliseconds spent in snarkjs (witness + Groth16). */
  readonly proveMs: number;
}
