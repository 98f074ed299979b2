// anonTreeRootParallel: the root of AnonTree.build over the same leaves, hashed in worker threads (or in the calling
// thread: few leaves, no worker, workers that cannot start), every worker terminated.
import { spawn } from "node:child_process";

import { expect } from "chai";

import {
  ANON_TREE_DEPTH,
  AnonError,
  AnonTree,
  SNARK_SCALAR_FIELD,
  anonTreeRootParallel,
  loadAnonHasher,
  type AnonHasher,
  type AnonLeafInput,
  type AnonTreeRootParallelOptions,
  type AnonTreeRootParallelReport,
} from "../../src/anon/index.js";
import { REPO_ROOT } from "../../src/anon/artifacts.js";

/** n leaf inputs, every 7th position removed (null), claims and expiry varying. */
function inputs(n: number, seed = 1n): (AnonLeafInput | null)[] {
  return Array.from({ length: n }, (_, i) =>
    i % 7 === 3
      ? null
      : {
          commitment: ((BigInt(i) + seed) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % SNARK_SCALAR_FIELD,
          claims: BigInt(1 + (i % 15)),
          expiresAt: 2_000_000_000n + BigInt(i % 3) * 15_778_476n,
        },
  );
}

async function rootWith(
  leaves: readonly (AnonLeafInput | null)[] | (() => readonly (AnonLeafInput | null)[]),
  options: AnonTreeRootParallelOptions,
) {
  let report: AnonTreeRootParallelReport | undefined;
  const root = await anonTreeRootParallel(leaves, { ...options, onReport: (r) => (report = r) });
  return { root, report: report! };
}

async function rejects(p: Promise<unknown>, code: string) {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(AnonError);
    expect((error as AnonError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("anonTreeRootParallel: the tree root over leaf inputs, hashed on worker threads", function () {
  this.timeout(10 * 60_000);
  let hasher: AnonHasher;
  const reference = (leaves: readonly (AnonLeafInput | null)[]) =>
    AnonTree.build(
      hasher,
      leaves.map((l) => (l === null ? 0n : hasher.leaf(l.commitment, l.claims, l.expiresAt))),
    ).root;

  before(async function () {
    hasher = await loadAnonHasher();
  });

  it("in the calling thread: equals AnonTree.build for 0, 1, 2, 3, odd, around a chunk boundary, all removed", async function () {
    for (const n of [0, 1, 2, 3, 37, 63, 64, 65, 128, 129]) {
      for (const chunkHeight of [0, 3, 6, ANON_TREE_DEPTH]) {
        const leaves = inputs(n);
        const { root, report } = await rootWith(leaves, { workers: 0, chunkHeight });
        expect(root, `n ${n}, chunk height ${chunkHeight}`).to.equal(reference(leaves));
        expect(report.chunks).to.equal(Math.ceil(n / 2 ** chunkHeight));
        expect([report.workersReady, report.chunksInWorkers, report.chunksInThread]).to.deep.equal([
          0,
          0,
          report.chunks,
        ]);
      }
    }
    expect(await anonTreeRootParallel([])).to.equal(AnonTree.build(hasher, []).root);
    const removed = [null, null, null];
    expect(await anonTreeRootParallel(removed, { workers: 0 })).to.equal(AnonTree.build(hasher, [0n, 0n, 0n]).root);
  });

  it("in worker threads: equals AnonTree.build for a few thousand leaves with removed positions, and for small trees", async function () {
    const options = { workers: 2, minParallelLeaves: 0, hashInCallingThread: false } as const;
    const big = inputs(3001, 5n);
    const r = await rootWith(big, { ...options, chunkHeight: 8 });
    expect(r.root).to.equal(reference(big));
    expect(r.report.chunks).to.equal(12);
    expect(r.report.workersReady).to.be.at.least(1);
    expect(r.report.chunksInWorkers).to.equal(12);
    expect(r.report.chunksInThread).to.equal(0);
    for (const n of [2, 3, 17, 32, 33]) {
      const leaves = inputs(n, BigInt(n));
      const s = await rootWith(leaves, { ...options, workers: 1, chunkHeight: 4 });
      expect(s.root, `n ${n}`).to.equal(reference(leaves));
      expect(s.report.chunksInWorkers, `n ${n}`).to.equal(s.report.chunks);
    }
  });

  it("a changed leaf, claims or expiry, or a removal, changes the root (the inputs are hashed, not ignored)", async function () {
    const leaves = inputs(40, 9n);
    const base = await rootWith(leaves, {
      workers: 1,
      minParallelLeaves: 0,
      hashInCallingThread: false,
      chunkHeight: 3,
    });
    const changed = (i: number, leaf: AnonLeafInput | null) => leaves.map((l, j) => (j === i ? leaf : l));
    const leaf = leaves[20]!;
    for (const other of [
      changed(20, { ...leaf, commitment: leaf.commitment + 1n }),
      changed(20, { ...leaf, claims: leaf.claims ^ 1n }),
      changed(20, { ...leaf, expiresAt: leaf.expiresAt + 1n }),
      changed(20, null),
    ]) {
      const r = await rootWith(other, { workers: 1, minParallelLeaves: 0, hashInCallingThread: false, chunkHeight: 3 });
      expect(r.root).to.not.equal(base.root);
      expect(r.root).to.equal(reference(other));
    }
  });

  it("falls back to the calling thread when no worker can start (wrong module) and when a worker dies", async function () {
    const leaves = inputs(100, 3n);
    const missing = await rootWith(leaves, {
      workers: 2,
      minParallelLeaves: 0,
      hashInCallingThread: false,
      chunkHeight: 4,
      workerUrl: new URL("./no-such-worker.mjs", import.meta.url),
    });
    expect(missing.root).to.equal(reference(leaves));
    expect([missing.report.workersReady, missing.report.workersFailed]).to.deep.equal([0, 2]);
    expect(missing.report.chunksInThread).to.equal(missing.report.chunks);
    // a worker that says it is ready, then exits: its jobs come back to the calling thread
    const dying = new URL(
      "data:text/javascript," +
        encodeURIComponent(
          'import { parentPort } from "node:worker_threads"; parentPort.postMessage({ ready: true }); ' +
            "parentPort.on('message', () => process.exit(3));",
        ),
    );
    const died = await rootWith(leaves, {
      workers: 1,
      minParallelLeaves: 0,
      hashInCallingThread: false,
      chunkHeight: 4,
      workerUrl: dying,
    });
    expect(died.root).to.equal(reference(leaves));
    expect([died.report.workersReady, died.report.workersFailed]).to.deep.equal([1, 1]);
    expect(died.report.chunksInThread).to.equal(died.report.chunks);
  });

  it("leaves made by a function: the workers start before it runs (expectedLeaves), and are stopped when it throws", async function () {
    const leaves = inputs(700, 13n);
    const made = await rootWith(() => leaves, {
      workers: 1,
      chunkHeight: 5,
      minParallelLeaves: 500,
      expectedLeaves: 800,
      hashInCallingThread: false,
    });
    expect(made.root).to.equal(reference(leaves));
    expect([made.report.workersStartedEarly, made.report.workersReady]).to.deep.equal([1, 1]);
    expect(made.report.chunksInWorkers).to.equal(made.report.chunks);
    // fewer expected than minParallelLeaves: no early start, but the workers come once the leaves are known
    const late = await rootWith(() => leaves, {
      workers: 1,
      chunkHeight: 5,
      minParallelLeaves: 500,
      expectedLeaves: 10,
      hashInCallingThread: false,
    });
    expect(late.root).to.equal(reference(leaves));
    expect([late.report.workersStartedEarly, late.report.workersReady]).to.deep.equal([0, 1]);
    expect(late.report.chunksInWorkers).to.equal(late.report.chunks);
    // the function throws, or gives bad inputs: the error comes out, the started worker is stopped
    await rejects(
      anonTreeRootParallel(
        () => {
          throw new AnonError("ANON_EVENT_ORDER", "synthetic");
        },
        { workers: 1, minParallelLeaves: 0, expectedLeaves: 1000 },
      ),
      "ANON_EVENT_ORDER",
    );
    await rejects(
      anonTreeRootParallel(() => [{ ...leaves[0]!, commitment: -1n }], {
        workers: 1,
        minParallelLeaves: 0,
        expectedLeaves: 1000,
      }),
      "ANON_OUT_OF_FIELD",
    );
    await rejects(
      anonTreeRootParallel(() => leaves, { expectedLeaves: -1 }),
      "ANON_OUT_OF_RANGE",
    );
  });

  it("few leaves: no worker is started (below minParallelLeaves)", async function () {
    const leaves = inputs(300);
    const r = await rootWith(leaves, { workers: 2, chunkHeight: 4, minParallelLeaves: 301 });
    expect(r.root).to.equal(reference(leaves));
    expect([r.report.workersReady, r.report.workersFailed, r.report.chunksInThread]).to.deep.equal([0, 0, 19]);
  });

  it("refuses bad input with a typed error before hashing", async function () {
    const good = inputs(4);
    const leaf = good[0]!;
    await rejects(
      anonTreeRootParallel([...good.slice(0, 2), { ...leaf, commitment: SNARK_SCALAR_FIELD }]),
      "ANON_OUT_OF_FIELD",
    );
    await rejects(anonTreeRootParallel([{ ...leaf, claims: -1n }]), "ANON_OUT_OF_FIELD");
    await rejects(anonTreeRootParallel([{ ...leaf, expiresAt: 5 as unknown as bigint }]), "ANON_OUT_OF_RANGE");
    await rejects(anonTreeRootParallel([0n as unknown as AnonLeafInput]), "ANON_OUT_OF_RANGE");
    await rejects(anonTreeRootParallel(new Array<null>(2 ** ANON_TREE_DEPTH + 1).fill(null)), "ANON_OUT_OF_RANGE");
    await rejects(anonTreeRootParallel(good, { workers: -1 }), "ANON_OUT_OF_RANGE");
    await rejects(anonTreeRootParallel(good, { chunkHeight: ANON_TREE_DEPTH + 1 }), "ANON_OUT_OF_RANGE");
    await rejects(anonTreeRootParallel(good, { chunkHeight: 1.5 }), "ANON_OUT_OF_RANGE");
  });

  it("under plain `node --import tsx`: the workers hash, and the process exits by itself (no worker left running)", async function () {
    const leaves = inputs(2000, 11n);
    const script = `
      import { anonTreeRootParallel } from "./src/anon/index.js";
      const leaves = Array.from({ length: 2000 }, (_, i) =>
        i % 7 === 3 ? null : {
          commitment: ((BigInt(i) + 11n) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % ${SNARK_SCALAR_FIELD}n,
          claims: BigInt(1 + (i % 15)),
          expiresAt: 2_000_000_000n + BigInt(i % 3) * 15_778_476n,
        });
      let report;
      const root = await anonTreeRootParallel(leaves, {
        workers: 2, minParallelLeaves: 0, chunkHeight: 7, hashInCallingThread: false, onReport: (r) => (report = r),
      });
      console.log(JSON.stringify({ root: root.toString(), report }));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill(), 5 * 60_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    expect(signal, `killed: the process did not exit by itself\n${err}`).to.equal(null);
    expect(code, err).to.equal(0);
    const result = JSON.parse(out.trim()) as { root: string; report: AnonTreeRootParallelReport };
    expect(BigInt(result.root)).to.equal(reference(leaves));
    expect(result.report.workersReady).to.be.at.least(1);
    expect(result.report.chunksInWorkers).to.equal(result.report.chunks);
  });
});
