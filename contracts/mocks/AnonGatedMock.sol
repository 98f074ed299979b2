// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycAnonGated} from "../KycAnonGated.sol";
import {IKycRegistryOperations} from "../interfaces/IKycRegistryOperations.sol";

/// @title AnonGatedMock — a `KycAnonGated` consumer with any claims mask, for tests of the base
contract AnonGatedMock is KycAnonGated {
    /// @notice A proof was used; `signal` is what it was bound to.
    event Used(uint256 nullifier, uint160 signal);

    constructor(
        IKycRegistryOperations registry,
        uint32 claimsMask,
        uint256 maxRootAge
    ) KycAnonGated(registry, claimsMask, maxRootAge) {}

    /// @notice `_useAnonProof`, then emits what it returned.
    function use(uint256[8] calldata proof, uint256 rootRef, uint256 nullifierSignal) external {
        (uint256 nullifier, uint160 signal) = _useAnonProof(proof, rootRef, nullifierSignal);
        emit Used(nullifier, signal);
    }
}
