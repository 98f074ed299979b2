import { toBeHex } from "ethers";

import type { AnonCalldata } from "./anon-calldata.js";
import type { AnonProof } from "./anon-proof.js";
import { checkProofShape } from "./proof-shape.js";
import { decodePublicSignals, ANON_PUBLIC_SIGNAL_ORDER } from "./signals.js";

/**
 * The proof points and the signals a consumer contract takes (`KycAnonGated`: proof, rootRef, nullifierSignal) and the
 * four public signals for `AnonVerifier.verifyProof`. G2 coordinates are given [imaginary, real] (EIP-197).
 * @throws AnonError for a malformed proof, a point off the curve or a public signal out of the field.
 */
export function anonCalldata(proof: AnonProof): AnonCalldata {
  const p = checkProofShape(proof.proof);
  const signals = decodePublicSignals(proof.publicSignals);
  return {
    proof: [p.a[0], p.a[1], p.b[0][1], p.b[0][0], p.b[1][1], p.b[1][0], p.c[0], p.c[1]],
    root: toBeHex(signals.root, 32),
    nullifierSignal: signals.nullifierSignal,
    publicSignals: ANON_PUBLIC_SIGNAL_ORDER.map((name) => signals[name]),
  };
}
