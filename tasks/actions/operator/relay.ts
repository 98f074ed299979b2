import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { relayCommand } from "../../../src/operator/commands/relay.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  in: string | undefined;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, (ctx) =>
    relayCommand(ctx, { in: args.in, ...(args.registry !== undefined ? { registry: args.registry } : {}) }),
  );
  console.log(
    args.json ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed }) : txLine("relayed attestBySig", outcome),
  );
});
