import type { AnonCalldata } from "./anon-calldata.js";
import type { AnonProof } from "./anon-proof.js";
import { checkProofShape } from "./proof-shape.js";
import { decodePublicSignals, ANON_PUBLIC_SIGNAL_ORDER } from "./signals.js";

/**
 * The arguments of the Solidity verifier's `verifyProof` for a proof (what `snarkjs zkey export soliditycalldata`
 * prints, as bigints): G2 coordinates are swapped to [imaginary, real].
 * @throws AnonError for a malformed proof, a point off the curve or a public signal out of the field.
 */
export function anonCalldata(proof: AnonProof): AnonCalldata {
  const p = checkProofShape(proof.proof);
  const signals = decodePublicSignals(proof.publicSignals);
  return {
    pA: [p.a[0], p.a[1]],
    pB: [
      [p.b[0][1], p.b[0][0]],
      [p.b[1][1], p.b[1][0]],
    ],
    pC: [p.c[0], p.c[1]],
    pubSignals: ANON_PUBLIC_SIGNAL_ORDER.map((name) => signals[name]),
  };
}
