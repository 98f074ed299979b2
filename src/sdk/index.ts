/**
 * `jpki-kyc/sdk`: what a front end needs to read JPKI KYC attestations. No Hardhat, no Node-only modules: only
 * `ethers` v6. See src/sdk/README.md.
 */
export { KycReader } from "./kyc-reader.js";
export type { KycStatusName, KycStatusView } from "./kyc-status.js";
export { CLAIMS, claimMask, claimNames, type ClaimName } from "./claims.js";
export { SdkError, type SdkErrorCode } from "./sdk-error.js";
export { KycError } from "../errors.js";
export {
  KYC_EAS_READ_FACE_ABI,
  KYC_IDENTITY_REGISTRY_ADAPTER_ABI,
  KYC_REGISTRY_ABI,
  KYC_REGISTRY_READ_ABI,
  KYC_STATUS_NAMES,
} from "./abis.js";
