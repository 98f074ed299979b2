// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAnonVerifier} from "../interfaces/IAnonVerifier.sol";
import {AnonProofVerifier} from "./AnonProofVerifier.sol";

/// @title AnonVerifier — `AnonProofVerifier` behind an external call (`IAnonVerifier`)
/// @notice With the development key (`AnonProofVerifier.DEVELOPMENT`), deployment reverts on every chain but 31337:
/// that key comes from public beacons, anyone can forge proofs for it.
contract AnonVerifier is IAnonVerifier {
    /// @notice The only chain a development-key verifier can be deployed on (Hardhat's local network).
    uint256 public constant DEV_CHAIN_ID = 31337;

    /// @notice Deployment with the development key was attempted on a chain other than `DEV_CHAIN_ID`.
    error DevelopmentKeyOnDevChainOnly(uint256 chainId);

    constructor() {
        if (AnonProofVerifier.DEVELOPMENT && block.chainid != DEV_CHAIN_ID) {
            revert DevelopmentKeyOnDevChainOnly(block.chainid);
        }
    }

    /// @inheritdoc IAnonVerifier
    function verifyProof(uint256[8] calldata proof, uint256[4] calldata publicSignals) external view returns (bool) {
        (uint256 x, uint256 y) = AnonProofVerifier.statementBase(publicSignals[2], publicSignals[3]);
        if (x == 0 && y == 0) return false;
        return AnonProofVerifier.verify(proof, publicSignals[0], publicSignals[1], x, y);
    }
}
