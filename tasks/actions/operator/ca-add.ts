import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { caAddCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  file: string;
  synthetic: boolean;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    caAddCommand(ctx, {
      file: args.file,
      synthetic: args.synthetic,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  if (args.json)
    console.log(
      toJson({ caId: r.caId, kind: r.kind, keyHash: r.keyHash, hash: r.outcome.hash, gasUsed: r.outcome.gasUsed }),
    );
  else console.log(txLine(`added trust anchor #${r.caId} (${r.kind})`, r.outcome));
});
