import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import { registryTask } from "./registry-task.js";

/** Declarations of the `kyc anon` tasks (anonymous-proof roots); actions live in `tasks/actions/anon/`. */
export const anonTasks: TaskDefinition[] = [
  emptyTask(["kyc", "anon"], "Anonymous proofs: the operator's tree of opted-in attestations and its roots").build(),
  task(
    ["kyc", "anon", "backup"],
    "Holder: derive your anonymous-proof secret with the card and write an encrypted backup",
  )
    .addOption({
      name: "out",
      description: "Backup file to write (mode 0600, never overwritten)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]]",
      defaultValue: "pkcs11",
    })
    .addOption({
      name: "pinEnv",
      description: "Take the authentication PIN from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "passphraseEnv",
      description: "Take the backup passphrase from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/anon/backup.js"))
    .build(),
  registryTask(
    ["kyc", "anon", "roots"],
    "Rebuild an attester's tree from the registry's events, list its published roots (--publish: publish the current one)",
  )
    .addOption({
      name: "attester",
      description: "The attester whose tree to rebuild (default: the network's account)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({
      name: "publish",
      description: "Send publishAnonRoot(Poseidon(tree root, validUntil), validUntil, leaf count) as the attester",
    })
    .addOption({
      name: "validFor",
      description:
        "With --publish: seconds the root may be used (validUntil = now + this, at most 604800 and at most the CRL heartbeat's deadline)",
      type: ArgumentType.INT,
      defaultValue: 86_400,
    })
    .setAction(() => import("./actions/anon/roots.js"))
    .build(),
  registryTask(
    ["kyc", "anon", "check-root"],
    "Check a published root: rebuild its attester's tree from the events before its publication and compare",
  )
    .addOption({
      name: "root",
      description: "The published root (0x, 32 bytes)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "lookbackBlocks",
      description: "Also try the trees at the ends of this many blocks before the publication",
      type: ArgumentType.INT,
      defaultValue: 4,
    })
    .setAction(() => import("./actions/anon/check-root.js"))
    .build(),
  registryTask(
    ["kyc", "anon", "prove"],
    "Holder: prove claims anonymously against an attester's published root and write proof.json",
  )
    .addOption({
      name: "scope",
      description: "The consumer's scope, decimal or 0x-hex (e.g. AnonAgeGatedAirdrop.ANON_SCOPE())",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "signal",
      description: "What the proof is bound to: a recipient 0x address, or a message",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "claims",
      description: "Claims to show, e.g. age20 or AGE_20,AGE_18",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "attester",
      description: "The operator that attested your opted-in binding (publishes the roots)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "root",
      description: "A published root (0x, 32 bytes; default: the attester's latest usable root)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "rootRef",
      description: "The ref of a publication (AnonRootPublished.ref): prove against the root held there",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]] (derives your secret)",
      defaultValue: "pkcs11",
    })
    .addOption({
      name: "pinEnv",
      description: "Take the authentication PIN from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "anonBackup",
      description: "Take the secret from this backup (kyc anon backup) instead of the card",
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
      name: "artifacts",
      description: "Folder with anon.wasm and anon.zkey (a ceremony's export; default: the development setup)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "lookbackBlocks",
      description: "Also try the trees at the ends of this many blocks before the root's publication",
      type: ArgumentType.INT,
      defaultValue: 4,
    })
    .addOption({
      name: "out",
      description: "Proof file to write (never overwritten)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/anon/prove.js"))
    .build(),
  registryTask(
    ["kyc", "anon", "verify"],
    "Check a proof file off chain against the root its rootRef holds in the registry now (exit 1 when invalid)",
  )
    .addOption({
      name: "proof",
      description: "The proof file (kyc anon prove --out)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "scope",
      description: "Require this scope (default: the file's)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "signal",
      description: "Require this signal: a 0x address or a message (default: the file's)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "claims",
      description: "Require exactly these claims, e.g. age20 (default: the file's)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "artifacts",
      description: "Folder with verification_key.json (a ceremony's export; default: the development setup)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/anon/verify.js"))
    .build(),
];
