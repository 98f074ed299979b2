import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskAction } from "../../../src/cli/task-action.js";
import { roleCommand } from "../../../src/operator/commands/admin.js";
import { toJson, txLine, withOperatorContext } from "./context.js";

interface Args {
  account: string;
  role: string;
  registry: string | undefined;
  json: boolean;
}

/** The wording of one direction of a role change. */
interface RoleChangeWords {
  /** Past tense of the change, e.g. "granted". */
  readonly done: string;
  /** Why a no-op is one, e.g. "already holds". */
  readonly already: string;
}

const WORDS: Record<"grant" | "revoke", RoleChangeWords> = {
  grant: { done: "granted", already: "already holds" },
  revoke: { done: "revoked", already: "already lacks" },
};

/** The action of `kyc attester grant` / `kyc attester revoke`: one role change, reported as text or JSON. */
export function roleChangeAction(action: "grant" | "revoke") {
  const words = WORDS[action];
  return taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
    const outcome = await withOperatorContext(hre, (ctx) =>
      roleCommand(ctx, {
        action,
        account: args.account,
        role: args.role,
        ...(args.registry !== undefined ? { registry: args.registry } : {}),
      }),
    );
    if (args.json) {
      console.log(
        toJson(
          outcome === undefined ? { changed: false } : { changed: true, hash: outcome.hash, gasUsed: outcome.gasUsed },
        ),
      );
    } else if (outcome === undefined) {
      console.log(`nothing to do: ${args.account} ${words.already} the ${args.role} role`);
    } else {
      console.log(txLine(`${words.done} the ${args.role} role of ${args.account}`, outcome));
    }
  });
}
