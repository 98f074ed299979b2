import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { recordsVerifyCommand } from "../../../src/operator/commands/records.js";
import { toJson, withOperatorContext } from "./context.js";

interface Args {
  in: string | undefined;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    recordsVerifyCommand(ctx, { in: args.in, ...(args.registry !== undefined ? { registry: args.registry } : {}) }),
  );
  if (args.json) {
    console.log(toJson(r));
  } else {
    for (const c of r.checks) {
      const what = `#${c.attestationId} ${c.subject} ${c.commitment}`;
      console.log(c.match ? `match     ${what}` : `MISMATCH  ${what}: ${c.problem ?? ""}`);
    }
    console.log(
      `${r.matched} of ${r.checks.length} record(s) match their on-chain commitment (registry ${r.registry})`,
    );
  }
  // A record that does not match is a finding, not a usage error: exit 1 (errors exit 2).
  if (r.mismatched > 0) return 1;
});
