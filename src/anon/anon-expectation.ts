/** What a verifier requires of a proof's public signals; fields left out are not checked. */
export interface AnonExpectation {
  /** The accepted published root, or the list of accepted roots (e.g. the operator's usable roots). */
  readonly roots: bigint | readonly bigint[];
  readonly claimsMask?: bigint;
  readonly scope?: bigint;
  /** The 160-bit signal (recipient address as a number, or `signalOfMessage(bytes)`). */
  readonly signal?: bigint;
}
