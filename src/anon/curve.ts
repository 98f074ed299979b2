/**
 * snarkjs keeps one BN254 curve object (with worker threads) per process in `globalThis.curve_bn128`; while it
 * lives, Node does not exit. Call this when a process is done with proving and verifying.
 */
export async function releaseCurve(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  const curve = holder.curve_bn128;
  if (curve !== undefined && curve !== null) {
    holder.curve_bn128 = null;
    await curve.terminate();
  }
}
