/**
 * The KycRegistry ABI the operator tooling uses, in ethers' human-readable form, matching
 * `contracts/interfaces/IKycRegistryOperations.sol` (a test checks every entry against the compiled artifact).
 * Kept in `src/` so the library works without Hardhat's artifacts (e.g. against a deployed registry).
 */
const REQUEST =
  "(address subject, uint32 disclose, uint64 deadline, uint32 claims, bytes32 personTag, uint64 expiryCap, uint16 caId)";

export const REGISTRY_ABI = [
  // reads
  "function isVerified(address account) view returns (bool)",
  "function hasClaims(address account, uint32 mask) view returns (bool)",
  "function kycStatus(address account) view returns (uint8 status, uint32 claims, uint64 expiresAt)",
  "function nonces(address subject) view returns (uint256)",
  "function attesterNonces(address attester) view returns (uint256)",
  "function bindingDigest(address subject, uint32 disclose, uint256 nonce, uint64 deadline) view returns (bytes32)",
  "function revokeDigest(address subject, uint256 nonce, uint64 deadline) view returns (bytes32)",
  `function attestationDigest(${REQUEST} req, bytes32 keyNullifier, uint256 attesterNonce, uint64 relayDeadline) view returns (bytes32)`,
  "function keyNullifierOwner(bytes32 keyNullifier) view returns (address)",
  "function isCurrentKey(address subject, bytes32 keyNullifier) view returns (bool)",
  "function attestationOf(address subject) view returns ((address attester, uint8 status, uint32 claims, uint64 expiresAt, uint16 caId, uint64 attestedAt, uint64 revokedAt, uint8 reason, bytes32 personTag))",
  "function trustAnchor(uint16 caId) view returns ((uint8 kind, bytes32 keyHash, uint64 notBefore, uint64 notAfter, bool enabled))",
  "function trustAnchorCount() view returns (uint16)",
  "function lastCrlSync(address attester) view returns (uint64)",
  "function maxAge() view returns (uint64)",
  "function maxStaleness() view returns (uint64)",
  "function paused() view returns (bool)",
  "function version() pure returns (string)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function ATTESTER_ROLE() view returns (bytes32)",
  "function REVOKER_ROLE() view returns (bytes32)",
  "function PAUSER_ROLE() view returns (bytes32)",
  "function ANCHOR_MANAGER_ROLE() view returns (bytes32)",
  "function DEFAULT_ADMIN_ROLE() view returns (bytes32)",
  // writes
  `function attest(${REQUEST} req, bytes modulus, bytes cardSignature)`,
  `function attestBySig(${REQUEST} req, bytes modulus, bytes cardSignature, address attester, uint64 relayDeadline, bytes attesterSignature)`,
  "function revoke(address subject, uint8 reason)",
  "function revokeBatch(address[] subjects, uint8 reason) returns (uint256 revoked)",
  "function revokeSelf()",
  "function revokeByCard(address subject, uint64 deadline, bytes modulus, bytes cardSignature)",
  "function recordCrlSync()",
  "function addTrustAnchor(uint8 kind, bytes32 keyHash, uint64 notBefore, uint64 notAfter) returns (uint16 caId)",
  "function setTrustAnchorEnabled(uint16 caId, bool enabled)",
  "function grantRole(bytes32 role, address account)",
  "function revokeRole(bytes32 role, address account)",
  // events
  "event Attested(address indexed subject, address indexed attester, bytes32 indexed keyNullifier, uint32 claims, uint64 expiresAt, uint16 caId)",
  "event Revoked(address indexed subject, address indexed by, uint8 reason)",
  "event CrlSynced(address indexed attester, uint64 at)",
  "event TrustAnchorAdded(uint16 indexed caId, uint8 kind, bytes32 keyHash, uint64 notBefore, uint64 notAfter)",
  "event TrustAnchorStatusChanged(uint16 indexed caId, bool enabled)",
  // errors (so that reverts decode to names): the registry's own and the OpenZeppelin ones it can raise
  "error AccessControlBadConfirmation()",
  "error AccessControlEnforcedDefaultAdminDelay(uint48 schedule)",
  "error AccessControlEnforcedDefaultAdminRules()",
  "error AccessControlInvalidDefaultAdmin(address defaultAdmin)",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AlreadyPaused()",
  "error ClaimsNotDisclosed(uint32 claims, uint32 disclose)",
  "error DeadlineExpired(uint64 deadline)",
  "error DuplicateTrustAnchor(bytes32 keyHash)",
  "error ExpiryCapNotOnGrid(uint64 expiryCap)",
  "error ExpiryNotInFuture(uint64 expiresAt)",
  "error InvalidAttesterSignature()",
  "error InvalidCardSignature()",
  "error InvalidClaims(uint32 claims)",
  "error InvalidKeyType(uint8 keyType)",
  "error InvalidKeyVerifier(address verifier)",
  "error InvalidMaxAge(uint64 maxAge)",
  "error InvalidMaxStaleness(uint64 maxStaleness)",
  "error InvalidModulus(uint256 length)",
  "error InvalidShortString()",
  "error InvalidSubject()",
  "error InvalidTrustAnchor()",
  "error KeyAlreadyBound(bytes32 keyNullifier)",
  "error KeyNotBound()",
  "error NotActive(address subject)",
  "error NotAttester(address account)",
  "error NotAuthorizedToRevoke(address caller, address subject)",
  "error NotPaused()",
  "error PersonTagInUse(bytes32 personTag)",
  "error PersonTagMismatch()",
  "error RegistryPaused()",
  "error RelayDeadlineExpired(uint64 relayDeadline)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error StaleCrlSync(address attester, uint64 lastCrlSync)",
  "error StringTooLong(string str)",
  "error SubjectAlreadyAttested(address subject)",
  "error TooManyTrustAnchors()",
  "error TooManyAttesters()",
  "error TrustAnchorDisabled(uint16 caId)",
  "error UnknownKeyType(uint8 keyType)",
  "error UnknownTrustAnchor(uint16 caId)",
  "error WrongAnchorKind(uint16 caId)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
] as const;

/** `KycStatus` enum names, by value. */
export const KYC_STATUS_NAMES = [
  "None",
  "Active",
  "Expired",
  "Revoked",
  "StaleOperator",
  "DisabledTrustAnchor",
] as const;

/** `RevocationReason` enum values. */
export const RevocationReason = { HolderRequest: 0, CertificateInvalid: 1, Superseded: 2, Operator: 3 } as const;
export type RevocationReasonName = keyof typeof RevocationReason;

/** `AnchorKind` enum values. */
export const AnchorKind = { Authentication: 0, Signing: 1 } as const;
