// @ts-check
// Worker thread of `anonTreeRootParallel` (anon-tree-parallel.ts). Plain JavaScript on purpose: it must start the
// same way under `node --import tsx`, under Hardhat (tsx is registered in the main thread only) and under plain
// Node. It loads circomlibjs' Poseidon once, then answers jobs:
//   in:  { job, height, values: bigint[3m], removed: Uint8Array(m) }  (see AnonSubtreeHasher.leavesRoot)
//   out: { job, root: bigint }, or { job, failed: message } (the calling thread then does the job itself)
// and says { ready: true } once Poseidon is loaded. The inputs were checked by the calling thread.
import workerThreads from "node:worker_threads";

const port = workerThreads.parentPort;
if (port === null) throw new Error("anon-tree-worker.mjs runs as a worker thread only");
// circomlibjs imports ffjavascript, which imports web-worker (1.2): loaded in ANY worker thread, web-worker takes the
// thread for one of its own and imports `workerData.mod` at once (and throws without it). Give it an empty module
// so that it stays inert (Poseidon runs single-threaded and never uses it); hence the dynamic imports below.
if (workerThreads.workerData == null) workerThreads.workerData = { mod: "data:text/javascript,", type: "module" };
const { anonSubtreeHasher, importBuildPoseidon } = await import("./anon-subtree.mjs");
const hasher = anonSubtreeHasher(await (await importBuildPoseidon())());

port.on("message", (/** @type {{ job: number, height: number, values: bigint[], removed: Uint8Array }} */ m) => {
  try {
    port.postMessage({ job: m.job, root: hasher.leavesRoot(m.height, m.values, m.removed) });
  } catch (error) {
    port.postMessage({ job: m.job, failed: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage({ ready: true });
