// The exported Solidity verifier (contracts/zk) with a proof from the TypeScript prover, through Hardhat.
import { expect } from "chai";
import { network } from "hardhat";

import { committedDevVerifier, ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  SNARK_SCALAR_FIELD,
  anonCalldata,
  anonWitnessInput,
  proveAnon,
  releaseCurve,
  type AnonCalldata,
} from "../../src/anon/index.js";
import { CLAIMS, anonWorld } from "./helpers/anon-fixture.js";

/**
 * Regression guards, not targets: the precompiles alone cost 181,000 (4-pair pairing) + 6 x 6,150 (ecMul + ecAdd
 * per public signal), the nullifier slot 22,100, the transaction 21,000 + calldata (see circuits/README.md).
 */
const VERIFY_GAS_BUDGET = 235_000n;
const CONSUME_TX_GAS_BUDGET = 282_000n;

describe("AnonVerifierDev (Solidity)", function () {
  let calldata: AnonCalldata;
  let generatedVerifier: string;

  before(async function () {
    this.timeout(20 * 60_000);
    const { artifacts, verifier } = await ensureDevArtifacts();
    generatedVerifier = verifier;
    const w = await anonWorld();
    const { ethers } = await network.create();
    const [, holder] = await ethers.getSigners();
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    // signalHash = the address that will send the proof, now = the chain's time (what AnonNullifierProbe requires).
    const statement = { ...w.statement, now, signalHash: BigInt(holder!.address) };
    calldata = anonCalldata(await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, statement), artifacts));
  });

  after(releaseCurve);

  it("is the verifier the deterministic development setup generates (committed file up to date)", function () {
    expect(committedDevVerifier(), "run `npm run zk:dev-setup` and commit contracts/zk").to.equal(generatedVerifier);
  });

  it("accepts the valid proof and refuses it with any public input changed or aliased modulo r", async function () {
    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("AnonVerifierDev");
    const { pA, pB, pC, pubSignals } = calldata;
    expect(await verifier.verifyProof(pA, pB, pC, pubSignals)).to.equal(true);
    for (let i = 0; i < pubSignals.length; i++) {
      const changed = [...pubSignals];
      changed[i] = changed[i]! + 1n;
      expect(await verifier.verifyProof(pA, pB, pC, changed), `signal ${i} + 1`).to.equal(false);
      changed[i] = pubSignals[i]! + SNARK_SCALAR_FIELD;
      expect(await verifier.verifyProof(pA, pB, pC, changed), `signal ${i} + r`).to.equal(false);
    }
    const otherA: [bigint, bigint] = [pA[0], pA[1] + 1n];
    expect(await verifier.verifyProof(otherA, pB, pC, pubSignals), "pA off the curve").to.equal(false);
    const swappedB: [[bigint, bigint], [bigint, bigint]] = [
      [pB[0][1], pB[0][0]],
      [pB[1][1], pB[1][0]],
    ];
    expect(await verifier.verifyProof(pA, swappedB, pC, pubSignals), "pB in snarkjs order").to.equal(false);
  });

  it("cannot be deployed on a chain other than 31337", async function () {
    const { ethers } = await network.create({ override: { chainId: 1 } });
    expect((await ethers.provider.getNetwork()).chainId).to.equal(1n);
    const factory = await ethers.getContractFactory("AnonVerifierDev");
    await expect(factory.deploy()).to.be.revertedWithCustomError(factory, "DevVerifierOnDevChainOnly").withArgs(1n);
  });

  it("verifies within budget and records a nullifier once in a consumer transaction", async function () {
    const { ethers } = await network.create();
    const [, holder, other] = await ethers.getSigners();
    const w = await anonWorld();
    const verifier = await ethers.deployContract("AnonVerifierDev");
    const probe = await ethers.deployContract("AnonNullifierProbe", [
      await verifier.getAddress(),
      w.statement.root,
      CLAIMS.AGE_18 | CLAIMS.AGE_20,
      w.statement.scope,
    ]);
    const { pA, pB, pC, pubSignals } = calldata;
    const verifyGas = (await verifier.verifyProof.estimateGas(pA, pB, pC, pubSignals)) - 21_000n;
    const receipt = await (await probe.connect(holder!).consume(pA, pB, pC, pubSignals)).wait();
    console.log(`      verifyProof execution ≈ ${verifyGas} gas, consume tx ${receipt!.gasUsed} gas`);
    expect(verifyGas <= VERIFY_GAS_BUDGET).to.equal(true);
    expect(receipt!.gasUsed <= CONSUME_TX_GAS_BUDGET).to.equal(true);
    expect(await probe.nullifierUsed(pubSignals[0]!)).to.equal(true);
    await expect(probe.connect(holder!).consume(pA, pB, pC, pubSignals))
      .to.be.revertedWithCustomError(probe, "NullifierUsed")
      .withArgs(pubSignals[0]!);
    // The proof is bound to its sender: another sender cannot use it (its address is not the signal).
    await expect(probe.connect(other!).consume(pA, pB, pC, pubSignals)).to.be.revertedWithCustomError(
      probe,
      "WrongStatement",
    );
  });
});
