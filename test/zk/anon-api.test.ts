// The TypeScript prover/verifier API (src/anon): tree, witness input, prove, verify, calldata, typed errors.
import { expect } from "chai";
import { groth16 } from "snarkjs";

import {
  ANON_TREE_DEPTH,
  AnonError,
  AnonTree,
  BN254_BASE_FIELD,
  SNARK_SCALAR_FIELD,
  anonCalldata,
  anonWitnessInput,
  decodePublicSignals,
  hashToField,
  loadVerificationKey,
  proveAnon,
  releaseCurve,
  rootFromPath,
  verifyAnonProof,
  type AnonArtifacts,
  type AnonProof,
  type AnonVerificationKey,
} from "../../src/anon/index.js";
import { CLAIMS, NOW, anonArtifacts, anonWorld, type AnonWorld } from "./helpers/anon-fixture.js";

function caught(run: () => unknown): AnonError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(AnonError);
    return error as AnonError;
  }
  expect.fail("no AnonError thrown");
}

async function rejected(promise: Promise<unknown>): Promise<AnonError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(AnonError);
    return error as AnonError;
  }
  expect.fail("no AnonError thrown");
}

/** A copy of a proof with one change applied to a deep copy of the snarkjs object. */
function tampered(proof: AnonProof, change: (p: { proof: any; publicSignals: string[] }) => void): AnonProof {
  const copy = JSON.parse(JSON.stringify(proof)) as { proof: any; publicSignals: string[] };
  change(copy);
  return copy as AnonProof;
}

