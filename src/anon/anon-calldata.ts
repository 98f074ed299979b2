/**
 * A proof's parts as contracts take them. A consumer (`KycAnonGated`) takes `(uint256[8] proof, uint256 rootRef,
 * uint256 nullifierSignal)`, the rootRef being where the registry holds `root` (from `AnonRootPublished`).
 */
export interface AnonCalldata {
  /** [A.x, A.y, B.x.imaginary, B.x.real, B.y.imaginary, B.y.real, C.x, C.y] (EIP-197 order). */
  readonly proof: bigint[];
  /** The published root (bytes32, 0x-hex): the proof's second public signal. */
  readonly root: string;
  /** nullifier * 2^160 + signal. */
  readonly nullifierSignal: bigint;
  /** All four public signals in `ANON_PUBLIC_SIGNAL_ORDER` (for `AnonVerifier.verifyProof`). */
  readonly publicSignals: bigint[];
}
