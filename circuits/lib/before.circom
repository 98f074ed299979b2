pragma circom 2.1.5;

include "bitify.circom";
include "comparators.circom";

// Constrains a < b for two N-bit values. circomlib's LessThan(N) is only sound when both inputs are below
// 2^N, so both are range-checked first (a value >= 2^N makes the witness unsatisfiable).
template StrictlyBefore(N) {
    signal input a;
    signal input b;

    _ <== Num2Bits(N)(a);
    _ <== Num2Bits(N)(b);
    signal isLess <== LessThan(N)([a, b]);
    isLess === 1;
}
