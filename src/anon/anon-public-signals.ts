/** The public signals of a proof, decoded (see `ANON_PUBLIC_SIGNAL_ORDER` for the verifier's order). */
export interface AnonPublicSignals {
  /** Poseidon(scope, secret): the consumer records it to count each holder once per scope. */
  readonly nullifier: bigint;
  readonly root: bigint;
  readonly claimsMask: bigint;
  readonly now: bigint;
  readonly scope: bigint;
  readonly signalHash: bigint;
}
