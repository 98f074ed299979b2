import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { anonPublishLine, anonRefusalLine } from "../../../src/operator/anon-publish-line.js";
import { attestReport } from "../../../src/operator/attest-report.js";
import { attestCommand } from "../../../src/operator/commands/attest.js";
import { toJson, withOperatorContext } from "./context.js";

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
  const report = attestReport(r);
  if (args.json) {
    console.log(toJson(report.summary));
  } else {
    for (const line of report.lines) console.log(line);
    if (r.anonRoot !== undefined) console.log(anonPublishLine(r.anonRoot));
  }
  // the attestation is on chain; the root publication was refused (stale CRL heartbeat): the operator must act
  if (r.anonRootRefused !== undefined) {
    console.error(anonRefusalLine(r.anonRootRefused));
    return 2;
  }
});
