import type { AnonPublicSignals } from "./anon-public-signals.js";
import type { AnonRootState } from "./anon-root-state.js";

/** What `verifyAnonProofFile` found for a valid proof file. */
export interface AnonProofFileVerdict {
  readonly registry: string;
  /** The proof's public signals, decoded (the caller records `nullifier`). */
  readonly signals: AnonPublicSignals;
  /** The root's state in the registry at verification time (usable). */
  readonly root: AnonRootState;
}
