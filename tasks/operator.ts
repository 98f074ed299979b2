import { emptyTask } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import { registryStoreTask, registryTask } from "./registry-task.js";

const caDirOption = {
  name: "caDir",
  description: "Folder of JPKI CA certificates (dev-pki: <dir>/ca)",
  type: ArgumentType.STRING_WITHOUT_DEFAULT,
  defaultValue: undefined,
} as const;

/** Declarations of the `kyc` operator tasks; actions live in `tasks/actions/operator/`. */
export const operatorTasks: TaskDefinition[] = [
  registryStoreTask(
    ["kyc", "attest"],
    "Operator: verify a proof request off-chain and attest it (or sign it for relay)",
  )
    .addOption({
      name: "request",
      description: "Proof request file from `kyc bind`",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "crl",
      description: "CRL file or folder (dev-pki: <dir>/crl)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption(caDirOption)
    .addOption({
      name: "relayOut",
      description: "Write an operator-signed relay file here instead of sending",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "relayMinutes",
      description: "Minutes the relay authorization stays valid",
      type: ArgumentType.INT,
      defaultValue: 1440,
    })
    .setAction(() => import("./actions/operator/attest.js"))
    .build(),
  registryTask(["kyc", "relay"], "Submit an operator-signed attestation (relay file) from the configured account")
    .addOption({
      name: "in",
      description: "Relay file from `kyc attest --relay-out`",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/operator/relay.js"))
    .build(),
  registryStoreTask(["kyc", "revoke"], "Revoker / attester: revoke an attestation")
    .addOption({
      name: "subject",
      description: "Address whose attestation is revoked",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "reason",
      description: "HolderRequest | CertificateInvalid | Superseded | Operator",
      defaultValue: "Operator",
    })
    .setAction(() => import("./actions/operator/revoke.js"))
    .build(),
  registryTask(["kyc", "revoke-self"], "Holder: withdraw the configured account's own attestation")
    .setAction(() => import("./actions/operator/revoke-self.js"))
    .build(),
  registryTask(
    ["kyc", "revoke-by-card"],
    "Holder: revoke an address's attestation with the bound card (lost wallet key)",
  )
    .addOption({
      name: "card",
      description: "virtual:<holder dir> | pcsc[:<reader>] | pkcs11[:<module>[:<slot>]]",
      defaultValue: "pkcs11",
    })
    .addOption({
      name: "subject",
      description: "Address whose attestation is revoked",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "pinEnv",
      description: "Take the authentication PIN from this environment variable",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "deadlineMinutes",
      description: "Minutes the card signature stays valid",
      type: ArgumentType.INT,
      defaultValue: 10,
    })
    .setAction(() => import("./actions/operator/revoke-by-card.js"))
    .build(),
  registryStoreTask(
    ["kyc", "crl-sync"],
    "Operator: act on CRL-listed certificates (burn card keys, drop signing claims), then record the heartbeat",
  )
    .addOption({
      name: "crl",
      description: "Folder of CRLs (dev-pki: <dir>/crl)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption(caDirOption)
    .addFlag({ name: "dryRun", description: "List what would be revoked or dropped; send nothing" })
    .addOption({
      name: "batchSize",
      description: "Entries per revokeInvalidKeys / dropSigningClaims transaction",
      type: ArgumentType.INT,
      defaultValue: 50,
    })
    .setAction(() => import("./actions/operator/crl-sync.js"))
    .build(),
  emptyTask(["kyc", "records"], "Operator: the verification records behind the on-chain record commitments").build(),
  registryStoreTask(
    ["kyc", "records", "export"],
    "Write the stored verification records, with their salts, for an auditor (JSON, mode 0600)",
  )
    .addOption({
      name: "subject",
      description: "Export this address's records",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({ name: "all", description: "Export every record of the registry" })
    .addOption({
      name: "out",
      description: "File to write",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/operator/records-export.js"))
    .build(),
  registryTask(
    ["kyc", "records", "verify"],
    "Check exported records against the Attested events' record commitments (exit 1 on a mismatch)",
  )
    .addOption({
      name: "in",
      description: "File from `kyc records export`",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/operator/records-verify.js"))
    .build(),
  registryTask(["kyc", "status"], "Anyone: the KYC status of an address")
    .addPositionalArgument({ name: "address", description: "Account to look up" })
    .setAction(() => import("./actions/operator/status.js"))
    .build(),
  emptyTask(["kyc", "ca"], "Admin: the registry's JPKI trust anchors").build(),
  registryTask(["kyc", "ca", "list"], "List the registry's trust anchors")
    .setAction(() => import("./actions/operator/ca-list.js"))
    .build(),
  registryTask(
    ["kyc", "ca", "add"],
    "Add a JPKI CA certificate as a trust anchor (pinned J-LIS CAs only, unless --synthetic)",
  )
    .addPositionalArgument({ name: "file", description: "CA certificate file (DER or PEM)" })
    .addFlag({ name: "synthetic", description: "Accept a synthetic (dev-pki) CA; never on mainnet" })
    .setAction(() => import("./actions/operator/ca-add.js"))
    .build(),
  registryTask(["kyc", "ca", "disable"], "Disable a trust anchor: every attestation under it reads as unverified")
    .addPositionalArgument({ name: "caId", description: "Trust anchor id", type: ArgumentType.INT })
    .setAction(() => import("./actions/operator/ca-disable.js"))
    .build(),
  registryTask(["kyc", "ca", "enable"], "Re-enable a disabled trust anchor")
    .addPositionalArgument({ name: "caId", description: "Trust anchor id", type: ArgumentType.INT })
    .setAction(() => import("./actions/operator/ca-enable.js"))
    .build(),
  registryTask(
    ["kyc", "dev-setup"],
    "Admin, development: register the CA folder's CAs as trust anchors and grant the attester role",
  )
    .addOption(caDirOption)
    .addOption({
      name: "attester",
      description: "Account to make an attester (default: the admin account itself)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./actions/operator/dev-setup.js"))
    .build(),
  emptyTask(["kyc", "attester"], "Admin: grant or revoke registry roles").build(),
  registryTask(["kyc", "attester", "grant"], "Grant a role (default: attester) to an account")
    .addPositionalArgument({ name: "account", description: "Account address" })
    .addOption({ name: "role", description: "attester | revoker | pauser | anchor-manager", defaultValue: "attester" })
    .setAction(() => import("./actions/operator/attester-grant.js"))
    .build(),
  registryTask(["kyc", "attester", "revoke"], "Revoke a role (default: attester) from an account")
    .addPositionalArgument({ name: "account", description: "Account address" })
    .addOption({ name: "role", description: "attester | revoker | pauser | anchor-manager", defaultValue: "attester" })
    .setAction(() => import("./actions/operator/attester-revoke.js"))
    .build(),
];
