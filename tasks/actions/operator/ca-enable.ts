import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { caSetEnabledCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  caId: number;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, (ctx) =>
    caSetEnabledCommand(ctx, {
      caId: args.caId,
      enable: true,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  console.log(
    args.json
      ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed })
      : txLine(`enabled trust anchor #${args.caId}`, outcome),
  );
});
