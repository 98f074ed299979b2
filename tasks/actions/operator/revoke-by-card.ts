import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { readSecret } from "../../../src/card/read-secret.js";
import { taskAction } from "../../../src/cli/task-action.js";
import { revokeByCardCommand } from "../../../src/operator/commands/revoke-by-card.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  card: string;
  subject: string | undefined;
  pinEnv: string | undefined;
  deadlineMinutes: number;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  const outcome = await withOperatorContext(hre, async (ctx) => {
    const card = await openCardSigner(args.card);
    try {
      return await revokeByCardCommand(ctx, {
        card,
        subject: args.subject,
        askPin: () => readSecret("Authentication PIN (4 digits): ", args.pinEnv),
        deadlineMinutes: args.deadlineMinutes,
        ...(args.registry !== undefined ? { registry: args.registry } : {}),
      });
    } finally {
      await card.close();
    }
  });
  console.log(
    args.json
      ? toJson({ hash: outcome.hash, gasUsed: outcome.gasUsed })
      : txLine(`revoked ${args.subject} with the card`, outcome),
  );
});
