import { TypedDataEncoder, type Signer } from "ethers";

import { kycDomain } from "../binding/kyc-binding.js";

/** Mirrors the Solidity `AttestationRequest` (no certificate data). */
export interface AttestationRequest {
  readonly subject: string;
  readonly disclose: number;
  readonly deadline: bigint;
  readonly claims: number;
  /** 0x bytes32; zero unless a claim comes from the signing certificate (IDENTITY, AGE_18, AGE_20). */
  readonly personTag: string;
  readonly expiryCap: bigint;
  readonly caId: number;
  /** 0x bytes32: the salted commitment to the operator's verification record (never zero). */
  readonly recordCommitment: string;
  /** 0x bytes32: the binding's anonymous-proof commitment (zero: no opt-in). */
  readonly anonCommitment: string;
}

/**
 * The EIP-712 type the attester signs for `attestBySig`. It has no attester nonce: it covers the binding digest,
 * whose holder nonce the registry consumes, so each authorisation is single-use and any number can be outstanding.
 */
export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "binding", type: "bytes32" },
    { name: "claims", type: "uint32" },
    { name: "personTag", type: "bytes32" },
    { name: "expiryCap", type: "uint64" },
    { name: "caId", type: "uint16" },
    { name: "keyNullifier", type: "bytes32" },
    { name: "recordCommitment", type: "bytes32" },
    { name: "relayDeadline", type: "uint64" },
  ],
};

/** The relay authorisation an attester signs. */
export interface AttestationAuthorization {
  /** The binding digest the card and the subject signed. */
  readonly binding: string;
  readonly request: AttestationRequest;
  readonly keyNullifier: string;
  readonly relayDeadline: bigint;
}

function message(a: AttestationAuthorization) {
  return {
    binding: a.binding,
    claims: a.request.claims,
    personTag: a.request.personTag,
    expiryCap: a.request.expiryCap,
    caId: a.request.caId,
    keyNullifier: a.keyNullifier,
    recordCommitment: a.request.recordCommitment,
    relayDeadline: a.relayDeadline,
  };
}

/** The EIP-712 digest of an `Attestation` under a registry's domain (equals `registry.attestationDigest`). */
export function attestationDigest(chainId: bigint, registry: string, a: AttestationAuthorization): string {
  return TypedDataEncoder.hash(kycDomain(chainId, registry), ATTESTATION_TYPES, message(a));
}

/** The attester's EIP-712 signature (65 bytes, 0x-hex) over an `Attestation`. */
export async function signAttestation(
  signer: Signer,
  chainId: bigint,
  registry: string,
  a: AttestationAuthorization,
): Promise<string> {
  return signer.signTypedData(kycDomain(chainId, registry), ATTESTATION_TYPES, message(a));
}

/** The request as the ABI tuple ethers encodes. */
export function requestTuple(r: AttestationRequest): unknown[] {
  return [
    r.subject,
    r.disclose,
    r.deadline,
    r.claims,
    r.personTag,
    r.expiryCap,
    r.caId,
    r.recordCommitment,
    r.anonCommitment,
  ];
}
