import { readFileSync } from "node:fs";
import { join } from "node:path";

import { isAddress, getAddress } from "ethers";

import { ChainError } from "./chain-error.js";

/** The Ignition future id of the registry in `deploy/modules/KycRegistry.ts`. */
export const REGISTRY_FUTURE_ID = "KycRegistryModule#KycRegistry";

/** The deployment folder Ignition writes for a chain (`ignition` path is `deploy/` in hardhat.config.ts). */
export function deploymentDir(projectRoot: string, chainId: bigint): string {
  return join(projectRoot, "deploy", "deployments", `chain-${chainId}`);
}

/**
 * The registry address: `explicit` when given, else the Ignition deployment of `chainId`
 * (`deploy/deployments/chain-<id>/deployed_addresses.json`).
 * @throws ChainError `CHAIN_REGISTRY_NOT_DEPLOYED` when neither is available; `OPERATOR`-style bad input as
 * `CHAIN_REGISTRY_NOT_DEPLOYED` too when `explicit` is not an address.
 */
export function resolveRegistryAddress(explicit: string | undefined, chainId: bigint, projectRoot: string): string {
  if (explicit !== undefined && explicit !== "") {
    if (!isAddress(explicit)) {
      throw new ChainError("CHAIN_REGISTRY_NOT_DEPLOYED", `--registry ${JSON.stringify(explicit)} is not an address`);
    }
    return getAddress(explicit);
  }
  const file = join(deploymentDir(projectRoot, chainId), "deployed_addresses.json");
  let addresses: Record<string, unknown>;
  try {
    addresses = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    throw new ChainError(
      "CHAIN_REGISTRY_NOT_DEPLOYED",
      `no registry deployment for chain ${chainId} (${file} not found); deploy with \`npx hardhat ignition deploy deploy/modules/KycRegistry.ts\` or pass --registry`,
    );
  }
  const address = addresses[REGISTRY_FUTURE_ID];
  if (typeof address !== "string" || !isAddress(address)) {
    throw new ChainError("CHAIN_REGISTRY_NOT_DEPLOYED", `${file} has no ${REGISTRY_FUTURE_ID} address`);
  }
  return getAddress(address);
}
