import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import type { AnonLeafInput } from "./anon-leaf-input.js";
import { AnonError } from "./anon-error.js";
import { anonSubtreeHasher, type AnonSubtreeHasher } from "./anon-subtree.mjs";
import { ANON_TREE_DEPTH } from "./anon-tree.js";
import { SNARK_SCALAR_FIELD } from "./field.js";
import { loadCircomlibPoseidon } from "./poseidon.js";

/** Options of {@link anonTreeRootParallel}. */
export interface AnonTreeRootParallelOptions {
  /**
   * Worker threads to start (default: the machine's available parallelism minus one, for the calling thread hashes
   * too; 0 hashes everything in the calling thread).
   */
  readonly workers?: number;
  /** Height of the subtrees a job covers: 2^height leaf positions (default 10, 1,024 positions). */
  readonly chunkHeight?: number;
  /** Below this many leaf positions no worker is started (default 16,384: a worker needs about a second to load). */
  readonly minParallelLeaves?: number;
  /**
   * With a function for the leaves: how many positions it will give at most (e.g. the number of registry events).
   * When that reaches `minParallelLeaves`, the workers start loading Poseidon before the function runs.
   */
  readonly expectedLeaves?: number;
  /**
   * Whether the calling thread hashes chunks too while the workers load and run (default true). With false it only
   * combines, unless no worker is (still) alive.
   */
  readonly hashInCallingThread?: boolean;
  /** The worker module (default: `anon-tree-worker.mjs` next to this file); for tests of the fallback. */
  readonly workerUrl?: URL;
  /** Called once with how the work was shared. */
  readonly onReport?: (report: AnonTreeRootParallelReport) => void;
}

/** How {@link anonTreeRootParallel} shared the work. */
export interface AnonTreeRootParallelReport {
  readonly leaves: number;
  readonly chunkHeight: number;
  readonly chunks: number;
  /** workers started before the leaves were made (a function for the leaves, with `expectedLeaves`) */
  readonly workersStartedEarly: number;
  /** workers that loaded Poseidon and took jobs */
  readonly workersReady: number;
  /** workers that could not start or failed (their jobs were done in the calling thread or by other workers) */
  readonly workersFailed: number;
  readonly chunksInWorkers: number;
  readonly chunksInThread: number;
}

const DEFAULT_CHUNK_HEIGHT = 10;
const DEFAULT_MIN_PARALLEL_LEAVES = 16_384;
const MAX_WORKERS = 64;
/** Jobs sent ahead to each worker, so it never waits for the calling thread (busy with its own chunk) to send more. */
const JOBS_IN_FLIGHT = 2;
const WORKER_URL = new URL("./anon-tree-worker.mjs", import.meta.url);

function checkLeafInputs(leaves: readonly (AnonLeafInput | null)[]): void {
  if (!Array.isArray(leaves)) throw new AnonError("ANON_OUT_OF_RANGE", "the leaf inputs must be an array");
  if (leaves.length > 2 ** ANON_TREE_DEPTH) {
    throw new AnonError("ANON_OUT_OF_RANGE", `a tree of depth ${ANON_TREE_DEPTH} holds at most 2^20 leaves`);
  }
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (leaf === null) continue;
    if (typeof leaf !== "object") {
      throw new AnonError("ANON_OUT_OF_RANGE", `leaf input ${i} is neither {commitment, claims, expiresAt} nor null`);
    }
    for (const name of ["commitment", "claims", "expiresAt"] as const) {
      const v: unknown = leaf[name];
      if (typeof v !== "bigint") throw new AnonError("ANON_OUT_OF_RANGE", `leaf input ${i}: ${name} is not a bigint`);
      if (v < 0n || v >= SNARK_SCALAR_FIELD) {
        throw new AnonError(
          "ANON_OUT_OF_FIELD",
          `leaf input ${i}: ${name} is not an element of the BN254 scalar field`,
        );
      }
    }
  }
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new AnonError("ANON_OUT_OF_RANGE", `${name} must be an integer from ${min} to ${max}`);
  }
  return v;
}

/**
 * The root of an operator's anonymous-proof tree over the leaf INPUTS (position i holds
 * Poseidon(commitment, claims, expiresAt) of `leaves[i]`, 0 for `null`): the same value as
 * `AnonTree.build(hasher, leaves.map(leafValue)).root`, computed with worker threads. The positions are cut into
 * aligned subtrees of 2^chunkHeight leaves; the workers (each loads circomlibjs' Poseidon once) and the calling
 * thread hash the leaves and build the subtree roots, then the calling thread combines them with the empty-subtree
 * roots up to depth {@link ANON_TREE_DEPTH}. Few leaves, no worker, or workers that cannot start or fail: the
 * calling thread does the remaining jobs. Every worker is terminated before this returns or throws. For the root
 * only: build an `AnonTree` when paths are needed.
 *
 * `leaves` may be a function that makes them (called once, at once): with `expectedLeaves` the workers load while it
 * runs (see {@link anonRegistryTreeRoot}).
 * @throws AnonError `ANON_OUT_OF_RANGE` for more than 2^20 positions, an input that is not
 *   {commitment, claims, expiresAt} of bigints or null, or a bad option; `ANON_OUT_OF_FIELD` for a value outside the
 *   BN254 scalar field.
 */
