// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Claims — the claim bits of a JPKI KYC attestation (uint32)
/// @notice More bits may be added later; consumers test the bits they need with `hasClaims`.
library Claims {
    /// @notice A card authentication key was verified on chain (always present).
    uint32 internal constant AUTH = 1 << 0;
    /// @notice The signing certificate and its four attributes were verified off-chain; a person tag is present.
    uint32 internal constant IDENTITY = 1 << 1;
    /// @notice The holder was at least 18 at attestation time.
    uint32 internal constant AGE_18 = 1 << 2;
    /// @notice The holder was at least 20 at attestation time.
    uint32 internal constant AGE_20 = 1 << 3;
}
