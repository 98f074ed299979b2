// The operator publishes its anonymous-proof root by itself: after an attestation that opted in, and after a crl-sync
// that took a leaf out (so a revoked holder cannot prove against the roots that follow).
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";

import { AnonRegistryLeaves, loadAnonHasher, readAnonRegistryEvents } from "../../src/anon/index.js";
import { Claim } from "../../src/claims.js";
import { publishAnonRootIfChanged } from "../../src/operator/anon-publish.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { connectRegistry } from "../../src/operator/commands/context.js";
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
    const leaves = new AnonRegistryLeaves(f.attester.address);
    for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
    const tree = leaves.tree(hasher);
    expect(attested.anonRoot?.treeRoot).to.equal(toBeHex(tree.root, 32));
    const validUntil = BigInt(attested.anonRoot!.validUntil!);
    expect(attested.anonRoot?.root).to.equal(toBeHex(hasher.publishedRoot(tree.root, validUntil), 32));
    const [attester, , until, usable] = await f.registry.anonRoot(attested.anonRoot!.root!);
    expect([attester, until, usable]).to.deep.equal([f.attester.address, validUntil, true]);

    // nothing changed: no transaction (a root per change, not per call)
    const client = await connectRegistry(ctx(), f.address);
    const again = await publishAnonRootIfChanged(client);
    expect([again.published, again.reason, again.root]).to.deep.equal([false, "unchanged", attested.anonRoot!.root]);
    // past half of its validity the same tree is published again with a later validUntil
    await networkHelpers.time.increase(13 * 3600);
    const refreshed = await publishAnonRootIfChanged(client);
    expect([refreshed.published, refreshed.reason]).to.deep.equal([true, "refresh"]);
    expect(refreshed.validUntil! > Number(validUntil)).to.equal(true);
    await rejects(publishAnonRootIfChanged(client, { validFor: 8 * 86_400 }), "OPERATOR_BAD_INPUT");

    // the holder's authentication certificate is revoked: crl-sync burns the key and publishes the tree without it
    const chainNow = new Date(Number((await ethers.provider.getBlock("latest"))!.timestamp) * 1000);
    const listed = crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], chainNow);
    const sync = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address });
    expect(sync.heartbeat).to.not.equal(undefined);
    expect(sync.anonRoot?.published).to.equal(true);
    expect(sync.anonRoot?.reason).to.equal("changed");
    const after = new AnonRegistryLeaves(f.attester.address);
    for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) after.apply(e);
    expect(after.leaves(hasher)).to.deep.equal([0n]);
    expect(sync.anonRoot?.treeRoot).to.equal(toBeHex(after.tree(hasher).root, 32));
    expect(sync.anonRoot?.treeRoot).to.not.equal(attested.anonRoot?.treeRoot);

    // a dry run sends nothing
    const dry = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address, dryRun: true });
    expect(dry.anonRoot).to.equal(undefined);
  });
});
