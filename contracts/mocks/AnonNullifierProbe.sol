// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAnonVerifier} from "../interfaces/IAnonVerifier.sol";

/// @title AnonNullifierProbe — a minimal consumer of anonymous proofs, for tests and the gas benchmark
/// @notice Verifies a proof for a fixed root, claims mask, scope, a recent `now`, and `signalHash` = the caller,
/// then records the nullifier once. Not the registry integration (roots, time, scopes come from the registry there).
contract AnonNullifierProbe {
    /// @notice How old the proof's `now` may be (a proof shows validity at `now`, not at inclusion time).
    uint256 public constant MAX_PROOF_AGE = 1 hours;

    IAnonVerifier public immutable VERIFIER;
    uint256 public immutable ROOT;
    uint256 public immutable CLAIMS_MASK;
    uint256 public immutable SCOPE;

    /// @notice Nullifiers already used in this scope.
    mapping(uint256 nullifier => bool used) public nullifierUsed;

    /// @notice A holder proved the statement; `nullifier` is now used.
    event AnonProofAccepted(uint256 indexed nullifier, address indexed sender);

    /// @notice The public inputs are not this probe's statement.
    error WrongStatement();
    /// @notice The proof does not verify.
    error InvalidProof();
    /// @notice The nullifier was already used.
    error NullifierUsed(uint256 nullifier);

    constructor(IAnonVerifier verifier, uint256 root, uint256 claimsMask, uint256 scope) {
        VERIFIER = verifier;
        ROOT = root;
        CLAIMS_MASK = claimsMask;
        SCOPE = scope;
    }

    /// @notice Accepts a proof of [nullifier, root, claimsMask, now, scope, signalHash] with signalHash = sender.
    function consume(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[6] calldata pubSignals
    ) external {
        uint256 nullifier = pubSignals[0];
        if (
            pubSignals[1] != ROOT ||
            pubSignals[2] != CLAIMS_MASK ||
            pubSignals[3] > block.timestamp ||
            pubSignals[3] + MAX_PROOF_AGE < block.timestamp ||
            pubSignals[4] != SCOPE ||
            pubSignals[5] != uint256(uint160(msg.sender))
        ) revert WrongStatement();
        if (nullifierUsed[nullifier]) revert NullifierUsed(nullifier);
        if (!VERIFIER.verifyProof(pA, pB, pC, pubSignals)) revert InvalidProof();
        nullifierUsed[nullifier] = true;
        emit AnonProofAccepted(nullifier, msg.sender);
    }
}
