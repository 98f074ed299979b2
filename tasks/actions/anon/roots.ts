import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { anonRootsCommand } from "../../../src/operator/commands/anon.js";
import { toJson, txLine, withOperatorContext } from "../operator/context.js";

interface Args {
  attester: string | undefined;
  publish: boolean;
  validFor: number;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    anonRootsCommand(ctx, {
      publish: args.publish,
      validFor: args.validFor,
      ...(args.attester !== undefined ? { attester: args.attester } : {}),
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  if (args.json) {
    console.log(toJson(r));
    return;
  }
  console.log(`attester ${r.attester} on chain ${r.chainId} (registry ${r.registry})`);
  console.log(`  current tree: root ${r.currentTreeRoot}, ${r.leafCount} position(s), ${r.liveLeaves} live leaf(s)`);
  if (r.publication !== undefined) {
    console.log(`  ${txLine("published", r.publication)}`);
    console.log(`  published root ${r.publishedRoot}, valid until ${new Date(r.validUntil! * 1000).toISOString()}`);
  }
  for (const p of r.published) {
    const at = new Date(p.publishedAt * 1000).toISOString();
    const until = new Date(p.validUntil * 1000).toISOString();
    console.log(
      `  ${p.root} block ${p.blockNumber}, ${p.leafCount} position(s), last ${at}, valid until ${until}, ` +
        (p.usable ? "usable" : "NOT usable"),
    );
  }
});
