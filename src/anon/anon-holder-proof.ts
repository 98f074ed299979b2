import type { AnonCalldata } from "./anon-calldata.js";
import type { AnonProof } from "./anon-proof.js";

/**
 * A proof a holder made with `proveAsHolder`, with what a consumer needs to check and send it: a relayer calls
 * `claim(calldata.proof, rootRef, calldata.nullifierSignal)`. Holds nothing that identifies the holder: no subject,
 * card key, person tag, commitment, leaf position or secret.
 */
export interface AnonHolderProof {
  readonly chainId: bigint;
  readonly registry: string;
  /** The attester whose published root the proof is against. */
  readonly attester: string;
  /** The published root (0x-hex bytes32): the low 176 bits of Poseidon(treeRoot, validUntil). */
  readonly root: string;
  /**
   * Where the registry holds the root (`anonRootAt(rootRef)`): the ref of the publication the proof is against
   * (`AnonRootPublished.ref` = attesterId << 8 | ring index), which held the root when the proof was made.
   */
  readonly rootRef: bigint;
  /** The root's validUntil (unix seconds): the holder's leaf outlives it. */
  readonly validUntil: bigint;
  /** The block of the publication at `rootRef`. */
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
