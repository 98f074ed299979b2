import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import type { AnonPublicationStatus } from "../../../src/operator/anon-publication-status.js";
import { anonRefText } from "../../../src/operator/anon-publish-line.js";
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
    console.log(`  ${txLine(r.replaced === true ? "published (replaceAnonRoots)" : "published", r.publication)}`);
    const clamped = r.staleAt !== undefined && r.staleAt === r.validUntil ? " (the CRL heartbeat's deadline)" : "";
    console.log(
      `  published root ${r.publishedRoot} at ref ${anonRefText(r.publishedRef!)}, valid until ` +
        `${new Date(r.validUntil! * 1000).toISOString()}${clamped}`,
    );
  }
  for (const p of r.published) {
    const at = p.publishedAt === null ? "" : `published ${new Date(p.publishedAt * 1000).toISOString()}, `;
    const ended = p.validUntilNow !== null && p.validUntilNow !== 0 && p.validUntilNow < p.validUntil;
    const until =
      new Date(p.validUntil * 1000).toISOString() +
      (ended ? ` (ended at ${new Date(p.validUntilNow! * 1000).toISOString()})` : "");
    console.log(
      `  ref ${p.ref}: ${p.root} block ${p.blockNumber}, ${p.leafCount} position(s), ${at}valid until ${until}: ` +
        STATUS_TEXT[p.status],
    );
  }
});

const STATUS_TEXT: Record<AnonPublicationStatus, string> = {
  usable: "held, usable",
  expired: "held, NOT usable (past validUntil)",
  closed: "held, NOT usable (the attester was removed)",
  overwritten: "overwritten by a later publication",
};
