import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import { registryStoreTask } from "./registry-task.js";

/** Declarations of the `kyc serve` (operator service) and `kyc holder` (holder page) tasks; actions in `actions/service/`. */
export const serviceTasks: TaskDefinition[] = [
  registryStoreTask(
    ["kyc", "serve"],
    "Operator: run the HTTP service (proof requests, status, health, metrics, admin; OpenAPI at /docs)",
  )
    .addOption({
      name: "crl",
      description: "CRL file or folder (dev-pki: <dir>/crl)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "caDir",
      description: "Folder of JPKI CA certificates (dev-pki: <dir>/ca)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({ name: "host", description: "Address to listen on", defaultValue: "127.0.0.1" })
    .addOption({ name: "port", description: "Port to listen on", type: ArgumentType.INT, defaultValue: 8787 })
    .addOption({
      name: "crlSyncMinutes",
      description: "Minutes between the scheduled crl-sync runs (0: off)",
      type: ArgumentType.INT,
      defaultValue: 1440,
    })
    .addOption({
      name: "rateLimit",
      description: "Holder requests per client and minute",
      type: ArgumentType.INT,
      defaultValue: 60,
    })
    .addOption({
      name: "bodyLimit",
      description: "Largest request body in bytes",
      type: ArgumentType.INT,
      defaultValue: 32768,
    })
    .addOption({
      name: "concurrency",
      description: "Attestations sent at once (1 for a local-key account; more for a node-managed one)",
      type: ArgumentType.INT,
      defaultValue: 1,
    })
    .setAction(() => import("./actions/service/serve.js"))
    .build(),
  task(["kyc", "holder"], "Holder: open the local page that binds your wallet with your My Number Card")
    .addOption({
      name: "operator",
      description: "The operator service's URL",
      defaultValue: "http://127.0.0.1:8787",
    })
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]]",
      defaultValue: "pkcs11",
    })
    .addOption({ name: "port", description: "Local port of the page", type: ArgumentType.INT, defaultValue: 8790 })
    .addOption({
      name: "deadlineMinutes",
      description: "Minutes the binding stays valid",
      type: ArgumentType.INT,
      defaultValue: 30,
    })
    .setAction(() => import("./actions/service/holder.js"))
    .build(),
];
