import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import { RegistryClient } from "../../src/chain/registry-client.js";
import { KycError } from "../../src/errors.js";
import { keyNullifier } from "../../src/chain/key-nullifier.js";
import { requestTuple } from "../../src/operator/attestation-request.js";
import { revokeCommand, revokeSelfCommand, roleCommand, statusCommand } from "../../src/operator/commands/admin.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { relayCommand } from "../../src/operator/commands/relay.js";
import { reconcilePending } from "../../src/operator/reconcile.js";
import { parseRelayFile, serializeRelayFile, writeRelayFile, type RelayFile } from "../../src/operator/relay-file.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { bindingProof, testCard } from "../helpers/card-proof.js";
import {
  attestWith,
  deployRegistryFixture,
  makeRequest,
  relayAuthorization,
  type RegistryFixture,
} from "../helpers/registry-fixture.js";

async function rejects(promise: Promise<unknown>, code: string): Promise<KycError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(KycError);
    expect((error as KycError).code).to.equal(code);
    expect((error as KycError).message).not.to.include("\n");
    return error as KycError;
  }
  expect.fail(`expected ${code}`);
}

describe("operator commands against the registry", function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), "kyc-cmd-"));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup() {
    const { ethers, networkHelpers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const ctx = (signer = f.attester): OperatorContext => ({ provider: ethers.provider, signer, projectRoot: dir });
    return { ethers, networkHelpers, f, ctx };
  }

  /** An operator-signed relay authorization for `subject` with test card `cardIndex` (v2: no attester nonce). */
  async function relayFor(
    f: RegistryFixture,
    ethers: Awaited<ReturnType<typeof setup>>["ethers"],
    subject: string,
    cardIndex: number,
  ): Promise<RelayFile> {
    const card = testCard(cardIndex);
    const req = await makeRequest(ethers, subject);
    const proof = await bindingProof(f.registry, card, await ethers.getSigner(subject), req, f.attester.address);
    const relay = await relayAuthorization(f.registry, f.attester, req, card.modulus, req.deadline);
    return {
      chainId: 31337n,
      registry: f.address,
      attester: f.attester.address,
      request: req,
      binding: proof.digest,
      keyNullifier: keyNullifier(card.modulus),
      relayDeadline: relay.deadline,
      modulus: card.modulus,
      cardSignature: proof.cardSignature,
      subjectSignature: proof.subjectSignature,
      attesterSignature: relay.signature,
    };
  }

  it("status: None for a stranger, the record after an attestation; bad address is one line", async function () {
    const { ethers, f, ctx } = await setup();
    const none = await statusCommand(ctx(), { address: f.alice.address, registry: f.address });
    expect(none).to.include({ status: "None", verified: false, attester: null });
    await attestWith(f.registry, f.attester, testCard(0), await makeRequest(ethers, f.alice.address));
    const active = await statusCommand(ctx(), { address: f.alice.address, registry: f.address });
    expect(active).to.include({ status: "Active", verified: true, attester: f.attester.address, identityLevel: false });
    expect(active.claims).to.deep.equal(["auth"]);
    await rejects(statusCommand(ctx(), { address: "0x1234", registry: f.address }), "OPERATOR_BAD_INPUT");
    await rejects(statusCommand(ctx(), { address: f.alice.address }), "CHAIN_REGISTRY_NOT_DEPLOYED");
  });

  it("attester grant/revoke: admin only, idempotent", async function () {
    const { f, ctx } = await setup();
    await rejects(
      roleCommand(ctx(f.stranger), { action: "grant", account: f.bob.address, registry: f.address }),
      "CHAIN_MISSING_ROLE",
    );
    const granted = await roleCommand(ctx(f.admin), { action: "grant", account: f.bob.address, registry: f.address });
    expect(granted?.hash).to.match(/^0x/);
    expect(await roleCommand(ctx(f.admin), { action: "grant", account: f.bob.address, registry: f.address })).to.equal(
      undefined,
    );
    await roleCommand(ctx(f.admin), { action: "revoke", account: f.bob.address, registry: f.address });
    expect(await f.registry.hasRole(await f.registry.ATTESTER_ROLE(), f.bob.address)).to.equal(false);
    await rejects(
      roleCommand(ctx(f.admin), { action: "grant", account: f.bob.address, role: "king", registry: f.address }),
      "OPERATOR_BAD_INPUT",
    );
  });

  it("revoke updates the store; revoke-self; both refuse what cannot be revoked", async function () {
    const { ethers, f, ctx } = await setup();
    await attestWith(f.registry, f.attester, testCard(0), await makeRequest(ethers, f.alice.address));
    await attestWith(f.registry, f.attester, testCard(1), await makeRequest(ethers, f.bob.address));
    const storePath = join(dir, "store.sqlite");
    const store = OperatorStore.open(storePath);
    const id = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.alice.address,
      keyNullifier: keyNullifier(testCard(0).modulus),
      personTag: null,
      claims: 1,
      caId: 1,
      expiryCap: 0,
      mode: "direct",
      certificates: [],
    });
    await store.markActive(id, null);
    store.close();
    await rejects(
      revokeCommand(ctx(f.stranger), {
        subject: f.alice.address,
        reason: "Operator",
        registry: f.address,
        store: storePath,
      }),
      "CHAIN_MISSING_ROLE",
    );
    await rejects(
      revokeCommand(ctx(), { subject: f.alice.address, reason: "because", registry: f.address }),
      "OPERATOR_BAD_INPUT",
    );
    await revokeCommand(ctx(), { subject: f.alice.address, reason: "operator", registry: f.address, store: storePath });
    const after = OperatorStore.open(storePath);
    expect((await after.get(id))?.status).to.equal("revoked");
    after.close();
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
    await rejects(
      revokeCommand(ctx(), { subject: f.alice.address, reason: "Operator", registry: f.address, store: storePath }),
      "OPERATOR_BAD_INPUT",
    );

    await revokeSelfCommand(ctx(f.bob), { registry: f.address });
    expect(await f.registry.isVerified(f.bob.address)).to.equal(false);
    await rejects(revokeSelfCommand(ctx(f.bob), { registry: f.address }), "OPERATOR_BAD_INPUT");
  });

  it("relay: any funded account submits an operator-signed attestation; stale files fail in one line", async function () {
    const { ethers, networkHelpers, f, ctx } = await setup();
    const relay = await relayFor(f, ethers, f.carol.address, 2);
    expect(serializeRelayFile(parseRelayFile(serializeRelayFile(relay)))).to.equal(serializeRelayFile(relay));
    const file = join(dir, "relay.json");
    writeRelayFile(file, relay);

    // Wrong registry in the file.
    writeFileSync(join(dir, "other.json"), serializeRelayFile({ ...relay, registry: f.alice.address }));
    await rejects(
      relayCommand(ctx(f.stranger), { in: join(dir, "other.json"), registry: f.address }),
      "CHAIN_WRONG_NETWORK",
    );
    writeFileSync(join(dir, "chain.json"), serializeRelayFile({ ...relay, chainId: 5n }));
    await rejects(relayCommand(ctx(f.stranger), { in: join(dir, "chain.json") }), "CHAIN_WRONG_NETWORK");
    await rejects(relayCommand(ctx(f.stranger), { in: join(dir, "missing.json") }), "OPERATOR_BAD_INPUT");
    writeFileSync(join(dir, "garbage.json"), "{ not json");
    await rejects(relayCommand(ctx(f.stranger), { in: join(dir, "garbage.json") }), "OPERATOR_RELAY");

    const outcome = await relayCommand(ctx(f.stranger), { in: file });
    expect(outcome.events.map((e) => e.name)).to.include("Attested");
    expect(await f.registry.isVerified(f.carol.address)).to.equal(true);
    // Replaying the same file: the holder's binding was used (the subject's nonce moved on).
    await rejects(relayCommand(ctx(f.stranger), { in: file }), "OPERATOR_RELAY");

    // An expired relay deadline.
    const late = await relayFor(f, ethers, f.bob.address, 3);
    writeRelayFile(join(dir, "late.json"), late);
    await networkHelpers.time.increaseTo(late.relayDeadline + 1n);
    await rejects(relayCommand(ctx(f.stranger), { in: join(dir, "late.json") }), "OPERATOR_RELAY");
  });

  it("reconcile settles pending rows from chain state after a crash", async function () {
    const { ethers, networkHelpers, f } = await setup();
    const client = await RegistryClient.connect(f.attester, f.address);
    const store = OperatorStore.open(":memory:");
    const card = testCard(0);
    // Row 1: the transaction landed but the process died before recording it.
    const req = await makeRequest(ethers, f.alice.address);
    const landed = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.alice.address,
      keyNullifier: keyNullifier(card.modulus),
      personTag: null,
      claims: 1,
      caId: 1,
      expiryCap: Number(req.expiryCap),
      mode: "direct",
      certificates: [],
      bindingNonce: 0n,
      bindingDeadline: Number(req.deadline),
    });
    const proof = await bindingProof(f.registry, card, f.alice, req, f.attester.address);
    await client.send("attest", [requestTuple(req), card.modulus, proof.cardSignature, proof.subjectSignature], {
      pii: [],
    });
    // Row 2: a relay that nobody submitted before its deadline.
    const relay = await relayFor(f, ethers, f.bob.address, 1);
    const unrelayed = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.bob.address,
      keyNullifier: relay.keyNullifier,
      personTag: null,
      claims: 1,
      caId: 1,
      expiryCap: 0,
      mode: "relay",
      relayDeadline: Number(relay.relayDeadline),
      certificates: [],
      bindingNonce: 0n,
      bindingDeadline: Number(relay.request.deadline),
    });
    // Row 3: a relay still within its deadline.
    const waiting = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.carol.address,
      keyNullifier: keyNullifier(testCard(2).modulus),
      personTag: null,
      claims: 1,
      caId: 1,
      expiryCap: 0,
      mode: "relay",
      relayDeadline: 2 ** 40,
      certificates: [],
    });
    await networkHelpers.time.increaseTo(relay.relayDeadline + 1n);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    expect(await reconcilePending(store, client, now)).to.deep.equal({ activated: 1, failed: 1, stillPending: 1 });
    expect((await store.get(landed))?.status).to.equal("active");
    expect((await store.get(unrelayed))?.status).to.equal("failed");
    expect((await store.get(waiting))?.status).to.equal("pending");
    store.close();
  });
});
