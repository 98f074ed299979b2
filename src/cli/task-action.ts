import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { KycError } from "../errors.js";

/**
 * Wraps a task action so that a `KycError` (a user error) ends the command with a one-line message on stderr
 * and the error's exit code, instead of Hardhat's stack trace. Other errors are bugs and propagate unchanged.
 */
export function taskAction<A>(
  action: (args: A, hre: HardhatRuntimeEnvironment) => Promise<number | void>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<void> {
  return async (args, hre) => {
    try {
      const code = await action(args, hre);
      if (typeof code === "number" && code !== 0) process.exitCode = code;
    } catch (error) {
      if (!(error instanceof KycError)) throw error;
      process.stderr.write(`Error [${error.code}]: ${error.message}\n`);
      process.exitCode = error.exitCode;
    }
  };
}
