import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { revokeSelfCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, (ctx) =>
    revokeSelfCommand(ctx, args.registry !== undefined ? { registry: args.registry } : {}),
  );
  console.log(
    args.json ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed }) : txLine("withdrew the attestation", outcome),
  );
});
