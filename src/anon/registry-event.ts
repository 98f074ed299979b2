/**
 * A registry event that changes an operator's anonymous-proof tree, in chain order (block, then log index). Only
 * the fields the tree needs; nothing here comes from a certificate.
 */
export type AnonRegistryEvent = AnonRegistryEventBody & {
  /** the block of the log (set by `readAnonRegistryEvents`; absent for synthetic events) */
  readonly blockNumber?: number;
};

/** The event itself, by kind. */
export type AnonRegistryEventBody =
  /**
   * `Attested`: the subject's record is replaced (any attester), so its previous leaf leaves the tree; `caId` is the
   * trust anchor of the new record (its leaf is out of the tree while that anchor is disabled).
   */
  | {
      readonly kind: "attested";
      readonly subject: string;
      readonly attester: string;
      readonly keyNullifier: string;
      readonly caId: number;
      readonly transactionHash: string;
    }
  /** `AnonLeaf`: the attestation just recorded in the same transaction opted in. */
  | {
      readonly kind: "anonLeaf";
      readonly attester: string;
      readonly keyNullifier: string;
      readonly commitment: bigint;
      readonly claims: bigint;
      readonly expiresAt: bigint;
      readonly transactionHash: string;
    }
  /** `Revoked`: the subject's leaf leaves the tree. */
  | { readonly kind: "revoked"; readonly subject: string }
  /** `SigningClaimsDropped`: the subject's leaf is replaced with the remaining claims. */
  | { readonly kind: "claimsDropped"; readonly subject: string; readonly claims: bigint }
  /**
   * `TrustAnchorStatusChanged`: every record under trust anchor `caId` reads as unverified while it is disabled
   * (`DisabledTrustAnchor`), so their leaves are 0 until it is enabled again.
   */
  | { readonly kind: "anchorStatus"; readonly caId: number; readonly enabled: boolean };
