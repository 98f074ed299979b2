import { TypedDataEncoder, getAddress, type Signer } from "ethers";

import { kycDomain } from "../binding/kyc-binding.js";

/** Mirrors the Solidity `AttestationRequest` (no certificate data). */
export interface AttestationRequest {
  readonly subject: string;
  readonly disclose: number;
  readonly deadline: bigint;
  readonly claims: number;
  /** 0x bytes32; zero unless IDENTITY is claimed. */
  readonly personTag: string;
  readonly expiryCap: bigint;
  readonly caId: number;
}

/** The EIP-712 type the attester signs for `attestBySig`. */
export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "subject", type: "address" },
    { name: "disclose", type: "uint32" },
    { name: "deadline", type: "uint64" },
    { name: "claims", type: "uint32" },
    { name: "personTag", type: "bytes32" },
    { name: "expiryCap", type: "uint64" },
    { name: "caId", type: "uint16" },
    { name: "keyNullifier", type: "bytes32" },
    { name: "attesterNonce", type: "uint256" },
    { name: "relayDeadline", type: "uint64" },
  ],
};

/** The relay authorisation an attester signs. */
export interface AttestationAuthorization {
  readonly request: AttestationRequest;
  readonly keyNullifier: string;
  readonly attesterNonce: bigint;
  readonly relayDeadline: bigint;
}

function message(a: AttestationAuthorization) {
  return {
    ...a.request,
    subject: getAddress(a.request.subject),
    keyNullifier: a.keyNullifier,
    attesterNonce: a.attesterNonce,
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
  return [r.subject, r.disclose, r.deadline, r.claims, r.personTag, r.expiryCap, r.caId];
}
