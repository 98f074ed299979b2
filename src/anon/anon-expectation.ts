/** What a verifier requires of a proof's public signals; fields left out are not checked. */
export interface AnonExpectation {
  /** The accepted root, or the list of accepted roots (e.g. the operator's recent roots). */
  readonly roots: bigint | readonly bigint[];
  readonly claimsMask?: bigint;
  readonly now?: bigint;
  readonly scope?: bigint;
  readonly signalHash?: bigint;
}
