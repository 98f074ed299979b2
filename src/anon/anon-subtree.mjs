// @ts-check
// Subtree roots of the operator's anonymous-proof tree over leaf INPUTS, with one circomlibjs Poseidon instance:
// shared by `anonTreeRootParallel` (anon-tree-parallel.ts, calling thread) and its worker (anon-tree-worker.mjs).
// Plain JavaScript so that a worker thread can load it without a TypeScript loader; types in anon-subtree.d.mts.
// Same tree as AnonTree.build: leaf = Poseidon(commitment, claims, expiresAt), 0 for a removed position, node =
// Poseidon(left, right), a missing right sibling at level l is the root of an empty subtree of height l.

/** @typedef {import("./anon-subtree.d.mts").AnonSubtreeHasher} AnonSubtreeHasher */
/** @typedef {import("circomlibjs").Poseidon} Poseidon */

/**
 * circomlibjs' `buildPoseidon`, importing only its Poseidon module when the package has the usual layout: the
 * package's entry point also loads ethers v5, the MiMC/EdDSA code and more, which costs a worker thread a second or
 * more. Falls back to the package entry point.
 * @returns {Promise<() => Promise<Poseidon>>}
 */
export async function importBuildPoseidon() {
  try {
    const module = await import(new URL("./src/poseidon_wasm.js", import.meta.resolve("circomlibjs")).href);
    if (typeof module.buildPoseidon === "function") return module.buildPoseidon;
  } catch {
    // another layout: the entry point below
  }
  return (await import("circomlibjs")).buildPoseidon;
}

/**
 * @param {Poseidon} poseidon
 * @returns {AnonSubtreeHasher}
 */
export function anonSubtreeHasher(poseidon) {
  const F = poseidon.F;
  // Field elements stay in circomlibjs' Montgomery byte form between hashes (no bigint round trip per node).
  /** @type {Uint8Array[]} zeros[l]: the root of an empty subtree of height l (0 is all zero bytes) */
  const zeros = [new Uint8Array(32)];
  const pair = new Uint8Array(64);
  const triple = new Uint8Array(96);
  /** claims and expiry repeat across leaves: their field form is kept */
  const small = new Map();

  /** @param {Uint8Array} left @param {Uint8Array} right */
  const node = (left, right) => {
    pair.set(left, 0);
    pair.set(right, 32);
    return poseidon(pair);
  };
  /** @param {number} l */
  const zero = (l) => {
    while (zeros.length <= l) {
      const below = /** @type {Uint8Array} */ (zeros[zeros.length - 1]);
      zeros.push(node(below, below));
    }
    return /** @type {Uint8Array} */ (zeros[l]);
  };
  /** @param {bigint} v */
  const repeated = (v) => {
    let e = small.get(v);
    if (e === undefined) {
      if (small.size >= 4096) small.clear();
      e = F.e(v);
      small.set(v, e);
    }
    return e;
  };
  /** @param {Uint8Array[]} layer @param {number} from @param {number} to */
  const up = (layer, from, to) => {
    for (let l = from; l < to; l++) {
      /** @type {Uint8Array[]} */
      const above = [];
      const z = zero(l);
      for (let i = 0; i < layer.length; i += 2)
        above.push(node(/** @type {Uint8Array} */ (layer[i]), layer[i + 1] ?? z));
      layer = above;
    }
    return F.toObject(layer[0] ?? zero(to));
  };

  return {
    leavesRoot(height, values, removed) {
      /** @type {Uint8Array[]} */
      const layer = [];
      for (let i = 0; i < removed.length; i++) {
        if (removed[i] === 1) {
          layer.push(zero(0));
          continue;
        }
        triple.set(F.e(/** @type {bigint} */ (values[3 * i])), 0);
        triple.set(repeated(/** @type {bigint} */ (values[3 * i + 1])), 32);
        triple.set(repeated(/** @type {bigint} */ (values[3 * i + 2])), 64);
        layer.push(poseidon(triple));
      }
      return up(layer, 0, height);
    },
    rootAbove(height, depth, roots) {
      return up(
        roots.map((r) => F.e(r)),
        height,
        depth,
      );
    },
  };
}
