// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AnonGroth16VerifierDev} from "./AnonGroth16VerifierDev.sol";

/// @title AnonVerifierDev — the anonymous-attestation verifier with the DEVELOPMENT key, for Hardhat's chain only
/// @notice The development key (scripts/zk/dev-setup.ts) comes from public beacons: anyone can compute its
/// trapdoor and forge proofs. Deployment therefore reverts on every chain but 31337. Production deployments use
/// the verifier exported from the ceremony's key (scripts/zk/ceremony.md). Implements `IAnonVerifier`.
contract AnonVerifierDev is AnonGroth16VerifierDev {
    /// @notice The only chain id this contract can be deployed on (Hardhat's local network).
    uint256 public constant DEV_CHAIN_ID = 31337;

    /// @notice Deployment was attempted on a chain other than `DEV_CHAIN_ID`.
    error DevVerifierOnDevChainOnly(uint256 chainId);

    constructor() {
        if (block.chainid != DEV_CHAIN_ID) revert DevVerifierOnDevChainOnly(block.chainid);
    }
}
