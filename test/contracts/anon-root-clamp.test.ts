// Closing roots early (consumers read the ring slot alone, so a cut must be written there): replaceAnonRoots, the
// operator's publication of a root that removes leaves, ends every earlier root at once; clampAnonRoots, after the
// admin lowered maxStaleness, cuts roots published under the old bound to the new staleness deadline.
import { expect } from "chai";
import { id, toBeHex } from "ethers";
import { network } from "hardhat";

import { ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import { anonCalldata, anonWitnessInput, proveAnon, releaseCurve, signalOfAddress } from "../../src/anon/index.js";
import { publishedRef } from "../helpers/anon-root-ref.js";
import { DAY, MAX_STALENESS, deployRegistryFixture, latestTime } from "../helpers/registry-fixture.js";
import { CLAIMS, anonWorld } from "../zk/helpers/anon-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
/** A 176-bit root (what the registry keeps). */
const root = (label: string) => toBeHex(BigInt(id(`clamp root ${label}`)) >> 80n, 32);

describe("KycRegistry v2: replaceAnonRoots", function () {
  after(releaseCurve);

  it("ends every earlier root of the caller at once and publishes the new one; other attesters untouched", async function () {
    const { registry, attester, attester2 } = await networkHelpers.loadFixture(fixture);
    const validUntil = (await latestTime(ethers)) + DAY;
    const a = await publishedRef(registry, registry.connect(attester).publishAnonRoot(root("a"), validUntil, 1));
    const b = await publishedRef(registry, registry.connect(attester).publishAnonRoot(root("b"), validUntil, 1));
    const other = await publishedRef(registry, registry.connect(attester2).publishAnonRoot(root("o"), validUntil, 1));
    const tx = registry.connect(attester).replaceAnonRoots(root("c"), validUntil, 2);
    const c = await publishedRef(registry, tx);
    const at = await latestTime(ethers);
    await expect(tx)
      .to.emit(registry, "AnonRootsClamped")
      .withArgs(attester.address, at - 1n);
    for (const ref of [a, b]) {
      const [held, , until] = await registry.anonRootAt(ref);
      expect(held).to.not.equal(ethers.ZeroHash); // the entry keeps its root, unusable
      expect(until).to.equal(at - 1n);
    }
    expect((await registry.anonRootAt(c))[2]).to.equal(validUntil);
    expect((await registry.anonRootAt(other))[2]).to.equal(validUntil);
    await expect(
      registry.connect(attester2).replaceAnonRoots(ethers.ZeroHash, validUntil, 0),
    ).to.be.revertedWithCustomError(registry, "InvalidAnonRoot");
  });

  it("attacker: after any mix of publications and replacements (the ring wrapping), a replacement leaves no earlier root usable, and touches only the roots since the last one", async function () {
    const { registry, attester } = await networkHelpers.loadFixture(fixture);
    const validUntil = (await latestTime(ethers)) + DAY;
    const refs: bigint[] = [];
    // 150 publications, every 7th one a replacement (and a run of plain ones longer than the ring)
    for (let i = 0; i < 150; i++) {
      const replace = i % 7 === 6 && !(i > 60 && i < 140);
      const send = replace ? registry.connect(attester).replaceAnonRoots : registry.connect(attester).publishAnonRoot;
      const tx = send(root(`mix ${i}`), validUntil, i);
      refs.push(await publishedRef(registry, tx));
      if (!replace) continue;
      const now = await latestTime(ethers);
      for (let j = Math.max(0, i - 63); j < i; j++) {
        const [held, , until] = await registry.anonRootAt(refs[j]!);
        expect(held, `entry of publication ${j}`).to.equal(root(`mix ${j}`));
        expect(until < now, `publication ${j} still usable after replacement ${i}`).to.equal(true);
      }
      expect((await registry.anonRootAt(refs[i]!))[2]).to.equal(validUntil);
    }
    // a replacement right after another reads one entry, not the ring
    const first = await (await registry.connect(attester).replaceAnonRoots(root("r1"), validUntil, 0)).wait();
    const second = await (await registry.connect(attester).replaceAnonRoots(root("r2"), validUntil, 0)).wait();
    expect(second!.gasUsed < 80_000n, `${second!.gasUsed}`).to.equal(true);
    expect(first!.gasUsed > second!.gasUsed).to.equal(true);
  });

  it("attacker: a holder removed from the tree cannot claim with a proof against the root published before", async function () {
    this.timeout(120_000);
    const { artifacts } = await ensureDevArtifacts();
    const w = await anonWorld();
    const f = await deployRegistryFixture(ethers);
    const airdrop = await ethers.deployContract("AnonAgeGatedAirdrop", [f.address, DAY]);
    const validUntil = (await latestTime(ethers)) + DAY;
    const oldRoot = toBeHex(w.hasher.publishedRoot(w.tree.root, validUntil), 32);
    const oldRef = await publishedRef(
      f.registry,
      f.registry.connect(f.attester).publishAnonRoot(oldRoot, validUntil, w.tree.size),
    );
    const statement = {
      treeRoot: w.tree.root,
      validUntil,
      claimsMask: CLAIMS.AGE_20,
      scope: await airdrop.ANON_SCOPE(),
      signal: signalOfAddress(f.stranger.address),
    };
    const proof = anonCalldata(await proveAnon(anonWitnessInput(w.hasher, w.tree, w.alice, statement), artifacts));
    // an ordinary publication (the tree only grew) leaves the old root usable: the proof still claims then
    const grown = await networkHelpers.takeSnapshot();
    await f.registry.connect(f.attester).publishAnonRoot(root("grown"), validUntil, w.tree.size + 1);
    await expect(airdrop.claim(proof.proof, oldRef, proof.nullifierSignal)).to.emit(airdrop, "Claimed");
    await grown.restore();
    // the root without the holder's leaf (revoked at crl-sync) replaces every earlier one
    await f.registry.connect(f.attester).replaceAnonRoots(root("without alice"), validUntil, w.tree.size);
    await expect(airdrop.claim(proof.proof, oldRef, proof.nullifierSignal))
      .to.be.revertedWithCustomError(airdrop, "UnusableRoot")
      .withArgs(oldRef);
  });
});

describe("KycRegistry v2: clampAnonRoots", function () {
  it("attacker: roots published under a longer maxStaleness do not outlive a lowered one once clamped", async function () {
    const { registry, admin, attester, attester2, stranger } = await networkHelpers.loadFixture(fixture);
    const syncedAt = await registry.lastCrlSync(attester.address);
    const validUntil = syncedAt + MAX_STALENESS; // the longest the old bound allows
    const early = syncedAt + DAY / 2n; // already within any bound below
    const long = await publishedRef(registry, registry.connect(attester).publishAnonRoot(root("long"), validUntil, 1));
    const short = await publishedRef(registry, registry.connect(attester).publishAnonRoot(root("short"), early, 1));
    const other = await publishedRef(
      registry,
      registry.connect(attester2).publishAnonRoot(root("other"), validUntil, 1),
    );

    await registry.connect(admin).setMaxStaleness(DAY);
    // without the clamp the old root keeps its validUntil: the registry cannot know it before the clamp runs
    expect((await registry.anonRootAt(long))[2]).to.equal(validUntil);

    const staleAt = syncedAt + DAY;
    await expect(registry.connect(stranger).clampAnonRoots(attester.address))
      .to.emit(registry, "AnonRootsClamped")
      .withArgs(attester.address, staleAt);
    const [heldRoot, , cut] = await registry.anonRootAt(long);
    expect(heldRoot).to.equal(root("long"));
    expect(cut).to.equal(staleAt);
    expect((await registry.anonRootAt(short))[2]).to.equal(early); // already earlier: unchanged
    expect((await registry.anonRootAt(other))[2]).to.equal(validUntil); // another attester's ring: untouched
  });

  it("refuses an address that is not an active attester, and changes nothing without a staleness bound", async function () {
    const { registry, admin, attester, stranger } = await networkHelpers.loadFixture(fixture);
    await expect(registry.clampAnonRoots(stranger.address))
      .to.be.revertedWithCustomError(registry, "NotAttester")
      .withArgs(stranger.address);
    const syncedAt = await registry.lastCrlSync(attester.address);
    const ref = await publishedRef(
      registry,
      registry.connect(attester).publishAnonRoot(root("kept"), syncedAt + MAX_STALENESS, 1),
    );
    await registry.connect(admin).setMaxStaleness(0);
    await expect(registry.clampAnonRoots(attester.address)).to.not.emit(registry, "AnonRootsClamped");
    expect((await registry.anonRootAt(ref))[2]).to.equal(syncedAt + MAX_STALENESS);
  });
});
