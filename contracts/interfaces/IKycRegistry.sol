// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Verification status of an account, as seen by consumers.
/// @dev `None`: never attested. `Active`: verified. `Expired`: the attestation passed its `expiresAt`.
/// `Revoked`: revoked by the holder, the issuing operator or a revoker. `StaleOperator`: the issuing operator lost
/// its role or its CRL-sync heartbeat is older than `maxStaleness`. `DisabledTrustAnchor`: the CA generation the
/// card's certificate chains to has been disabled.
enum KycStatus {
    None,
    Active,
    Expired,
    Revoked,
    StaleOperator,
    DisabledTrustAnchor
}

/// @title IKycRegistry — the read interface for consumers of JPKI KYC attestations
/// @notice Every read costs a fixed number of storage loads (at most three) and never loops.
interface IKycRegistry {
    /// @notice Whether `account` currently holds a valid attestation (status `Active`).
    /// @dev Same signature as the ERC-3643 Identity Registry, so T-REX style tokens can use the registry directly.
    function isVerified(address account) external view returns (bool);

    /// @notice Whether `account` is verified and its attestation carries every claim bit in `mask`.
    /// @param mask claim bits (AUTH = 1, IDENTITY = 2, AGE_18 = 4, AGE_20 = 8); a zero mask means `isVerified`.
    function hasClaims(address account, uint32 mask) external view returns (bool);

    /// @notice The status of `account`'s attestation with its claims and expiry.
    /// @return status see `KycStatus`; checked in the order None, Revoked, Expired, DisabledTrustAnchor,
    ///         StaleOperator, Active
    /// @return claims the published claim bits (also returned when the status is not `Active`)
    /// @return expiresAt unix seconds, on the half-year expiry grid (0 when `None`)
    function kycStatus(address account) external view returns (KycStatus status, uint32 claims, uint64 expiresAt);
}
