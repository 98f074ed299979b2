/**
 * `jpki-kyc/sdk/anon`: verify a holder's anonymous proof in a dApp's front end or back end, off chain — the same check
 * a consumer contract makes on chain (see `circuits/README.md`). No Hardhat, no file access: the verification key is
 * the JSON the operator publishes (`snarkjs zkey export verificationkey`), checked with `checkVerificationKey`.
 *
 *     const vkey = checkVerificationKey(await (await fetch(url)).json());
 *     const signals = await verifyAnonProof(vkey, proof, { roots, claimsMask: 8n, scope, signal });
 *     // record signals.nullifier for this scope: one claim per person
 */
export type { AnonExpectation } from "../anon/anon-expectation.js";
export type { AnonProof } from "../anon/anon-proof.js";
export type { AnonPublicSignals } from "../anon/anon-public-signals.js";
export { AnonError, type AnonErrorCode } from "../anon/anon-error.js";
export {
  ANON_PUBLIC_SIGNAL_ORDER,
  decodePublicSignals,
  hashToField,
  signalOfAddress,
  signalOfMessage,
  unpackNullifierSignal,
} from "../anon/signals.js";
export { checkVerificationKey, type AnonVerificationKey } from "../anon/verification-key.js";
export { verifyAnonProof } from "../anon/verify.js";
