/** The off-chain JPKI toolkit: certificates, chains, CRLs, attributes, and the synthetic PKI. */
export { PkiError, type PkiErrorCode } from "./pki-error.js";
export {
  parseCertificate,
  sha256Hex,
  toHex,
  type CertificateKind,
  type CrlDistributionPoint,
  type JpkiCertificate,
  type RawExtension,
  type RsaPublicKey,
} from "./certificate.js";
export { readSigningAttributes, parseJpkiDate, type JpkiAttributes, type JpkiEra } from "./attributes.js";
export { ageOn } from "./age.js";
export { verifyChain, type ChainFailure, type ChainResult, type TrustAnchorLike } from "./chain.js";
export { verifyPkcs1, verifyPkcs1Sha256, rsaPublicKeyObject, type RsaKeyLike } from "./rsa.js";
export { openCrl, serialBytes, type CrlEntryInfo, type StreamedCrl } from "./crl.js";
export { scanCrlFile, type CrlScanOptions, type CrlScanResult } from "./crl-scan.js";
export { openCrlDirectory, type CrlDirectory, type CrlFileInfo, type FoundCrl } from "./crl-directory.js";
export {
  FULL_CRL_SCOPE,
  coveringScopes,
  crlNumberOf,
  crlScope,
  newestPerScope,
  scopeKey,
  type ScopedCrl,
} from "./crl-selection.js";
export { JLIS_CA_FINGERPRINTS, jlisCaByFingerprint, type JlisCaInfo } from "./jlis-ca.js";
export { toDer, toPem } from "./pem.js";
export type { DistinguishedName, DnAttribute } from "./names.js";
export { generateDevPki, type GenerateDevPkiOptions } from "./dev-pki/generate.js";
export { issueCrl, loadDevPkiManifest, type IssueCrlOptions, type RevokedSerial } from "./dev-pki/issue-crl.js";
export type * from "./dev-pki/manifest.js";
