// The TypeScript prover/verifier API (src/anon): tree, witness input, prove, verify, calldata, typed errors.
import { expect } from "chai";
import { keccak256, toBeHex } from "ethers";
import { groth16 } from "snarkjs";

import {
  ANON_TREE_DEPTH,
  AnonError,
  AnonTree,
  BN254_BASE_FIELD,
  ANON_NULLIFIER_BITS,
  ANON_ROOT_BITS,
  ANON_SIGNAL_BITS,
  SNARK_SCALAR_FIELD,
  anonCalldata,
  anonWitnessInput,
  decodePublicSignals,
  hashToField,
  loadVerificationKey,
  proveAnon,
  releaseCurve,
  rootFromPath,
  signalOfAddress,
  signalOfMessage,
  unpackNullifierSignal,
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
  /** The root the operator publishes for the fixture statement: Poseidon(treeRoot, validUntil). */
  let published: bigint;

  before(async function () {
    w = await anonWorld();
    published = w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil);
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
      const other = { ...w.statement, treeRoot: w.statement.treeRoot + 1n };
      expect(caught(() => anonWitnessInput(w.hasher, w.tree, w.alice, other)).code).to.equal("ANON_NOT_A_MEMBER");
    });

    it("refuses a statement the holder cannot prove: a missing claim bit, a leaf expiring by the root's validUntil", function () {
      const e1 = caught(() => anonWitnessInput(w.hasher, w.tree, w.bob, w.statement));
      expect(e1.code).to.equal("ANON_UNSATISFIABLE");
      const atExpiry = { ...w.statement, validUntil: w.alice.expiresAt };
      expect(caught(() => anonWitnessInput(w.hasher, w.tree, w.alice, atExpiry)).code).to.equal("ANON_UNSATISFIABLE");
      // the carol leaf expired before the fixture's root: no statement with that root for her
      const carol = { ...w.statement, claimsMask: CLAIMS.AUTH };
      expect(caught(() => anonWitnessInput(w.hasher, w.tree, w.carol, carol)).code).to.equal("ANON_UNSATISFIABLE");
      // one second before the leaf's expiry is still provable, and the input carries the published root
      const lastSecond = { ...w.statement, validUntil: w.alice.expiresAt - 1n };
      const input = anonWitnessInput(w.hasher, w.tree, w.alice, lastSecond);
      expect(input.root).to.equal(w.hasher.publishedRoot(w.tree.root, w.alice.expiresAt - 1n).toString());
      expect(input.validUntil).to.equal((w.alice.expiresAt - 1n).toString());
    });

    it("refuses values outside their types and the field", function () {
      const cases: [Partial<typeof w.statement>, string][] = [
        [{ claimsMask: 2n ** 32n }, "ANON_OUT_OF_RANGE"],
        [{ claimsMask: -1n }, "ANON_OUT_OF_RANGE"],
        [{ validUntil: 2n ** 64n }, "ANON_OUT_OF_RANGE"],
        [{ validUntil: -1n }, "ANON_OUT_OF_RANGE"],
        [{ scope: SNARK_SCALAR_FIELD }, "ANON_OUT_OF_FIELD"],
        // a signal over 160 bits would spill into the nullifier's bits of the packed public signal
        [{ signal: 2n ** 160n }, "ANON_OUT_OF_RANGE"],
        [{ signal: SNARK_SCALAR_FIELD + 5n }, "ANON_OUT_OF_RANGE"],
        [{ signal: -1n }, "ANON_OUT_OF_RANGE"],
        [{ treeRoot: SNARK_SCALAR_FIELD }, "ANON_OUT_OF_FIELD"],
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

  it("the published root is the low 176 bits of Poseidon(treeRoot, validUntil): one registry slot with its times", function () {
    expect(ANON_ROOT_BITS).to.equal(176n);
    const full = w.hasher.node(w.statement.treeRoot, w.statement.validUntil); // Poseidon of two inputs
    expect(full >= 2n ** ANON_ROOT_BITS, "the fixture's hash is wider than the root: the mask is not vacuous").to.equal(
      true,
    );
    expect(published).to.equal(full & (2n ** ANON_ROOT_BITS - 1n));
    // 176 bits and the two 40-bit times fill one 256-bit word
    expect(ANON_ROOT_BITS + 40n + 40n).to.equal(256n);
  });

  it("hashToField maps bytes below the field order (keccak >> 8)", function () {
    const v = hashToField("0x" + "ff".repeat(20));
    expect(v < SNARK_SCALAR_FIELD).to.equal(true);
    expect(v < 2n ** 248n).to.equal(true);
    expect(hashToField("0x01")).to.not.equal(hashToField("0x02"));
  });

  it("signals: an address is its own 160-bit signal, a message keccak >> 96; the packed signal splits back", function () {
    const address = "0x" + "ab".repeat(20);
    expect(signalOfAddress(address)).to.equal(BigInt(address));
    expect(signalOfAddress(address.toUpperCase().replace("0X", "0x"))).to.equal(BigInt(address));
    for (const bad of ["0x" + "ab".repeat(19), "0x" + "ab".repeat(21), "ab".repeat(20), "0x" + "zz".repeat(20)]) {
      expect(caught(() => signalOfAddress(bad)).code, bad).to.equal("ANON_OUT_OF_RANGE");
    }
    const message = "0x" + "01".repeat(40);
    const signal = signalOfMessage(message);
    expect(signal).to.equal(BigInt(keccak256(message)) >> 96n);
    expect(signal < 2n ** ANON_SIGNAL_BITS).to.equal(true);
    expect(signalOfMessage("0x02")).to.not.equal(signalOfMessage("0x03"));
    const nullifier = 2n ** ANON_NULLIFIER_BITS - 1n;
    expect(unpackNullifierSignal((nullifier << ANON_SIGNAL_BITS) | signal)).to.deep.equal({ nullifier, signal });
    expect(ANON_NULLIFIER_BITS + ANON_SIGNAL_BITS < 254n, "the packed signal stays below r").to.equal(true);
    expect(w.hasher.nullifier(w.statement.scope, w.alice.secret) < 2n ** ANON_NULLIFIER_BITS).to.equal(true);
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

    it("verifies a valid proof and returns its public signals with the nullifier and the signal", async function () {
      const { claimsMask, scope, signal } = w.statement;
      const signals = await verifyAnonProof(vkey, proof, { roots: [123n, published], claimsMask, scope, signal });
      const nullifier = w.hasher.nullifier(scope, w.alice.secret);
      expect(signals).to.deep.equal({
        nullifierSignal: (nullifier << ANON_SIGNAL_BITS) | signal,
        root: published,
        scope,
        claimsMask,
        nullifier,
        signal,
      });
    });

    it("refuses the proof when any public signal is changed (pairing check)", async function () {
      expect(proof.publicSignals).to.have.length(4);
      for (let i = 0; i < proof.publicSignals.length; i++) {
        const bad = tampered(proof, (p) => {
          p.publicSignals[i] = (BigInt(p.publicSignals[i]!) + 1n).toString();
        });
        const roots = [published, published + 1n];
        const e = await rejected(verifyAnonProof(vkey, bad, { roots }));
        expect(e.code, `signal ${i}`).to.equal("ANON_INVALID_PROOF");
      }
      // another signal in the low 160 bits of nullifierSignal (a front-runner's recipient), the nullifier kept
      const redirected = tampered(proof, (p) => {
        const { nullifier } = unpackNullifierSignal(BigInt(p.publicSignals[0]!));
        p.publicSignals[0] = ((nullifier << ANON_SIGNAL_BITS) | BigInt("0x" + "be".repeat(20))).toString();
      });
      expect((await rejected(verifyAnonProof(vkey, redirected, { roots: published }))).code).to.equal(
        "ANON_INVALID_PROOF",
      );
    });

    it("refuses a root the verifier does not accept, and a statement other than the expected one", async function () {
      expect((await rejected(verifyAnonProof(vkey, proof, { roots: [published + 1n] }))).code).to.equal(
        "ANON_WRONG_ROOT",
      );
      // the tree root itself is not the published root, nor is the same tree published with another validUntil
      const otherValidity = w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil + 1n);
      for (const roots of [w.statement.treeRoot, otherValidity, [] as bigint[]]) {
        expect((await rejected(verifyAnonProof(vkey, proof, { roots }))).code).to.equal("ANON_WRONG_ROOT");
      }
      for (const name of ["claimsMask", "scope", "signal"] as const) {
        const expected = { roots: published, [name]: w.statement[name] + 1n };
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
        expect((await rejected(verifyAnonProof(vkey, bad, { roots: published }))).code).to.equal(
          "ANON_POINT_NOT_ON_CURVE",
        );
        expect(caught(() => anonCalldata(bad)).code).to.equal("ANON_POINT_NOT_ON_CURVE");
      }
    });

    it("refuses public signals not below the scalar field (aliases of valid ones modulo r)", async function () {
      for (let i = 0; i < proof.publicSignals.length; i++) {
        const bad = tampered(proof, (p) => {
          p.publicSignals[i] = (BigInt(p.publicSignals[i]!) + SNARK_SCALAR_FIELD).toString();
        });
        const roots = [published, published + SNARK_SCALAR_FIELD];
        expect((await rejected(verifyAnonProof(vkey, bad, { roots }))).code, `signal ${i}`).to.equal(
          "ANON_OUT_OF_FIELD",
        );
        expect(caught(() => anonCalldata(bad)).code, `signal ${i}`).to.equal("ANON_OUT_OF_FIELD");
      }
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
        expect((await rejected(verifyAnonProof(vkey, bad, { roots: published }))).code).to.equal(
          "ANON_MALFORMED_PROOF",
        );
      }
      expect(caught(() => decodePublicSignals(["1"])).code).to.equal("ANON_MALFORMED_PROOF");
    });

    it("refuses to prove an input the circuit rejects, and reports missing artifacts", async function () {
      const input = anonWitnessInput(w.hasher, w.tree, w.alice, w.statement);
      const e = await rejected(proveAnon({ ...input, claimsMask: String(CLAIMS.IDENTITY) }, artifacts));
      expect(e.code).to.equal("ANON_UNSATISFIABLE");
      expect((e.cause as Error).message).to.match(/Assert Failed/);
      // a later validUntil than the published root was made with: the root no longer matches
      const stretched = { ...input, validUntil: String(w.statement.validUntil + 1n) };
      expect((await rejected(proveAnon(stretched, artifacts))).code).to.equal("ANON_UNSATISFIABLE");
      const missing = { ...artifacts, zkey: `${artifacts.zkey}.missing` };
      expect((await rejected(proveAnon(input, missing))).code).to.equal("ANON_ARTIFACTS_MISSING");
      expect(caught(() => loadVerificationKey(`${artifacts.verificationKey}.missing`)).code).to.equal(
        "ANON_ARTIFACTS_MISSING",
      );
      expect(caught(() => loadVerificationKey(artifacts.wasm)).code).to.equal("ANON_ARTIFACTS_MISSING");
    });

    it("makes the Solidity calldata snarkjs would print (EIP-197 point order), with root and nullifierSignal", async function () {
      const calldata = anonCalldata(proof);
      const printed = JSON.parse(`[${await groth16.exportSolidityCallData(proof.proof, [...proof.publicSignals])}]`);
      const asBigInts = (v: unknown): unknown => (Array.isArray(v) ? v.map(asBigInts) : BigInt(v as string | bigint));
      const [pA, pB, pC, pubSignals] = asBigInts(printed) as [bigint[], bigint[][], bigint[], bigint[]];
      expect(calldata.proof).to.deep.equal([...pA, ...pB.flat(), ...pC]);
      expect(calldata.publicSignals).to.deep.equal(pubSignals);
      expect(calldata.root).to.equal(toBeHex(published, 32));
      expect(calldata.publicSignals[1], "the proof's root is the 176-bit one").to.equal(published);
      expect(calldata.nullifierSignal).to.equal(pubSignals[0]);
      expect(unpackNullifierSignal(calldata.nullifierSignal).signal).to.equal(w.statement.signal);
    });

    it("gives another nullifier for another scope and the same for another signal and another root", async function () {
      const other = await proveAnon(
        anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, scope: 99n, signal: 1n }),
        artifacts,
      );
      const a = await verifyAnonProof(vkey, proof, { roots: published });
      const b = await verifyAnonProof(vkey, other, { roots: published, scope: 99n, signal: 1n });
      expect(b.nullifier).to.not.equal(a.nullifier);
      expect(b.nullifier).to.equal(w.hasher.nullifier(99n, w.alice.secret));
      const later = NOW + 2n * 86_400n;
      const sameScope = await proveAnon(
        anonWitnessInput(w.hasher, w.tree, w.alice, { ...w.statement, signal: 1n, validUntil: later }),
        artifacts,
      );
      const c = await verifyAnonProof(vkey, sameScope, {
        roots: w.hasher.publishedRoot(w.statement.treeRoot, later),
        signal: 1n,
      });
      expect(c.nullifier).to.equal(a.nullifier);
      expect(c.nullifierSignal).to.not.equal(a.nullifierSignal);
    });
  });
});
