import "./src/cli/silence-sqlite-warning.js";

import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { kycTasks } from "./tasks/index.js";

/** The compiler comes from the pinned `solc` npm package: Hardhat never downloads one. */
const SOLC_VERSION = "0.8.31";
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

/** The CreateX salt of `ignition deploy --strategy create2` (see `ignition.strategyConfig`). */
const CREATE2_SALT = "0x0000000000000000000000000000000000000000006a706b692d6b79632d7632";

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
    // Testnets for users in Japan. The same key (keystore: `npx hardhat keystore set <NAME>_PRIVATE_KEY`) on every
    // chain; deploy with `--strategy create2` for one address on every chain (docs/use-it-from.md).
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
    amoy: {
      type: "http",
      chainType: "generic",
      chainId: 80002,
      url: configVariable("AMOY_RPC_URL"),
      accounts: [configVariable("AMOY_PRIVATE_KEY")],
    },
    baseSepolia: {
      type: "http",
      chainType: "op",
      chainId: 84532,
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("BASE_SEPOLIA_PRIVATE_KEY")],
    },
    kairos: {
      type: "http",
      chainType: "generic",
      chainId: 1001,
      url: configVariable("KAIROS_RPC_URL"),
      accounts: [configVariable("KAIROS_PRIVATE_KEY")],
    },
  },
  ignition: {
    strategyConfig: {
      // CreateX salt: 20 zero bytes (anyone may deploy), 0x00 (no chain id in the guarded salt: the same address on
      // every chain), then "jpki-kyc-v2". Changing it moves every address.
      create2: { salt: CREATE2_SALT },
    },
  },
  tasks: kycTasks,
});
