import { TypedDataEncoder, getAddress } from "ethers";

/**
 * The EIP-712 message the card AND the wallet sign (DESIGN.md, "The card binding", protocol v2), with the domain's
 * chain and registry:
 *
 *     KycBinding(address subject, address attester, uint32 disclose, uint256 nonce, uint64 deadline,
 *                bytes32 anonCommitment)
 */
export interface KycBinding {
  chainId: bigint;
  /** The registry contract (EIP-712 verifyingContract), checksummed. */
  registry: string;
  /** The address that receives the attestation, checksummed. It signs the binding too (its consent). */
  subject: string;
  /** The operator (attester) the holder chose, checksummed: no other attester can use the binding. */
  attester: string;
  /** Claim bits the holder allows to be published (uint32, always includes AUTH). */
  disclose: number;
  /** The registry's `nonces(subject)`. */
  nonce: bigint;
  /** Unix seconds (uint64). */
  deadline: bigint;
  /**
   * 0x bytes32: the holder's opt-in to anonymous proofs, Poseidon(secret) (a BN254 scalar field element; see
   * src/anon/README.md for the secret's derivation); absent or {@link NO_ANON_COMMITMENT} (zero): no opt-in.
   */
  anonCommitment?: string;
}

/** The `anonCommitment` of a binding without the anonymous-proof opt-in. */
export const NO_ANON_COMMITMENT = "0x" + "00".repeat(32);

/** EIP-712 domain name and version of the registry. */
export const KYC_DOMAIN_NAME = "JPKI KYC Registry";
export const KYC_DOMAIN_VERSION = "2";

/** The EIP-712 type of the binding (field order as in the registry's `KYC_BINDING_TYPEHASH`). */
export const KYC_BINDING_TYPES = {
  KycBinding: [
    { name: "subject", type: "address" },
    { name: "attester", type: "address" },
    { name: "disclose", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
    { name: "anonCommitment", type: "bytes32" },
  ],
};

/** The EIP-712 domain of a registry. */
export function kycDomain(chainId: bigint, registry: string) {
  return { name: KYC_DOMAIN_NAME, version: KYC_DOMAIN_VERSION, chainId, verifyingContract: getAddress(registry) };
}

/** The binding as the EIP-712 message object (what a wallet is asked to sign with eth_signTypedData_v4). */
export function bindingMessage(b: KycBinding) {
  return {
    subject: getAddress(b.subject),
    attester: getAddress(b.attester),
    disclose: b.disclose,
    nonce: b.nonce,
    deadline: b.deadline,
    anonCommitment: b.anonCommitment ?? NO_ANON_COMMITMENT,
  };
}

/** The full typed data of a binding for a wallet (domain, types without EIP712Domain, primary type, message). */
export function bindingTypedData(b: KycBinding) {
  return {
    domain: kycDomain(b.chainId, b.registry),
    types: KYC_BINDING_TYPES,
    primaryType: "KycBinding" as const,
    message: bindingMessage(b),
  };
}

/** The 32-byte EIP-712 digest of a binding, as `0x`-hex: what the card signs (hashed once more with SHA-256). */
export function computeBindingDigest(b: KycBinding): string {
  return TypedDataEncoder.hash(kycDomain(b.chainId, b.registry), KYC_BINDING_TYPES, bindingMessage(b));
}
