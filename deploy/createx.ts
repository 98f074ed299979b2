/**
 * CreateX, the factory behind Ignition's create2 strategy: at 0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed on every
 * chain that has it, put there by one presigned, chain-id-free (pre-EIP-155) transaction from a keyless account.
 * Sepolia, Polygon Amoy and Base Sepolia have it; a chain that does not (Ignition stops with CREATE_X_NOT_DEPLOYED)
 * gets it with `deploy/scripts/install-createx.ts`: fund the keyless account, broadcast the presigned transaction.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { keccak256 } from "ethers";

/** CreateX v0.1.0 (the version Ignition's create2 strategy calls). */
export const CREATE_X = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";
/** keccak256 of CreateX's runtime code, as Ignition checks it. */
export const CREATE_X_CODE_HASH = "0xbd8a7ea8cfca7b4e5f5041d7d4b17bc317c5ce42cfbc42066a00cf26b43eb53f";
/** The keyless account of the presigned deployment transaction. */
export const CREATE_X_DEPLOYER = "0xeD456e05CaAb11d66C4c797dD6c1D6f9A7F352b5";
/** What the presigned transaction costs: gas limit 3,000,000 at 100 gwei. */
export const CREATE_X_DEPLOY_COST = 3_000_000n * 100_000_000_000n;

/** The presigned CreateX deployment transaction, from Ignition's own copy (ignition-core; not exported publicly). */
export async function createXPresignedTx(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve("@nomicfoundation/ignition-core/package.json");
  const file = path.join(path.dirname(pkg), "dist/src/internal/execution/strategy/createx-artifact.js");
  const { presignedTx } = (await import(pathToFileURL(file).href)) as { presignedTx?: unknown };
  if (typeof presignedTx !== "string" || !presignedTx.startsWith("0x")) {
    throw new Error(`no presigned CreateX transaction in ${file}: has @nomicfoundation/ignition-core changed?`);
  }
  return presignedTx;
}

/** What `ensureCreateX` found or did. */
export type CreateXState = "present" | "installed";

/**
 * Makes sure CreateX is deployed: checks its code hash if present; else tops the keyless account up to the
 * deployment cost from the first signer and broadcasts the presigned transaction.
 */
export async function ensureCreateX(ethers: HardhatEthers): Promise<CreateXState> {
  const code = await ethers.provider.getCode(CREATE_X);
  if (code !== "0x") {
    if (keccak256(code) !== CREATE_X_CODE_HASH) throw new Error(`the code at ${CREATE_X} is not CreateX v0.1.0`);
    return "present";
  }
  if ((await ethers.provider.getTransactionCount(CREATE_X_DEPLOYER)) !== 0) {
    throw new Error(`${CREATE_X_DEPLOYER} has sent transactions on this chain: the presigned one can no longer run`);
  }
  const [funder] = await ethers.getSigners();
  if (funder === undefined) throw new Error("no account to fund the CreateX deployment from");
  const missing = CREATE_X_DEPLOY_COST - (await ethers.provider.getBalance(CREATE_X_DEPLOYER));
  if (missing > 0n) await (await funder.sendTransaction({ to: CREATE_X_DEPLOYER, value: missing })).wait();
  const response = await ethers.provider.broadcastTransaction(await createXPresignedTx());
  const receipt = await response.wait();
  if (receipt?.contractAddress !== CREATE_X) {
    throw new Error(`the presigned transaction ${response.hash} did not deploy CreateX at ${CREATE_X}`);
  }
  return "installed";
}
