/** The arguments of the Solidity verifier's `verifyProof(uint[2], uint[2][2], uint[2], uint[6])`. */
export interface AnonCalldata {
  readonly pA: [bigint, bigint];
  /** G2 point with each Fq2 coordinate as [imaginary, real], the EIP-197 order. */
  readonly pB: [[bigint, bigint], [bigint, bigint]];
  readonly pC: [bigint, bigint];
  /** The public signals in `ANON_PUBLIC_SIGNAL_ORDER`. */
  readonly pubSignals: bigint[];
}
