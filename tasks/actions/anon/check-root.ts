import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { anonCheckRootCommand } from "../../../src/operator/commands/anon.js";
import { toJson, withOperatorContext } from "../operator/context.js";

interface Args {
  root: string | undefined;
  lookbackBlocks: number;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    anonCheckRootCommand(ctx, {
      root: args.root,
      lookbackBlocks: args.lookbackBlocks,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  if (args.json) {
    console.log(toJson(r));
  } else {
    const where = `${r.root} (attester ${r.attester}, block ${r.publishedInBlock}, ref ${r.ref}: ${r.status})`;
    if (r.matches) {
      console.log(`${where} matches the events up to block ${r.matchedAtBlock}`);
    } else {
      console.log(
        `${where} does NOT match: the events give tree root ${r.rebuiltTreeRoot}, whose root with validUntil ` +
          `${r.validUntil} differs`,
      );
    }
  }
  if (!r.matches) process.exitCode = 1;
});
