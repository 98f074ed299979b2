/**
 * How many roots an attester's ring holds in the registry (`ANON_ROOT_RING()` of the admin extension): its 65th
 * publication overwrites its first, so of an attester's publications at most the latest 64 can still be held.
 */
export const ANON_ROOT_RING = 64;

/**
 * A root ref as people read it: `ref N (attester #id, entry i)`, where ref = attesterId << 8 | ring index (the
 * registry's layout; `AnonRootPublished.ref`).
 */
export function describeRootRef(ref: bigint): string {
  return `ref ${ref} (attester #${ref >> 8n}, entry ${ref & 0xffn})`;
}
