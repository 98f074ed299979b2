// End to end on chain: holders opt in at bind time, the operator rebuilds its tree from the registry's events and
// publishes the root into its ring (at the ref AnonRootPublished reports), and AnonAgeGatedAirdrop pays each adult
// once per scope to the recipient named in the proof, reading the root at the ref the claim names.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { AbiCoder, Wallet, id, toBeHex, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  ANON_ROOT_BITS,
  AnonError,
  AnonRegistryLeaves,
  BN254_BASE_FIELD,
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
import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import { publishedRef } from "../helpers/anon-root-ref.js";
import { Claims, testCard } from "../helpers/card-proof.js";
import {
  DAY,
  MAX_STALENESS,
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
/** How many roots each attester's ring keeps (KycRegistryStorage). */
const ANON_ROOT_RING = 64n;
/**
 * The gas limit of claims whose proof makes the pairing precompile fail. The verifier forwards its gas to the
 * precompile, which burns all it was given when it refuses a point: such a claim is sent with a fixed limit, a little
 * above a valid claim's (what a relayer would set), instead of an estimate, so that it is mined and shows that the
 * 1/64 of the gas left after the precompile still reverts with InvalidAnonProof (not out of gas).
 */
const FAILING_PRECOMPILE_GAS_LIMIT = 300_000n;

/** A published root: the tree and the validUntil it was published with, and where the registry holds it. */
interface Published {
  readonly tree: AnonTree;
  readonly validUntil: bigint;
  readonly root: string;
  readonly ref: bigint;
  readonly publishedAt: bigint;
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

  async function world({ maxRootAge = MAX_ROOT_AGE }: { maxRootAge?: bigint } = {}) {
    const f = await deployRegistryFixture(ethers);
    const airdrop = await ethers.deployContract("AnonAgeGatedAirdrop", [f.address, maxRootAge]);
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
    /**
     * The operator: rebuild the attester's tree from events, publish Poseidon(treeRoot, validUntil) mod 2^176 (by
     * `by`, the attester by default: another attester publishing the same tree is a test's shortcut to a second
     * attester's root, the registry does not look into roots).
     */
    const publish = async (options: { validUntil?: bigint; by?: HardhatEthersSigner } = {}): Promise<Published> => {
      const leaves = new AnonRegistryLeaves(f.attester.address);
      for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
      const tree = leaves.tree(hasher);
      const validUntil = options.validUntil ?? (await latestTime(ethers)) + ROOT_VALIDITY;
      const root = toBeHex(hasher.publishedRoot(tree.root, validUntil), 32);
      expect(BigInt(root) >> ANON_ROOT_BITS).to.equal(0n);
      const tx = await f.registry.connect(options.by ?? f.attester).publishAnonRoot(root, validUntil, leaves.size);
      const ref = await publishedRef(f.registry, tx);
      const publishedAt = await latestTime(ethers);
      expect(await f.registry.anonRootAt(ref)).to.deep.equal([root, publishedAt, validUntil]);
      return { tree, validUntil, root, ref, publishedAt };
    };
    return { ...f, airdrop, scope, holders, publish };
  }

  async function prove(
    published: Pick<Published, "tree" | "validUntil">,
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
  /** A 176-bit root no tree has (filler publications). */
  const fillerRoot = (label: string) => toBeHex(BigInt(id(`filler root ${label}`)) % (1n << ANON_ROOT_BITS), 32);

  it("an adult claims from a fresh address for a fresh recipient; the same person cannot claim twice", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const relayer = Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(relayer.address, 10n ** 18n);
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    expect(c.root).to.equal(published.root);
    const tx = await w.airdrop.connect(relayer).claim(c.proof, published.ref, c.nullifierSignal);
    // the event names the recipient only (the nullifier is in the input and anonNullifierUsed)
    await expect(tx).to.emit(w.airdrop, "Claimed").withArgs(recipient);
    const gas = (await tx.wait())!.gasUsed;
    // the gas guard is test/zk/anon-verifier.test.ts; the figure and its target are `npm run bench:anon`'s
    console.log(`      AnonAgeGatedAirdrop.claim: ${gas} gas (transaction)`);
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(c))).to.equal(true);
    // the same proof again, and a new proof by the same person for another recipient: same nullifier
    await expect(w.airdrop.connect(relayer).claim(c.proof, published.ref, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(nullifierOf(c));
    const other = Wallet.createRandom().address;
    const again = await prove(published, w.holders.alice!, w.scope, other);
    expect(nullifierOf(again)).to.equal(nullifierOf(c));
    await expect(w.airdrop.connect(relayer).claim(again.proof, published.ref, again.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(nullifierOf(c));
  });

  it("attacker: the same card re-bound to a new wallet keeps its nullifier (no second claim)", async function () {
    this.timeout(120_000);
    const w = await world();
    const first = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(first, w.holders.alice!, w.scope, recipient);
    await w.airdrop.claim(c.proof, first.ref, c.nullifierSignal);
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
    expect(second.ref).to.equal(first.ref + 1n);
    const again = await prove(second, { secret: 0xa11ce5n, claims, expiresAt }, w.scope, Wallet.createRandom().address);
    expect(nullifierOf(again)).to.equal(nullifierOf(c));
    await expect(w.airdrop.claim(again.proof, second.ref, again.nullifierSignal))
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
    await expect(w.airdrop.connect(w.stranger).claim(c.proof, published.ref, stolen)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
    // the thief's own nullifier bits with the recipient: also another statement
    await expect(
      w.airdrop.connect(w.stranger).claim(c.proof, published.ref, c.nullifierSignal ^ (1n << 200n)),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(c))).to.equal(false);
    await expect(w.airdrop.connect(w.stranger).claim(c.proof, published.ref, c.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("attacker: a minor cannot claim (no AGE_20 proof exists; an AGE_18 proof is another claims mask)", async function () {
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
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
  });

  it("attacker: another scope's proof, a tree the operator never published and a stretched validUntil are refused at the published root's ref (InvalidAnonProof)", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const wrongScope = await prove(published, w.holders.alice!, w.scope + 1n, recipient);
    expect(wrongScope.root).to.equal(published.root);
    await expect(
      w.airdrop.claim(wrongScope.proof, published.ref, wrongScope.nullifierSignal),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    // a tree the operator never published (the attacker added a leaf of its own), presented with a real ref
    const fakeTree = published.tree.withLeaf(
      published.tree.size,
      hasher.leaf(hasher.commitment(0xbadn), BigInt(ADULT), 2n ** 40n),
    );
    const unpublished = await prove(
      { tree: fakeTree, validUntil: published.validUntil },
      { secret: 0xbadn, claims: BigInt(ADULT), expiresAt: 2n ** 40n },
      w.scope,
      recipient,
    );
    expect(unpublished.root).to.not.equal(published.root);
    await expect(
      w.airdrop.claim(unpublished.proof, published.ref, unpublished.nullifierSignal),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    // the published tree with a longer validUntil than it was published with: another root
    const longer = await prove(
      { tree: published.tree, validUntil: published.validUntil + 1n },
      w.holders.alice!,
      w.scope,
      recipient,
    );
    expect(longer.root).to.not.equal(published.root);
    await expect(w.airdrop.claim(longer.proof, published.ref, longer.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(longer))).to.equal(false);
  });

  it("attacker: a proof presented with the ref of another published root is refused (InvalidAnonProof); with its own ref it claims", async function () {
    this.timeout(120_000);
    const w = await world();
    const first = await w.publish();
    // the same tree again, a second later: another validUntil, so another root, at the next ref
    const second = await w.publish();
    expect(second.ref).to.equal(first.ref + 1n);
    expect(second.root).to.not.equal(first.root);
    const recipient = Wallet.createRandom().address;
    const c = await prove(first, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(c.proof, second.ref, c.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
    await expect(w.airdrop.claim(c.proof, first.ref, c.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("attacker: after 64 more publications overwrite its ring entry, a proof against the old root at the old ref is refused (InvalidAnonProof); the newer entries stay", async function () {
    this.timeout(120_000);
    const w = await world();
    const old = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(old, w.holders.alice!, w.scope, recipient);
    // 63 more publications fill the ring, the 64th takes the old root's entry
    const fillers: string[] = [];
    for (let i = 1n; i < ANON_ROOT_RING; i++) {
      const filler = fillerRoot(`${i}`);
      const tx = await w.registry
        .connect(w.attester)
        .publishAnonRoot(filler, (await latestTime(ethers)) + ROOT_VALIDITY, 1);
      expect(await publishedRef(w.registry, tx)).to.equal(old.ref + i);
      fillers.push(filler);
    }
    const current = await w.publish();
    expect(current.ref).to.equal(old.ref);
    expect((await w.registry.anonRootAt(old.ref))[0]).to.equal(current.root);
    // the old root's validUntil has not passed: only the overwrite refuses the old proof
    expect(await latestTime(ethers)).to.be.lessThan(old.validUntil);
    await expect(w.airdrop.claim(c.proof, old.ref, c.nullifierSignal)).to.be.revertedWithCustomError(
      w.airdrop,
      "InvalidAnonProof",
    );
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(c))).to.equal(false);
    // the 63 entries after it still hold their roots
    for (let i = 1n; i < ANON_ROOT_RING; i++) {
      expect((await w.registry.anonRootAt(old.ref + i))[0], `entry ${i}`).to.equal(fillers[Number(i) - 1]);
    }
    // a proof against the root now at that ref claims
    const fresh = await prove(current, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(fresh.proof, current.ref, fresh.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("checks in order: UnknownRoot (nothing at the ref), UnusableRoot, StaleRoot, NullifierUsed, InvalidAnonProof", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    expect(MAX_ROOT_AGE < ROOT_VALIDITY).to.equal(true);
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    await w.airdrop.claim(c.proof, published.ref, c.nullifierSignal);
    // a broken proof (C.y + 1: off the curve) with the used nullifier fails every check it reaches
    const broken = c.proof.with(7, c.proof[7]! + 1n);
    const claimBroken = (ref: bigint) =>
      w.airdrop.claim(broken, ref, c.nullifierSignal, { gasLimit: FAILING_PRECOMPILE_GAS_LIMIT });
    // the proof is the last check: an unused nullifier with the broken proof
    await expect(
      w.airdrop.claim(broken, published.ref, c.nullifierSignal ^ (1n << 200n), {
        gasLimit: FAILING_PRECOMPILE_GAS_LIMIT,
      }),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
    // the nullifier before the proof
    await expect(claimBroken(published.ref))
      .to.be.revertedWithCustomError(w.airdrop, "NullifierUsed")
      .withArgs(nullifierOf(c));
    // the root's age before the nullifier: older than MAX_ROOT_AGE, before its validUntil
    await networkHelpers.time.increaseTo(published.publishedAt + MAX_ROOT_AGE + 1n);
    await expect(claimBroken(published.ref))
      .to.be.revertedWithCustomError(w.airdrop, "StaleRoot")
      .withArgs(published.ref, published.publishedAt);
    expect(await latestTime(ethers)).to.be.lessThan(published.validUntil);
    // usability before the age: past its validUntil
    await networkHelpers.time.increaseTo(published.validUntil + 1n);
    await expect(claimBroken(published.ref))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.ref);
    // nothing at the ref before all: the next index, another attester's unwritten ring, an attester that never was,
    // and refs outside any ring
    for (const ref of [published.ref + 1n, 2n << 8n, 99n << 8n, 0n, published.ref | (1n << 200n), 2n ** 256n - 1n]) {
      await expect(claimBroken(ref), `ref ${ref}`)
        .to.be.revertedWithCustomError(w.airdrop, "UnknownRoot")
        .withArgs(ref);
    }
  });

  it("a root published with validUntil = lastCrlSync + maxStaleness is claimable until then and refused after (UnusableRoot), a later heartbeat does not extend it", async function () {
    this.timeout(120_000);
    // the consumer's own age bound does not end the root first
    const w = await world({ maxRootAge: MAX_STALENESS });
    const synced = await w.registry.lastCrlSync(w.attester.address);
    const staleAt = synced + MAX_STALENESS;
    const published = await w.publish({ validUntil: staleAt });
    expect(published.validUntil).to.equal(staleAt);
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    const snapshot = await networkHelpers.takeSnapshot();
    // at exactly staleAt
    await networkHelpers.time.setNextBlockTimestamp(staleAt);
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
    expect(await latestTime(ethers)).to.equal(staleAt);
    await snapshot.restore();
    // one second later the root is unusable, though the attester syncs its CRL again right then
    await networkHelpers.time.setNextBlockTimestamp(staleAt + 1n);
    await w.registry.connect(w.attester).recordCrlSync();
    expect(await w.registry.lastCrlSync(w.attester.address)).to.equal(staleAt + 1n);
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.ref);
  });

  it("a root past its validUntil is refused (UnusableRoot), and a leaf expiring before validUntil cannot prove", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    await networkHelpers.time.increaseTo(published.validUntil + 1n);
    await w.registry.connect(w.attester).recordCrlSync();
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.ref);
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
    const [, publishedAt] = await w.registry.anonRootAt(before.ref);
    expect(publishedAt).to.equal(before.publishedAt);
    await expect(w.airdrop.claim(old.proof, before.ref, old.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "StaleRoot")
      .withArgs(before.ref, publishedAt);
    // alice (still attested) proves against the current root
    const ok = await prove(current, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(ok.proof, current.ref, ok.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("attacker: the roots of an attester that lost its role (revokeRole or renounceRole) are refused (UnusableRoot), another attester's are not; a new grant revives none, a new publication claims", async function () {
    this.timeout(120_000);
    const w = await world();
    const ATTESTER_ROLE = await w.registry.ATTESTER_ROLE();
    const published = await w.publish();
    // attester2 publishes the same root (same tree and validUntil): one proof serves both refs
    const theirs = await w.publish({ by: w.attester2, validUntil: published.validUntil });
    expect(theirs.root).to.equal(published.root);
    expect(theirs.ref >> 8n).to.not.equal(published.ref >> 8n);
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    const removals = {
      revokeRole: () => w.registry.connect(w.admin).revokeRole(ATTESTER_ROLE, w.attester.address),
      renounceRole: () => w.registry.connect(w.attester).renounceRole(ATTESTER_ROLE, w.attester.address),
    };
    for (const [how, remove] of Object.entries(removals)) {
      const snapshot = await networkHelpers.takeSnapshot();
      await remove();
      expect(await w.registry.hasRole(ATTESTER_ROLE, w.attester.address), how).to.equal(false);
      expect((await w.registry.anonRootAt(published.ref))[2], how).to.equal(0n);
      await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal), how)
        .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
        .withArgs(published.ref);
      await expect(w.airdrop.claim(c.proof, theirs.ref, c.nullifierSignal), how)
        .to.emit(w.airdrop, "Claimed")
        .withArgs(recipient);
      await snapshot.restore();
    }
    // removed, then granted again: the old root stays refused
    await removals.revokeRole();
    await w.registry.connect(w.admin).grantRole(ATTESTER_ROLE, w.attester.address);
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal))
      .to.be.revertedWithCustomError(w.airdrop, "UnusableRoot")
      .withArgs(published.ref);
    // a new publication after the grant (and a heartbeat) is claimable
    await w.registry.connect(w.attester).recordCrlSync();
    const fresh = await w.publish();
    expect(fresh.ref).to.equal(published.ref + 1n);
    const again = await prove(fresh, w.holders.alice!, w.scope, recipient);
    await expect(w.airdrop.claim(again.proof, fresh.ref, again.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("attacker: proof coordinates not below q or off the curve are refused (InvalidAnonProof, the precompile refuses them) and use no nullifier", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const recipient = Wallet.createRandom().address;
    const c = await prove(published, w.holders.alice!, w.scope, recipient);
    const names = ["A.x", "A.y", "B.x.im", "B.x.re", "B.y.im", "B.y.re", "C.x", "C.y"];
    const claimWith = (proof: bigint[]) =>
      // fixed gas limit: the failing precompile burns the gas forwarded to it (see FAILING_PRECOMPILE_GAS_LIMIT)
      w.airdrop.claim(proof, published.ref, c.nullifierSignal, { gasLimit: FAILING_PRECOMPILE_GAS_LIMIT });
    for (let i = 0; i < c.proof.length; i++) {
      for (const [how, value] of [
        ["+ q", c.proof[i]! + BN254_BASE_FIELD],
        ["+ 1 (off the curve)", c.proof[i]! + 1n],
      ] as const) {
        await expect(claimWith(c.proof.with(i, value)), `${names[i]} ${how}`).to.be.revertedWithCustomError(
          w.airdrop,
          "InvalidAnonProof",
        );
      }
    }
    for (const [how, fill] of [
      ["points at infinity", 0n],
      ["2^256 - 1", 2n ** 256n - 1n],
    ] as const) {
      await expect(claimWith(new Array<bigint>(8).fill(fill)), how).to.be.revertedWithCustomError(
        w.airdrop,
        "InvalidAnonProof",
      );
    }
    expect(await w.airdrop.anonNullifierUsed(nullifierOf(c))).to.equal(false);
    await expect(w.airdrop.claim(c.proof, published.ref, c.nullifierSignal))
      .to.emit(w.airdrop, "Claimed")
      .withArgs(recipient);
  });

  it("refuses a zero recipient and an out-of-field nullifierSignal before anything else", async function () {
    this.timeout(120_000);
    const w = await world();
    const published = await w.publish();
    const c = await prove(published, w.holders.alice!, w.scope, Wallet.createRandom().address);
    const zeroRecipient = (c.nullifierSignal >> 160n) << 160n;
    // a zero recipient is refused before the root is read (even at a ref with nothing there)
    for (const ref of [published.ref, published.ref + 1n]) {
      await expect(w.airdrop.claim(c.proof, ref, zeroRecipient)).to.be.revertedWithCustomError(
        w.airdrop,
        "InvalidRecipient",
      );
    }
    await expect(
      w.airdrop.claim(c.proof, published.ref, c.nullifierSignal + SNARK_SCALAR_FIELD),
    ).to.be.revertedWithCustomError(w.airdrop, "InvalidAnonProof");
  });
});
