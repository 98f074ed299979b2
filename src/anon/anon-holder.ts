/** What the holder knows: the secret and the contents of the holder's leaf. */
export interface AnonHolder {
  /** The holder's secret (a BN254 scalar field element, derived on the holder's machine, never shared). */
  readonly secret: bigint;
  /** The attestation's claim bits (uint32), as in the leaf. */
  readonly claims: bigint;
  /** The attestation's expiry (uint64 seconds), as in the leaf. */
  readonly expiresAt: bigint;
}
