import type { AnonPublicSignals } from "./anon-public-signals.js";
import type { AnonRootState } from "./anon-root-state.js";

/** What `verifyAnonProofAtRef` found for a valid proof. */
export interface AnonRefVerdict {
  /** The proof's public signals, decoded (the caller records `nullifier` for its scope). */
  readonly signals: AnonPublicSignals;
  /** The ref the proof was checked at: what the consumer's `claim(proof, rootRef, nullifierSignal)` takes. */
  readonly rootRef: bigint;
  /** The registry's entry at `rootRef` at verification time (it holds the proof's root and is usable). */
  readonly root: AnonRootState;
}
