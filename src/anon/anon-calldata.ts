/** The arguments a consumer takes for a proof: `(uint256[8] proof, uint256 root, uint256 nullifierSignal)`. */
export interface AnonCalldata {
  /** [A.x, A.y, B.x.imaginary, B.x.real, B.y.imaginary, B.y.real, C.x, C.y] (EIP-197 order). */
  readonly proof: bigint[];
  /** The published root (bytes32, 0x-hex), as the registry's `anonRoot` takes it. */
  readonly root: string;
  /** nullifier * 2^160 + signal. */
  readonly nullifierSignal: bigint;
  /** All four public signals in `ANON_PUBLIC_SIGNAL_ORDER` (for `AnonVerifier.verifyProof`). */
  readonly publicSignals: bigint[];
}
