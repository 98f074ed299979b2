/**
 * ABIs for front ends, in ethers' human-readable form. The registry's come from `src/chain/registry-abi.ts`
 * (not copied); the interop contracts' are checked against their compiled artifacts by the SDK test.
 */
import { KYC_STATUS_NAMES, REGISTRY_ABI } from "../chain/registry-abi.js";

/** The KycRegistry ABI: consumer reads, operator reads and writes, events and errors. */
export const KYC_REGISTRY_ABI = REGISTRY_ABI;

/** The consumer read interface `IKycRegistry` (isVerified, hasClaims, kycStatus): what a front end needs. */
export const KYC_REGISTRY_READ_ABI: readonly string[] = REGISTRY_ABI.filter((entry) =>
  /^function (isVerified|hasClaims|kycStatus)\(/.test(entry),
);

/** `KycIdentityRegistryAdapter`: an ERC-3643 (T-REX) identity registry answering from the KYC registry. */
export const KYC_IDENTITY_REGISTRY_ADAPTER_ABI = [
  "function isVerified(address userAddress) view returns (bool)",
  "function contains(address userAddress) view returns (bool)",
  "function identity(address userAddress) view returns (address)",
  "function investorCountry(address userAddress) view returns (uint16)",
  "function identityStorage() pure returns (address)",
  "function issuersRegistry() pure returns (address)",
  "function topicsRegistry() pure returns (address)",
  "function kycRegistry() view returns (address)",
  "function requiredClaims() view returns (uint32)",
  "function JAPAN() view returns (uint16)",
  "function isAgent(address) pure returns (bool)",
  "error AttestationsComeFromKycRegistry(address kycRegistry)",
  "error ZeroRegistry()",
] as const;

/** `KycEasReadFace`: the registry seen through EAS's read calls and a Coinbase-style indexer. */
export const KYC_EAS_READ_FACE_ABI = [
  "function getAttestationUid(address recipient, bytes32 schema) view returns (bytes32)",
  "function getAttestation(bytes32 uid) view returns ((bytes32 uid, bytes32 schema, uint64 time, uint64 expirationTime, uint64 revocationTime, bytes32 refUID, address recipient, address attester, bool revocable, bytes data) attestation)",
  "function isAttestationValid(bytes32 uid) view returns (bool)",
  "function getSchemaRegistry() view returns (address)",
  "function getSchema(bytes32 uid) view returns ((bytes32 uid, address resolver, bool revocable, string schema) record)",
  "function schemaUid() view returns (bytes32)",
  "function requiredClaims() view returns (uint32)",
  "function kycRegistry() view returns (address)",
  "function SCHEMA() view returns (string)",
] as const;

export { KYC_STATUS_NAMES };
