import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { statusCommand } from "../../../src/operator/commands/admin.js";
import { toJson, withOperatorContext } from "./context.js";

interface Args {
  address: string;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    statusCommand(ctx, { address: args.address, ...(args.registry !== undefined ? { registry: args.registry } : {}) }),
  );
  if (args.json) {
    console.log(toJson(r));
    return;
  }
  console.log(`${r.account} on chain ${r.chainId} (registry ${r.registry})`);
  console.log(`  verified:   ${r.verified ? "yes" : "no"} (${r.status})`);
  if (r.status === "None") return;
  console.log(`  claims:     ${r.claims.join(", ")}${r.identityLevel ? " (identity level: person tag set)" : ""}`);
  console.log(`  expires:    ${r.expiresAt ?? "-"}`);
  console.log(`  attester:   ${r.attester} (last CRL sync ${r.attesterLastCrlSync ?? "never"})`);
  console.log(`  trust anchor: ${r.caId}, attested ${r.attestedAt ?? "-"}`);
  if (r.revokedAt !== null) console.log(`  revoked:    ${r.revokedAt} (${r.revocationReason})`);
});
