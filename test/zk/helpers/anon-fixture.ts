import { ensureDevArtifacts } from "../../../scripts/zk/dev-setup.js";
import {
  AnonTree,
  loadAnonHasher,
  type AnonArtifacts,
  type AnonHasher,
  type AnonHolder,
  type AnonStatement,
} from "../../../src/anon/index.js";

/** Claim bits of the synthetic holders: the registry's bits (contracts/libraries/Claims.sol) and the top bit. */
export const CLAIMS = { AUTH: 1n, IDENTITY: 2n, AGE_18: 4n, AGE_20: 8n, HIGH: 1n << 31n } as const;
/** The fixed "current time" of the fixtures (2026-11-30T00:00:00Z). */
export const NOW = 1_795_996_800n;

/** A synthetic tree: three holders, a removed slot (0) and filler leaves, as an operator would publish. */
export interface AnonWorld {
  readonly hasher: AnonHasher;
  readonly tree: AnonTree;
  /** alice: AUTH|AGE_18|AGE_20|HIGH, valid a year; bob: AUTH|AGE_18, valid two days; carol: AUTH, expired. */
  readonly alice: AnonHolder;
  readonly bob: AnonHolder;
  readonly carol: AnonHolder;
  /** A statement alice can prove (mask AGE_18|AGE_20, validUntil NOW + 1 day, scope 1234, signal 5678). */
  readonly statement: AnonStatement;
}

let world: Promise<AnonWorld> | undefined;

/** The shared synthetic world (built once per process). */
export function anonWorld(): Promise<AnonWorld> {
  world ??= (async () => {
    const hasher = await loadAnonHasher();
    const alice = {
      secret: 0x0a11ce5ec2e7_000000000000000000000000000000000000000000000001n,
      claims: CLAIMS.AUTH | CLAIMS.AGE_18 | CLAIMS.AGE_20 | CLAIMS.HIGH,
      expiresAt: NOW + 365n * 86_400n,
    };
    const bob = { secret: 0xb0b5ec2e7n, claims: CLAIMS.AUTH | CLAIMS.AGE_18, expiresAt: NOW + 2n * 86_400n };
    const carol = { secret: 0xca201n, claims: CLAIMS.AUTH, expiresAt: NOW - 1n };
    const leafOf = (h: AnonHolder) => hasher.leaf(hasher.commitment(h.secret), h.claims, h.expiresAt);
    const fillers = Array.from({ length: 6 }, (_, i) => hasher.leaf(hasher.commitment(1000n + BigInt(i)), 1n, NOW));
    // Positions: bob 0, filler 1, removed 2, alice 5 (a right child at level 0, left at level 1), carol 7.
    const leaves = [leafOf(bob), fillers[0]!, 0n, fillers[1]!, fillers[2]!, leafOf(alice), fillers[3]!, leafOf(carol)];
    const tree = AnonTree.build(hasher, leaves);
    const statement = {
      treeRoot: tree.root,
      validUntil: NOW + 86_400n,
      claimsMask: CLAIMS.AGE_18 | CLAIMS.AGE_20,
      scope: 1234n,
      signal: 5678n,
    };
    return { hasher, tree, alice, bob, carol, statement };
  })();
  return world;
}

/** The development artifacts (built on first use: can take minutes on a cold cache). */
export async function anonArtifacts(): Promise<AnonArtifacts> {
  return (await ensureDevArtifacts()).artifacts;
}
