// The operator publishes its anonymous-proof root by itself: after an attestation that opted in, and after a crl-sync
// that took a leaf out (so a revoked holder cannot prove against the roots that follow); a root's validUntil never
// outlives the attester's CRL heartbeat deadline, and a stale operator sends nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";
import { network } from "hardhat";

import { AnonRegistryLeaves, loadAnonHasher, readAnonRegistryEvents } from "../../src/anon/index.js";
import { Claim } from "../../src/claims.js";
import { publishAnonRootAfter, publishAnonRootIfChanged, sendAnonRoot } from "../../src/operator/anon-publish.js";
import { anonPublishLine } from "../../src/operator/anon-publish-line.js";
import { anonRootsCommand } from "../../src/operator/commands/anon.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { connectRegistry, type OperatorContext } from "../../src/operator/commands/context.js";
import { OperatorError } from "../../src/operator/operator-error.js";
import { testCard } from "../helpers/card-proof.js";
import { MAX_STALENESS, Reason, attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { crlsWithRevoked, makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

describe("operator: the anonymous-proof root follows the tree", function () {
  this.timeout(180_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-anon-publish-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );

  it("attest with the opt-in publishes the new root; crl-sync publishes the root without the revoked leaf", async function () {
    const hasher = await loadAnonHasher();
    const { ethers, networkHelpers, f, ctx, now, base } = await operatorWorld(w, tmp);
    const request = join(tmp, "proof.json");
    const adult = w.holder("adult");
    await makeProofRequest(w, ethers.provider, {
      holder: adult,
      registry: f.address,
      wallet: await ethers.getSigner(f.alice.address),
      attester: f.attester.address,
      disclose: ALL,
      deadline: now + 3600n,
      withSign: true,
      out: request,
      anonCommitment: toBeHex(hasher.commitment(42n), 32),
    });
    const attested = await attestCommand(ctx(), { ...base, request });
    expect(attested.anonRoot?.published).to.equal(true);
    expect(attested.anonRoot?.reason).to.equal("changed");
    expect(attested.anonRoot?.replaced).to.equal(false);
    const leaves = new AnonRegistryLeaves(f.attester.address);
    for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
    const tree = leaves.tree(hasher);
    expect(attested.anonRoot?.treeRoot).to.equal(toBeHex(tree.root, 32));
    const validUntil = BigInt(attested.anonRoot!.validUntil!);
    expect(attested.anonRoot?.root).to.equal(toBeHex(hasher.publishedRoot(tree.root, validUntil), 32));
    // the ref is the registry's (the event's), and the registry holds the root there
    const publishedEvent = attested.anonRoot!.tx!.events.find((e) => e.name === "AnonRootPublished")!;
    expect(attested.anonRoot?.ref).to.equal(publishedEvent.args.getValue("ref"));
    const [heldRoot, , until] = await f.registry.anonRootAt(attested.anonRoot!.ref!);
    expect([heldRoot, until]).to.deep.equal([attested.anonRoot!.root, validUntil]);
    expect(anonPublishLine(attested.anonRoot!)).to.include(`at ref ${attested.anonRoot!.ref}`);

    // nothing changed: no transaction (a root per change, not per call)
    const client = await connectRegistry(ctx(), f.address);
    const again = await publishAnonRootIfChanged(client);
    expect([again.published, again.reason, again.root, again.ref]).to.deep.equal([
      false,
      "unchanged",
      attested.anonRoot!.root,
      attested.anonRoot!.ref,
    ]);
    // past half of its validity the same tree is published again with a later validUntil, in the next ring entry
    await networkHelpers.time.increase(13 * 3600);
    const refreshed = await publishAnonRootIfChanged(client);
    expect([refreshed.published, refreshed.reason, refreshed.replaced]).to.deep.equal([true, "refresh", false]);
    expect(refreshed.validUntil! > Number(validUntil)).to.equal(true);
    expect(refreshed.ref).to.equal(attested.anonRoot!.ref! + 1n);
    await rejects(publishAnonRootIfChanged(client, { validFor: 8 * 86_400 }), "OPERATOR_BAD_INPUT");

    // the holder's authentication certificate is revoked: crl-sync burns the key and publishes the tree without it
    const chainNow = new Date(Number((await ethers.provider.getBlock("latest"))!.timestamp) * 1000);
    const listed = crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], chainNow);
    const sync = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address });
    expect(sync.heartbeat).to.not.equal(undefined);
    expect(sync.anonRoot?.published).to.equal(true);
    expect(sync.anonRoot?.reason).to.equal("changed");
    // published after the heartbeat: its bound is the fresh one (lastCrlSync of the heartbeat's block + maxStaleness)
    const heartbeatBlock = (await ethers.provider.getTransactionReceipt(sync.heartbeat!.hash))!.blockNumber;
    const heartbeatTime = BigInt((await ethers.provider.getBlock(heartbeatBlock))!.timestamp);
    expect(BigInt(sync.anonRoot!.staleAt!)).to.equal(heartbeatTime + MAX_STALENESS);
    expect(await f.registry.lastCrlSync(f.attester.address)).to.equal(heartbeatTime);
    const after = new AnonRegistryLeaves(f.attester.address);
    for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) after.apply(e);
    expect(after.leaves(hasher)).to.deep.equal([0n]);
    expect(sync.anonRoot?.treeRoot).to.equal(toBeHex(after.tree(hasher).root, 32));
    expect(sync.anonRoot?.treeRoot).to.not.equal(attested.anonRoot?.treeRoot);
    // the new root removes the revoked leaf: every earlier root ended with it (the revoked holder proves against none)
    expect(sync.anonRoot?.replaced).to.equal(true);
    expect(anonPublishLine(sync.anonRoot!)).to.include("replaceAnonRoots");
    const syncBlock = await ethers.provider.getBlock(sync.anonRoot!.tx!.blockNumber);
    for (const ref of [attested.anonRoot!.ref!, refreshed.ref!]) {
      expect((await f.registry.anonRootAt(ref))[2]).to.equal(BigInt(syncBlock!.timestamp) - 1n);
    }
    expect((await f.registry.anonRootAt(sync.anonRoot!.ref!))[2]).to.equal(BigInt(sync.anonRoot!.validUntil!));

    // a dry run sends nothing
    const dry = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address, dryRun: true });
    expect(dry.anonRoot).to.equal(undefined);
  });
});

