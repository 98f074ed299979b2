pragma circom 2.1.5;

include "poseidon.circom";

// Root of a fixed-depth binary Poseidon Merkle tree: node = Poseidon(left, right), leaves at level 0.
// `indices[i]` is 0 when the running node is the left child at level i, 1 when it is the right child.
// Every index is constrained to a bit: with an unconstrained selector the pair (left, right) could be any
// pair with left + right = node + sibling, and a prover could splice an invented leaf under a real node.
template MerkleRoot(DEPTH) {
    signal input leaf;
    signal input siblings[DEPTH];
    signal input indices[DEPTH];
    signal output root;

    signal nodes[DEPTH + 1];
    signal swap[DEPTH];
    nodes[0] <== leaf;

    for (var i = 0; i < DEPTH; i++) {
        indices[i] * (indices[i] - 1) === 0;
        // swap = 0 keeps (node, sibling), swap = sibling - node exchanges them.
        swap[i] <== indices[i] * (siblings[i] - nodes[i]);
        nodes[i + 1] <== Poseidon(2)([nodes[i] + swap[i], siblings[i] - swap[i]]);
    }

    root <== nodes[DEPTH];
}
