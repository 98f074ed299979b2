// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistry} from "./IKycRegistry.sol";
import {ICardKeyVerifier} from "./ICardKeyVerifier.sol";
import {AnchorKind, AttestationRequest, AttestationView, RevocationReason, TrustAnchorView} from "./KycTypes.sol";

/// @title IKycRegistryOperations — attest, relay, revoke, trust anchors and parameters of the JPKI KYC registry
/// @notice Nothing from a certificate is ever stored, emitted or accepted as calldata: only the card's
/// authentication public key, the card signature, hashes, coarse claim bits and grid-rounded timestamps.
interface IKycRegistryOperations is IKycRegistry {
    // ------------------------------------------------------------------ events

    /// @notice A new attestation for `subject`, issued by `attester`, bound to the card key `keyNullifier`. Also
    /// emitted by a re-attestation, which replaces the subject's active record with the same key (an indexer tells
    /// it from a fresh attestation by the subject's previous record: active, same `keyNullifier`).
    event Attested(
        address indexed subject,
        address indexed attester,
        bytes32 indexed keyNullifier,
        uint32 claims,
        uint64 expiresAt,
        uint16 caId
    );
    /// @notice `subject`'s attestation was revoked by `by` (the holder, its attester, a revoker or a card relayer).
    event Revoked(address indexed subject, address indexed by, RevocationReason reason);
    /// @notice `attester` recorded a CRL-sync heartbeat at `at`.
    event CrlSynced(address indexed attester, uint64 at);
    event TrustAnchorAdded(uint16 indexed caId, AnchorKind kind, bytes32 keyHash, uint64 notBefore, uint64 notAfter);
    event TrustAnchorStatusChanged(uint16 indexed caId, bool enabled);
    event MaxAgeChanged(uint64 maxAge);
    event MaxStalenessChanged(uint64 maxStaleness);
    event Paused(address account);
    event Unpaused(address account);
    /// @notice A verifier for card key type `keyType` was set (zero address: removed).
    event KeyVerifierSet(uint8 indexed keyType, address verifier);

    // ------------------------------------------------------------------ errors (attest checks run in this order)

    /// @dev 1. new attestations are paused
    error RegistryPaused();
    /// @dev 2 (relayed). the attester's relay deadline has passed
    error RelayDeadlineExpired(uint64 relayDeadline);
    /// @dev 2. the caller (or the relayed signer) does not hold ATTESTER_ROLE
    error NotAttester(address account);
    /// @dev 2 (relayed). the attester signature does not match `attester`
    error InvalidAttesterSignature();
    /// @dev 3. the attester's last CRL-sync heartbeat is older than maxStaleness
    error StaleCrlSync(address attester, uint64 lastCrlSync);
    /// @dev 4. the card binding's deadline has passed
    error DeadlineExpired(uint64 deadline);
    /// @dev 5. subject is the zero address
    error InvalidSubject();
    /// @dev 5. the claims lack AUTH
    error InvalidClaims(uint32 claims);
    /// @dev 6. the claims are not a subset of the holder's disclose mask
    error ClaimsNotDisclosed(uint32 claims, uint32 disclose);
    /// @dev 7. IDENTITY claimed without a person tag, or a person tag without IDENTITY
    error PersonTagMismatch();
    /// @dev 8. expiryCap is not a multiple of EXPIRY_GRID
    error ExpiryCapNotOnGrid(uint64 expiryCap);
    /// @dev 8. the rounded expiry is not in the future
    error ExpiryNotInFuture(uint64 expiresAt);
    /// @dev 9. no trust anchor with this id
    error UnknownTrustAnchor(uint16 caId);
    /// @dev 9. the trust anchor is disabled
    error TrustAnchorDisabled(uint16 caId);
    /// @dev 9. the trust anchor is not an authentication CA
    error WrongAnchorKind(uint16 caId);
    /// @dev 10. the modulus is not 256..512 bytes with a non-zero leading byte, or is 256 bytes under 2048 bits
    error InvalidModulus(uint256 length);
    /// @dev 10 (generic path). no verifier registered for this key type
    error UnknownKeyType(uint8 keyType);
    /// @dev 11. the card signature does not verify over the binding (or revoke) digest
    error InvalidCardSignature();
    /// @dev 12. this card key is bound to another address, was revoked, or is no longer the subject's key
    error KeyAlreadyBound(bytes32 keyNullifier);
    /// @dev 13. the subject already holds an unexpired, unrevoked attestation under another card key. With the key
    /// bound to that record (`isCurrentKey`) this is not an error but a re-attestation, which replaces the record.
    /// To change keys, revoke first (e.g. `Superseded`; the old key is then burned).
    error SubjectAlreadyAttested(address subject);
    /// @dev 14. the person tag is held by another active attestation of the same attester (the subject's own
    /// current record does not count)
    error PersonTagInUse(bytes32 personTag);

    // revocation and administration
    /// @dev the subject has no attestation in status Active
    error NotActive(address subject);
    /// @dev the caller is neither a revoker nor the record's attester
    error NotAuthorizedToRevoke(address caller, address subject);
    /// @dev revokeByCard: the key is not the one bound to the subject's current attestation
    error KeyNotBound();
    error InvalidTrustAnchor();
    error DuplicateTrustAnchor(bytes32 keyHash);
    error TooManyTrustAnchors();
    error InvalidMaxAge(uint64 maxAge);
    error InvalidMaxStaleness(uint64 maxStaleness);
    error InvalidKeyType(uint8 keyType);
    /// @dev setKeyVerifier: the verifier address has no code
    error InvalidKeyVerifier(address verifier);
    error TooManyAttesters();
    error AlreadyPaused();
    error NotPaused();

