// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IKycRegistryErrors — the custom errors of the JPKI KYC registry
/// @notice Attest checks run in the order of the numbers below, one error each.
interface IKycRegistryErrors {
    /// @dev 1. new attestations are paused (revocation and reads always work)
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
    /// @dev 7. a claim from the signing certificate without a person tag, or a person tag without such a claim
    error PersonTagMismatch();
    /// @dev 8. the record commitment is zero
    error MissingRecordCommitment();
    /// @dev 9. expiryCap is not a multiple of EXPIRY_GRID
    error ExpiryCapNotOnGrid(uint64 expiryCap);
    /// @dev 9. the expiry is not in the future
    error ExpiryNotInFuture(uint64 expiresAt);
    /// @dev 10. no trust anchor with this id
    error UnknownTrustAnchor(uint16 caId);
    /// @dev 10. the trust anchor is disabled
    error TrustAnchorDisabled(uint16 caId);
    /// @dev 10. the trust anchor is not an authentication CA
    error WrongAnchorKind(uint16 caId);
    /// @dev 11. the modulus is not 256..512 bytes with a non-zero leading byte, or is 256 bytes under 2048 bits
    error InvalidModulus(uint256 length);
    /// @dev 11 (pluggable path). no verifier registered for this key type
    error UnknownKeyType(uint8 keyType);
    /// @dev 12. the card signature does not verify over the binding (or revoke) digest
    error InvalidCardSignature();
    /// @dev 13. the subject did not sign the binding digest (ECDSA for an EOA, ERC-1271 for a contract)
    error InvalidSubjectSignature();
    /// @dev 14. the card key's authentication certificate was found invalid (revoked in the CRL): burned for good
    error KeyBurned(bytes32 keyNullifier);
    /// @dev 14. the card key holds an active record for another subject (one active record per key)
    error KeyAlreadyBound(bytes32 keyNullifier);
    /// @dev 15. the person tag is held by another active record of the same attester
    error PersonTagInUse(bytes32 personTag);
    /// @dev 16. the anonymous-proof commitment is not below the BN254 scalar field order
    error InvalidAnonCommitment();

    // anonymous-proof roots
    /// @dev publishAnonRoot: the root is zero or wider than 176 bits
    error InvalidAnonRoot();
    /// @dev publishAnonRoot: `validUntil` is not after now, or more than MAX_ANON_ROOT_VALIDITY ahead
    error InvalidAnonRootValidity(uint64 validUntil);
    /// @dev publishAnonRoot: `validUntil` is after `staleAt`, when the caller turns stale without a new CRL heartbeat
    error AnonRootOutlivesCrlSync(uint64 validUntil, uint64 staleAt);

    // revocation
    /// @dev the subject has no attestation in status Active
    error NotActive(address subject);
    /// @dev the caller is neither a revoker nor the active attester that issued the record
    error NotAuthorizedToRevoke(address caller, address subject);
    /// @dev `revoke`/`revokeBatch` take only `Superseded` or `Operator` (`HolderRequest` and `CertificateInvalid`
    /// have their own paths)
    error InvalidRevocationReason(uint8 reason);
    /// @dev revokeByCard: the key is not the one bound to the subject's active record
    error KeyNotBound();

    // administration
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
    /// @dev the registry's admin extension has no code
    error InvalidExtension(address extension);
    /// @dev an extension function was called on the extension contract itself instead of through the registry
    error NotDelegated();
}
