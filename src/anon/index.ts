// Anonymous proofs: the holder proves membership of an attestation leaf with claims ⊇ mask, not expired, and
// reveals only a per-scope nullifier. See circuits/README.md for the statement.
export type { AnonArtifacts } from "./anon-artifacts-type.js";
export type { AnonCalldata } from "./anon-calldata.js";
export type { AnonClaimArguments } from "./anon-claim-arguments.js";
export type { AnonExpectation } from "./anon-expectation.js";
export type { AnonHasher } from "./anon-hasher.js";
export type { AnonHolder } from "./anon-holder.js";
export type { AnonLeafInput } from "./anon-leaf-input.js";
export type { AnonMerklePath } from "./anon-merkle-path.js";
export type { AnonProof } from "./anon-proof.js";
export type { AnonPublicSignals } from "./anon-public-signals.js";
export type { AnonStatement } from "./anon-statement.js";
export { AnonError, type AnonErrorCode } from "./anon-error.js";
export { ANON_TREE_DEPTH, AnonTree, rootFromPath } from "./anon-tree.js";
export {
  anonTreeRootParallel,
  type AnonTreeRootParallelOptions,
  type AnonTreeRootParallelReport,
} from "./anon-tree-parallel.js";
export { artifactsIn, devArtifacts, devArtifactsDir } from "./artifacts.js";
export { anonCalldata } from "./calldata.js";
export { releaseCurve } from "./curve.js";
export { BN254_BASE_FIELD, SNARK_SCALAR_FIELD } from "./field.js";
export { loadAnonHasher } from "./poseidon.js";
export { proveAnon } from "./prove.js";
export {
  ANON_NULLIFIER_BITS,
  ANON_ROOT_BITS,
  ANON_PUBLIC_SIGNAL_ORDER,
  ANON_SIGNAL_BITS,
  decodePublicSignals,
  hashToField,
  signalOfAddress,
  signalOfMessage,
  unpackNullifierSignal,
} from "./signals.js";
export { verifyAnonProof } from "./verify.js";
export { checkVerificationKey, type AnonVerificationKey } from "./verification-key.js";
export { loadVerificationKey } from "./verification-key-file.js";
export { anonWitnessInput, type AnonCircuitInput } from "./witness-input.js";
export type { AnonRegistryEvent } from "./registry-event.js";
export { AnonRegistryLeaves } from "./registry-leaves.js";
export {
  anonRegistryTreeRoot,
  type AnonRegistryTreeRoot,
  type AnonRegistryTreeRootOptions,
} from "./registry-tree-root.js";
export { readAnonRegistryEvents, type ReadAnonEventsOptions } from "./registry-events.js";
export { ANON_SECRET_MESSAGE, anonSecretDigest, anonSecretFromSignature, deriveAnonSecret } from "./holder-secret.js";
export { anonCommitmentConflict, type AnonCommitmentConflict } from "./commitment-lock.js";
export type { AnonSecretBackup } from "./anon-secret-backup.js";
export {
  ANON_BACKUP_MIN_PASSPHRASE_LENGTH,
  ANON_BACKUP_SCRYPT,
  ANON_SECRET_BACKUP_FORMAT,
  checkBackupPassphrase,
  createSecretBackup,
  openSecretBackup,
  parseSecretBackup,
  readSecretBackupFile,
  serializeSecretBackup,
  writeSecretBackupFile,
} from "./secret-backup.js";
export type { AnonHolderProof } from "./anon-holder-proof.js";
export type { AnonProofFile } from "./anon-proof-file.js";
export type { AnonProofFileVerdict } from "./anon-proof-file-verdict.js";
export type { AnonRefVerdict } from "./anon-ref-verdict.js";
export type { AnonRootPublication } from "./anon-root-publication.js";
export type { AnonRootState } from "./anon-root-state.js";
export { proveAsHolder, type AnonHolderProofRequest } from "./holder-proof.js";
export {
  ANON_PROOF_FILE_FORMAT,
  anonProofFile,
  calldataOfFile,
  parseAnonProofFile,
  proofOfFile,
  readAnonProofFile,
  serializeAnonProofFile,
  writeAnonProofFile,
} from "./proof-file.js";
export {
  parseAnonAddress,
  parseAnonClaims,
  parseAnonRoot,
  parseAnonRootRef,
  parseAnonScope,
  parseAnonSignal,
} from "./prove-arguments.js";
export { isUnpublished, readAnonRootPublications, readAnonRootState } from "./published-roots.js";
export { usableRootAt } from "./root-at-ref.js";
export { ANON_ROOT_RING, describeRootRef } from "./root-ring.js";
export { verifyAnonProofAtRef, type AnonRefCheck } from "./verify-at-ref.js";
export { verifyAnonProofFile, type AnonProofFileCheck } from "./verify-proof-file.js";
