import "./src/cli/silence-sqlite-warning.js";

import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { kycTasks } from "./tasks/index.js";

/** The compiler comes from the pinned `solc` npm package: Hardhat never downloads one. */
const SOLC_VERSION = "0.8.31";
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: solcPath,
        settings: { evmVersion: "osaka", optimizer: { enabled: true, runs: 200 } },
      },
      production: {
        version: SOLC_VERSION,
        path: solcPath,
        settings: { evmVersion: "osaka", optimizer: { enabled: true, runs: 10_000 } },
      },
    },
  },
  paths: {
    ignition: "deploy",
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
  tasks: kycTasks,
});
