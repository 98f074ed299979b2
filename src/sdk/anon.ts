/**
 * `jpki-kyc/sdk/anon`: verify a holder's anonymous proof in a dApp's front end or back end, off chain — the same check
 * a consumer contract's `claim(proof, rootRef, nullifierSignal)` makes on chain (see `circuits/README.md`). No
 * Hardhat, no file access: the verification key is the JSON the operator publishes (`snarkjs zkey export
 * verificationkey`), checked with `checkVerificationKey`; the root is read from the registry at the proof's `rootRef`.
 *
 *     const vkey = checkVerificationKey(await (await fetch(url)).json());
 *     const { signals } = await verifyAnonProofAtRef(vkey, proof, { provider, registry, rootRef, claimsMask: 8n, scope, signal });
 *     // record signals.nullifier for this scope: one claim per person
 */
export type { AnonExpectation } from "../anon/anon-expectation.js";
export type { AnonProof } from "../anon/anon-proof.js";
export type { AnonPublicSignals } from "../anon/anon-public-signals.js";
export type { AnonClaimArguments } from "../anon/anon-claim-arguments.js";
export type { AnonRefVerdict } from "../anon/anon-ref-verdict.js";
export type { AnonRootPublication } from "../anon/anon-root-publication.js";
export type { AnonRootState } from "../anon/anon-root-state.js";
export { AnonError, type AnonErrorCode } from "../anon/anon-error.js";
export { isUnpublished, readAnonRootPublications, readAnonRootState } from "../anon/published-roots.js";
export { ANON_ROOT_RING, describeRootRef } from "../anon/root-ring.js";
export {
  ANON_PUBLIC_SIGNAL_ORDER,
  ANON_ROOT_BITS,
  decodePublicSignals,
  hashToField,
  signalOfAddress,
  signalOfMessage,
  unpackNullifierSignal,
} from "../anon/signals.js";
export { checkVerificationKey, type AnonVerificationKey } from "../anon/verification-key.js";
export { verifyAnonProof } from "../anon/verify.js";
export { verifyAnonProofAtRef, type AnonRefCheck } from "../anon/verify-at-ref.js";
