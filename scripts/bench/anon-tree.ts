/**
 * Time of what `kyc anon check-root` does after reading the logs, for an operator's anonymous-proof tree of 100,000
 * leaves (`node --import tsx scripts/bench/anon-tree.ts [leaves] [workers]`, `npm run bench:anon-tree`): synthetic
 * `Attested` + `AnonLeaf` pairs, 1% revoked, through `anonRegistryTreeRoot` as check-root calls it (the events
 * applied to `AnonRegistryLeaves` while the worker threads load, then `anonTreeRootParallel` over the leaf inputs;
 * loading Poseidon is part of the time). Reading the logs from a node is not included. Writes `checkRoot100kMs` (the figure for the leaves asked, 100,000 by default) to
 * `reports/anon-tree.json` with the CPU time and the load average; target: at most 10,000 ms for 100,000 leaves.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { toBeHex } from "ethers";

import {
  SNARK_SCALAR_FIELD,
  anonRegistryTreeRoot,
  type AnonRegistryEvent,
  type AnonTreeRootParallelReport,
} from "../../src/anon/index.js";

const n = Number(process.argv[2] ?? 100_000);
/** worker threads (default: anonTreeRootParallel's, the available parallelism minus one) */
const workers = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const TARGET_MS = 10_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const attester = "0x00000000000000000000000000000000000000a1";
const events: AnonRegistryEvent[] = [];
for (let i = 0; i < n; i++) {
  const subject = toBeHex(0x1000000n + BigInt(i), 20);
  const keyNullifier = toBeHex(BigInt(i) * 7919n + 1n, 32);
  const transactionHash = toBeHex(BigInt(i) + 1n, 32);
  events.push({ kind: "attested", subject, attester, keyNullifier, caId: 1, transactionHash });
  events.push({
    kind: "anonLeaf",
    attester,
    keyNullifier,
    // any field element does for the timing (a real one is Poseidon(secret)); Poseidon is not loaded before the clock
    commitment: ((BigInt(i) + 1n) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % SNARK_SCALAR_FIELD,
    claims: 15n,
    expiresAt: 2_000_000_000n,
    transactionHash,
  });
  if (i % 100 === 99) events.push({ kind: "revoked", subject });
}

const loadBefore = loadavg();
const cpuBefore = process.cpuUsage();
const started = performance.now();
let report: AnonTreeRootParallelReport | undefined;
const rebuilt = await anonRegistryTreeRoot(events, attester, {
  ...(workers !== undefined ? { workers } : {}),
  onReport: (r) => (report = r),
});
const done = performance.now();
const cpu = process.cpuUsage(cpuBefore);
const loadAfter = loadavg();

const ms = Math.round(done - started);
const result = {
  leaves: n,
  events: events.length,
  checkRoot100kMs: ms,
  liveLeaves: rebuilt.liveLeaves,
  /** CPU time of all threads (user + system): what the work costs whatever the load */
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  targetMs: TARGET_MS,
  withinTarget: ms <= TARGET_MS,
  cores: availableParallelism(),
  loadAverage1m: { before: Number(loadBefore[0]!.toFixed(2)), after: Number(loadAfter[0]!.toFixed(2)) },
  sharing: report,
  treeRoot: toBeHex(rebuilt.treeRoot, 32),
  measuredAt: new Date().toISOString(),
};
mkdirSync(path.join(root, "reports"), { recursive: true });
writeFileSync(path.join(root, "reports", "anon-tree.json"), JSON.stringify(result, null, 2) + "\n");
console.log(
  `${n} leaves (${events.length} events, ${result.liveLeaves} live): events applied and tree root in ${ms} ms ` +
    `(target ≤ ${TARGET_MS}; CPU ${result.cpuMs} ms; ${report?.workersReady ?? 0} worker(s) + this thread, ` +
    `${report?.chunksInWorkers ?? 0}/${report?.chunksInThread ?? 0} chunks); ` +
    `load average ${result.loadAverage1m.before} → ${result.loadAverage1m.after} on ${result.cores} cores; ` +
    `tree root ${result.treeRoot}`,
);
