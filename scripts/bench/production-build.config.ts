/**
 * The project's Hardhat config with its artifacts and cache moved under `cache/bench-production/`, so the gas
 * benchmark can run `hardhat build --build-profile production` (optimizer runs 10,000) and read the deployed sizes
 * without overwriting the default-profile artifacts the tests use.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { defineConfig } from "hardhat/config";

import base from "../../hardhat.config.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export default defineConfig({
  ...base,
  paths: {
    ...base.paths,
    sources: path.join(root, "contracts"),
    tests: { solidity: path.join(root, "cache", "bench-production", "no-tests") },
    artifacts: path.join(root, "cache", "bench-production", "artifacts"),
    cache: path.join(root, "cache", "bench-production", "cache"),
    ignition: path.join(root, "deploy"),
  },
});
