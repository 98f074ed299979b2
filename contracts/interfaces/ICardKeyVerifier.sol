// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICardKeyVerifier — a pluggable verifier for a card key algorithm other than the inline RSA path
/// @notice The next My Number Card is planned to use ECDSA P-384. Its verifier is deployed as a separate contract
/// and registered under a key type by the admin (`setKeyVerifier`), so the registry's stored records and the RSA
/// path stay untouched. The registry derives the key nullifier as `keccak256(publicKey)`.
interface ICardKeyVerifier {
    /// @notice Whether `signature` by the card key `publicKey` is valid over the 32-byte EIP-712 `digest`.
    /// @dev Must return false (never revert) for malformed keys or signatures, and must reject a `publicKey`
    /// that is not in the verifier's single canonical encoding (so that one key has one nullifier).
    function verifyCardSignature(
        bytes32 digest,
        bytes calldata publicKey,
        bytes calldata signature
    ) external view returns (bool);
}
