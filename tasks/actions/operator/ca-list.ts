import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { caListCommand } from "../../../src/operator/commands/admin.js";
import { toJson, withOperatorContext } from "./context.js";

interface Args {
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const anchors = await withOperatorContext(hre, (ctx) =>
    caListCommand(ctx, args.registry !== undefined ? { registry: args.registry } : {}),
  );
  if (args.json) {
    console.log(toJson(anchors));
    return;
  }
  if (anchors.length === 0) console.log("no trust anchors");
  for (const a of anchors) {
    const state = a.enabled ? (a.current ? "enabled" : "enabled, outside validity") : "DISABLED";
    console.log(
      `#${a.caId} ${a.kind.padEnd(14)} ${state.padEnd(26)} ${a.notBefore ?? "-"} .. ${a.notAfter ?? "-"} key ${a.keyHash}`,
    );
  }
});
