import type { AnonPublicSignals } from "./anon-public-signals.js";
import type { AnonRootPublication } from "./anon-root-publication.js";
import type { AnonRootState } from "./anon-root-state.js";

/** What `verifyAnonProofFile` found for a valid proof file. */
export interface AnonProofFileVerdict {
  readonly registry: string;
  /** The proof's public signals, decoded (the caller records `nullifier`). */
  readonly signals: AnonPublicSignals;
  /** The file's root ref: what a consumer's `claim(proof, rootRef, nullifierSignal)` takes. */
  readonly rootRef: bigint;
  /** The registry's entry at `rootRef` at verification time (it holds the proof's root and is usable). */
  readonly root: AnonRootState;
  /** The `AnonRootPublished` event of that entry: its attester (the file's), block, validUntil and leaf count. */
  readonly publication: AnonRootPublication;
}