describe("operator: a root's validUntil never outlives the CRL heartbeat", function () {
  this.timeout(120_000);
  const HOUR = 3600;

  /** A registry with one opted-in attestation of `f.attester`, its operator context and client. */
  async function world() {
    const { ethers, networkHelpers } = await network.create();
    const hasher = await loadAnonHasher();
    const f = await deployRegistryFixture(ethers);
    const projectRoot = mkdtempSync(join(tmpdir(), "kyc-anon-stale-"));
    const ctx = (signer = f.attester): OperatorContext => ({ provider: ethers.provider, signer, projectRoot });
    const req = await makeRequest(ethers, f.alice.address, { anonCommitment: toBeHex(hasher.commitment(7n), 32) });
    await attestWith(f.registry, f.attester, testCard(0), req);
    const client = await connectRegistry(ctx(), f.address);
    const latest = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const publications = async () => f.registry.queryFilter(f.registry.filters.AnonRootPublished());
    const treeRoot = async () => {
      const leaves = new AnonRegistryLeaves(f.attester.address);
      for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
      return leaves.tree(hasher).root;
    };
    return { ethers, networkHelpers, hasher, f, ctx, client, latest, publications, treeRoot };
  }

  it("validUntil is clamped to lastCrlSync + maxStaleness; the clamped root is kept until a crl-sync moves the bound", async function () {
    const { networkHelpers, hasher, f, ctx, client, latest, publications, treeRoot } = await world();
    const staleAt = (await f.registry.lastCrlSync(f.attester.address)) + MAX_STALENESS;
    // four hours before the heartbeat turns stale: a day's validity would outlive it
    await networkHelpers.time.increaseTo(staleAt - BigInt(4 * HOUR));
    const o = await publishAnonRootIfChanged(client);
    expect([o.published, o.reason, o.validUntil, o.staleAt]).to.deep.equal([
      true,
      "changed",
      Number(staleAt),
      Number(staleAt),
    ]);
    // the root commits to the clamped validUntil, and the registry holds it with it
    expect(o.root).to.equal(toBeHex(hasher.publishedRoot(await treeRoot(), staleAt), 32));
    const [held, , until] = await f.registry.anonRootAt(o.ref!);
    expect([held, until]).to.deep.equal([o.root, staleAt]);
    expect(anonPublishLine(o)).to.include("the CRL heartbeat's deadline");

    // two hours and a minute later less than half a day is left, but a new root could not last longer: unchanged
    await networkHelpers.time.increase(2 * HOUR + 60);
    const nonce = await f.attester.getNonce();
    const kept = await publishAnonRootIfChanged(client);
    expect([kept.published, kept.reason, kept.ref]).to.deep.equal([false, "unchanged", o.ref]);
    expect(await f.attester.getNonce()).to.equal(nonce);

    // a heartbeat moves the bound: the same tree is published again with a full day
    await f.registry.connect(f.attester).recordCrlSync();
    const refreshed = await publishAnonRootIfChanged(client);
    const now = await latest();
    expect([refreshed.published, refreshed.reason, refreshed.ref]).to.deep.equal([true, "refresh", o.ref! + 1n]);
    expect(BigInt(refreshed.validUntil!) - now).to.be.within(86_400n - 5n, 86_400n);
    expect(BigInt(refreshed.staleAt!)).to.equal((await f.registry.lastCrlSync(f.attester.address)) + MAX_STALENESS);

    // kyc anon roots --publish clamps too
    await networkHelpers.time.increaseTo(BigInt(refreshed.staleAt!) - BigInt(HOUR));
    const roots = await anonRootsCommand(ctx(), { registry: f.address, publish: true, validFor: 7 * 86_400 });
    expect([roots.validUntil, roots.staleAt]).to.deep.equal([refreshed.staleAt, refreshed.staleAt]);
    expect(roots.publishedRef).to.equal(o.ref! + 2n);
    expect((await publications()).map((e) => e.args.validUntil)).to.deep.equal([
      staleAt,
      BigInt(refreshed.validUntil!),
      BigInt(refreshed.staleAt!),
    ]);
  });

  it("attacker's view of a lazy operator: an operator whose CRL heartbeat is older than maxStaleness gets the typed stale error and sends nothing", async function () {
    const { ethers, networkHelpers, f, ctx, client, publications } = await world();
    const staleAt = (await f.registry.lastCrlSync(f.attester.address)) + MAX_STALENESS;
    await networkHelpers.time.increaseTo(staleAt);
    const nonce = await f.attester.getNonce();
    const e = await rejects(publishAnonRootIfChanged(client), "OPERATOR_CRL_STALE", /crl-sync/);
    expect(e).to.be.instanceOf(OperatorError);
    await rejects(sendAnonRoot(client, 1n, 1, HOUR), "OPERATOR_CRL_STALE");
    await rejects(anonRootsCommand(ctx(), { registry: f.address, publish: true }), "OPERATOR_CRL_STALE");
    // after an attestation or a crl-sync the refusal is reported with the command's result
    const after = await publishAnonRootAfter(client);
    expect(after.anonRoot).to.equal(undefined);
    expect(after.anonRootRefused?.code).to.equal("OPERATOR_CRL_STALE");
    expect(await f.attester.getNonce()).to.equal(nonce);
    expect(await publications()).to.have.length(0);
    // what the refusal spares: the registry reverts such a publication (its root would outlive the heartbeat)
    const validUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + BigInt(HOUR);
    await expect(f.registry.connect(f.attester).publishAnonRoot(toBeHex(5n, 32), validUntil, 1))
      .to.be.revertedWithCustomError(f.registry, "AnonRootOutlivesCrlSync")
      .withArgs(validUntil, staleAt);
    // a heartbeat, and the operator publishes again
    await f.registry.connect(f.attester).recordCrlSync();
    expect((await publishAnonRootIfChanged(client)).published).to.equal(true);
  });

  it("without maxStaleness (0) the heartbeat bounds nothing; a root whose ring entry was closed is published again", async function () {
    const { networkHelpers, f, client, latest } = await world();
    await f.registry.connect(f.admin).setMaxStaleness(0);
    await networkHelpers.time.increase(MAX_STALENESS + 1n);
    const o = await publishAnonRootIfChanged(client, { validFor: 2 * 86_400 });
    expect(o.published).to.equal(true);
    expect(o.staleAt).to.equal(undefined);
    expect(BigInt(o.validUntil!) - (await latest())).to.be.within(2n * 86_400n - 5n, 2n * 86_400n);
    expect((await publishAnonRootIfChanged(client, { validFor: 2 * 86_400 })).reason).to.equal("unchanged");
    // the attester's role is revoked and granted again: its ring is closed (validUntil 0), so "unchanged" would leave
    // holders without a usable root
    const role = await f.registry.ATTESTER_ROLE();
    await f.registry.connect(f.admin).revokeRole(role, f.attester.address);
    await f.registry.connect(f.admin).grantRole(role, f.attester.address);
    expect((await f.registry.anonRootAt(o.ref!))[2]).to.equal(0n);
    const again = await publishAnonRootIfChanged(client, { validFor: 2 * 86_400 });
    expect([again.published, again.reason, again.ref]).to.deep.equal([true, "refresh", o.ref! + 1n]);
  });

  it("attacker (a revoked holder): a root that removes a leaf ends every earlier root at once; one that only adds leaves does not", async function () {
    const { ethers, hasher, f, ctx, client } = await world();
    const first = await publishAnonRootIfChanged(client);
    // bob opts in: an added leaf, alice's earlier root stays usable (holders need not prove again)
    const bobReq = await makeRequest(ethers, f.bob.address, { anonCommitment: toBeHex(hasher.commitment(8n), 32) });
    await attestWith(f.registry, f.attester, testCard(1), bobReq);
    const added = await publishAnonRootIfChanged(client);
    expect([added.published, added.reason, added.replaced]).to.deep.equal([true, "changed", false]);
    expect((await f.registry.anonRootAt(first.ref!))[2]).to.equal(BigInt(first.validUntil!));
    // alice is revoked: the next root (by kyc anon roots --publish) ends the roots that still hold her leaf
    await f.registry.connect(f.attester).revoke(f.alice.address, Reason.Operator);
    const removed = await anonRootsCommand(ctx(), { registry: f.address, publish: true });
    expect(removed.replaced).to.equal(true);
    const listed = await anonRootsCommand(ctx(), { registry: f.address });
    expect(listed.published.map((p) => [p.ref, p.status])).to.deep.equal([
      [first.ref, "expired"],
      [added.ref, "expired"],
      [removed.publishedRef, "usable"],
    ]);
    expect(listed.published[0]!.validUntilNow! < listed.published[0]!.validUntil).to.equal(true);
  });
});
