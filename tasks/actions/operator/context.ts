import { configVariable } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { KycError } from "../../../src/errors.js";
import type { OperatorContext } from "../../../src/operator/commands/context.js";

/** Thrown by the fallback of the configuration-variable hook chain when a variable is not set anywhere. */
class NotSet extends Error {}

/**
 * Builds the operator commands' context from the Hardhat runtime: the selected network (`--network`), its first
 * configured account as the sender (a keystore / `configVariable` key on Sepolia), the keystore for
 * configuration variables, and stderr for progress lines.
 */
export async function operatorContext(hre: HardhatRuntimeEnvironment): Promise<OperatorContext> {
  const connection = await hre.network.create();
  const signers = await connection.ethers.getSigners();
  return {
    provider: connection.ethers.provider,
    ...(signers[0] !== undefined ? { signer: signers[0] } : {}),
    projectRoot: hre.config.paths.root,
    readConfigVariable: async (name) => {
      const env = process.env[name];
      if (env !== undefined && env !== "") return env;
      try {
        return await hre.hooks.runHandlerChain(
          "configurationVariables",
          "fetchValue",
          [configVariable(name)],
          async () => {
            throw new NotSet();
          },
        );
      } catch (error) {
        if (error instanceof NotSet) return undefined;
        throw new KycError(
          "OPERATOR_SECRET",
          `cannot read ${name} from the keystore: ${(error as Error).message.split("\n")[0]}`,
        );
      }
    },
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** On the in-process network every command starts a fresh chain: say so when nothing is deployed. */
export function explainInProcess(hre: HardhatRuntimeEnvironment, error: unknown): unknown {
  const network = (hre.globalOptions as { network?: string }).network;
  if (
    error instanceof KycError &&
    error.code === "CHAIN_REGISTRY_NOT_DEPLOYED" &&
    (network === undefined || network === "default")
  ) {
    return new KycError(
      error.code,
      `${error.message} (the in-process network starts empty for every command: run \`npx hardhat node\` and pass --network localhost)`,
      { exitCode: error.exitCode },
    );
  }
  return error;
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Prints a transaction line: what, hash and gas. */
export function txLine(what: string, outcome: { hash: string; gasUsed: bigint }): string {
  return `${what}: tx ${outcome.hash} (gas ${outcome.gasUsed})`;
}

/** Runs an operator command with the context of `hre`, adding the in-process hint to "not deployed" errors. */
export async function withOperatorContext<T>(
  hre: HardhatRuntimeEnvironment,
  fn: (ctx: OperatorContext) => Promise<T>,
): Promise<T> {
  try {
    return await fn(await operatorContext(hre));
  } catch (error) {
    throw explainInProcess(hre, error);
  }
}
