import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { attestCommand } from "../../../src/operator/commands/attest.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  request: string | undefined;
  crl: string | undefined;
  caDir: string | undefined;
  relayOut: string | undefined;
  relayMinutes: number;
  registry: string | undefined;
  store: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const r = await withOperatorContext(hre, (ctx) =>
    attestCommand(ctx, {
      request: args.request,
      crl: args.crl,
      caDir: args.caDir,
      relayMinutes: args.relayMinutes,
      ...(args.relayOut !== undefined ? { relayOut: args.relayOut } : {}),
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
      ...(args.store !== undefined ? { store: args.store } : {}),
    }),
  );
  const summary = {
    mode: r.mode,
    subject: r.subject,
    claims: r.claimNames,
    caId: r.caId,
    expiryCap: new Date(Number(r.expiryCap) * 1000).toISOString(),
    identity: r.identity,
    reattestation: r.reattestation,
    storeId: r.storeId,
    ...(r.tx !== undefined ? { hash: r.tx.hash, gasUsed: r.tx.gasUsed } : {}),
    ...(r.relayFile !== undefined ? { relayFile: r.relayFile, relayDeadline: r.relay?.relayDeadline } : {}),
  };
  if (args.json) {
    console.log(toJson(summary));
    return;
  }
  console.log(`all checks passed for ${r.subject}: claims ${r.claimNames.join(", ")}, trust anchor #${r.caId}`);
  if (r.reattestation) {
    console.log(
      `re-attestation: ${r.subject} already holds an active record bound to this card key; the new attestation replaces it`,
    );
  }
  if (r.tx !== undefined) console.log(txLine("attested", r.tx));
  if (r.relayFile !== undefined) {
    console.log(
      `wrote the operator-signed relay file ${r.relayFile}; anyone can submit it with \`npx hardhat kyc relay --in ${r.relayFile}\``,
    );
  }
});
