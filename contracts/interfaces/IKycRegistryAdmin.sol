// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICardKeyVerifier} from "./ICardKeyVerifier.sol";
import {IKycRegistryErrors} from "./IKycRegistryErrors.sol";
import {IKycRegistryEvents} from "./IKycRegistryEvents.sol";
import {AnchorKind, AttestationRequest, AttestationView, RevocationReason, TrustAnchorView} from "./KycTypes.sol";

/// @title IKycRegistryAdmin — the registry's batch, pluggable-verifier, trust-anchor and parameter surface
/// @notice Served at the registry's address: the registry delegates every call it does not implement itself to its
/// admin extension (`KycRegistryAdmin`), which shares its storage layout. Calling the extension contract directly
/// reverts with `NotDelegated`.
interface IKycRegistryAdmin is IKycRegistryEvents, IKycRegistryErrors {
    // ------------------------------------------------------------------ constants and reads

    function ATTESTER_ROLE() external view returns (bytes32);
    function REVOKER_ROLE() external view returns (bytes32);
    function PAUSER_ROLE() external view returns (bytes32);
    function ANCHOR_MANAGER_ROLE() external view returns (bytes32);
    /// @notice The expiry grid: half a mean Gregorian year (15,778,476 s), counted from the unix epoch. Expiry
    /// caps and the operator's age reference time sit on it, so no on-chain value narrows a birthday below about
    /// six months (DESIGN.md).
    function EXPIRY_GRID() external view returns (uint64);
    /// @notice The longest an anonymous-proof root may be used after its publication: 7 days.
    function MAX_ANON_ROOT_VALIDITY() external view returns (uint64);
    /// @notice How many published roots each attester's ring keeps: 64 (`publishAnonRoot`).
    function ANON_ROOT_RING() external view returns (uint256);
    /// @notice At most this many trust anchors (they live in two 64-bit bitmaps).
    function MAX_TRUST_ANCHORS() external view returns (uint16);
    /// @notice At most this many attesters ever (ids are never reused).
    function MAX_ATTESTERS() external view returns (uint16);

    /// @notice The full record of `subject` (zeroed when none). `personTag` is zero unless a claim from the signing
    /// certificate is present.
    function attestationOf(address subject) external view returns (AttestationView memory);
    function trustAnchor(uint16 caId) external view returns (TrustAnchorView memory);
    /// @notice Number of trust anchors; ids are 1..count (at most 64).
    function trustAnchorCount() external view returns (uint16);
    function lastCrlSync(address attester) external view returns (uint64);
    function maxAge() external view returns (uint64);
    function maxStaleness() external view returns (uint64);
    function paused() external view returns (bool);
    function keyVerifier(uint8 keyType) external view returns (ICardKeyVerifier);

    // ------------------------------------------------------------------ anonymous-proof roots

    /// @notice Anyone: cuts the validUntil of every root in the ring of `attester` (an active attester, else
    /// `NotAttester`) to its staleness deadline now, lastCrlSync + maxStaleness (`AnonRootsClamped`). A root's
    /// validUntil never passes that deadline as of its publication, so this changes something only after the admin
    /// lowered `maxStaleness`: run it then for every attester (without it, such roots stay usable until their own
    /// validUntil, at most MAX_ANON_ROOT_VALIDITY after publication). Does nothing when maxStaleness is zero.
    function clampAnonRoots(address attester) external;

    // ------------------------------------------------------------------ operator batches

    /// @notice Revoke many with `Superseded` or `Operator`; entries not active or that the caller may not revoke are
    /// skipped and reported (`SubjectSkipped`). Returns how many were revoked.
    function revokeBatch(address[] calldata subjects, RevocationReason reason) external returns (uint256 revoked);
    /// @notice The signing certificates of these subjects are listed in the CRL (JPKI revokes them on a move or a
    /// name change): drop IDENTITY and the AGE claims, keep the record active at AUTH. Only the active attester that
    /// issued each record; other entries are skipped and reported. Returns how many were changed.
    function dropSigningClaims(address[] calldata subjects) external returns (uint256 dropped);

    // ------------------------------------------------------------------ pluggable card key verifiers

    /// @notice `attest` for a card key algorithm served by a registered `ICardKeyVerifier` (key types 1..255). The
    /// key nullifier is `keccak256(uint8 keyType ‖ publicKey)`.
    function attestWithVerifier(
        AttestationRequest calldata req,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature,
        bytes calldata subjectSignature
    ) external;
    /// @notice `revokeByCard` for a key served by a registered `ICardKeyVerifier`.
    function revokeByCardWithVerifier(
        address subject,
        uint64 deadline,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external;

    // ------------------------------------------------------------------ administration

    /// @notice ANCHOR_MANAGER_ROLE. `keyHash` = sha256 of the CA's SubjectPublicKeyInfo DER.
    function addTrustAnchor(
        AnchorKind kind,
        bytes32 keyHash,
        uint64 notBefore,
        uint64 notAfter
    ) external returns (uint16 caId);
    /// @notice ANCHOR_MANAGER_ROLE. A disabled anchor makes every record under it read `DisabledTrustAnchor`.
    function setTrustAnchorEnabled(uint16 caId, bool enabled) external;
    /// @notice DEFAULT_ADMIN_ROLE; at least EXPIRY_GRID, at most 2^32 - 1 seconds (136 years).
    function setMaxAge(uint64 newMaxAge) external;
    /// @notice DEFAULT_ADMIN_ROLE; 0 disables the heartbeat check.
    function setMaxStaleness(uint64 newMaxStaleness) external;
    /// @notice DEFAULT_ADMIN_ROLE; registers (or removes, with the zero address) the verifier of `keyType` (1..255).
    function setKeyVerifier(uint8 keyType, ICardKeyVerifier verifier) external;
    /// @notice PAUSER_ROLE; blocks new attestations only (revocation and reads always work).
    function pause() external;
    function unpause() external;
}
