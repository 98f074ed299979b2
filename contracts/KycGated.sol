// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistry} from "./interfaces/IKycRegistry.sol";

/// @title KycGated — base for contracts that only serve KYC-verified accounts
/// @notice Fixes a registry and a claim mask at construction; `onlyKyc(account)` reverts with `KycRequired`
/// unless `account` is verified and holds every bit of `requiredClaims` (a zero mask: verified is enough).
abstract contract KycGated {
    /// @notice The registry consulted on every check.
    // solhint-disable-next-line immutable-vars-naming
    IKycRegistry public immutable kycRegistry;
    /// @notice The claim bits an account must hold (0: any verified account).
    // solhint-disable-next-line immutable-vars-naming
    uint32 public immutable requiredClaims;

    /// @notice `account` is not verified with the required claims.
    error KycRequired(address account);
    error ZeroRegistry();

    constructor(IKycRegistry registry, uint32 claims) {
        if (address(registry) == address(0)) revert ZeroRegistry();
        kycRegistry = registry;
        requiredClaims = claims;
    }

    /// @notice Reverts with `KycRequired(account)` unless `account` passes `_isKycVerified`.
    modifier onlyKyc(address account) {
        _requireKyc(account);
        _;
    }

    /// @notice Whether `account` is verified with `requiredClaims`.
    function _isKycVerified(address account) internal view virtual returns (bool) {
        uint32 claims = requiredClaims;
        return claims == 0 ? kycRegistry.isVerified(account) : kycRegistry.hasClaims(account, claims);
    }

    function _requireKyc(address account) internal view {
        if (!_isKycVerified(account)) revert KycRequired(account);
    }
}
