// clampAnonRoots: after the admin lowers maxStaleness, roots published under the old bound are cut to the new
// staleness deadline (consumers read the ring slot alone, so the cut must be written there).
import { expect } from "chai";
import { id, toBeHex, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { DAY, MAX_STALENESS, deployRegistryFixture } from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
/** A 176-bit root (what the registry keeps). */
const root = (label: string) => toBeHex(BigInt(id(`clamp root ${label}`)) >> 80n, 32);

async function refOf(
  tx: Promise<ContractTransactionResponse>,
  registry: { interface: { parseLog(l: unknown): unknown } },
) {
  const receipt = await (await tx).wait();
  for (const log of receipt!.logs) {
    const parsed = registry.interface.parseLog(log) as { name: string; args: { ref: bigint } } | null;
    if (parsed?.name === "AnonRootPublished") return parsed.args.ref;
  }
  throw new Error("no AnonRootPublished");
}

describe("KycRegistry v2: clampAnonRoots", function () {
  it("attacker: roots published under a longer maxStaleness do not outlive a lowered one once clamped", async function () {
    const { registry, admin, attester, attester2, stranger } = await networkHelpers.loadFixture(fixture);
    const syncedAt = await registry.lastCrlSync(attester.address);
    const validUntil = syncedAt + MAX_STALENESS; // the longest the old bound allows
    const early = syncedAt + DAY / 2n; // already within any bound below
    const long = await refOf(registry.connect(attester).publishAnonRoot(root("long"), validUntil, 1), registry);
    const short = await refOf(registry.connect(attester).publishAnonRoot(root("short"), early, 1), registry);
    const other = await refOf(registry.connect(attester2).publishAnonRoot(root("other"), validUntil, 1), registry);

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
    const ref = await refOf(
      registry.connect(attester).publishAnonRoot(root("kept"), syncedAt + MAX_STALENESS, 1),
      registry,
    );
    await registry.connect(admin).setMaxStaleness(0);
    await expect(registry.clampAnonRoots(attester.address)).to.not.emit(registry, "AnonRootsClamped");
    expect((await registry.anonRootAt(ref))[2]).to.equal(syncedAt + MAX_STALENESS);
  });
});
