import type { AnonHasher } from "./anon-hasher.js";
import type { AnonLeafInput } from "./anon-leaf-input.js";
import { AnonError } from "./anon-error.js";
import { AnonTree } from "./anon-tree.js";
import type { AnonRegistryEvent } from "./registry-event.js";

/** One card key's leaf in the operator's tree. */
interface KeyLeaf {
  readonly position: number;
  readonly subject: string;
  readonly commitment: bigint;
  claims: bigint;
  readonly expiresAt: bigint;
  /** the trust anchor of the attestation (`Attested.caId`) */
  readonly caId: number;
  /** false once revoked, replaced or moved: the position then holds 0 */
  live: boolean;
}

/**
 * An operator's anonymous-proof leaves, rebuilt from the registry's events (pure: feed it events in chain order).
 *
 * Rules (DESIGN.md "Anonymous proofs"): an `AnonLeaf` of this operator's attester, paired with the `Attested` just
 * before it in the same transaction, puts Poseidon(commitment, claims, expiresAt) at the card key's position (a key
 * keeps its position for life; a new key takes the next one). A later `Attested` of the same subject (any attester:
 * the record is replaced) or of the same key for another subject, and a `Revoked` of the subject, set the position
 * to 0; `SigningClaimsDropped` replaces the leaf with the remaining claims. A leaf whose attestation's trust anchor
 * (`Attested.caId`) is disabled (`TrustAnchorStatusChanged(caId, false)`) is 0 while the anchor stays disabled and
 * comes back at its position when it is enabled again, as `isVerified` reads the record. Expiry is not applied here:
 * the circuit checks it against the proof's public time.
 */
export class AnonRegistryLeaves {
  private readonly attester: string;
  private readonly byKey = new Map<string, KeyLeaf>();
  private readonly keyBySubject = new Map<string, string>();
  private readonly positions: string[] = [];
  private readonly disabledAnchors = new Set<number>();
  private pending: { subject: string; keyNullifier: string; caId: number; transactionHash: string } | undefined;

  /** @param attester the operator's attester address (its `AnonLeaf` events only) */
  constructor(attester: string) {
    this.attester = attester.toLowerCase();
  }

  /** Applies one event (events must come in chain order). */
  apply(event: AnonRegistryEvent): void {
    switch (event.kind) {
      case "attested": {
        const subject = event.subject.toLowerCase();
        const key = event.keyNullifier.toLowerCase();
        this.remove(subject);
        const moved = this.byKey.get(key);
        if (moved !== undefined && moved.live) this.remove(moved.subject);
        this.pending =
          event.attester.toLowerCase() === this.attester
            ? { subject, keyNullifier: key, caId: event.caId, transactionHash: event.transactionHash.toLowerCase() }
            : undefined;
        return;
      }
      case "anonLeaf": {
        if (event.attester.toLowerCase() !== this.attester) return;
        const key = event.keyNullifier.toLowerCase();
        const p = this.pending;
        if (p === undefined || p.keyNullifier !== key || p.transactionHash !== event.transactionHash.toLowerCase()) {
          throw new AnonError(
            "ANON_EVENT_ORDER",
            `AnonLeaf for key ${key} in ${event.transactionHash} does not follow its Attested event`,
          );
        }
        this.pending = undefined;
        const previous = this.byKey.get(key);
        const position = previous?.position ?? this.positions.length;
        if (previous === undefined) this.positions.push(key);
        this.byKey.set(key, {
          position,
          subject: p.subject,
          commitment: event.commitment,
          claims: event.claims,
          expiresAt: event.expiresAt,
          caId: p.caId,
          live: true,
        });
        this.keyBySubject.set(p.subject, key);
        return;
      }
      case "revoked":
        this.remove(event.subject.toLowerCase());
        return;
      case "claimsDropped": {
        const key = this.keyBySubject.get(event.subject.toLowerCase());
        const leaf = key === undefined ? undefined : this.byKey.get(key);
        if (leaf !== undefined && leaf.live) leaf.claims = event.claims;
        return;
      }
      case "anchorStatus":
        if (event.enabled) this.disabledAnchors.delete(event.caId);
        else this.disabledAnchors.add(event.caId);
        return;
    }
  }

  /** Number of positions used so far (live or removed): the `leafCount` published with the root. */
  get size(): number {
    return this.positions.length;
  }

  /**
   * What each position's leaf is made of, by position: null for a removed leaf (revoked, replaced, moved) and for
   * one under a disabled trust anchor. The input of `anonTreeRootParallel`.
   */
  leafInputs(): (AnonLeafInput | null)[] {
    return this.positions.map((key) => {
      const leaf = this.byKey.get(key)!;
      if (!leaf.live || this.disabledAnchors.has(leaf.caId)) return null;
      return { commitment: leaf.commitment, claims: leaf.claims, expiresAt: leaf.expiresAt };
    });
  }

  /** The leaf values by position (0 for a removed leaf or one under a disabled trust anchor). */
  leaves(hasher: AnonHasher): bigint[] {
    return this.leafInputs().map((leaf) =>
      leaf === null ? 0n : hasher.leaf(leaf.commitment, leaf.claims, leaf.expiresAt),
    );
  }

  /** The tree over {@link leaves}. */
  tree(hasher: AnonHasher): AnonTree {
    return AnonTree.build(hasher, this.leaves(hasher));
  }

  /** The commitment last bound to a card key by this operator (live or not), if any. */
  commitmentOfKey(keyNullifier: string): bigint | undefined {
    return this.byKey.get(keyNullifier.toLowerCase())?.commitment;
  }

  private remove(subject: string): void {
    const key = this.keyBySubject.get(subject);
    if (key === undefined) return;
    this.keyBySubject.delete(subject);
    const leaf = this.byKey.get(key);
    if (leaf !== undefined) leaf.live = false;
  }
}
