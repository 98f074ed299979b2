// A holder whose attestation's trust anchor is disabled reads as unverified (isVerified false), so its leaf must not
// be in the operator's anonymous-proof tree while the anchor stays disabled: from the registry's real events.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { id, toBeHex } from "ethers";
import { network } from "hardhat";

import {
  AnonError,
  AnonRegistryLeaves,
  AnonTree,
  anonWitnessInput,
  loadAnonHasher,
  readAnonRegistryEvents,
} from "../../src/anon/index.js";
import { anonCheckRootCommand, anonRootsCommand } from "../../src/operator/commands/anon.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { testCard } from "../helpers/card-proof.js";
import {
  AnchorKind,
  YEAR,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers } = await network.create();

describe("anonymous-proof tree: attestations under a disabled trust anchor", function () {
  it("attacker: while alice's anchor is disabled she is in no tree that checks, and cannot prove; re-enabled, she is back", async function () {
    const hasher = await loadAnonHasher();
    const f = await deployRegistryFixture(ethers);
    const now = await latestTime(ethers);
    await f.registry
      .connect(f.anchorManager)
      .addTrustAnchor(AnchorKind.Authentication, id("synthetic auth CA gen 2"), now - YEAR, now + 10n * YEAR);
    const otherCa = 3;
    const anyone: OperatorContext = {
      provider: ethers.provider,
      projectRoot: mkdtempSync(join(tmpdir(), "kyc-anon-")),
    };
    const operator: OperatorContext = { ...anyone, signer: f.attester };
    const secret = { alice: 1n, bob: 2n };
    const commitment = (s: bigint) => toBeHex(hasher.commitment(s), 32);
    await attestWith(
      f.registry,
      f.attester,
      testCard(0),
      await makeRequest(ethers, f.alice.address, { anonCommitment: commitment(secret.alice), caId: f.authCa }),
    );
    await attestWith(
      f.registry,
      f.attester,
      testCard(1),
      await makeRequest(ethers, f.bob.address, { anonCommitment: commitment(secret.bob), caId: otherCa }),
    );
    const [, claims, expiresAt] = await f.registry.kycStatus(f.alice.address);
    const aliceLeaf = hasher.leaf(hasher.commitment(secret.alice), claims, expiresAt);
    const first = await anonRootsCommand(operator, { registry: f.address, publish: true });
    expect([first.leafCount, first.liveLeaves]).to.deep.equal([2, 2]);

    await f.registry.connect(f.anchorManager).setTrustAnchorEnabled(f.authCa, false);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
    expect(await f.registry.isVerified(f.bob.address)).to.equal(true);
    // the reader passes the anchor's status and each attestation's anchor on
    const events = await readAnonRegistryEvents(ethers.provider, f.address);
    expect(events.filter((e) => e.kind === "anchorStatus")).to.deep.include({
      kind: "anchorStatus",
      caId: f.authCa,
      enabled: false,
      blockNumber: events.at(-1)!.blockNumber,
    });
    expect(events.flatMap((e) => (e.kind === "attested" ? [e.caId] : []))).to.deep.equal([f.authCa, otherCa]);
    const leaves = new AnonRegistryLeaves(f.attester.address);
    events.forEach((e) => leaves.apply(e));
    expect(leaves.leafInputs()[0]).to.equal(null);

    // attacker (the operator): publishes again the tree that still holds alice's leaf, to keep her provable
    const validUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const kept = toBeHex(hasher.publishedRoot(BigInt(first.currentTreeRoot), validUntil), 32);
    await f.registry.connect(f.attester).publishAnonRoot(kept, validUntil, 2);
    const check = await anonCheckRootCommand(anyone, { registry: f.address, root: kept, lookbackBlocks: 0 });
    // the registry holds it, usable (it cannot rebuild trees): only the check anyone runs shows the forgery
    expect([check.matches, check.status]).to.deep.equal([false, "usable"]);
    // the tree anyone rebuilds has 0 at alice's position: alice cannot prove against it
    const honest = await anonRootsCommand(operator, { registry: f.address, publish: true });
    expect([honest.leafCount, honest.liveLeaves]).to.deep.equal([2, 1]);
    expect(check.rebuiltTreeRoot).to.equal(honest.currentTreeRoot);
    const tree = AnonTree.build(hasher, leaves.leaves(hasher));
    expect(toBeHex(tree.root, 32)).to.equal(honest.currentTreeRoot);
    expect(tree.indexOf(aliceLeaf)).to.equal(-1);
    const statement = {
      treeRoot: tree.root,
      validUntil: BigInt(honest.validUntil!),
      claimsMask: claims,
      scope: 1n,
      signal: 2n,
    };
    expect(() => anonWitnessInput(hasher, tree, { secret: secret.alice, claims, expiresAt }, statement))
      .to.throw(AnonError)
      .with.property("code", "ANON_NOT_A_MEMBER");
    expect((await anonCheckRootCommand(anyone, { registry: f.address, root: honest.publishedRoot })).matches).to.equal(
      true,
    );

    // the anchor is enabled again: alice reads as verified, and her leaf is back at its position
    await f.registry.connect(f.anchorManager).setTrustAnchorEnabled(f.authCa, true);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
    const back = await anonRootsCommand(operator, { registry: f.address, publish: true });
    expect([back.leafCount, back.liveLeaves]).to.deep.equal([2, 2]);
    expect(back.currentTreeRoot).to.equal(first.currentTreeRoot);
    expect((await anonCheckRootCommand(anyone, { registry: f.address, root: back.publishedRoot })).matches).to.equal(
      true,
    );
  });
});
