// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycRegistry} from "../KycRegistry.sol";

/// @notice Test-only registry whose "card" signature is keccak256(modulus, digest) instead of RSA, so Solidity
/// fuzz and invariant tests can produce valid card proofs. Never deploy outside tests.
contract KycRegistryHarness is KycRegistry {
    constructor(
        address admin,
        uint48 adminDelay,
        uint64 initialMaxAge,
        uint64 initialMaxStaleness,
        address adminExtension
    ) KycRegistry(admin, adminDelay, initialMaxAge, initialMaxStaleness, adminExtension) {}

    function _verifyRsa(
        bytes32 digest,
        bytes calldata modulus,
        bytes calldata signature
    ) internal pure override returns (bool) {
        return signature.length == 32 && bytes32(signature) == keccak256(abi.encodePacked(modulus, digest));
    }
}
