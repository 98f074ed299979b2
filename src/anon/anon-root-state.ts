/** A root's state in the registry now (`anonRoot(root)`): the last publication's values. */
export interface AnonRootState {
  /** The publishing attester, or the zero address when the root was never published. */
  readonly attester: string;
  /** The last publication's block time (unix seconds). */
  readonly publishedAt: bigint;
  /** The last publication's validUntil (unix seconds). */
  readonly validUntil: bigint;
  /** Not past validUntil, and the attester holds its role with a fresh CRL heartbeat. */
  readonly usable: boolean;
}
