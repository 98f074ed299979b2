/** What the registry holds at a root ref now (`anonRootAt(ref)`), and whether a consumer accepts it now. */
export interface AnonRootState {
  /** The root held at the ref (0x-hex bytes32), or the zero hash when nothing was published there. */
  readonly root: string;
  /** The publication's block time (unix seconds). */
  readonly publishedAt: bigint;
  /** The publication's validUntil (unix seconds); zero once the attester was removed. */
  readonly validUntil: bigint;
  /** A root is held and the latest block's time is not past validUntil (a consumer adds its own age bound). */
  readonly usable: boolean;
}
