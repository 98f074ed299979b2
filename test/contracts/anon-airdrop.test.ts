// End to end on chain: holders opt in at bind time, the operator rebuilds its tree from the registry's events and
// publishes the root, and AnonAgeGatedAirdrop pays each adult once per scope to the recipient named in the proof.
import { expect } from "chai";
import { AbiCoder, Wallet, toBeHex } from "ethers";
import { network } from "hardhat";

import { ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  AnonError,
  AnonRegistryLeaves,
  anonCalldata,
  anonWitnessInput,
  hashToField,
  loadAnonHasher,
  proveAnon,
  readAnonRegistryEvents,
  releaseCurve,
  type AnonArtifacts,
  type AnonCalldata,
  type AnonHasher,
  type AnonHolder,
  type AnonTree,
} from "../../src/anon/index.js";
import { Claims, testCard } from "../helpers/card-proof.js";
import {
  DAY,
  Reason,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const ADULT = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
const MINOR = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18; // 18 or 19: not AGE_20
const MAX_ROOT_AGE = DAY;
/** Regression guard for the claim transaction (verify + root read + nullifier slot); see the report in the output. */
const CLAIM_TX_GAS_BUDGET = 300_000n;

describe("AnonAgeGatedAirdrop: anonymous, one claim per adult, recipient bound by the proof", function () {
  let hasher: AnonHasher;
  let artifacts: AnonArtifacts;

  before(async function () {
    this.timeout(20 * 60_000);
    hasher = await loadAnonHasher();
    artifacts = (await ensureDevArtifacts()).artifacts;
  });

  after(releaseCurve);

  async function world() {
    const f = await deployRegistryFixture(ethers);
    const verifier = await ethers.deployContract("AnonVerifierDev");
    const airdrop = await ethers.deployContract("AnonAgeGatedAirdrop", [
      f.address,
      await verifier.getAddress(),
      MAX_ROOT_AGE,
    ]);
    const { chainId } = await ethers.provider.getNetwork();
    const scope = hashToField(AbiCoder.defaultAbiCoder().encode(["uint256", "address"], [chainId, airdrop.target]));
    expect(await airdrop.SCOPE()).to.equal(scope);
    // holders: alice (adult), bob (minor), carol (adult, revoked later); secrets stay on their machines
    const secrets = { alice: 0xa11ce5n, bob: 0xb0bn, carol: 0xca201n };
    const people = [
      { who: "alice", signer: f.alice, secret: secrets.alice, claims: ADULT, card: 0 },
      { who: "bob", signer: f.bob, secret: secrets.bob, claims: MINOR, card: 1 },
      { who: "carol", signer: f.carol, secret: secrets.carol, claims: ADULT, card: 2 },
    ] as const;
    const holders: Record<string, AnonHolder> = {};
    for (const p of people) {
      const req = await makeRequest(ethers, p.signer.address, {
        claims: p.claims,
        personTag: ethers.id(`person ${p.who}`),
        anonCommitment: toBeHex(hasher.commitment(p.secret), 32),
      });
      await attestWith(f.registry, f.attester, testCard(p.card), req);
      const [, claims, expiresAt] = await f.registry.kycStatus(p.signer.address);
      holders[p.who] = { secret: p.secret, claims, expiresAt };
    }
    /** The operator: rebuild from events, publish the root. */
    const publish = async (): Promise<AnonTree> => {
      const leaves = new AnonRegistryLeaves(f.attester.address);
      for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
      const tree = leaves.tree(hasher);
      await f.registry.connect(f.attester).publishAnonRoot(toBeHex(tree.root, 32), leaves.size);
      return tree;
    };
    return { ...f, airdrop, scope, holders, publish };
  }

  async function prove(
    tree: AnonTree,
    holder: AnonHolder,
    scope: bigint,
    recipient: string,
    claimsMask: bigint = BigInt(Claims.AGE_20),
  ): Promise<AnonCalldata> {
    const now = await latestTime(ethers);
    const signalHash = hashToField(AbiCoder.defaultAbiCoder().encode(["address"], [recipient]));
    const statement = { root: tree.root, claimsMask, now, scope, signalHash };
    return anonCalldata(await proveAnon(anonWitnessInput(hasher, tree, holder, statement), artifacts));
  }

  it("an adult claims from a fresh address for a fresh recipient; the same person cannot claim twice", async function () {
    this.timeout(120_000);
    const w = await world();
    const tree = await w.publish();
    const relayer = Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(relayer.address, 10n ** 18n);
    const recipient = Wallet.createRandom().address;
    const c = await prove(tree, w.holders.alice!, w.scope, recipient);
    const tx = await w.airdrop.connect(relayer).claim(recipient, c.pA, c.pB, c.pC, c.pubSignals);
    await expect(tx).to.emit(w.airdrop, "Claimed").withArgs(c.pubSignals[0], recipient, toBeHex(tree.root, 32));
    const gas = (await tx.wait())!.gasUsed;
    console.log(`      AnonAgeGatedAirdrop.claim: ${gas} gas (transaction)`);
    expect(gas <= CLAIM_TX_GAS_BUDGET, `claim ${gas} gas`).to.equal(true);
    expect(await w.airdrop.recipientOf(c.pubSignals[0]!)).to.equal(recipient);
    // the same proof again, and a new proof by the same person for another recipient: same nullifier
    await expect(w.airdrop.connect(relayer).claim(recipient, c.pA, c.pB, c.pC, c.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(c.pubSignals[0]);
    const other = Wallet.createRandom().address;
    const again = await prove(tree, w.holders.alice!, w.scope, other);
    expect(again.pubSignals[0]).to.equal(c.pubSignals[0]);
    await expect(
      w.airdrop.connect(relayer).claim(other, again.pA, again.pB, again.pC, again.pubSignals),
    ).to.be.revertedWithCustomError(w.airdrop, "NullifierUsed");
  });

  it("attacker: a front-runner cannot redirect a claim (another recipient breaks the proof)", async function () {
    this.timeout(120_000);
    const w = await world();
    const tree = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(tree, w.holders.alice!, w.scope, recipient);
    await expect(
      w.airdrop.connect(w.stranger).claim(w.stranger.address, c.pA, c.pB, c.pC, c.pubSignals),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidProof");
    // with the signal rewritten to the thief's address the pairing fails
    const forged = [...c.pubSignals];
    forged[5] = await w.airdrop.signalOf(w.stranger.address);
    await expect(
      w.airdrop.connect(w.stranger).claim(w.stranger.address, c.pA, c.pB, c.pC, forged),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidProof");
    await expect(w.airdrop.connect(w.stranger).claim(recipient, c.pA, c.pB, c.pC, c.pubSignals)).to.emit(
      w.airdrop,
      "Claimed",
    );
  });

  it("attacker: a minor cannot claim (no AGE_20 proof exists; an AGE_18 proof is the wrong mask)", async function () {
    this.timeout(120_000);
    const w = await world();
    const tree = await w.publish();
    const recipient = Wallet.createRandom().address;
    try {
      await prove(tree, w.holders.bob!, w.scope, recipient);
      expect.fail("a minor proved AGE_20");
    } catch (error) {
      expect(error).to.be.instanceOf(AnonError);
      expect((error as AnonError).code).to.equal("ANON_UNSATISFIABLE");
    }
    const c = await prove(tree, w.holders.bob!, w.scope, recipient, BigInt(Claims.AGE_18));
    await expect(w.airdrop.claim(recipient, c.pA, c.pB, c.pC, c.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "WrongClaimsMask")
      .withArgs(Claims.AGE_18);
  });

  it("attacker: another scope, a stale proof time, an unpublished root are refused", async function () {
    this.timeout(120_000);
    const w = await world();
    const tree = await w.publish();
    const recipient = Wallet.createRandom().address;
    const wrongScope = await prove(tree, w.holders.alice!, w.scope + 1n, recipient);
    await expect(
      w.airdrop.claim(recipient, wrongScope.pA, wrongScope.pB, wrongScope.pC, wrongScope.pubSignals),
    ).to.be.revertedWithCustomError(w.airdrop, "WrongScope");
    // a tree the operator never published (the attacker added a leaf of its own)
    const fake = tree.withLeaf(tree.size, hasher.leaf(hasher.commitment(0xbadn), BigInt(ADULT), 2n ** 40n));
    const unpublished = await prove(
      fake,
      { secret: 0xbadn, claims: BigInt(ADULT), expiresAt: 2n ** 40n },
      w.scope,
      recipient,
    );
    await expect(w.airdrop.claim(recipient, unpublished.pA, unpublished.pB, unpublished.pC, unpublished.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "UnknownRoot")
      .withArgs(toBeHex(fake.root, 32));
    const c = await prove(tree, w.holders.alice!, w.scope, recipient);
    await networkHelpers.time.increase(3601n);
    await expect(w.airdrop.claim(recipient, c.pA, c.pB, c.pC, c.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "ProofTimeOutOfWindow")
      .withArgs(c.pubSignals[3]);
  });

  it("a revoked holder is refused once the root without its leaf is published and the old root is past its bound", async function () {
    this.timeout(120_000);
    const w = await world();
    const before = await w.publish();
    await w.registry.connect(w.attester).revoke(w.carol.address, Reason.Operator);
    const after = await w.publish();
    expect(after.root).to.not.equal(before.root);
    expect(
      after.indexOf(hasher.leaf(hasher.commitment(0xca201n), w.holders.carol!.claims, w.holders.carol!.expiresAt)),
    ).to.equal(-1);
    const recipient = Wallet.createRandom().address;
    // the new root does not hold carol's leaf: no proof
    try {
      await prove(after, w.holders.carol!, w.scope, recipient);
      expect.fail("proved against a root without the leaf");
    } catch (error) {
      expect((error as AnonError).code).to.equal("ANON_NOT_A_MEMBER");
    }
    // the old root is past MAX_ROOT_AGE; the operator keeps its heartbeat and republishes the current root
    await networkHelpers.time.increase(MAX_ROOT_AGE + 1n);
    await w.registry.connect(w.attester).recordCrlSync();
    await w.registry.connect(w.attester).publishAnonRoot(toBeHex(after.root, 32), after.size);
    const old = await prove(before, w.holders.carol!, w.scope, recipient);
    const [, publishedAt] = await w.registry.anonRoot(toBeHex(before.root, 32));
    await expect(w.airdrop.claim(recipient, old.pA, old.pB, old.pC, old.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "StaleRoot")
      .withArgs(toBeHex(before.root, 32), publishedAt);
    // alice (still attested) proves against the current root
    const ok = await prove(after, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(recipient, ok.pA, ok.pB, ok.pC, ok.pubSignals)).to.emit(w.airdrop, "Claimed");
  });

  it("a root of an attester that lost its role is refused (UnusableRoot)", async function () {
    this.timeout(120_000);
    const w = await world();
    const tree = await w.publish();
    const recipient = Wallet.createRandom().address;
    await w.registry.connect(w.admin).revokeRole(await w.registry.ATTESTER_ROLE(), w.attester.address);
    const c = await prove(tree, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(recipient, c.pA, c.pB, c.pC, c.pubSignals))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(toBeHex(tree.root, 32));
  });
});
