import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { revokeCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  subject: string | undefined;
  reason: string;
  registry: string | undefined;
  store: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, (ctx) =>
    revokeCommand(ctx, {
      subject: args.subject,
      reason: args.reason,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
      ...(args.store !== undefined ? { store: args.store } : {}),
    }),
  );
  console.log(
    args.json ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed }) : txLine(`revoked ${args.subject}`, outcome),
  );
});
