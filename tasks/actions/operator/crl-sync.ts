import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { anonPublishLine, anonRefusalLine } from "../../../src/operator/anon-publish-line.js";
import { taskAction } from "../../../src/cli/task-action.js";
import { crlSyncCommand } from "../../../src/operator/commands/crl-sync.js";
import { ProgressBar } from "../../../src/operator/progress-bar.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  crl: string | undefined;
  caDir: string | undefined;
  dryRun: boolean;
  batchSize: number;
  registry: string | undefined;
  store: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const bar = new ProgressBar();
  let phase = "";
  const r = await withOperatorContext(hre, (ctx) =>
    crlSyncCommand(ctx, {
      crl: args.crl,
      caDir: args.caDir,
      dryRun: args.dryRun,
      batchSize: args.batchSize,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
      ...(args.store !== undefined ? { store: args.store } : {}),
      onProgress: (p, done, total) => {
        if (phase !== "" && phase !== p) bar.finish();
        phase = p;
        bar.update(p === "scan" ? "checking certificates" : "sending batches", done, total, done === total);
      },
    }),
  ).finally(() => bar.finish());
  if (args.json) {
    console.log(toJson(r));
  } else {
    if (r.reconciled !== undefined) {
      const { activated, failed, stillPending } = r.reconciled;
      if (activated + failed + stillPending > 0) {
        console.log(`pending attestations: ${activated} landed, ${failed} failed, ${stillPending} still pending`);
      }
    }
    console.log(
      `checked ${r.checkedCertificates} certificate(s) in ${r.checkedPartitions} CRL partition(s); ${r.listed.length} attestation(s) listed`,
    );
    for (const l of r.listed) {
      const what = l.action === "revoke" ? "revoke (card key burned)" : "drop the signing claims of";
      console.log(`  ${args.dryRun ? `would ${what}` : what} ${l.subject}${l.resumed ? " (resumed)" : ""}`);
    }
    for (const b of r.batches) {
      const changed = b.kind === "revokeInvalidKeys" ? "revoked" : "changed";
      console.log(`  ${txLine(`${b.kind} of ${b.size} (${b.changed} ${changed})`, b)}`);
    }
    if (r.alreadyRevoked > 0) console.log(`  ${r.alreadyRevoked} already revoked on chain`);
    for (const d of r.claimsDropped) {
      const how = d.how === "sent" ? "dropped" : d.how === "already" ? "already dropped" : "none to drop";
      console.log(`  ${d.subject}: signing claims ${how}; record stays active with claims ${d.claims}`);
    }
    for (const u of r.unsettled) console.log(`  ${u.subject}: NOT settled (row #${u.attestationId}): ${u.why}`);
    for (const n of r.notActive) console.log(`  ${n.subject}: no longer active on chain (${n.status})`);
    for (const x of r.replaced) {
      console.log(`  ${x.subject}: re-attested by another attester or card on chain; row #${x.attestationId} closed`);
    }
    for (const m of r.missingPartitions) {
      console.log(
        `  MISSING CRL for partition ${m.partition} of CA ${m.issuerKeyId} (${m.count} active certificate(s))`,
      );
    }
    if (r.heartbeat !== undefined) console.log(txLine("recorded the CRL-sync heartbeat", r.heartbeat));
    else if (!r.dryRun) console.log("the heartbeat was NOT recorded (incomplete sync)");
    if (r.anonRoot !== undefined) console.log(anonPublishLine(r.anonRoot));
  }
  if (r.anonRootRefused !== undefined) console.error(anonRefusalLine(r.anonRootRefused));
  // An incomplete sync is a failure for cron: non-zero exit; so is a root publication refused for a stale heartbeat.
  if (!r.dryRun && r.heartbeat === undefined) return 5;
  if (r.anonRootRefused !== undefined) return 2;
});
