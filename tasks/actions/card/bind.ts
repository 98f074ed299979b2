import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { bindHolder } from "../../../src/binding/bind-holder.js";
import { BindingError } from "../../../src/binding/binding-error.js";
import { parseDisclose } from "../../../src/claims.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { readSecret } from "../../../src/card/read-secret.js";
import { taskAction } from "../../../src/cli/task-action.js";

interface BindArgs {
  registry: string | undefined;
  subject: string | undefined;
  disclose: string;
  card: string;
  withSignCert: boolean;
  out: string | undefined;
  deadlineMinutes: number;
  pinEnv: string | undefined;
  signPasswordEnv: string | undefined;
}

export default taskAction(async (args: BindArgs, hre: HardhatRuntimeEnvironment) => {
  for (const name of ["registry", "subject", "out"] as const) {
    if (args[name] === undefined) throw new BindingError("BINDING_BAD_ARGUMENT", `--${name} is required`);
  }
  const disclose = parseDisclose(args.disclose);
  const { ethers } = await hre.network.create();
  const card = await openCardSigner(args.card);
  try {
    await bindHolder({
      provider: ethers.provider,
      card,
      registry: args.registry!,
      subject: args.subject!,
      disclose,
      deadlineMinutes: args.deadlineMinutes,
      withSignCert: args.withSignCert,
      out: args.out!,
      askPin: (key, left) => {
        const tries = left === undefined ? "" : ` (${left} ${left === 1 ? "try" : "tries"} left)`;
        return key === "auth"
          ? readSecret(`Authentication PIN (4 digits)${tries}: `, args.pinEnv)
          : readSecret(`Signing password${tries}: `, args.signPasswordEnv);
      },
      print: (line) => console.log(line),
    });
  } finally {
    await card.close();
  }
});
