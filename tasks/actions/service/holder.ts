import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { createHolderServer } from "../../../src/holder/holder-server.js";

interface Args {
  operator: string;
  card: string;
  port: number;
  deadlineMinutes: number;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const { ethers } = await hre.network.create();
  const [relayer] = await ethers.getSigners();
  const app = await createHolderServer({
    provider: ethers.provider,
    card: args.card,
    operatorUrl: args.operator,
    projectRoot: hre.config.paths.root,
    deadlineMinutes: args.deadlineMinutes,
    ...(relayer !== undefined ? { relayer } : {}),
  });
  await app.listen({ host: "127.0.0.1", port: args.port });
  process.stderr.write(
    `holder page: open http://localhost:${args.port}/ in the browser that has your wallet (card: ${args.card}). ` +
      "Ctrl-C stops it.\n",
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await app.close();
});
