/**
 * `npm run coverage [-- <test files>]`: runs the test suite (Solidity and mocha) under `hardhat test --coverage`,
 * then prints the contracts' line, statement and `if`-branch coverage per file with totals (mocks and test
 * harnesses shown but not counted; see `summary.ts`). Hardhat's own report (`coverage/lcov.info`, `coverage/html`)
 * is printed and kept as well. Exits with the test run's status when it failed (after the summary, when there is
 * one), 1 when the summary cannot be made, else 0.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { edrInstrument, formatSummary, solcParser, summarize } from "./summary.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const coverageDir = path.join(root, "coverage");

// Hardhat keeps each runner's hit data under coverage/data/<runner>; a previous run's would be counted again
rmSync(coverageDir, { recursive: true, force: true });

const hardhatCli = fileURLToPath(new URL("./cli.js", import.meta.resolve("hardhat")));
const test = spawnSync(process.execPath, [hardhatCli, "test", "--coverage", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
const testStatus = test.status ?? 1;

let summaryOk = true;
try {
  const { parse, version } = solcParser(root);
  const files = summarize(root, coverageDir, { instrument: edrInstrument(root), parse, solcVersion: version });
  console.log(`\n${formatSummary(files)}\n`);
} catch (e) {
  summaryOk = false;
  console.error(e instanceof Error ? e.message : String(e));
}
if (testStatus !== 0) console.error(`coverage: the test run failed (exit ${testStatus})`);
process.exit(testStatus !== 0 ? testStatus : summaryOk ? 0 : 1);
