/**
 * The production build for the benchmarks: `hardhat build --build-profile production` (optimizer runs 10,000, what
 * `ignition deploy` uses) into `cache/bench-production/` (see `production-build.config.ts`), so the default-profile
 * artifacts the tests use are left alone.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { CompiledContract } from "../../test/helpers/registry-fixture.js";

/** A compiled contract of the production build. */
export type ProductionArtifact = CompiledContract & { deployedBytecode: string };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Builds the production profile and returns a reader of its artifacts by source path under `contracts/` and
 * contract name (e.g. `production("examples/AnonAgeGatedAirdrop.sol", "AnonAgeGatedAirdrop")`).
 */
export function productionBuild(): (source: string, name: string) => ProductionArtifact {
  const cli = path.join(root, "node_modules", "hardhat", "dist", "src", "cli.js");
  const config = path.join(root, "scripts", "bench", "production-build.config.ts");
  const args = [cli, "--config", config, "--build-profile", "production", "--no-typechain", "build", "--no-tests"];
  console.log("building the production profile (optimizer runs 10,000) into cache/bench-production …");
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  if (run.status !== 0) throw new Error(`production build failed (exit ${run.status})`);
  return (source, name) =>
    JSON.parse(
      readFileSync(
        path.join(root, "cache", "bench-production", "artifacts", "contracts", source, `${name}.json`),
        "utf8",
      ),
    ) as ProductionArtifact;
}
