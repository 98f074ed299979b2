/**
 * Time to rebuild an operator's anonymous-proof tree of 100,000 leaves from registry events
 * (`node --import tsx scripts/bench/anon-tree.ts [leaves]`): synthetic `Attested` + `AnonLeaf` pairs, 1% revoked,
 * applied to `AnonRegistryLeaves`, then the Poseidon tree built (what `kyc anon check-root` does after reading logs;
 * reading the logs from a node is not included).
 */
import { toBeHex } from "ethers";

import { AnonRegistryLeaves, loadAnonHasher, type AnonRegistryEvent } from "../../src/anon/index.js";

const n = Number(process.argv[2] ?? 100_000);
const attester = "0x00000000000000000000000000000000000000a1";
const hasher = await loadAnonHasher();
const events: AnonRegistryEvent[] = [];
for (let i = 0; i < n; i++) {
  const subject = toBeHex(0x1000000n + BigInt(i), 20);
  const keyNullifier = toBeHex(BigInt(i) * 7919n + 1n, 32);
  const transactionHash = toBeHex(BigInt(i) + 1n, 32);
  events.push({ kind: "attested", subject, attester, keyNullifier, transactionHash });
  events.push({
    kind: "anonLeaf",
    attester,
    keyNullifier,
    commitment: hasher.commitment(BigInt(i) + 1n),
    claims: 15n,
    expiresAt: 2_000_000_000n,
    transactionHash,
  });
  if (i % 100 === 99) events.push({ kind: "revoked", subject });
}
const started = performance.now();
const leaves = new AnonRegistryLeaves(attester);
for (const e of events) leaves.apply(e);
const applied = performance.now();
const tree = leaves.tree(hasher);
const built = performance.now();
console.log(
  `${n} leaves (${events.length} events): apply ${((applied - started) / 1000).toFixed(2)} s, ` +
    `leaf hashes + tree ${((built - applied) / 1000).toFixed(2)} s, total ${((built - started) / 1000).toFixed(2)} s; ` +
    `root ${toBeHex(tree.root, 32)}`,
);
