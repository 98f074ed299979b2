/**
 * `jpki-kyc/sdk/anon` as a dApp uses it: the verification key as fetched JSON (no file access), a holder's proof
 * verified off chain against the dApp's own expectation, typed errors, and a module graph a front-end bundle can take.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { anonWitnessInput, proveAnon } from "../../src/anon/index.js";
import {
  AnonError,
  checkVerificationKey,
  hashToField,
  unpackNullifierSignal,
  verifyAnonProof,
  type AnonProof,
} from "../../src/sdk/anon.js";
import { anonArtifacts, anonWorld, type AnonWorld } from "../zk/helpers/anon-fixture.js";
import { runtimeImports } from "./helpers/module-graph.js";

describe("jpki-kyc/sdk/anon: a dApp verifies an anonymous proof off chain", function () {
  this.timeout(20 * 60_000);
  let w: AnonWorld;
  let vkeyJson: unknown;
  let proof: AnonProof;
  /** The root the operator published for the fixture's tree: Poseidon(treeRoot, validUntil). */
  let root: bigint;

  before(async function () {
    w = await anonWorld();
    root = w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil);
    const artifacts = await anonArtifacts();
    vkeyJson = JSON.parse(readFileSync(artifacts.verificationKey, "utf8")); // what a front end fetches
    proof = await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, w.statement), artifacts);
  });

  it("accepts the holder's proof for the dApp's root, claims, scope and signal, and hands back the nullifier", async function () {
    const vkey = checkVerificationKey(vkeyJson);
    const signals = await verifyAnonProof(vkey, proof, {
      roots: [root],
      claimsMask: w.statement.claimsMask,
      scope: w.statement.scope,
      signal: w.statement.signal,
    });
    expect(signals.nullifier).to.equal(w.hasher.nullifier(w.statement.scope, w.alice.secret));
    expect(signals.signal).to.equal(w.statement.signal);
    expect(unpackNullifierSignal(signals.nullifierSignal)).to.deep.equal({
      nullifier: signals.nullifier,
      signal: w.statement.signal,
    });
  });

  it("refuses another scope, another signal and an unknown root with typed errors; refuses a foreign key", async function () {
    const vkey = checkVerificationKey(vkeyJson);
    const cases = [
      [{ roots: [root], scope: hashToField("0x0bad") }, "ANON_STATEMENT_MISMATCH"],
      // another signal: another value in the low 160 bits of nullifierSignal (e.g. another recipient)
      [{ roots: [root], signal: w.statement.signal ^ 1n }, "ANON_STATEMENT_MISMATCH"],
      [{ roots: [root], claimsMask: w.statement.claimsMask | 1n }, "ANON_STATEMENT_MISMATCH"],
      [{ roots: [root + 1n] }, "ANON_WRONG_ROOT"],
      // the bare tree root, or the tree published with another validUntil, is not the root the proof is against
      [{ roots: [w.statement.treeRoot] }, "ANON_WRONG_ROOT"],
      [{ roots: [w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil + 1n)] }, "ANON_WRONG_ROOT"],
    ] as const;
    for (const [expected, code] of cases) {
      try {
        await verifyAnonProof(vkey, proof, expected);
        expect.fail(`accepted ${code}`);
      } catch (error) {
        expect(error).to.be.instanceOf(AnonError);
        expect((error as AnonError).code).to.equal(code);
      }
    }
    expect(() => checkVerificationKey({ protocol: "plonk", curve: "bn128", nPublic: 4 })).to.throw(AnonError);
    // the key of the earlier six-signal circuit is not this circuit's
    expect(() => checkVerificationKey({ protocol: "groth16", curve: "bn128", nPublic: 6 })).to.throw(AnonError);
    expect(() => checkVerificationKey(null)).to.throw(AnonError);
  });

  it("imports nothing but ethers and snarkjs at run time (no Hardhat, no Node built-ins)", function () {
    expect(runtimeImports("src/sdk/anon.ts").external).to.deep.equal(["ethers", "snarkjs"]);
  });
});
