import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress, isAddress } from "ethers";

import { bindHolder } from "../../../src/binding/bind-holder.js";
import { BindingError } from "../../../src/binding/binding-error.js";
import { parseDisclose } from "../../../src/claims.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { readSecret } from "../../../src/card/read-secret.js";
import { taskAction } from "../../../src/cli/task-action.js";

interface BindArgs {
  registry: string | undefined;
  subject: string | undefined;
  attester: string | undefined;
  disclose: string;
  card: string;
  withSignCert: boolean;
  anonymous: boolean;
  anonBackup: string | undefined;
  anonBackupPassphraseEnv: string | undefined;
  out: string | undefined;
  deadlineMinutes: number;
  pinEnv: string | undefined;
  signPasswordEnv: string | undefined;
}

export default taskAction(async (args: BindArgs, hre: HardhatRuntimeEnvironment) => {
  for (const name of ["registry", "subject", "attester", "out"] as const) {
    if (args[name] === undefined) throw new BindingError("BINDING_BAD_ARGUMENT", `--${name} is required`);
  }
  if (!isAddress(args.subject))
    throw new BindingError("BINDING_BAD_ARGUMENT", `--subject ${args.subject} is not an address`);
  const disclose = parseDisclose(args.disclose);
  const { ethers } = await hre.network.create();
  const subject = getAddress(args.subject!);
  const accounts = (await ethers.getSigners()).map((s) => s.address);
  if (!accounts.includes(subject)) {
    throw new BindingError(
      "BINDING_WRONG_WALLET",
      `this network has no key for the subject ${subject}, and the subject must sign the binding: configure its ` +
        "account for the network (e.g. `npx hardhat keystore set`), or use the holder page with your browser wallet",
    );
  }
  const wallet = { signer: await ethers.getSigner(subject) };
  const card = await openCardSigner(args.card);
  try {
    await bindHolder({
      provider: ethers.provider,
      card,
      registry: args.registry!,
      subject: args.subject!,
      attester: args.attester!,
      wallet,
      disclose,
      deadlineMinutes: args.deadlineMinutes,
      withSignCert: args.withSignCert,
      anon: args.anonymous,
      ...(args.anonBackup !== undefined
        ? {
            anonBackup: {
              path: args.anonBackup,
              askPassphrase: () =>
                args.anonBackupPassphraseEnv === undefined && !process.stdin.isTTY
                  ? Promise.reject(
                      new BindingError(
                        "BINDING_BAD_ARGUMENT",
                        "no terminal to ask the backup passphrase on; use --anon-backup-passphrase-env",
                      ),
                    )
                  : readSecret("Backup passphrase: ", args.anonBackupPassphraseEnv),
            },
          }
        : {}),
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
