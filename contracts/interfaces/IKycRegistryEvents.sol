// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AnchorKind, RevocationReason, SkipReason} from "./KycTypes.sol";

/// @title IKycRegistryEvents — the events of the JPKI KYC registry
/// @notice No event carries certificate data: keys appear only as their nullifier, the verification record only as
/// a salted commitment.
interface IKycRegistryEvents {
    /// @notice A new attestation for `subject`, issued by `attester`, bound to the card key `keyNullifier`
    /// (`keccak256(uint8 keyType ‖ publicKey)`). Also emitted when an attestation replaces the subject's record
    /// (re-attestation with the same key, a new card, or another attester). `recordCommitment` commits to the
    /// operator's off-chain verification record (what was checked, when, against which CRL), kept with its salt.
    event Attested(
        address indexed subject,
        address indexed attester,
        bytes32 indexed keyNullifier,
        uint32 claims,
        uint64 expiresAt,
        uint16 caId,
        bytes32 recordCommitment
    );
    /// @notice The attestation just recorded (same transaction, after `Attested`) opted in to anonymous proofs: the
    /// operator's tree gets the leaf Poseidon(commitment, claims, expiresAt) for `keyNullifier`, replacing the key's
    /// previous leaf (circuits/README.md). A `Revoked`, `SigningClaimsDropped` or later `Attested` of the same subject
    /// removes or replaces it. `commitment` = Poseidon(secret): it reveals nothing of the secret or the card.
    event AnonLeaf(
        address indexed attester,
        bytes32 indexed keyNullifier,
        uint256 commitment,
        uint32 claims,
        uint64 expiresAt
    );
    /// @notice `attester` published `root` = Poseidon(treeRoot, validUntil) mod 2^176 of its anonymous-proof tree of
    /// `leafCount` leaf positions at `ref` of its ring (`anonRootAt`); proofs against it may be used until
    /// `validUntil`, and until the attester publishes 64 more roots.
    event AnonRootPublished(
        address indexed attester,
        bytes32 indexed root,
        uint256 ref,
        uint64 validUntil,
        uint32 leafCount
    );
    /// @notice Every root `attester` published so far now ends at `until` at the latest (`clampAnonRoots`: its
    /// staleness deadline; `replaceAnonRoots`: the block before, so they are unusable at once).
    event AnonRootsClamped(address indexed attester, uint64 until);
    /// @notice `subject`'s attestation was revoked by `by`. With `CertificateInvalid` the card key is burned.
    event Revoked(address indexed subject, address indexed by, RevocationReason reason);
    /// @notice The card key `keyNullifier` can never attest again (its authentication certificate is revoked).
    event CardKeyBurned(bytes32 indexed keyNullifier, address indexed by);
    /// @notice The claims from the signing certificate were dropped (it was revoked: a move or a name change); the
    /// record stays active with `claims`.
    event SigningClaimsDropped(address indexed subject, address indexed by, uint32 claims);
    /// @notice A batch call skipped `subject` (see `SkipReason`).
    event SubjectSkipped(address indexed subject, SkipReason reason);
    /// @notice `revokeInvalidKeys` skipped `keyNullifier` (see `SkipReason`).
    event KeySkipped(bytes32 indexed keyNullifier, SkipReason reason);
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
}
