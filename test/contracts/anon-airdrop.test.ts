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
  SNARK_SCALAR_FIELD,
  hashToField,
  loadAnonHasher,
  signalOfAddress,
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
/** How long the operator lets a root be used (its validUntil, after the publication). */
const ROOT_VALIDITY = 2n * DAY;

/** A published root: the tree and the validUntil it was published with. */
interface Published {
  readonly tree: AnonTree;
  readonly validUntil: bigint;
  readonly root: string;
}

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
    const airdrop = await ethers.deployContract("AnonAgeGatedAirdrop", [f.address, MAX_ROOT_AGE]);
    const { chainId } = await ethers.provider.getNetwork();
    const scope = hashToField(AbiCoder.defaultAbiCoder().encode(["uint256", "address"], [chainId, airdrop.target]));
    expect(await airdrop.ANON_SCOPE()).to.equal(scope);
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
    /** The operator: rebuild from events, publish Poseidon(treeRoot, validUntil). */
    const publish = async (): Promise<Published> => {
      const leaves = new AnonRegistryLeaves(f.attester.address);
      for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
      const tree = leaves.tree(hasher);
      const validUntil = (await latestTime(ethers)) + ROOT_VALIDITY;
      const root = toBeHex(hasher.publishedRoot(tree.root, validUntil), 32);
      await f.registry.connect(f.attester).publishAnonRoot(root, validUntil, leaves.size);
      return { tree, validUntil, root };
    };
    return { ...f, airdrop, scope, holders, publish };
  }

  async function prove(
    published: Published,
    holder: AnonHolder,
    scope: bigint,
    recipient: string,
    claimsMask: bigint = BigInt(Claims.AGE_20),
  ): Promise<AnonCalldata> {
    const statement = {
      treeRoot: published.tree.root,
      validUntil: published.validUntil,
      claimsMask,
      scope,
      signal: signalOfAddress(recipient),
    };
    return anonCalldata(await proveAnon(anonWitnessInput(hasher, published.tree, holder, statement), artifacts));
  }

  const nullifierOf = (c: AnonCalldata) => c.nullifierSignal >> 160n;

  it("an adult claims from a fresh address for a fresh recipient; the same person cannot claim twice", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const relayer = Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(relayer.address, 10n ** 18n);
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    const tx = await w.airdrop.connect(relayer).claim(c.proof, c.root, c.nullifierSignal);
    await expect(tx).to.emit(w.airdrop, "Claimed").withArgs(nullifierOf(c), recipient);
    const gas = (await tx.wait())!.gasUsed;
    // the gas guard is test/zk/anon-verifier.test.ts; the figure and its target are `npm run bench:anon`'s
    console.log(`      AnonAgeGatedAirdrop.claim: ${gas} gas (transaction)`);
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(c))).to.equal(true);
    // the same proof again, and a new proof by the same person for another recipient: same nullifier
    await expect(w.airdrop.connect(relayer).claim(c.proof, c.root, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(nullifierOf(c));
    const other = Wallet.createRandom().address;
    const again = await prove(published, w.holders.alice!, w.scope, other);
    expect(nullifierOf(again)).to.equal(nullifierOf(c));
    await expect(
      w.airdrop.connect(relayer).claim(again.proof, again.root, again.nullifierSignal),
    ).to.be.revertedWithCustomError(w.airdrop, "NullifierUsed");
  });

  it("attacker: the same card re-bound to a new wallet keeps its nullifier (no second claim)", async function () {
    this.timeout(120_000);
    const w = await world();
    const first = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(first, w.holders.alice!, w.scope, recipient);
    await w.airdrop.claim(c.proof, c.root, c.nullifierSignal);
    // alice withdraws and binds the same card to a new wallet with the same secret (the card derives it again)
    await w.registry.connect(w.alice).revokeSelf();
    const newWallet = Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(newWallet.address, 10n ** 18n);
    const req = await makeRequest(ethers, newWallet.address, {
      claims: ADULT,
      personTag: ethers.id("person alice"),
      anonCommitment: toBeHex(hasher.commitment(0xa11ce5n), 32),
    });
    await attestWith(w.registry, w.attester, testCard(0), req, newWallet);
    const [, claims, expiresAt] = await w.registry.kycStatus(newWallet.address);
    const second = await w.publish();
    const again = await prove(second, { secret: 0xa11ce5n, claims, expiresAt }, w.scope, Wallet.createRandom().address);
    expect(nullifierOf(again)).to.equal(nullifierOf(c));
    await expect(w.airdrop.claim(again.proof, again.root, again.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(nullifierOf(c));
  });

  it("attacker: a front-runner cannot redirect a claim (another recipient breaks the proof)", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    // the thief keeps the proof and puts its own address in the signal's 160 bits
    const stolen = ((c.nullifierSignal >> 160n) << 160n) | BigInt(w.stranger.address);
    await expect(w.airdrop.connect(w.stranger).claim(c.proof, c.root, stolen)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
    // the thief's own nullifier bits with the recipient: also another statement
    await expect(
      w.airdrop.connect(w.stranger).claim(c.proof, c.root, c.nullifierSignal ^ (1n << 200n)),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    await expect(w.airdrop.connect(w.stranger).claim(c.proof, c.root, c.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(nullifierOf(c), recipient);
  });

  it("attacker: a minor cannot claim (no AGE_20 proof exists; an AGE_18 proof is another statement)", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    try {
      await prove(published, w.holders.bob!, w.scope, recipient);
      expect.fail("a minor proved AGE_20");
    } catch (error) {
      expect(error).to.be.instanceOf(AnonError);
      expect((error as AnonError).code).to.equal("ANON_UNSATISFIABLE");
    }
    const c = await prove(published, w.holders.bob!, w.scope, recipient, BigInt(Claims.AGE_18));
    await expect(w.airdrop.claim(c.proof, c.root, c.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
  });

  it("attacker: another scope's proof and an unpublished root are refused", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const wrongScope = await prove(published, w.holders.alice!, w.scope + 1n, recipient);
    await expect(
      w.airdrop.claim(wrongScope.proof, wrongScope.root, wrongScope.nullifierSignal),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    // a tree the operator never published (the attacker added a leaf of its own)
    const fakeTree = published.tree.withLeaf(
      published.tree.size,
      hasher.leaf(hasher.commitment(0xbadn), BigInt(ADULT), 2n ** 40n),
    );
    const fake = { tree: fakeTree, validUntil: published.validUntil, root: "" };
    const unpublished = await prove(
      fake,
      { secret: 0xbadn, claims: BigInt(ADULT), expiresAt: 2n ** 40n },
      w.scope,
      recipient,
    );
    await expect(w.airdrop.claim(unpublished.proof, unpublished.root, unpublished.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnknownRoot")
      .withArgs(unpublished.root);
    // the published root with a longer validUntil than it was published with: another root, unknown
    const stretched = { ...published, validUntil: published.validUntil + 1n };
    const longer = await prove(stretched, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(longer.proof, longer.root, longer.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "UnknownRoot",
    );
  });

  it("a root past its validUntil is refused, and a leaf expiring before validUntil cannot prove", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    await networkHelpers.time.increaseTo(published.validUntil + 1n);
    await w.registry.connect(w.attester).recordCrlSync();
    await expect(w.airdrop.claim(c.proof, c.root, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.root);
    try {
      await prove({ ...published, validUntil: w.holders.alice!.expiresAt }, w.holders.alice!, w.scope, recipient);
      expect.fail("a leaf proved against a root that outlives it");
    } catch (error) {
      expect((error as AnonError).code).to.equal("ANON_UNSATISFIABLE");
    }
  });

  it("a revoked holder is refused once the root without its leaf is published and the old root is past its bound", async function () {
    this.timeout(120_000);
    const w = await world();
    const before = await w.publish();
    await w.registry.connect(w.attester).revoke(w.carol.address, Reason.Operator);
    const after = await w.publish();
    expect(after.tree.root).to.not.equal(before.tree.root);
    expect(
      after.tree.indexOf(hasher.leaf(hasher.commitment(0xca201n), w.holders.carol!.claims, w.holders.carol!.expiresAt)),
    ).to.equal(-1);
    const recipient = Wallet.createRandom().address;
    // the new root does not hold carol's leaf: no proof
    try {
      await prove(after, w.holders.carol!, w.scope, recipient);
      expect.fail("proved against a root without the leaf");
    } catch (error) {
      expect((error as AnonError).code).to.equal("ANON_NOT_A_MEMBER");
    }
    // the old root is past MAX_ROOT_AGE (the operator keeps its heartbeat and publishes again)
    await networkHelpers.time.increase(MAX_ROOT_AGE / 2n);
    await w.registry.connect(w.attester).recordCrlSync();
    const current = await w.publish();
    await networkHelpers.time.increase(MAX_ROOT_AGE / 2n + 1n);
    const old = await prove(before, w.holders.carol!, w.scope, recipient);
    const [, publishedAt] = await w.registry.anonRoot(before.root);
    await expect(w.airdrop.claim(old.proof, old.root, old.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "StaleRoot")
      .withArgs(before.root, publishedAt);
    // alice (still attested) proves against the current root
    const ok = await prove(current, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(ok.proof, ok.root, ok.nullifierSignal)).to.emit(w.airdrop, "Claimed");
  });

  it("a root of an attester that lost its role is refused (UnusableRoot)", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    await w.registry.connect(w.admin).revokeRole(await w.registry.ATTESTER_ROLE(), w.attester.address);
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(c.proof, c.root, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.root);
  });

  it("refuses a zero recipient and an out-of-field nullifierSignal before anything else", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const c = await prove(published, w.holders.alice!, w.scope, Wallet.createRandom().address);
    const zeroRecipient = (c.nullifierSignal >> 160n) << 160n;
    await expect(w.airdrop.claim(c.proof, c.root, zeroRecipient)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidRecipient",
    );
    await expect(
      w.airdrop.claim(c.proof, c.root, c.nullifierSignal + SNARK_SCALAR_FIELD),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
  });
});
