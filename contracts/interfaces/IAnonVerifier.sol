// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAnonVerifier — a deployed verifier of the anonymous-attestation circuit (circuits/anon.circom)
/// @notice For integrators that prefer a call to compiling `AnonProofVerifier` in (which is cheaper: no external
/// call, and a consumer's fixed scope and claims mask folded in once). Checks the proof only: the consumer still
/// checks the root in the registry, its scope, claims mask, signal and the nullifier.
/// @dev Public signals, in this order: [nullifierSignal, root, scope, claimsMask], where nullifierSignal =
/// nullifier * 2^160 + signal. Each must be below the BN254 scalar field order, else the result is false.
interface IAnonVerifier {
    /// @notice Whether `proof` ([A.x, A.y, B.x.im, B.x.re, B.y.im, B.y.re, C.x, C.y]) is valid for the signals.
    function verifyProof(uint256[8] calldata proof, uint256[4] calldata publicSignals) external view returns (bool);
}
