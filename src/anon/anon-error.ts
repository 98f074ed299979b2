import { KycError } from "../errors.js";

/** Stable codes of the errors the anonymous-proof module raises. */
export type AnonErrorCode =
  /** A value does not fit its type: a claims mask over 32 bits, a time over 64 bits, a negative number. */
  | "ANON_OUT_OF_RANGE"
  /** A public input (or the secret) is not below the BN254 scalar field order, so no circuit can take it. */
  | "ANON_OUT_OF_FIELD"
  /** The holder's leaf is not in the tree, or the path given does not lead to the tree's root. */
  | "ANON_NOT_A_MEMBER"
  /** The holder cannot prove the statement: claims lack a bit of the mask, or the leaf expired by `now`. */
  | "ANON_UNSATISFIABLE"
  /** The proof object is not a Groth16 proof over BN254 of this circuit (shape, protocol, number of signals). */
  | "ANON_MALFORMED_PROOF"
  /** A proof point is not on the BN254 curve (G1) or its twist (G2). */
  | "ANON_POINT_NOT_ON_CURVE"
  /**
   * The proof's root is not the root the verifier accepts: not in its list, or the registry's entry at the proof's
   * rootRef holds another root or nothing, is past its validUntil, closed (attester removed) or older than allowed.
   */
  | "ANON_WRONG_ROOT"
  /** The proof's claims mask, time, scope or signal differ from what the verifier expects. */
  | "ANON_STATEMENT_MISMATCH"
  /** The pairing check failed: the proof does not prove the public inputs it carries. */
  | "ANON_INVALID_PROOF"
  /** The development artifacts (wasm, zkey, verification key) have not been made. */
  | "ANON_ARTIFACTS_MISSING"
  /** Registry events out of order: an `AnonLeaf` that does not follow its `Attested` in the same transaction. */
  | "ANON_EVENT_ORDER"
  /** A card key (or person tag) already has another anonymous-proof commitment with this operator. */
  | "ANON_COMMITMENT_CONFLICT"
  /** The registry cannot be read (no contract, wrong ABI, RPC failure). */
  | "ANON_REGISTRY_UNREADABLE"
  /** A secret backup's passphrase is too short to protect the secret against guessing. */
  | "ANON_BACKUP_WEAK_PASSPHRASE"
  /** A secret backup does not open with this passphrase (or its key-derivation fields were altered). */
  | "ANON_BACKUP_WRONG_PASSPHRASE"
  /** A secret backup's ciphertext, tag or clear fields were altered: authenticated decryption failed. */
  | "ANON_BACKUP_TAMPERED"
  /** A secret backup file is not the backup format: not JSON, unknown format, a field missing or malformed. */
  | "ANON_BACKUP_MALFORMED"
  /** A secret backup decrypts, but Poseidon(secret) is not the commitment the file names. */
  | "ANON_BACKUP_COMMITMENT_MISMATCH"
  /** A secret backup file cannot be read or written (missing, exists already, no permission). */
  | "ANON_BACKUP_IO"
  /** A bad argument to the backup commands (a missing option, two different passphrases). */
  | "ANON_BACKUP_BAD_ARGUMENT"
  /** A bad argument to `kyc anon prove` / `verify` (a missing option, not an address, an unknown claim name). */
  | "ANON_BAD_ARGUMENT"
  /**
   * The root (or ref) to prove against is unknown, another attester's, overwritten in the attester's ring, past its
   * validUntil, closed by the attester's removal, or not the tree of the events; or the attester has no usable root.
   */
  | "ANON_ROOT_UNUSABLE"
  /** A proof file cannot be read or written, or is not the `jpki-kyc/anon-proof@2` format. */
  | "ANON_PROOF_FILE";

/** An error of the anonymous-proof module: bad input to the prover, or a proof the verifier refuses. */
export class AnonError extends KycError {
  declare readonly code: AnonErrorCode;

  constructor(code: AnonErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
