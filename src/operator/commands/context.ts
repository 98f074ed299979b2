import { join } from "node:path";

import type { Provider, Signer } from "ethers";

import { resolveRegistryAddress } from "../../chain/deployment.js";
import { RegistryClient } from "../../chain/registry-client.js";
import { resolveOperatorSecret, type OperatorSecret } from "../derive.js";
import { openOperatorStore, STORE_URL_VARIABLE } from "../store/open-store.js";
import type { OperatorStore } from "../store/operator-store.js";

/**
 * Everything an operator command needs from its environment. The Hardhat task actions build it from `hre`
 * (`tasks/actions/operator/context.ts`); scripts and tests build it from any ethers provider and signer.
 */
export interface OperatorContext {
  /** The connected network. */
  readonly provider: Provider;
  /** The account transactions are sent from (the network's configured account); absent for read-only use. */
  readonly signer?: Signer;
  /** The project root: deployments are looked up under `deploy/deployments/`, the store under `.kyc/`. */
  readonly projectRoot: string;
  /** Reads a configuration variable (Hardhat keystore or environment); undefined when not set. */
  readonly readConfigVariable?: (name: string) => Promise<string | undefined>;
  /** Human-readable progress lines (stderr in the tasks). */
  readonly log?: (line: string) => void;
}

/** Connects to the registry: `registry` when given, else the Ignition deployment of the connected chain. */
export async function connectRegistry(ctx: OperatorContext, registry: string | undefined): Promise<RegistryClient> {
  const { chainId } = await ctx.provider.getNetwork();
  const address = resolveRegistryAddress(registry, chainId, ctx.projectRoot);
  return RegistryClient.connect(ctx.signer ?? ctx.provider, address);
}

/** The default store file of a chain: `<root>/.kyc/operator-<chainId>.sqlite`. */
export function defaultStorePath(projectRoot: string, chainId: bigint): string {
  return join(projectRoot, ".kyc", `operator-${chainId}.sqlite`);
}

/**
 * Where the operator store is: `--store` (a file path or a `postgres://` URL), else the `KYC_STORE_URL` configuration
 * variable (keystore or environment), else the chain's default SQLite file.
 */
export async function storeLocation(ctx: OperatorContext, chainId: bigint, path: string | undefined): Promise<string> {
  if (path !== undefined && path !== "") return path;
  const configured = (await ctx.readConfigVariable?.(STORE_URL_VARIABLE)) ?? process.env[STORE_URL_VARIABLE];
  if (configured !== undefined && configured !== "") return configured;
  return defaultStorePath(ctx.projectRoot, chainId);
}

/** Opens the operator store (see {@link storeLocation}): SQLite for a file path, PostgreSQL for a `postgres://` URL. */
export async function openStore(
  ctx: OperatorContext,
  chainId: bigint,
  path: string | undefined,
): Promise<OperatorStore> {
  return openOperatorStore(await storeLocation(ctx, chainId, path));
}

/** Name of the configuration variable holding the operator's HMAC secret. */
export const OPERATOR_SECRET_VARIABLE = "KYC_OPERATOR_SECRET";

/**
 * The operator's HMAC secret from the keystore / environment; on chain 31337 only, the public dev default
 * (logged as such).
 */
export async function operatorSecret(ctx: OperatorContext, chainId: bigint): Promise<OperatorSecret> {
  const configured =
    (await ctx.readConfigVariable?.(OPERATOR_SECRET_VARIABLE)) ?? process.env[OPERATOR_SECRET_VARIABLE];
  const secret = resolveOperatorSecret(configured, chainId);
  if (secret.source === "dev-default") {
    ctx.log?.(
      `warning: ${OPERATOR_SECRET_VARIABLE} is not set; using the PUBLIC development secret (local chain 31337 only): person tags are not private`,
    );
  }
  return secret;
}

/** The latest block's timestamp (the chain's notion of now). */
export async function chainTime(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
}
