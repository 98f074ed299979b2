// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICardKeyVerifier} from "../interfaces/ICardKeyVerifier.sol";

/// @notice Test stand-in for a future card key verifier (e.g. ECDSA P-384): accepts a signature equal to
/// keccak256(publicKey, digest), reverts for an empty key (to test fail-closed handling).
contract MockCardKeyVerifier is ICardKeyVerifier {
    error EmptyKey();

    function verifyCardSignature(
        bytes32 digest,
        bytes calldata publicKey,
        bytes calldata signature
    ) external pure returns (bool) {
        if (publicKey.length == 0) revert EmptyKey();
        return signature.length == 32 && bytes32(signature) == keccak256(abi.encodePacked(publicKey, digest));
    }
}
