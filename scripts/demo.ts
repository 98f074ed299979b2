/**
 * `npm run demo` (= `hardhat run scripts/demo.ts`): the whole mission end to end on the in-process network, with
 * synthetic certificates and virtual cards. Also runs against a node: start `npx hardhat node`, then
 * `npx hardhat run scripts/demo.ts --network localhost`.
 *
 * Prints a numbered step log and a final table of every transaction with its gas; nothing personal. Exits non-zero
 * with a one-line error when any step fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { network } from "hardhat";

import { KycError } from "../src/errors.js";

import { runDemo } from "./demo/run-demo.js";

const workDir = mkdtempSync(join(tmpdir(), "jpki-kyc-demo-"));
try {
  const connection = await network.create();
  await runDemo({ connection, log: (line) => console.log(line), workDir });
} catch (error) {
  const message =
    error instanceof KycError
      ? `Error [${error.code}]: ${error.message}`
      : `Error: ${error instanceof Error ? error.message : String(error)}`;
  const hint = /HHE703|Cannot connect/.test(message) ? " (is `npx hardhat node` running?)" : "";
  console.error(`demo failed: ${message.split("\n")[0]}${hint}`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
