// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Claims — the claim bits of a JPKI KYC attestation (uint32)
/// @notice More bits may be added later; consumers test the bits they need with `hasClaims`.
library Claims {
    /// @notice A card authentication key was verified on chain (always present). "Holds a valid card", not KYC.
    uint32 internal constant AUTH = 1 << 0;
    /// @notice The signing certificate was verified off-chain (the KYC level under the 2027 rules); a person tag
    /// is present.
    uint32 internal constant IDENTITY = 1 << 1;
    /// @notice The holder was at least 18 at the start of the attestation's half-year grid period.
    uint32 internal constant AGE_18 = 1 << 2;
    /// @notice The holder was at least 20 at the start of the attestation's half-year grid period.
    uint32 internal constant AGE_20 = 1 << 3;
    /// @notice The claims that come from the signing certificate: they need a person tag, and they are dropped
    /// when that certificate is revoked (the holder moved or changed name).
    uint32 internal constant FROM_SIGNING = IDENTITY | AGE_18 | AGE_20;
}
