/** The public signals of a proof, decoded (see `ANON_PUBLIC_SIGNAL_ORDER` for the verifier's order). */
export interface AnonPublicSignals {
  /** The packed public signal: nullifier * 2^160 + signal. */
  readonly nullifierSignal: bigint;
  /** The published root: Poseidon(treeRoot, validUntil). */
  readonly root: bigint;
  readonly scope: bigint;
  readonly claimsMask: bigint;
  /** Poseidon(scope, secret) mod 2^93: the consumer records it to count each holder once per scope. */
  readonly nullifier: bigint;
  /** The 160-bit signal the proof is bound to (a recipient address, or {@link signalOfMessage}). */
  readonly signal: bigint;
}
