import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { caSetEnabledCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  caId: number;
  registry: string | undefined;
  json: boolean;
}

/** The action of `kyc ca enable` / `kyc ca disable`: switch one trust anchor, reported as text or JSON. */
export function caSetEnabledAction(enable: boolean) {
  return taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
    const outcome = await withOperatorContext(hre, (ctx) =>
      caSetEnabledCommand(ctx, {
        caId: args.caId,
        enable,
        ...(args.registry !== undefined ? { registry: args.registry } : {}),
      }),
    );
    console.log(
      args.json
        ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed })
        : txLine(`${enable ? "enabled" : "disabled"} trust anchor #${args.caId}`, outcome),
    );
  });
}
