import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

/** Declarations of the `kyc` pki tasks; actions live in `tasks/actions/pki/`. */
export const pkiTasks: TaskDefinition[] = [
  task(["kyc", "dev-pki"], "Write a synthetic JPKI world (CAs, holders, keys, partitioned CRLs, manifest.json)")
    .addOption({
      name: "out",
      description: "Output folder",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({ name: "seed", description: "Deterministic seed", type: ArgumentType.INT, defaultValue: 1 })
    .addOption({ name: "holders", description: "Number of holders", type: ArgumentType.INT, defaultValue: 10 })
    .addOption({
      name: "now",
      description: "Reference time (ISO; default: start of the current UTC day)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/pki/dev-pki.js"))
    .build(),
  emptyTask(["kyc", "cert"], "Certificate tools").build(),
  task(["kyc", "cert", "inspect"], "Show a JPKI certificate's fields (DER or PEM)")
    .addPositionalArgument({ name: "file", description: "Certificate file" })
    .addFlag({ name: "json", description: "Print JSON" })
    .addFlag({ name: "showAttributes", description: "Also decode the signing certificate's personal attributes" })
    .setAction(() => import("./actions/pki/cert-inspect.js"))
    .build(),
  emptyTask(["kyc", "crl"], "CRL tools").build(),
  task(["kyc", "crl", "check"], "Check a certificate or serial against a CRL (exit 0 good, 1 revoked, 2 error)")
    .addOption({
      name: "crl",
      description: "CRL file or folder of partitioned CRLs",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "ca",
      description: "CA certificate that signs the CRL",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "cert",
      description: "Certificate to check",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "serial",
      description: "Serial number (hex) to check",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "at",
      description: "Time for the freshness check (ISO; default now)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./actions/pki/crl-check.js"))
    .build(),
];
