/**
 * The operator tooling's public API (for the Hardhat tasks, scripts such as the demo, and tests).
 *
 * Every command takes an {@link OperatorContext} `{ provider, signer?, projectRoot, readConfigVariable?, log? }`
 * built from any ethers provider/signer, and an arguments object mirroring the task's options.
 */
export { attestCommand, type AttestArgs } from "./commands/attest.js";
export { crlSyncCommand, type CrlSyncArgs } from "./commands/crl-sync.js";
export { relayCommand } from "./commands/relay.js";
export {
  recordsExportCommand,
  recordsVerifyCommand,
  type RecordsExportArgs,
  type RecordsVerifyArgs,
} from "./commands/records.js";
export { settleSubject, type ReconcileChain } from "./reconcile.js";
export { crlSyncChain, reconcileChain } from "./crl-sync-chain.js";
export { sealRecord, recordCommitment, type VerificationRecord } from "./records/verification-record.js";
export { devSetupCommand, type DevSetupResult } from "./commands/dev-setup.js";
export { revokeByCardCommand, type RevokeByCardArgs } from "./commands/revoke-by-card.js";
export {
  caAddCommand,
  caListCommand,
  caSetEnabledCommand,
  revokeCommand,
  revokeSelfCommand,
  roleCommand,
  statusCommand,
  type AnchorReport,
  type StatusReport,
} from "./commands/admin.js";
export {
  chainTime,
  connectRegistry,
  defaultStorePath,
  openStore,
  operatorSecret,
  OPERATOR_SECRET_VARIABLE,
  type OperatorContext,
} from "./commands/context.js";
export { attestProofRequest, checkProofRequest, type AttestResult, type ProofCheck } from "./attest.js";
export { attestReport, type AttestReport } from "./attest-report.js";
export { crlSync, type CrlSyncResult, type CrlPartition, type CrlSyncChain } from "./crl-sync.js";
export { loadCrls, type LoadedCrl } from "./crl-files.js";
export {
  admitCrlNumbers,
  crlsCovering,
  selectCrls,
  verifiedPartitions,
  type CrlProblem,
  type CrlSelection,
} from "./crl-selection.js";
export { assertNoPii, findPii, type PiiMaterial } from "../privacy/pii-guard.js";
export { PiiGuardError } from "../privacy/pii-guard-error.js";
export { piiFromCertificate } from "./pii-material.js";
export { deriveClaims, expiryCap, personTag, personTagCanonical, resolveOperatorSecret } from "./derive.js";
export { OperatorStore } from "./store/operator-store.js";
export { openOperatorStore, STORE_URL_VARIABLE } from "./store/open-store.js";
export { PostgresOperatorStore } from "./store/postgres-store.js";
export { OperatorError } from "./operator-error.js";
export { readRelayFile, writeRelayFile, type RelayFile } from "./relay-file.js";
export { reconcilePending } from "./reconcile.js";
export { RegistryClient, type TxOutcome } from "../chain/registry-client.js";
export { ChainError } from "../chain/chain-error.js";
export { resolveRegistryAddress, REGISTRY_FUTURE_ID } from "../chain/deployment.js";
