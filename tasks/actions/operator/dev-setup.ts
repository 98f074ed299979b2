import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { devSetupCommand } from "../../../src/operator/commands/dev-setup.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  caDir: string | undefined;
  attester: string | undefined;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    devSetupCommand(ctx, {
      caDir: args.caDir,
      ...(args.attester !== undefined ? { attester: args.attester } : {}),
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
    }),
  );
  if (args.json) {
    console.log(toJson(r));
    return;
  }
  for (const t of r.transactions) console.log(txLine(t.what, t));
  console.log(`registry ${r.registry}: ${r.anchorsAdded.length} trust anchor(s) added; attester ${r.attester}`);
  console.log(
    "next: `npx hardhat kyc crl-sync --crl <dir> --ca-dir <dir>` from the attester records its first heartbeat",
  );
});
