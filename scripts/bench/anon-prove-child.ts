// Child process of `npm run bench:anon`: proves in a fresh process so that its peak RSS is the prover's alone.
//   node --import tsx scripts/bench/anon-prove-child.ts <artifactsDir> <input.json> <runs>
// Prints one JSON line: { proveMs: number[], proveCpuMs: number[] (all threads), peakRssMb, proof }.
import { readFileSync } from "node:fs";

import { artifactsIn } from "../../src/anon/artifacts.js";
import { proveAnon, releaseCurve, type AnonCircuitInput } from "../../src/anon/index.js";

const [dir, inputFile, runs] = process.argv.slice(2);
if (dir === undefined || inputFile === undefined || runs === undefined) {
  throw new Error("usage: anon-prove-child.ts <artifactsDir> <input.json> <runs>");
}
const artifacts = artifactsIn(dir);
const input = JSON.parse(readFileSync(inputFile, "utf8")) as AnonCircuitInput;
const proveMs: number[] = [];
const proveCpuMs: number[] = [];
let proof;
// The first run includes loading the wasm and the curve; it is reported separately by the parent.
for (let i = 0; i < Number(runs); i++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  proof = await proveAnon(input, artifacts);
  proveMs.push(Math.round(performance.now() - started));
  const used = process.cpuUsage(cpu);
  proveCpuMs.push(Math.round((used.user + used.system) / 1000));
}
await releaseCurve();
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ proveMs, proveCpuMs, peakRssMb, proof })}\n`);
