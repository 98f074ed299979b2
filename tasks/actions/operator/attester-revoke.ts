import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { roleCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  account: string;
  role: string;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, (ctx) =>
    roleCommand(ctx, {
      action: "revoke",
      account: args.account,
      role: args.role,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  if (args.json) {
    console.log(
      toJson(
        outcome === undefined ? { changed: false } : { changed: true, hash: outcome.hash, gasUsed: outcome.gasUsed },
      ),
    );
  } else if (outcome === undefined) {
    console.log(`nothing to do: ${args.account} already lacks the ${args.role} role`);
  } else {
    console.log(txLine(`revoked the ${args.role} role of ${args.account}`, outcome));
  }
});
