// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RsaPkcs1} from "../libraries/RsaPkcs1.sol";

/// @title RsaPkcs1Harness — exposes the RsaPkcs1 library to tests. Test-only; never deploy outside tests.
contract RsaPkcs1Harness {
    /// @notice `RsaPkcs1.pkcs1Sha256` (memory arguments, any exponent; the calldata is copied to memory).
    function verify(
        bytes32 digest,
        bytes calldata signature,
        bytes calldata exponent,
        bytes calldata modulus
    ) external view returns (bool) {
        return RsaPkcs1.pkcs1Sha256(digest, signature, exponent, modulus);
    }

    /// @notice `RsaPkcs1.pkcs1Sha256e65537` (calldata arguments, exponent 65537).
    function verifyE65537(
        bytes32 digest,
        bytes calldata signature,
        bytes calldata modulus
    ) external view returns (bool) {
        return RsaPkcs1.pkcs1Sha256e65537(digest, signature, modulus);
    }

    /// @notice Calls `verify` with exactly `gasLimit` gas, reporting a revert (e.g. out of gas) instead of bubbling it:
    /// lets tests starve the MODEXP call and observe the library's answer.
    function verifyWithGas(
        uint256 gasLimit,
        bytes32 digest,
        bytes calldata signature,
        bytes calldata exponent,
        bytes calldata modulus
    ) external view returns (bool reverted, bool valid) {
        try this.verify{gas: gasLimit}(digest, signature, exponent, modulus) returns (bool v) {
            valid = v;
        } catch {
            reverted = true;
        }
    }

    /// @notice Calls `verifyE65537` with exactly `gasLimit` gas, reporting a revert instead of bubbling it.
    function verifyE65537WithGas(
        uint256 gasLimit,
        bytes32 digest,
        bytes calldata signature,
        bytes calldata modulus
    ) external view returns (bool reverted, bool valid) {
        try this.verifyE65537{gas: gasLimit}(digest, signature, modulus) returns (bool v) {
            valid = v;
        } catch {
            reverted = true;
        }
    }
}
