/**
 * Benchmark of the anonymous proofs (`npm run bench:anon`): writes `reports/anon.json`.
 * - constraints, zkeyBytes: from the development setup (`npm run zk:dev-setup`, run first if needed);
 * - proveMs: median wall time of `proveAnon` (witness + Groth16 with snarkjs) over 5 proofs in a child process,
 *   after a first proof that loads the wasm and the curve (`firstProveMs`); proveCpuMs: its CPU time, all threads
 *   (the machine is shared: compare with the load average recorded); provePeakRssMb: the child's peak RSS (Node
 *   itself included);
 * - verifyGas: total transaction gas of a consumer transaction that verifies the proof and records its nullifier
 *   (`contracts/mocks/AnonNullifierProbe.sol`, Osaka); verifyProofCallGas: total gas of a bare `verifyProof` call.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

import { network } from "hardhat";

import { ensureDevArtifacts } from "../zk/dev-setup.js";
import { REPO_ROOT } from "../../src/anon/artifacts.js";
import { anonCalldata, type AnonProof } from "../../src/anon/index.js";
import { CLAIMS, anonWorld } from "../../test/zk/helpers/anon-fixture.js";

const TARGETS = { proveMs: 3_000, provePeakRssMb: 500, verifyGas: 250_000 };
const RUNS = 6;

const { artifacts, record } = await ensureDevArtifacts();
const { ethers } = await network.create();
const [, holder] = await ethers.getSigners();
const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

const child = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    join(REPO_ROOT, "scripts", "bench", "anon-prove-child.ts"),
    artifacts.dir,
    `${now}`,
    holder!.address,
    `${RUNS}`,
  ],
  { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 16 * 2 ** 20 },
);
if (child.status !== 0) throw new Error(`prover child failed:\n${child.stderr}`);
const { proveMs, proveCpuMs, peakRssMb, proof } = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
  proveMs: number[];
  proveCpuMs: number[];
  peakRssMb: number;
  proof: AnonProof;
};
const steady = proveMs.slice(1).sort((a, b) => a - b);
const median = steady[Math.floor(steady.length / 2)]!;
const steadyCpu = proveCpuMs.slice(1).sort((a, b) => a - b);
const medianCpu = steadyCpu[Math.floor(steadyCpu.length / 2)]!;

const w = await anonWorld();
const verifier = await ethers.deployContract("AnonVerifierDev");
const probe = await ethers.deployContract("AnonNullifierProbe", [
  await verifier.getAddress(),
  w.statement.root,
  CLAIMS.AGE_18 | CLAIMS.AGE_20,
  w.statement.scope,
]);
const { pA, pB, pC, pubSignals } = anonCalldata(proof);
const verifyProofCallGas = await verifier.verifyProof.estimateGas(pA, pB, pC, pubSignals);
const receipt = await (await probe.connect(holder!).consume(pA, pB, pC, pubSignals)).wait();
const verifyGas = Number(receipt!.gasUsed);

const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverage1m: loadavg()[0] },
  constraints: record.constraints,
  ptauPower: record.ptauPower,
  zkeyBytes: statSync(artifacts.zkey).size,
  firstProveMs: proveMs[0],
  proveMs: median,
  proveMsRuns: proveMs.slice(1),
  proveCpuMs: medianCpu,
  provePeakRssMb: peakRssMb,
  verifyGas,
  verifyProofCallGas: Number(verifyProofCallGas),
  targets: TARGETS,
  withinTargets: {
    proveMs: median <= TARGETS.proveMs,
    provePeakRssMb: peakRssMb <= TARGETS.provePeakRssMb,
    verifyGas: verifyGas <= TARGETS.verifyGas,
  },
};
mkdirSync(join(REPO_ROOT, "reports"), { recursive: true });
writeFileSync(join(REPO_ROOT, "reports", "anon.json"), `${JSON.stringify(report, null, 2)}\n`);
console.table({
  constraints: { value: report.constraints, target: "" },
  zkeyMiB: { value: (report.zkeyBytes / 2 ** 20).toFixed(2), target: "" },
  firstProveMs: { value: report.firstProveMs, target: "" },
  proveMs: { value: report.proveMs, target: TARGETS.proveMs },
  proveCpuMs: { value: report.proveCpuMs, target: "" },
  provePeakRssMb: { value: report.provePeakRssMb, target: TARGETS.provePeakRssMb },
  verifyGas: { value: report.verifyGas, target: TARGETS.verifyGas },
  verifyProofCallGas: { value: report.verifyProofCallGas, target: "" },
});
console.log("wrote reports/anon.json");
