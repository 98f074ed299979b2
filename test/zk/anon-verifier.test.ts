// The Solidity verifier (contracts/zk: the generated AnonProofVerifier library, AnonVerifier behind IAnonVerifier, and
// the library folded into a KycAnonGated consumer) with proofs from the TypeScript prover, through Hardhat.
import { expect } from "chai";
import { Wallet, toBeHex } from "ethers";
import hre, { network } from "hardhat";

import { committedDevVerifier, ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  ANON_SIGNAL_BITS,
  BN254_BASE_FIELD,
  SNARK_SCALAR_FIELD,
  anonCalldata,
  anonWitnessInput,
  proveAnon,
  releaseCurve,
  signalOfAddress,
  signalOfMessage,
  type AnonArtifacts,
  type AnonCalldata,
} from "../../src/anon/index.js";
import { DAY, deployRegistryFixture, latestTime } from "../helpers/registry-fixture.js";
import { CLAIMS, anonWorld } from "./helpers/anon-fixture.js";

/**
 * Regression guards, not targets: the precompiles alone cost 181,000 (4-pair pairing) + 4 x 6,150 (ecMul + ecAdd
 * per public signal: AnonVerifier folds scope and claims mask in on every call), plus the call's calldata (measured
 * 217,507 with the 21,000 of the transaction taken off). A KycAnonGated consumer folds scope and claims mask in once,
 * at construction, so its proof check pays for two signals only; its claim transaction adds the registry's root
 * lookup, the nullifier slot (22,100) and the transaction (measured 254,570; the same budget as
 * test/contracts/anon-airdrop.test.ts).
 */
const VERIFY_GAS_BUDGET = 222_000n;
const CONSUME_TX_GAS_BUDGET = 256_000n;

/** The four public signals as `verifyProof` takes them (uint256[4]). */
function four(signals: readonly bigint[]): [bigint, bigint, bigint, bigint] {
  expect(signals).to.have.length(4);
  return [signals[0]!, signals[1]!, signals[2]!, signals[3]!];
}

