/** The BN254 scalar field order r: circuit signals and public inputs are integers in [0, r). */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** The BN254 base field order q: coordinates of curve points are integers in [0, q). */
export const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const q = BN254_BASE_FIELD;

function mod(a: bigint): bigint {
  const r = a % q;
  return r < 0n ? r + q : r;
}

function inverse(a: bigint): bigint {
  // Fermat: a^(q-2) mod q.
  let result = 1n;
  let base = mod(a);
  let exp = q - 2n;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % q;
    base = (base * base) % q;
    exp >>= 1n;
  }
  return result;
}

type Fq2 = readonly [bigint, bigint];

function mul2(a: Fq2, b: Fq2): Fq2 {
  // (a0 + a1 u)(b0 + b1 u) with u^2 = -1.
  return [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])];
}

/** b' = 3 / (9 + u), the constant of the twist E'(Fq2): y^2 = x^3 + b'. */
const TWIST_B: Fq2 = (() => {
  const inv82 = inverse(82n); // 1 / (9^2 + 1^2)
  return [mod(27n * inv82), mod(-3n * inv82)];
})();

/** True when (x, y) is an affine point of G1: both coordinates below q and y^2 = x^3 + 3. */
export function isOnG1(x: bigint, y: bigint): boolean {
  if (x < 0n || y < 0n || x >= q || y >= q) return false;
  return mod(y * y) === mod(x * x * x + 3n);
}

/**
 * True when ((x0 + x1 u), (y0 + y1 u)) is an affine point of the twist E'(Fq2): y^2 = x^3 + 3/(9 + u).
 * Subgroup membership is left to the pairing (snarkjs off chain, the EIP-197 precompile on chain).
 */
export function isOnG2(x: Fq2, y: Fq2): boolean {
  if ([...x, ...y].some((c) => c < 0n || c >= q)) return false;
  const lhs = mul2(y, y);
  const x3 = mul2(mul2(x, x), x);
  const rhs: Fq2 = [mod(x3[0] + TWIST_B[0]), mod(x3[1] + TWIST_B[1])];
  return lhs[0] === rhs[0] && lhs[1] === rhs[1];
}
