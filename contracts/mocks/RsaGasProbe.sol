// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RSA} from "@openzeppelin/contracts/utils/cryptography/RSA.sol";

import {RsaPkcs1} from "../libraries/RsaPkcs1.sol";

/// @title RsaGasProbe — measures the execution gas of one RSA PKCS#1 v1.5 verification, for the gas benchmark.
/// @notice Each function decodes its arguments first, then returns the verification result and the gas spent
/// between two `gasleft()` readings around the verification alone. Call it with `eth_call`. Test-only.
/// @dev Memory parameters are deliberate: the arguments are decoded into memory before the first `gasleft()`, so
/// the copy is not counted in the memory-argument measurements.
/* solhint-disable gas-calldata-parameters */
contract RsaGasProbe {
    /// @notice Thrown by `measureModexp` when the precompile call fails.
    error ModexpFailed();

    /// @notice Gas of `RsaPkcs1.pkcs1Sha256` (memory arguments, any exponent).
    function measureOurs(
        bytes32 digest,
        bytes memory signature,
        bytes memory exponent,
        bytes memory modulus
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 before = gasleft();
        valid = RsaPkcs1.pkcs1Sha256(digest, signature, exponent, modulus);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `RsaPkcs1.pkcs1Sha256e65537` (calldata arguments, exponent 65537).
    function measureOursE65537(
        bytes32 digest,
        bytes calldata signature,
        bytes calldata modulus
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 before = gasleft();
        valid = RsaPkcs1.pkcs1Sha256e65537(digest, signature, modulus);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of OpenZeppelin's `RSA.pkcs1Sha256` (memory arguments).
    function measureOpenZeppelin(
        bytes32 digest,
        bytes memory signature,
        bytes memory exponent,
        bytes memory modulus
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 before = gasleft();
        valid = RSA.pkcs1Sha256(digest, signature, exponent, modulus);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of the bare MODEXP precompile call `signature^exponent mod modulus`, its input built beforehand.
    /// @return result The MODEXP output (`modulus.length` bytes).
    /// @return gasUsed The gas spent by the staticcall alone.
    function measureModexp(
        bytes memory signature,
        bytes memory exponent,
        bytes memory modulus
    ) external view returns (bytes memory result, uint256 gasUsed) {
        bytes memory input = abi.encodePacked(
            signature.length,
            exponent.length,
            modulus.length,
            signature,
            exponent,
            modulus
        );
        result = new bytes(modulus.length);
        bool ok;
        uint256 before = gasleft();
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x05, add(input, 0x20), mload(input), add(result, 0x20), mload(result))
        }
        gasUsed = before - gasleft();
        if (!ok) revert ModexpFailed();
    }
}