export async function anonTreeRootParallel(
  leaves: readonly (AnonLeafInput | null)[] | (() => readonly (AnonLeafInput | null)[]),
  options: AnonTreeRootParallelOptions = {},
): Promise<bigint> {
  const height = intOption("chunkHeight", options.chunkHeight, DEFAULT_CHUNK_HEIGHT, 0, ANON_TREE_DEPTH);
  const workerCount = intOption(
    "workers",
    options.workers,
    Math.min(MAX_WORKERS, Math.max(0, availableParallelism() - 1)),
    0,
    MAX_WORKERS,
  );
  const minParallel = intOption(
    "minParallelLeaves",
    options.minParallelLeaves,
    DEFAULT_MIN_PARALLEL_LEAVES,
    0,
    2 ** ANON_TREE_DEPTH + 1,
  );
  const expected = intOption("expectedLeaves", options.expectedLeaves, 0, 0, Number.MAX_SAFE_INTEGER);
  const callingThreadHashes = options.hashInCallingThread ?? true;
  const size = 2 ** height;
  /** The workers to start for `n` positions: none below minParallelLeaves, no more than the jobs the others leave. */
  const workersFor = (n: number) =>
    n < minParallel ? 0 : Math.min(workerCount, Math.ceil(n / size) - (callingThreadHashes ? 1 : 0));
  // the leaves and the jobs (set once the leaves are known; the workers ask for jobs only after that)
  let inputs: readonly (AnonLeafInput | null)[] = [];
  let chunks = 0;
  let roots: bigint[] = [];
  let finished = new Uint8Array(0);
  let finishedCount = 0;
  let next = 0;
  const retry: number[] = [];
  const take = (): number | undefined => {
    while (retry.length > 0) {
      const job = retry.pop() as number;
      if (finished[job] === 0) return job;
    }
    return next < chunks ? next++ : undefined;
  };
  const finish = (job: number, root: bigint): boolean => {
    if (finished[job] === 1) return false;
    finished[job] = 1;
    roots[job] = root;
    finishedCount++;
    return true;
  };
  /** A job's leaf inputs as AnonSubtreeHasher.leavesRoot takes them. */
  const jobInputs = (job: number) => {
    const from = job * size;
    const to = Math.min(inputs.length, from + size);
    const values: bigint[] = [];
    const removed = new Uint8Array(to - from);
    for (let i = from; i < to; i++) {
      const leaf = inputs[i] as AnonLeafInput | null;
      if (leaf === null) {
        removed[i - from] = 1;
        values.push(0n, 0n, 0n);
      } else {
        values.push(leaf.commitment, leaf.claims, leaf.expiresAt);
      }
    }
    return { values, removed };
  };
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  let workersAlive = 0;
  let workersReady = 0;
  let workersFailed = 0;
  let chunksInWorkers = 0;
  let chunksInThread = 0;
  const started: Worker[] = [];
  let closing = false;
  const startWorker = () => {
    const inFlight = new Set<number>();
    let alive = true;
    const retire = () => {
      if (!alive || closing) return;
      alive = false;
      workersAlive--;
      workersFailed++;
      for (const job of inFlight) retry.push(job);
      inFlight.clear();
      void worker.terminate();
      notify();
    };
    const send = () => {
      while (alive && inFlight.size < JOBS_IN_FLIGHT) {
        const job = take();
        if (job === undefined) return;
        inFlight.add(job);
        const { values, removed } = jobInputs(job);
        worker.postMessage({ job, height, values, removed }, [removed.buffer]);
      }
    };
    let worker: Worker;
    try {
      worker = new Worker(options.workerUrl ?? WORKER_URL, { execArgv: [] });
    } catch {
      workersFailed++;
      return;
    }
    started.push(worker);
    workersAlive++;
    worker.on("message", (m: { ready?: true; job?: number; root?: bigint; failed?: string }) => {
      if (m.ready === true) {
        workersReady++;
        send();
        return;
      }
      if (m.job === undefined) return;
      inFlight.delete(m.job);
      if (m.root === undefined) {
        // a job the worker could not do: the calling thread does it (and raises whatever is wrong)
        retry.push(m.job);
        retire();
        return;
      }
      if (finish(m.job, m.root)) chunksInWorkers++;
      send();
      notify();
    });
    worker.on("error", retire);
    worker.on("exit", retire);
  };

  let hasher: AnonSubtreeHasher;
  let workersStartedEarly = 0;
  try {
    if (typeof leaves === "function") {
      // the workers load while the leaves are being made
      for (let w = 0; w < workersFor(expected); w++) startWorker();
      workersStartedEarly = started.length;
      inputs = leaves();
    } else {
      inputs = leaves;
    }
    checkLeafInputs(inputs);
    chunks = Math.ceil(inputs.length / size);
    roots = new Array<bigint>(chunks);
    finished = new Uint8Array(chunks);
    for (let w = started.length; w < workersFor(inputs.length); w++) startWorker();
    // after starting the workers: they load their Poseidon meanwhile
    hasher = anonSubtreeHasher(await loadCircomlibPoseidon());
    while (finishedCount < chunks) {
      const job = callingThreadHashes || workersAlive === 0 ? take() : undefined;
      if (job === undefined) {
        // every job is with a worker: wait for one to answer (or fail, which hands its jobs back)
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const { values, removed } = jobInputs(job);
      if (finish(job, hasher.leavesRoot(height, values, removed))) chunksInThread++;
      if (started.length > 0) await new Promise<void>((resolve) => setImmediate(resolve)); // let workers' answers in
    }
  } finally {
    closing = true;
    await Promise.all(started.map((w) => w.terminate()));
  }

  const root = hasher.rootAbove(height, ANON_TREE_DEPTH, roots);
  options.onReport?.({
    leaves: inputs.length,
    chunkHeight: height,
    chunks,
    workersStartedEarly,
    workersReady,
    workersFailed,
    chunksInWorkers,
    chunksInThread,
  });
  return root;
}
