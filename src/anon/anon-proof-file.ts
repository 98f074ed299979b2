import type { Groth16Proof } from "snarkjs";

/**
 * The file `kyc anon prove` writes (`jpki-kyc/anon-proof@2`): a proof and what a consumer needs to check and send it.
 * It holds nothing that identifies the holder (no subject, card key, person tag, commitment, leaf position or
 * secret); numbers beyond 2^53 are decimal strings.
 */
export interface AnonProofFile {
  readonly format: "jpki-kyc/anon-proof@2";
  /** The chain id (decimal). */
  readonly chainId: string;
  readonly registry: string;
  /** The attester whose published root the proof is against. */
  readonly attester: string;
  /** The published root (0x-hex bytes32): the low 176 bits of Poseidon(treeRoot, validUntil). */
  readonly root: string;
  /** Where the registry holds the root (decimal): `AnonRootPublished.ref` = attesterId << 8 | ring index. */
  readonly rootRef: string;
  /** The root's validUntil (unix seconds). */
  readonly validUntil: number;
  /** The consumer's scope (decimal). */
  readonly scope: string;
  /** The 160-bit signal (decimal): a recipient address as a number, or a message's signal. */
  readonly signal: string;
  /** The claim bits shown (uint32). */
  readonly claimsMask: number;
  /** The claim names of the mask (for people; `claimsMask` is authoritative). */
  readonly claims: string[];
  /** The nullifier (decimal, 93 bits): the same for every proof of this holder in this scope. */
  readonly nullifier: string;
  /** The snarkjs Groth16 proof. */
  readonly proof: Groth16Proof;
  /** The public signals, decimal, in `ANON_PUBLIC_SIGNAL_ORDER`. */
  readonly publicSignals: string[];
  /** The consumer's arguments, in order: `claim(proof, rootRef, nullifierSignal)` of a `KycAnonGated` contract. */
  readonly calldata: {
    /** [A.x, A.y, B.x.im, B.x.re, B.y.im, B.y.re, C.x, C.y], decimal. */
    readonly proof: string[];
    /** The file's `rootRef` (decimal). */
    readonly rootRef: string;
    /** nullifier * 2^160 + signal, decimal. */
    readonly nullifierSignal: string;
  };
}
