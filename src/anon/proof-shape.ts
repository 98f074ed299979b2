import { AnonError } from "./anon-error.js";
import { isOnG1, isOnG2 } from "./field.js";

/** The affine points of a Groth16 proof, checked to lie on BN254's G1 (a, c) and on its twist (b). */
export interface AnonProofPoints {
  readonly a: readonly [bigint, bigint];
  /** [[x.real, x.imaginary], [y.real, y.imaginary]] (snarkjs order). */
  readonly b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  readonly c: readonly [bigint, bigint];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function malformed(message: string): AnonError {
  return new AnonError("ANON_MALFORMED_PROOF", message);
}

function numbers(value: unknown, length: number, name: string): bigint[] {
  if (!Array.isArray(value) || value.length !== length) throw malformed(`${name} is not a list of ${length} numbers`);
  return value.map((v: unknown) => {
    if (typeof v !== "string" || !DECIMAL.test(v))
      throw malformed(`${name} holds a value that is not a decimal string`);
    return BigInt(v);
  });
}

/**
 * Checks that a value is a snarkjs Groth16 proof over BN254 whose points are on the curve, and returns its points.
 * @throws AnonError `ANON_MALFORMED_PROOF` (shape, protocol, curve, a point not in affine form z = 1),
 * `ANON_POINT_NOT_ON_CURVE` (a coordinate not below the base field order, or a point off the curve).
 */
export function checkProofShape(proof: unknown): AnonProofPoints {
  if (typeof proof !== "object" || proof === null) throw malformed("the proof is not an object");
  const p = proof as Record<string, unknown>;
  if (p.protocol !== "groth16") throw malformed("the proof is not a Groth16 proof");
  if (p.curve !== "bn128") throw malformed("the proof is not over BN254 (bn128)");
  const [ax, ay, az] = numbers(p.pi_a, 3, "pi_a") as [bigint, bigint, bigint];
  const [cx, cy, cz] = numbers(p.pi_c, 3, "pi_c") as [bigint, bigint, bigint];
  if (!Array.isArray(p.pi_b) || p.pi_b.length !== 3) throw malformed("pi_b is not a list of 3 pairs");
  const [bx, by, bz] = (p.pi_b as unknown[]).map((pair, i) => numbers(pair, 2, `pi_b[${i}]`)) as [
    [bigint, bigint],
    [bigint, bigint],
    [bigint, bigint],
  ];
  if (az !== 1n || cz !== 1n || bz[0] !== 1n || bz[1] !== 0n) throw malformed("a proof point is not in affine form");
  if (!isOnG1(ax, ay)) throw new AnonError("ANON_POINT_NOT_ON_CURVE", "pi_a is not a point of BN254 G1");
  if (!isOnG1(cx, cy)) throw new AnonError("ANON_POINT_NOT_ON_CURVE", "pi_c is not a point of BN254 G1");
  if (!isOnG2(bx, by)) throw new AnonError("ANON_POINT_NOT_ON_CURVE", "pi_b is not a point of BN254's twist (G2)");
  return { a: [ax, ay], b: [bx, by], c: [cx, cy] };
}
