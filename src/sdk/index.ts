/**
 * `jpki-kyc/sdk`: what a front end needs to read JPKI KYC attestations and to have the holder's wallet sign the
 * card binding. No Hardhat, no Node-only modules: only `ethers` v6. See src/sdk/README.md.
 */
export { KycReader } from "./kyc-reader.js";
export type { KycStatusName, KycStatusView } from "./kyc-status.js";
export { CLAIMS, claimMask, claimNames, type ClaimName } from "./claims.js";
export { SdkError, type SdkErrorCode } from "./sdk-error.js";
export {
  bindingTypedDataForWallet,
  buildBinding,
  signBindingWithEip1193,
  type BuildBindingOptions,
  type KycBindingToSign,
} from "./wallet-binding.js";
export type { Eip1193Provider } from "./eip1193-provider.js";
export { KycError } from "../errors.js";
export {
  KYC_EAS_READ_FACE_ABI,
  KYC_IDENTITY_REGISTRY_ADAPTER_ABI,
  KYC_REGISTRY_ABI,
  KYC_REGISTRY_READ_ABI,
  KYC_STATUS_NAMES,
} from "./abis.js";
