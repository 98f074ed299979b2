pragma circom 2.1.5;

include "bitify.circom";

// Constrains claims & mask == mask for two N-bit values; both are range-checked to N bits
// (Num2Bits fails for a value >= 2^N), so no bit above N can be used to satisfy or dodge the check.
template ClaimsCover(N) {
    signal input claims;
    signal input mask;

    signal claimBits[N] <== Num2Bits(N)(claims);
    signal maskBits[N] <== Num2Bits(N)(mask);

    for (var i = 0; i < N; i++) {
        // A bit required by the mask must be set in the claims.
        maskBits[i] * (1 - claimBits[i]) === 0;
    }
}