describe("anon API", function () {
  let w: AnonWorld;

  before(async function () {
    w = await anonWorld();
  });

  after(releaseCurve);

  describe("AnonTree", function () {
    it("gives every position a path to the root, with zero-filled empty positions", function () {
      for (let i = 0; i < w.tree.size; i++) {
        const path = w.tree.path(i);
        expect(path.siblings).to.have.length(ANON_TREE_DEPTH);
        expect(rootFromPath(w.hasher, w.tree.leaf(i), path)).to.equal(w.tree.root);
      }
      // An empty tree's root is the 20-fold hash of zero leaves; a tree with one zero leaf has the same root.
      let zero = 0n;
      for (let l = 0; l < ANON_TREE_DEPTH; l++) zero = w.hasher.node(zero, zero);
      expect(AnonTree.build(w.hasher, []).root).to.equal(zero);
      expect(AnonTree.build(w.hasher, [0n]).root).to.equal(zero);
    });

    it("changes its root when a leaf is removed (set to 0)", function () {
      const leaves = Array.from({ length: w.tree.size }, (_, i) => w.tree.leaf(i));
      leaves[5] = 0n;
      expect(AnonTree.build(w.hasher, leaves).root).to.not.equal(w.tree.root);
    });

    it("updates one leaf (replace, remove, append) to the root a full rebuild gives", function () {
      const leaves = Array.from({ length: w.tree.size }, (_, i) => w.tree.leaf(i));
      const replaced = w.tree.withLeaf(3, 42n);
      expect(replaced.root).to.equal(AnonTree.build(w.hasher, leaves.with(3, 42n)).root);
      expect(w.tree.leaf(3), "the original tree is unchanged").to.equal(leaves[3]);
      expect(replaced.withLeaf(5, 0n).root).to.equal(AnonTree.build(w.hasher, leaves.with(3, 42n).with(5, 0n)).root);
      const appended = w.tree.withLeaf(w.tree.size, 7n);
      expect(appended.size).to.equal(w.tree.size + 1);
      expect(appended.root).to.equal(AnonTree.build(w.hasher, [...leaves, 7n]).root);
      expect(rootFromPath(w.hasher, 7n, appended.path(w.tree.size))).to.equal(appended.root);
      expect(caught(() => w.tree.withLeaf(w.tree.size + 1, 1n)).code).to.equal("ANON_OUT_OF_RANGE");
      expect(caught(() => w.tree.withLeaf(0, SNARK_SCALAR_FIELD)).code).to.equal("ANON_OUT_OF_FIELD");
    });

    it("refuses leaves outside the field, more than 2^20 leaves, and a path past the end", function () {
      expect(caught(() => AnonTree.build(w.hasher, [SNARK_SCALAR_FIELD])).code).to.equal("ANON_OUT_OF_FIELD");
      const tooMany = new Array<bigint>(2 ** ANON_TREE_DEPTH + 1).fill(0n);
      expect(caught(() => AnonTree.build(w.hasher, tooMany)).code).to.equal("ANON_OUT_OF_RANGE");
      expect(caught(() => w.tree.path(w.tree.size)).code).to.equal("ANON_NOT_A_MEMBER");
    });
  });

  describe("anonWitnessInput", function () {
    it("refuses a holder whose leaf is not in the tree, or a tree of another root", function () {
      const stranger = { ...w.alice, secret: 999n };
      expect(caught(() => anonWitnessInput(w.hasher, w.tree, stranger, w.statement)).code).to.equal(
        "ANON_NOT_A_MEMBER",
      );
      const other = { ...w.statement, root: w.statement.root + 1n };
      expect(caught(() => anonWitnessInput(w.hasher, w.tree, w.alice, other)).code).to.equal("ANON_NOT_A_MEMBER");
    });

    it("refuses a statement the holder cannot prove: a missing claim bit, an expired leaf", function () {
      const e1 = caught(() => anonWitnessInput(w.hasher, w.tree, w.bob, w.statement));
      expect(e1.code).to.equal("ANON_UNSATISFIABLE");
      const e2 = caught(() => anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, now: w.alice.expiresAt }));
      expect(e2.code).to.equal("ANON_UNSATISFIABLE");
    });

    it("refuses values outside their types and the field", function () {
      const cases: [Partial<typeof w.statement>, string][] = [
        [{ claimsMask: 2n ** 32n }, "ANON_OUT_OF_RANGE"],
        [{ claimsMask: -1n }, "ANON_OUT_OF_RANGE"],
        [{ now: 2n ** 64n }, "ANON_OUT_OF_RANGE"],
        [{ scope: SNARK_SCALAR_FIELD }, "ANON_OUT_OF_FIELD"],
        [{ signalHash: SNARK_SCALAR_FIELD + 5n }, "ANON_OUT_OF_FIELD"],
      ];
      for (const [change, code] of cases) {
        const e = caught(() => anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, ...change }));
        expect(
          e.code,
          JSON.stringify(change, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
        ).to.equal(code);
      }
      const e = caught(() => anonWitnessInput(w.hasher, w.tree, { ...w.alice, claims: 2n ** 32n }, w.statement));
      expect(e.code).to.equal("ANON_OUT_OF_RANGE");
    });
  });

  it("hashToField maps bytes below the field order (keccak >> 8)", function () {
    const v = hashToField("0x" + "ff".repeat(20));
    expect(v < SNARK_SCALAR_FIELD).to.equal(true);
    expect(v < 2n ** 248n).to.equal(true);
    expect(hashToField("0x01")).to.not.equal(hashToField("0x02"));
  });

  describe("prove and verify", function () {
    let artifacts: AnonArtifacts;
    let vkey: AnonVerificationKey;
    let proof: AnonProof;

    before(async function () {
      this.timeout(20 * 60_000);
      artifacts = await anonArtifacts();
      vkey = loadVerificationKey(artifacts.verificationKey);
      proof = await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, w.statement), artifacts);
    });

    it("verifies a valid proof and returns its public signals with the nullifier", async function () {
      const signals = await verifyAnonProof(vkey, proof, { ...w.statement, roots: [123n, w.statement.root] });
      expect(signals).to.deep.equal({
        ...w.statement,
        nullifier: w.hasher.nullifier(w.statement.scope, w.alice.secret),
      });
    });

    it("refuses the proof when any public signal is changed (pairing check)", async function () {
      for (let i = 0; i < 6; i++) {
        const bad = tampered(proof, (p) => {
          p.publicSignals[i] = (BigInt(p.publicSignals[i]!) + 1n).toString();
        });
        const roots = [w.statement.root, w.statement.root + 1n];
        const e = await rejected(verifyAnonProof(vkey, bad, { roots }));
        expect(e.code, `signal ${i}`).to.equal("ANON_INVALID_PROOF");
      }
    });

    it("refuses a root the verifier does not accept, and a statement other than the expected one", async function () {
      expect((await rejected(verifyAnonProof(vkey, proof, { roots: [w.statement.root + 1n] }))).code).to.equal(
        "ANON_WRONG_ROOT",
      );
      for (const name of ["claimsMask", "now", "scope", "signalHash"] as const) {
        const expected = { roots: w.statement.root, [name]: w.statement[name] + 1n };
        expect((await rejected(verifyAnonProof(vkey, proof, expected))).code, name).to.equal("ANON_STATEMENT_MISMATCH");
      }
    });

    it("refuses points off the curve (G1 and G2) and coordinates not below the base field", async function () {
      const offA = tampered(proof, (p) => {
        p.proof.pi_a[1] = (BigInt(p.proof.pi_a[1]) + 1n).toString();
      });
      const offB = tampered(proof, (p) => {
        p.proof.pi_b[0][0] = (BigInt(p.proof.pi_b[0][0]) + 1n).toString();
      });
      const wrapped = tampered(proof, (p) => {
        p.proof.pi_c[0] = (BigInt(p.proof.pi_c[0]) + BN254_BASE_FIELD).toString();
      });
      for (const bad of [offA, offB, wrapped]) {
        expect((await rejected(verifyAnonProof(vkey, bad, { roots: w.statement.root }))).code).to.equal(
          "ANON_POINT_NOT_ON_CURVE",
        );
        expect(caught(() => anonCalldata(bad)).code).to.equal("ANON_POINT_NOT_ON_CURVE");
      }
    });

    it("refuses public signals not below the scalar field (aliases of valid ones modulo r)", async function () {
      const bad = tampered(proof, (p) => {
        p.publicSignals[5] = (BigInt(p.publicSignals[5]!) + SNARK_SCALAR_FIELD).toString();
      });
      expect((await rejected(verifyAnonProof(vkey, bad, { roots: w.statement.root }))).code).to.equal(
        "ANON_OUT_OF_FIELD",
      );
      expect(caught(() => anonCalldata(bad)).code).to.equal("ANON_OUT_OF_FIELD");
    });

    it("refuses malformed proofs", async function () {
      const cases = [
        tampered(proof, (p) => (p.proof.protocol = "plonk")),
        tampered(proof, (p) => (p.proof.curve = "bls12381")),
        tampered(proof, (p) => p.proof.pi_a.pop()),
        tampered(proof, (p) => (p.proof.pi_c[2] = "2")),
        tampered(proof, (p) => (p.proof.pi_a[0] = "0x12")),
        tampered(proof, (p) => p.publicSignals.pop()),
        tampered(proof, (p) => (p.publicSignals[0] = "-1")),
      ];
      for (const bad of cases) {
        expect((await rejected(verifyAnonProof(vkey, bad, { roots: w.statement.root }))).code).to.equal(
          "ANON_MALFORMED_PROOF",
        );
      }
      expect(caught(() => decodePublicSignals(["1"])).code).to.equal("ANON_MALFORMED_PROOF");
    });

    it("refuses to prove an input the circuit rejects, and reports missing artifacts", async function () {
      const input = anonWitnessInput(w.hasher, w.tree, w.alice, w.statement);
      const e = await rejected(proveAnon({ ...input, claimsMask: String(CLAIMS.RESIDENT) }, artifacts));
      expect(e.code).to.equal("ANON_UNSATISFIABLE");
      expect((e.cause as Error).message).to.match(/Assert Failed/);
      const missing = { ...artifacts, zkey: `${artifacts.zkey}.missing` };
      expect((await rejected(proveAnon(input, missing))).code).to.equal("ANON_ARTIFACTS_MISSING");
      expect(caught(() => loadVerificationKey(`${artifacts.verificationKey}.missing`)).code).to.equal(
        "ANON_ARTIFACTS_MISSING",
      );
      expect(caught(() => loadVerificationKey(artifacts.wasm)).code).to.equal("ANON_ARTIFACTS_MISSING");
    });

    it("makes the Solidity calldata snarkjs would print", async function () {
      const calldata = anonCalldata(proof);
      const printed = JSON.parse(`[${await groth16.exportSolidityCallData(proof.proof, [...proof.publicSignals])}]`);
      const asBigInts = (v: unknown): unknown => (Array.isArray(v) ? v.map(asBigInts) : BigInt(v as string | bigint));
      expect(asBigInts(printed)).to.deep.equal([calldata.pA, calldata.pB, calldata.pC, calldata.pubSignals]);
    });

    it("gives another nullifier for another scope and the same for another signal", async function () {
      const other = await proveAnon(
        anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, scope: 99n, signalHash: 1n }),
        artifacts,
      );
      const a = await verifyAnonProof(vkey, proof, { roots: w.statement.root });
      const b = await verifyAnonProof(vkey, other, { roots: w.statement.root, scope: 99n });
      expect(b.nullifier).to.not.equal(a.nullifier);
      const sameScope = await proveAnon(
        anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, signalHash: 1n, now: NOW + 60n }),
        artifacts,
      );
      expect((await verifyAnonProof(vkey, sameScope, { roots: w.statement.root })).nullifier).to.equal(a.nullifier);
    });
  });
});
