import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** A task action as `tasks/actions/**` export it. */
export type TaskActionFn<A> = (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>;

/** Runs a task action as Hardhat would, capturing stdout, stderr and the exit code it sets. */
export async function runAction<A>(action: TaskActionFn<A>, args: A, hre: HardhatRuntimeEnvironment) {
  const writeErr = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  const saved = process.exitCode;
  let stderr = "";
  let stdout = "";
  process.exitCode = undefined;
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array) => ((stderr += chunk.toString()), true);
  (process.stdout as { write: unknown }).write = (chunk: string | Uint8Array) => ((stdout += chunk.toString()), true);
  try {
    await action(args, hre);
    return { exitCode: process.exitCode as number | undefined, stderr, stdout };
  } finally {
    (process.stderr as { write: unknown }).write = writeErr;
    (process.stdout as { write: unknown }).write = writeOut;
    process.exitCode = saved;
  }
}