describe("AnonVerifier / AnonProofVerifier (Solidity)", function () {
  let artifacts: AnonArtifacts;
  let calldata: AnonCalldata;
  let generatedVerifier: string;
  /** Gas figures of the consumer test, for the regression test after it. */
  let measured: { verifyGas: bigint; consumeGas: bigint } | undefined;

  before(async function () {
    this.timeout(20 * 60_000);
    const dev = await ensureDevArtifacts();
    artifacts = dev.artifacts;
    generatedVerifier = dev.verifier;
    const w = await anonWorld();
    calldata = anonCalldata(await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, w.statement), artifacts));
  });

  after(releaseCurve);

  it("is the verifier the deterministic development setup generates (committed file up to date)", function () {
    expect(committedDevVerifier(), "run `npm run zk:dev-setup` and commit contracts/zk").to.equal(generatedVerifier);
  });

  it("accepts the valid proof and refuses it with any public input changed or aliased modulo r", async function () {
    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("AnonVerifier");
    const { proof, publicSignals } = calldata;
    expect(publicSignals).to.have.length(4);
    expect(await verifier.verifyProof(proof, four(publicSignals))).to.equal(true);
    for (let i = 0; i < publicSignals.length; i++) {
      const changed = [...publicSignals];
      changed[i] = changed[i]! + 1n;
      expect(await verifier.verifyProof(proof, four(changed)), `signal ${i} + 1`).to.equal(false);
      changed[i] = publicSignals[i]! + SNARK_SCALAR_FIELD;
      expect(await verifier.verifyProof(proof, four(changed)), `signal ${i} + r`).to.equal(false);
    }
    // another signal (a front-runner's recipient) in the low 160 bits of nullifierSignal, the nullifier kept
    const nullifierBits = (publicSignals[0]! >> ANON_SIGNAL_BITS) << ANON_SIGNAL_BITS;
    const redirected = [nullifierBits | BigInt(Wallet.createRandom().address), ...publicSignals.slice(1)];
    expect(await verifier.verifyProof(proof, four(redirected)), "another signal").to.equal(false);
    // B in snarkjs order ([real, imaginary]) instead of EIP-197's
    const swappedB = [proof[0]!, proof[1]!, proof[3]!, proof[2]!, proof[5]!, proof[4]!, proof[6]!, proof[7]!];
    expect(await verifier.verifyProof(swappedB, four(publicSignals)), "B in snarkjs order").to.equal(false);
  });

  it("gives false (no revert) for a proof point off the curve or a coordinate not below q", async function () {
    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("AnonVerifier");
    const { proof, publicSignals } = calldata;
    const names = ["A.x", "A.y", "B.x.im", "B.x.re", "B.y.im", "B.y.re", "C.x", "C.y"];
    for (let i = 0; i < proof.length; i++) {
      const off = proof.with(i, proof[i]! + 1n);
      expect(await verifier.verifyProof(off, four(publicSignals)), `${names[i]} + 1 (off the curve)`).to.equal(false);
      const wrapped = proof.with(i, proof[i]! + BN254_BASE_FIELD);
      expect(await verifier.verifyProof(wrapped, four(publicSignals)), `${names[i]} + q`).to.equal(false);
    }
    expect(
      await verifier.verifyProof(new Array<bigint>(8).fill(0n), four(publicSignals)),
      "points at infinity",
    ).to.equal(false);
    const max = 2n ** 256n - 1n;
    expect(await verifier.verifyProof(new Array<bigint>(8).fill(max), four(publicSignals)), "2^256 - 1").to.equal(
      false,
    );
  });

  it("cannot be deployed with the development key on a chain other than 31337 (AnonVerifier, KycAnonGated)", async function () {
    const { ethers } = await network.create({ override: { chainId: 1 } });
    expect((await ethers.provider.getNetwork()).chainId).to.equal(1n);
    const verifier = await ethers.getContractFactory("AnonVerifier");
    await expect(verifier.deploy())
      .to.be.revertedWithCustomError(verifier, "DevelopmentKeyOnDevChainOnly")
      .withArgs(1n);
    // a consumer compiles the library in: the KycAnonGated base refuses the chain on its own
    const consumer = await ethers.getContractFactory("AnonAgeGatedAirdrop");
    const registry = Wallet.createRandom().address;
    await expect(consumer.deploy(registry, DAY))
      .to.be.revertedWithCustomError(consumer, "DevelopmentKeyOnDevChainOnly")
      .withArgs(1n);
    // on the development chain both deploy
    const dev = await network.create();
    expect((await dev.ethers.provider.getNetwork()).chainId).to.equal(31337n);
    const deployed = await dev.ethers.deployContract("AnonVerifier");
    expect(await deployed.DEV_CHAIN_ID()).to.equal(31337n);
    await dev.ethers.deployContract("AnonAgeGatedAirdrop", [registry, DAY]);
  });

  it("KycAnonGated refuses a zero registry and a zero claims mask; the message signal is keccak256 >> 96", async function () {
    const { ethers } = await network.create();
    const mock = await ethers.getContractFactory("AnonGatedMock");
    const registry = Wallet.createRandom().address;
    await expect(mock.deploy(ethers.ZeroAddress, Number(CLAIMS.AGE_20), DAY)).to.be.revertedWithCustomError(
      mock,
      "InvalidAnonConfiguration",
    );
    await expect(mock.deploy(registry, 0, DAY)).to.be.revertedWithCustomError(mock, "InvalidAnonConfiguration");
    const consumer = await mock.deploy(registry, Number(CLAIMS.AGE_18 | CLAIMS.AGE_20), DAY);
    expect(await consumer.ANON_CLAIMS_MASK()).to.equal(CLAIMS.AGE_18 | CLAIMS.AGE_20);
    const message = ethers.toUtf8Bytes("vote: option 2");
    expect(await consumer.anonSignalOf(message)).to.equal(signalOfMessage(message));
  });

  it("a KycAnonGated consumer takes the same proof once and refuses another signal (gas measured for the test below)", async function () {
    this.timeout(120_000);
    const { ethers } = await network.create();
    const w = await anonWorld();
    const f = await deployRegistryFixture(ethers);
    const airdrop = await ethers.deployContract("AnonAgeGatedAirdrop", [f.address, DAY]);
    const validUntil = (await latestTime(ethers)) + DAY;
    const root = toBeHex(w.hasher.publishedRoot(w.tree.root, validUntil), 32);
    await f.registry.connect(f.attester).publishAnonRoot(root, validUntil, w.tree.size);
    const recipient = Wallet.createRandom().address;
    const statement = {
      treeRoot: w.tree.root,
      validUntil,
      claimsMask: CLAIMS.AGE_20,
      scope: await airdrop.ANON_SCOPE(),
      signal: signalOfAddress(recipient),
    };
    const c = anonCalldata(await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, statement), artifacts));
    expect(c.root).to.equal(root);
    const nullifier = c.nullifierSignal >> ANON_SIGNAL_BITS;

    // the standalone verifier and the consumer's folded-in base agree on the proof
    const verifier = await ethers.deployContract("AnonVerifier");
    expect(await verifier.verifyProof(c.proof, four(c.publicSignals))).to.equal(true);
    const verifyGas = (await verifier.verifyProof.estimateGas(c.proof, four(c.publicSignals))) - 21_000n;

    // another recipient in the signal's bits: refused by both before anything is recorded
    const stolen = (nullifier << ANON_SIGNAL_BITS) | BigInt(f.stranger.address);
    expect(await verifier.verifyProof(c.proof, four([stolen, ...c.publicSignals.slice(1)]))).to.equal(false);
    await expect(airdrop.connect(f.stranger).claim(c.proof, c.root, stolen)).to.be.revertedWithCustomError(
      airdrop,
      "InvalidAnonProof",
    );
    expect(await airdrop.anonNullifierUsed(nullifier)).to.equal(false);

    const tx = await airdrop.connect(f.stranger).claim(c.proof, c.root, c.nullifierSignal);
    await expect(tx).to.emit(airdrop, "Claimed").withArgs(nullifier, recipient);
    const consumeGas = (await tx.wait())!.gasUsed;
    console.log(`      AnonVerifier.verifyProof execution ≈ ${verifyGas} gas, KycAnonGated claim tx ${consumeGas} gas`);
    measured = { verifyGas, consumeGas };
    expect(await airdrop.anonNullifierUsed(nullifier)).to.equal(true);
    await expect(airdrop.claim(c.proof, c.root, c.nullifierSignal))
      .to.be.revertedWithCustomError(airdrop, "NullifierUsed")
      .withArgs(nullifier);
  });

  // Not under `--coverage`: the instrumented contracts call the coverage recorder before every statement, so their gas
  // is not the contracts' gas (the test reports itself pending there). The figures live in `npm run bench:anon`.
  it("gas regression: verifyProof and the claim transaction stay within their budgets", function () {
    if (hre.globalOptions.coverage) this.skip();
    expect(measured, "the consumer test ran first").to.not.equal(undefined);
    expect(measured!.verifyGas <= VERIFY_GAS_BUDGET, `verifyProof ${measured!.verifyGas} gas`).to.equal(true);
    expect(measured!.consumeGas <= CONSUME_TX_GAS_BUDGET, `claim ${measured!.consumeGas} gas`).to.equal(true);
  });
});
