import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { recordsExportCommand } from "../../../src/operator/commands/records.js";
import { toJson, withOperatorContext } from "./context.js";

interface Args {
  subject: string | undefined;
  all: boolean;
  out: string | undefined;
  registry: string | undefined;
  store: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    recordsExportCommand(ctx, {
      out: args.out,
      all: args.all,
      ...(args.subject !== undefined ? { subject: args.subject } : {}),
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
      ...(args.store !== undefined ? { store: args.store } : {}),
    }),
  );
  if (args.json) console.log(toJson(r));
  else console.log(`wrote ${r.count} verification record(s) of registry ${r.registry} to ${r.out} (mode 0600)`);
});
