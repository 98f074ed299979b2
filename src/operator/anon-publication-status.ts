import type { AnonRootState } from "../anon/anon-root-state.js";

/**
 * What the registry holds now at a publication's ref (`anonRootAt(ref)`), for that publication:
 * - `usable`: the ref holds its root and the latest block is not past its validUntil (a consumer adds its own age
 *   bound, `ANON_MAX_ROOT_AGE`);
 * - `expired`: the ref holds its root, past its validUntil (the publication's, or the earlier end a later
 *   `replaceAnonRoots` or `clampAnonRoots` set);
 * - `closed`: the ref holds its root with validUntil zero: its attester lost `ATTESTER_ROLE`;
 * - `overwritten`: a later publication of its attester took the ref (a ring keeps the last 64 roots).
 */
export type AnonPublicationStatus = "usable" | "expired" | "closed" | "overwritten";

/**
 * The status of the publication of `root` given the state at its ref now; `overwritten` also when a later
 * publication took the same ref (with `laterAtRef`), even with the same root.
 */
export function anonPublicationStatus(root: string, state: AnonRootState, laterAtRef = false): AnonPublicationStatus {
  if (laterAtRef || state.root.toLowerCase() !== root.toLowerCase()) return "overwritten";
  if (state.validUntil === 0n) return "closed";
  return state.usable ? "usable" : "expired";
}
