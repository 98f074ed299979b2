pragma circom 2.1.5;

include "poseidon.circom";
include "lib/merkle-root.circom";
include "lib/claims-cover.circom";
include "lib/before.circom";

// Anonymous attestation proof (see circuits/README.md for the statement and the public-input order).
//
// The holder knows `secret` with commitment = Poseidon(secret), and a leaf
// Poseidon(commitment, claims, expiresAt) of the operator's tree with root `root`, such that
//   claims & claimsMask == claimsMask   (both 32-bit),
//   now < expiresAt                     (both 64-bit),
// and outputs nullifier = Poseidon(scope, secret): one value per holder secret per scope.
// `signalHash` binds the proof to a recipient or message chosen by the consumer.
template AnonAttestation(DEPTH) {
    // Public inputs (this declaration order is the verifier's order, after the output `nullifier`).
    signal input root;
    signal input claimsMask;
    signal input now;
    signal input scope;
    signal input signalHash;

    // Private inputs.
    signal input secret;
    signal input claims;
    signal input expiresAt;
    signal input siblings[DEPTH];
    signal input indices[DEPTH];

    signal output nullifier;

    signal commitment <== Poseidon(1)([secret]);
    signal leaf <== Poseidon(3)([commitment, claims, expiresAt]);

    signal computedRoot <== MerkleRoot(DEPTH)(leaf, siblings, indices);
    computedRoot === root;

    ClaimsCover(32)(claims, claimsMask);
    StrictlyBefore(64)(now, expiresAt);

    nullifier <== Poseidon(2)([scope, secret]);

    // signalHash takes no part in the statement; a quadratic constraint makes it part of the proof anyway,
    // so a proof cannot be replayed with another signalHash.
    signal signalSquare <== signalHash * signalHash;
}

component main {public [root, claimsMask, now, scope, signalHash]} = AnonAttestation(20);