    // ------------------------------------------------------------------ reads

    /// @notice The holder nonce of `subject`, signed in `KycBinding` and `Revoke` and consumed on success.
    function nonces(address subject) external view returns (uint256);
    /// @notice The relay nonce of `attester`, signed in `Attestation`.
    function attesterNonces(address attester) external view returns (uint256);
    /// @notice EIP-712 digest of `KycBinding(subject, disclose, nonce, deadline)` under this registry's domain.
    function bindingDigest(
        address subject,
        uint32 disclose,
        uint256 nonce,
        uint64 deadline
    ) external view returns (bytes32);
    /// @notice EIP-712 digest of `Revoke(subject, nonce, deadline)`.
    function revokeDigest(address subject, uint256 nonce, uint64 deadline) external view returns (bytes32);
    /// @notice EIP-712 digest of the attester's relayed `Attestation`.
    function attestationDigest(
        AttestationRequest calldata req,
        bytes32 keyNullifier,
        uint256 attesterNonce,
        uint64 relayDeadline
    ) external view returns (bytes32);
    /// @notice The address a card key was first bound to; zero if never bound. Never cleared.
    function keyNullifierOwner(bytes32 keyNullifier) external view returns (address);
    /// @notice Whether `keyNullifier` is the card key of `subject`'s current record (any status but None).
    /// @dev Consumers that key something by card (e.g. one claim per card) use this with the caller-supplied
    /// nullifier, which is `keccak256(modulus)` and is also emitted in `Attested`.
    function isCurrentKey(address subject, bytes32 keyNullifier) external view returns (bool);
    /// @notice The full record of `subject` (zeroed when none). `personTag` is zero unless IDENTITY is claimed.
    function attestationOf(address subject) external view returns (AttestationView memory);
    function trustAnchor(uint16 caId) external view returns (TrustAnchorView memory);
    /// @notice Number of trust anchors; ids are 1..count (at most 64).
    function trustAnchorCount() external view returns (uint16);
    function lastCrlSync(address attester) external view returns (uint64);
    function maxAge() external view returns (uint64);
    function maxStaleness() external view returns (uint64);
    function paused() external view returns (bool);
    function keyVerifier(uint8 keyType) external view returns (ICardKeyVerifier);
    function version() external pure returns (string memory);

    // ------------------------------------------------------------------ writes

    /// @notice Record an attestation: ATTESTER_ROLE, not paused. The card's RSA signature over
    /// `bindingDigest(subject, disclose, nonces(subject), deadline)` is verified on chain with e = 65537; the holder
    /// nonce is consumed. A subject with an active record may be attested again (re-attestation, by any attester)
    /// only with the card key bound to that record: the new attestation replaces the record (attester, claims,
    /// expiresAt, caId, attestedAt, person tag) and emits `Attested` again.
    function attest(AttestationRequest calldata req, bytes calldata modulus, bytes calldata cardSignature) external;

    /// @notice Same as `attest`, relayed by anyone with `attester`'s EIP-712 `Attestation` signature
    /// (ECDSA or ERC-1271), which consumes `attesterNonces(attester)`.
    function attestBySig(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        address attester,
        uint64 relayDeadline,
        bytes calldata attesterSignature
    ) external;

    /// @notice `attest` for a card key algorithm served by a registered `ICardKeyVerifier` (key types 1..255).
    function attestWithVerifier(
        AttestationRequest calldata req,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external;

    /// @notice Revoke `subject`'s active attestation: REVOKER_ROLE or the record's attester.
    function revoke(address subject, RevocationReason reason) external;
    /// @notice Revoke many; entries not in status Active are skipped. Returns how many were revoked.
    function revokeBatch(address[] calldata subjects, RevocationReason reason) external returns (uint256 revoked);
    /// @notice The subject withdraws its own attestation (reason HolderRequest).
    function revokeSelf() external;
    /// @notice Revoke with the card (lost wallet key): RSA signature over `revokeDigest(subject, nonces(subject),
    /// deadline)` by the key bound to the subject's current record. Anyone may relay. Reason HolderRequest.
    function revokeByCard(
        address subject,
        uint64 deadline,
        bytes calldata modulus,
        bytes calldata cardSignature
    ) external;
    /// @notice `revokeByCard` for a key served by a registered `ICardKeyVerifier`.
    function revokeByCardWithVerifier(
        address subject,
        uint64 deadline,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external;

    /// @notice CRL-sync heartbeat for the calling attester (ATTESTER_ROLE).
    function recordCrlSync() external;
    /// @notice ANCHOR_MANAGER_ROLE. `keyHash` = sha256 of the CA's SubjectPublicKeyInfo DER.
    function addTrustAnchor(
        AnchorKind kind,
        bytes32 keyHash,
        uint64 notBefore,
        uint64 notAfter
    ) external returns (uint16 caId);
    function setTrustAnchorEnabled(uint16 caId, bool enabled) external;
    /// @notice DEFAULT_ADMIN_ROLE; at least EXPIRY_GRID.
    function setMaxAge(uint64 newMaxAge) external;
    /// @notice DEFAULT_ADMIN_ROLE; 0 disables the heartbeat check.
    function setMaxStaleness(uint64 newMaxStaleness) external;
    /// @notice DEFAULT_ADMIN_ROLE; registers (or removes, with the zero address) the verifier of `keyType` (1..255).
    function setKeyVerifier(uint8 keyType, ICardKeyVerifier verifier) external;
    /// @notice PAUSER_ROLE; blocks new attestations only.
    function pause() external;
    function unpause() external;
}
