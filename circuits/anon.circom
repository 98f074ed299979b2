pragma circom 2.1.5;

include "poseidon.circom";
include "bitify.circom";
include "lib/merkle-root.circom";
include "lib/claims-cover.circom";
include "lib/before.circom";

// Anonymous attestation proof (see circuits/README.md for the statement and the public-signal order).
//
// The holder knows `secret` with commitment = Poseidon(secret), and a leaf Poseidon(commitment, claims, expiresAt)
// of an operator's tree whose root `treeRoot` the operator published as root = Poseidon(treeRoot, validUntil) mod
// 2^176 (176 bits: the registry keeps a root with its publishedAt and validUntil in one storage slot), such that
//   claims & claimsMask == claimsMask   (both 32-bit),
//   validUntil < expiresAt              (both 64-bit: the leaf outlives every moment the root may be used),
// and outputs nullifierSignal = (Poseidon(scope, secret) mod 2^93) * 2^160 + signal: the low 93 bits of the
// per-scope nullifier packed with the 160-bit signal (a recipient address or a message hash) in one public signal,
// so that a consumer pays for two variable public signals (root, nullifierSignal) instead of four.
template AnonAttestation(DEPTH) {
    // Public inputs (this declaration order is the verifier's order, after the output `nullifierSignal`).
    signal input root;
    signal input scope;
    signal input claimsMask;

    // Private inputs.
    signal input signalValue;
    signal input validUntil;
    signal input secret;
    signal input claims;
    signal input expiresAt;
    signal input siblings[DEPTH];
    signal input indices[DEPTH];

    signal output nullifierSignal;

    signal commitment <== Poseidon(1)([secret]);
    signal leaf <== Poseidon(3)([commitment, claims, expiresAt]);

    signal treeRoot <== MerkleRoot(DEPTH)(leaf, siblings, indices);
    // The published root: the low 176 bits of the hash's unique bits (Num2Bits_strict: no second decomposition).
    signal rootHash <== Poseidon(2)([treeRoot, validUntil]);
    signal rootBits[254] <== Num2Bits_strict()(rootHash);
    var published = 0;
    for (var i = 0; i < 176; i++) {
        published += rootBits[i] * (1 << i);
    }
    root === published;

    ClaimsCover(32)(claims, claimsMask);
    StrictlyBefore(64)(validUntil, expiresAt);

    // The nullifier's unique bits (Num2Bits_strict: no second decomposition modulo r), the low 93 kept.
    signal nullifier <== Poseidon(2)([scope, secret]);
    signal nullifierBits[254] <== Num2Bits_strict()(nullifier);
    var low = 0;
    for (var i = 0; i < 93; i++) {
        low += nullifierBits[i] * (1 << i);
    }

    // The signal (`signalValue`: `signal` is a keyword) is range-checked to 160 bits, so the packing is unique (93 + 160 = 253 bits < r).
    _ <== Num2Bits(160)(signalValue);
    nullifierSignal <== low * (1 << 160) + signalValue;
}

component main {public [root, scope, claimsMask]} = AnonAttestation(20);
