// `kyc anon roots` / `kyc anon check-root`: the operator's tree from the registry's events, published and checked.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";
import { network } from "hardhat";

import { AnonTree, loadAnonHasher } from "../../src/anon/index.js";
import { KycError } from "../../src/errors.js";
import { anonCheckRootCommand, anonRootsCommand } from "../../src/operator/commands/anon.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { Claims, testCard } from "../helpers/card-proof.js";
import { Reason, attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();

async function rejects(p: Promise<unknown>, code: string) {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(KycError);
    expect((error as KycError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("kyc anon roots / check-root", function () {
  it("publishes the tree rebuilt from events; anyone's rebuild matches it, before and after a revocation", async function () {
    const hasher = await loadAnonHasher();
    const f = await deployRegistryFixture(ethers);
    const dir = mkdtempSync(join(tmpdir(), "kyc-anon-"));
    const ctx = (signer = f.attester): OperatorContext => ({ provider: ethers.provider, signer, projectRoot: dir });
    const anyone: OperatorContext = { provider: ethers.provider, projectRoot: dir };
    const commitment = (secret: bigint) => toBeHex(hasher.commitment(secret), 32);
    const people = [
      { s: f.alice, c: commitment(1n) },
      { s: f.bob, c: commitment(2n) },
      { s: f.carol, c: undefined },
    ];
    for (const [i, p] of people.entries()) {
      const req = await makeRequest(ethers, p.s.address, p.c === undefined ? {} : { anonCommitment: p.c });
      await attestWith(f.registry, f.attester, testCard(i), req);
    }
    const first = await anonRootsCommand(ctx(), { registry: f.address, publish: true });
    expect(first.leafCount).to.equal(2);
    expect(first.liveLeaves).to.equal(2);
    expect(first.publication?.hash).to.match(/^0x/);
    expect(first.publishedRoot).to.equal(
      toBeHex(hasher.publishedRoot(BigInt(first.currentTreeRoot), BigInt(first.validUntil!)), 32),
    );
    const [held, publishedAt, until] = await f.registry.anonRootAt(first.publishedRef!);
    expect([held, until]).to.deep.equal([first.publishedRoot, BigInt(first.validUntil!)]);
    expect(first.published.map((p) => [p.root, p.ref, p.leafCount, p.validUntil, p.status, p.usable])).to.deep.equal([
      [first.publishedRoot, first.publishedRef, 2, first.validUntil, "usable", true],
    ]);
    expect(first.published[0]!.publishedAt).to.equal(Number(publishedAt));
    const ok = await anonCheckRootCommand(anyone, { registry: f.address, root: first.publishedRoot });
    expect([ok.matches, ok.ref, ok.status]).to.deep.equal([true, first.publishedRef, "usable"]);

    await f.registry.connect(f.attester).revoke(f.alice.address, Reason.Operator);
    const second = await anonRootsCommand(ctx(), { registry: f.address, publish: true });
    expect([second.leafCount, second.liveLeaves]).to.deep.equal([2, 1]);
    expect(second.currentTreeRoot).to.not.equal(first.currentTreeRoot);
    expect((await anonCheckRootCommand(anyone, { registry: f.address, root: second.publishedRoot })).matches).to.equal(
      true,
    );
    // the first root still checks against the events before its own publication
    expect((await anonCheckRootCommand(anyone, { registry: f.address, root: first.publishedRoot })).matches).to.equal(
      true,
    );
    // read-only listing by anyone, for a named attester
    const listed = await anonRootsCommand(anyone, { registry: f.address, attester: f.attester.address });
    // the second root removes alice's leaf: it went out with replaceAnonRoots, which ended the first
    expect([first.replaced, second.replaced]).to.deep.equal([false, true]);
    expect(listed.published.map((p) => [p.ref, p.status])).to.deep.equal([
      [first.publishedRef, "expired"],
      [first.publishedRef! + 1n, "usable"],
    ]);
    expect(listed.currentTreeRoot).to.equal(second.currentTreeRoot);
    // attacker: the operator republishes the old root (alice's revoked leaf still in it) to refresh its age
    await f.registry.connect(f.attester).publishAnonRoot(first.publishedRoot!, first.validUntil!, 2);
    // (one block of lookback: the operator read the chain at most one block before its transaction)
    const refreshed = await anonCheckRootCommand(anyone, {
      registry: f.address,
      root: first.publishedRoot,
      lookbackBlocks: 1,
    });
    expect(refreshed.matches).to.equal(false);
    expect(refreshed.rebuiltTreeRoot).to.equal(second.currentTreeRoot);
  });

  it("attacker: a root the events do not give (the operator slipped in a leaf of its own) does not check", async function () {
    const hasher = await loadAnonHasher();
    const f = await deployRegistryFixture(ethers);
    const dir = mkdtempSync(join(tmpdir(), "kyc-anon-"));
    const anyone: OperatorContext = { provider: ethers.provider, projectRoot: dir };
    const req = await makeRequest(ethers, f.alice.address, { anonCommitment: toBeHex(hasher.commitment(1n), 32) });
    await attestWith(f.registry, f.attester, testCard(0), req);
    const honest = await anonRootsCommand(anyone, { registry: f.address, attester: f.attester.address });
    // the operator publishes a tree with an extra leaf of its own
    const [, claims, expiresAt] = await f.registry.kycStatus(f.alice.address);
    const forged = AnonTree.build(hasher, [
      hasher.leaf(hasher.commitment(1n), claims, expiresAt),
      hasher.leaf(hasher.commitment(666n), BigInt(Claims.AUTH | Claims.AGE_20), expiresAt),
    ]);
    expect(toBeHex(AnonTree.build(hasher, [forged.leaf(0)]).root, 32)).to.equal(honest.currentTreeRoot);
    const validUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const forgedRoot = toBeHex(hasher.publishedRoot(forged.root, validUntil), 32);
    await f.registry.connect(f.attester).publishAnonRoot(forgedRoot, validUntil, 2);
    const bad = await anonCheckRootCommand(anyone, { registry: f.address, root: forgedRoot });
    expect(bad.matches).to.equal(false);
    expect(bad.rebuiltTreeRoot).to.equal(honest.currentTreeRoot);
    // attacker: the honest tree root published with a validUntil other than the one in the root's commitment
    const honestRoot = toBeHex(hasher.publishedRoot(BigInt(honest.currentTreeRoot), validUntil), 32);
    await f.registry.connect(f.attester).publishAnonRoot(honestRoot, validUntil + 60n, 1);
    expect((await anonCheckRootCommand(anyone, { registry: f.address, root: honestRoot })).matches).to.equal(false);
    await rejects(
      anonCheckRootCommand(anyone, { registry: f.address, root: toBeHex(12345n, 32) }),
      "OPERATOR_BAD_INPUT",
    );
    await rejects(anonCheckRootCommand(anyone, { registry: f.address, root: "0x1234" }), "OPERATOR_BAD_INPUT");
  });

  it("lists each publication with what its ref holds now: usable, expired, overwritten (ring of 64), closed (attester removed)", async function () {
    const hasher = await loadAnonHasher();
    const f = await deployRegistryFixture(ethers);
    const dir = mkdtempSync(join(tmpdir(), "kyc-anon-"));
    const operator: OperatorContext = { provider: ethers.provider, signer: f.attester, projectRoot: dir };
    const anyone: OperatorContext = { provider: ethers.provider, projectRoot: dir };
    const req = await makeRequest(ethers, f.alice.address, { anonCommitment: toBeHex(hasher.commitment(1n), 32) });
    await attestWith(f.registry, f.attester, testCard(0), req);
    const ring = Number(await f.registry.ANON_ROOT_RING());
    expect(ring).to.equal(64);
    const first = await anonRootsCommand(operator, { registry: f.address, publish: true, validFor: 60 });
    const second = await anonRootsCommand(operator, { registry: f.address, publish: true });
    expect(second.publishedRef).to.equal(first.publishedRef! + 1n);
    await networkHelpers.time.increase(61);
    let listed = await anonRootsCommand(anyone, { registry: f.address, attester: f.attester.address });
    expect(listed.published.map((p) => p.status)).to.deep.equal(["expired", "usable"]);
    expect(listed.published.map((p) => p.usable)).to.deep.equal([false, true]);
    const firstCheck = await anonCheckRootCommand(anyone, { registry: f.address, root: first.publishedRoot });
    expect([firstCheck.matches, firstCheck.status]).to.deep.equal([true, "expired"]);

    // 63 more publications: the 65th takes the first one's ring entry
    const validUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
    for (let i = 0; i < ring - 2; i++) {
      await f.registry.connect(f.attester).publishAnonRoot(toBeHex(1000n + BigInt(i), 32), validUntil, 1);
    }
    await anonRootsCommand(operator, { registry: f.address, publish: true });
    listed = await anonRootsCommand(anyone, { registry: f.address, attester: f.attester.address });
    expect(listed.published).to.have.length(ring + 1);
    expect(listed.published.at(-1)!.ref).to.equal(first.publishedRef);
    expect(listed.published.map((p) => p.status)).to.deep.equal(["overwritten", ...Array<string>(ring).fill("usable")]);
    expect(listed.published[0]!.publishedAt).to.equal(null);
    const overwritten = await anonCheckRootCommand(anyone, { registry: f.address, root: first.publishedRoot });
    expect([overwritten.matches, overwritten.ref, overwritten.status]).to.deep.equal([
      true,
      first.publishedRef,
      "overwritten",
    ]);

    // the attester is removed: every entry of its ring is closed (validUntil zero)
    await f.registry.connect(f.admin).revokeRole(await f.registry.ATTESTER_ROLE(), f.attester.address);
    listed = await anonRootsCommand(anyone, { registry: f.address, attester: f.attester.address });
    expect(new Set(listed.published.slice(1).map((p) => p.status))).to.deep.equal(new Set(["closed"]));
    expect(listed.published.some((p) => p.usable)).to.equal(false);
  });
});
