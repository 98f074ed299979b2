import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { serveCommand } from "../../../src/service/serve-command.js";
import { withOperatorContext } from "../operator/context.js";

interface Args {
  crl: string | undefined;
  caDir: string | undefined;
  registry: string | undefined;
  store: string | undefined;
  host: string;
  port: number;
  crlSyncMinutes: number;
  rateLimit: number;
  bodyLimit: number;
  concurrency: number;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const running = await withOperatorContext(hre, (ctx) =>
    serveCommand(ctx, {
      crl: args.crl,
      caDir: args.caDir,
      host: args.host,
      port: args.port,
      crlSyncMinutes: args.crlSyncMinutes,
      rateLimit: args.rateLimit,
      bodyLimit: args.bodyLimit,
      concurrency: args.concurrency,
      ...(args.registry !== undefined ? { registry: args.registry } : {}),
      ...(args.store !== undefined ? { store: args.store } : {}),
    }),
  );
  const r = running.service.reconciled;
  process.stderr.write(
    `operator service on ${running.url} (OpenAPI: ${running.url}/docs); pending rows settled at start-up: ` +
      `${r.activated} landed, ${r.failed} failed, ${r.stillPending} still pending. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.close();
});
