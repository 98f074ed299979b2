import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

/** Declarations of the `kyc` card tasks; actions live in `tasks/actions/card/`. */
export const cardTasks: TaskDefinition[] = [
  task(
    ["kyc", "bind"],
    "Holder: have the wallet and the card sign a binding and write a proof request for the operator",
  )
    .addOption({
      name: "registry",
      description: "KycRegistry address",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "subject",
      description: "Wallet address that receives the attestation",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "attester",
      description: "The operator's attester address (named in the binding: no other operator can use it)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "disclose",
      description: "Claims you allow to be published besides auth: identity,age18,age20",
      defaultValue: "",
    })
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]]",
      defaultValue: "pkcs11",
    })
    .addFlag({
      name: "withSignCert",
      description: "Also include the signing certificate and a signature with the signing key (personal data)",
    })
    .addFlag({
      name: "anonymous",
      description: "Opt in to anonymous proofs: the card derives your secret; the binding carries its commitment",
    })
    .addOption({
      name: "anonBackup",
      description:
        "With --anonymous: take the secret from this backup (kyc anon backup) instead of the card (renewed card, smartphone)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "anonBackupPassphraseEnv",
      description: "Take the --anon-backup passphrase from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "out",
      description: "Proof request file to write",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "deadlineMinutes",
      description: "Minutes until the binding expires",
      type: ArgumentType.INT,
      defaultValue: 1440,
    })
    .addOption({
      name: "pinEnv",
      description: "Take the authentication PIN from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "signPasswordEnv",
      description: "Take the signing password from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/card/bind.js"))
    .build(),
  emptyTask(["kyc", "card"], "Card utilities").build(),
  task(["kyc", "card", "status"], "Check a card: reachable, authentication certificate fingerprint, PIN tries left")
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]]",
      defaultValue: "pkcs11",
    })
    .setAction(() => import("./actions/card/status.js"))
    .build(),
];
