import { TypedDataEncoder, getAddress } from "ethers";

/** The EIP-712 message the card signs (DESIGN.md, "The card binding"), with the domain's chain and registry. */
export interface KycBinding {
  chainId: bigint;
  /** The registry contract (EIP-712 verifyingContract), checksummed. */
  registry: string;
  /** The address that receives the attestation, checksummed. */
  subject: string;
  /** Claim bits the holder allows to be published (uint32, always includes AUTH). */
  disclose: number;
  /** The registry's `nonces(subject)`. */
  nonce: bigint;
  /** Unix seconds (uint64). */
  deadline: bigint;
}

/** EIP-712 domain name and version of the registry. */
export const KYC_DOMAIN_NAME = "JPKI KYC Registry";
export const KYC_DOMAIN_VERSION = "1";

/** The EIP-712 type of the binding. */
export const KYC_BINDING_TYPES = {
  KycBinding: [
    { name: "subject", type: "address" },
    { name: "disclose", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The EIP-712 domain of a registry. */
export function kycDomain(chainId: bigint, registry: string) {
  return { name: KYC_DOMAIN_NAME, version: KYC_DOMAIN_VERSION, chainId, verifyingContract: getAddress(registry) };
}

/** The 32-byte EIP-712 digest of a binding, as `0x`-hex: what the card signs (hashed once more with SHA-256). */
export function computeBindingDigest(b: KycBinding): string {
  return TypedDataEncoder.hash(kycDomain(b.chainId, b.registry), KYC_BINDING_TYPES, {
    subject: getAddress(b.subject),
    disclose: b.disclose,
    nonce: b.nonce,
    deadline: b.deadline,
  });
}
