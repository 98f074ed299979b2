import { expect } from "chai";
import { makeError, type Signer } from "ethers";
import { network } from "hardhat";

import { ChainError } from "../../src/chain/chain-error.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import { Claim, FROM_SIGNING } from "../../src/claims.js";
import { crlSync, type CrlPartition } from "../../src/operator/crl-sync.js";
import { crlSyncChain } from "../../src/operator/crl-sync-chain.js";
import { reconcilePending, settleSubject } from "../../src/operator/reconcile.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { NewAttestation } from "../../src/operator/store/types.js";
import { bindingProof, keyNullifier, testCard } from "../helpers/card-proof.js";
import { deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { FakeRegistry, REGISTRY } from "./helpers/fake-registry.js";
import { backends } from "./helpers/store-backends.js";

const FULL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
const subjectOf = (i: number): string => `0x${i.toString(16).padStart(40, "0")}`;
const keyOf = (i: number): string => `0x${i.toString(16).padStart(64, "0")}`;
const authSerial = (i: number): string => (0xa00000 + i).toString(16);

function pendingRow(chain: FakeRegistry, i: number, overrides: Partial<NewAttestation> = {}): NewAttestation {
  return {
    chainId: chain.chainId,
    registry: chain.registry,
    subject: subjectOf(i),
    keyNullifier: keyOf(i),
    personTag: null,
    claims: Claim.AUTH,
    caId: 1,
    expiryCap: 0,
    mode: "direct",
    bindingNonce: 0n,
    bindingDeadline: Number(chain.time) + 600,
    certificates: [{ role: "auth", issuerKeyId: "aa", partition: "p0", serialHex: authSerial(i), notAfter: 2e9 }],
    ...overrides,
  };
}

function listing(serials: string[]): CrlPartition {
  const set = new Set(serials);
  return { issuerKeyId: "aa", partition: "p0", lookup: (s) => (set.has(s) ? {} : undefined) };
}

for (const backend of backends()) {
  describe(`reconcile: pending rows settle from chain state only (${backend.name})`, function () {
    backend.hooks();
    /** A store whose clock the test moves (the wall clock that must NOT decide anything). */
    async function clockedStore(): Promise<{ store: OperatorStore; clock: { t: number } }> {
      const clock = { t: 1_800_000_000 };
      return { store: await backend.open({ now: () => clock.t }), clock };
    }

    it("keeps an unsent-looking direct row pending however old it is, and activates it when the attestation lands", async function () {
      const chain = new FakeRegistry();
      const { store, clock } = await clockedStore();
      // written ten days ago by the wall clock (far past any grace period), with no tx hash: the RPC call failed after
      // the node took it
      clock.t = Math.floor(Date.now() / 1000) - 10 * 86_400;
      const id = await store.insertPending(pendingRow(chain, 1));
      expect(await reconcilePending(store, chain, chain.time + 599n)).to.deep.equal({
        activated: 0,
        failed: 0,
        stillPending: 1,
      });
      expect((await store.get(id))?.status).to.equal("pending");
      chain.attest(subjectOf(1), keyOf(1), Claim.AUTH); // mined late
      expect(await reconcilePending(store, chain, chain.time + 599n)).to.include({ activated: 1 });
      expect((await store.get(id))?.status).to.equal("active");
    });

    it("fails a row that did not land only once the chain's time is past its binding deadline", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const id = await store.insertPending(pendingRow(chain, 2));
      const deadline = BigInt((await store.get(id))!.bindingDeadline!);
      expect(await reconcilePending(store, chain, deadline)).to.include({ stillPending: 1 }); // still includable
      expect(await reconcilePending(store, chain, deadline + 1n)).to.include({ failed: 1 });
      expect(await store.get(id)).to.include({
        status: "failed",
        error: "the binding deadline passed without the attestation landing",
      });
    });

    it("a landed attestation wins over a passed deadline (mined in time, seen late)", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const id = await store.insertPending(pendingRow(chain, 3));
      chain.attest(subjectOf(3), keyOf(3), Claim.AUTH);
      expect(await reconcilePending(store, chain, chain.time + 10_000n)).to.include({ activated: 1 });
      expect((await store.get(id))?.status).to.equal("active");
    });

    it("fails a row whose known transaction reverted, before the deadline", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const id = await store.insertPending(pendingRow(chain, 4));
      const hash = `0x${"4e".repeat(32)}`;
      await store.setTxHash(id, hash);
      expect(await reconcilePending(store, chain, chain.time)).to.include({ stillPending: 1 }); // no receipt yet
      chain.receipts.set(hash, "reverted");
      expect(await reconcilePending(store, chain, chain.time)).to.include({ failed: 1 });
      expect((await store.get(id))?.error).to.equal("the attest transaction reverted");
    });

    it("a re-attestation (key already bound to the subject) lands only when the signed holder nonce is consumed", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      chain.attest(subjectOf(5), keyOf(5), Claim.AUTH); // nonce 0 consumed
      const first = await store.insertPending(pendingRow(chain, 5));
      await reconcilePending(store, chain, chain.time);
      expect((await store.get(first))?.status).to.equal("active");
      const second = await store.insertPending(
        pendingRow(chain, 5, { supersedes: first, bindingNonce: 1n, claims: FULL }),
      );
      expect(await reconcilePending(store, chain, chain.time)).to.include({ stillPending: 1 });
      chain.attest(subjectOf(5), keyOf(5), FULL); // consumes nonce 1
      expect(await reconcilePending(store, chain, chain.time)).to.include({ activated: 1 });
      expect((await store.get(second))?.status).to.equal("active");
      expect((await store.get(first))?.status).to.equal("revoked");
    });

    it("a landed row the chain has since revoked, or another attester replaced, is closed at once", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const revoked = await store.insertPending(pendingRow(chain, 6));
      const replaced = await store.insertPending(pendingRow(chain, 7));
      chain.attest(subjectOf(6), keyOf(6), Claim.AUTH);
      chain.records.get(subjectOf(6))!.status = "Revoked";
      chain.attest(subjectOf(7), keyOf(7), Claim.AUTH);
      chain.records.get(subjectOf(7))!.attester = "other";
      expect(await reconcilePending(store, chain, chain.time)).to.include({ activated: 2 });
      expect((await store.get(revoked))?.status).to.equal("revoked");
      expect(await store.get(replaced)).to.include({ status: "revoked" });
      expect((await store.get(replaced))?.error).to.match(/^superseded on chain/);
    });

    it("a relay row fails after its relay deadline; a row without deadlines (before schema 4) never fails by time", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const relay = await store.insertPending(
        pendingRow(chain, 8, {
          mode: "relay",
          relayDeadline: Number(chain.time) + 60,
          bindingDeadline: Number(chain.time) + 600,
        }),
      );
      const legacy = await store.insertPending(
        pendingRow(chain, 9, { bindingDeadline: undefined, bindingNonce: undefined }),
      );
      expect(await reconcilePending(store, chain, chain.time + 61n)).to.deep.equal({
        activated: 0,
        failed: 1,
        stillPending: 1,
      });
      expect((await store.get(relay))?.error).to.equal(
        "the relay deadline passed without the attestation being relayed",
      );
      expect(await reconcilePending(store, chain, chain.time + 100n * 86_400n)).to.include({ stillPending: 1 });
      expect((await store.get(legacy))?.status).to.equal("pending");
    });

    it("a failed re-attestation reopens the superseded row and settles it against the chain", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      chain.attest(subjectOf(10), keyOf(10), Claim.AUTH);
      const first = await store.insertPending(pendingRow(chain, 10));
      await reconcilePending(store, chain, chain.time);
      await store.insertPending(pendingRow(chain, 10, { supersedes: first, bindingNonce: 1n }));
      chain.records.get(subjectOf(10))!.status = "Revoked"; // the holder revoked meanwhile (revokeSelf)
      expect(await reconcilePending(store, chain, chain.time + 601n)).to.include({ failed: 1 });
      expect((await store.get(first))?.status).to.equal("revoked");
    });

    it("settleSubject closes a live row the chain revoked, replaced or does not have", async function () {
      const chain = new FakeRegistry();
      const { store } = await clockedStore();
      const ids = await Promise.all(
        [11, 12, 13, 14].map(async (i) => {
          const id = await store.insertPending(pendingRow(chain, i));
          await store.markActive(id, null);
          chain.attest(subjectOf(i), keyOf(i), Claim.AUTH);
          return id;
        }),
      );
      chain.records.get(subjectOf(11))!.status = "Revoked";
      chain.attest(subjectOf(12), keyOf(1012), Claim.AUTH, "other");
      chain.records.delete(subjectOf(13));
      for (const i of [11, 12, 13, 14]) await settleSubject(store, chain, subjectOf(i));
      expect(await Promise.all(ids.map(async (id) => (await store.get(id))?.status))).to.deep.equal([
        "revoked",
        "revoked",
        "failed",
        "active",
      ]);
      expect((await store.get(ids[1]!))?.error).to.match(/^superseded on chain/);
    });

    it("an RPC timeout after acceptance: the attestation mined later is settled active and checked by crl-sync (in-memory registry)", async function () {
      const chain = new FakeRegistry();
      const { store, clock } = await clockedStore();
      const id = await store.insertPending(pendingRow(chain, 20));
      // the node accepted it; the call timed out; it is mined twenty minutes later (wall clock), before its deadline
      const first = await crlSync({ store, chain, crls: [listing([authSerial(20)])] });
      expect(first.reconciled).to.deep.equal({ activated: 0, failed: 0, stillPending: 1 });
      expect(first.listed).to.deep.equal([]);
      clock.t += 1200;
      chain.attest(subjectOf(20), keyOf(20), Claim.AUTH);
      const second = await crlSync({ store, chain, crls: [listing([authSerial(20)])] });
      expect(second.reconciled).to.deep.equal({ activated: 1, failed: 0, stillPending: 0 });
      expect(second.listed.map((l) => [l.attestationId, l.action])).to.deep.equal([[id, "revoke"]]);
      expect(chain.keys.get(keyOf(20))?.burned).to.equal(true);
      expect(chain.records.get(subjectOf(20))?.status).to.equal("Revoked");
      expect((await store.get(id))?.status).to.equal("revoked");
    });
  });
}

/** `real`, except that `sendTransaction` throws a timeout AFTER the node accepted the transaction. */
function timingOutAfterAcceptance(real: Signer): Signer {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "sendTransaction") {
        return async (tx: Parameters<Signer["sendTransaction"]>[0]) => {
          await target.sendTransaction(tx);
          throw makeError("request timeout", "TIMEOUT", { operation: "eth_sendRawTransaction", reason: "timeout" });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("reconcile and crl-sync against the v2 registry", function () {
  this.timeout(120_000);

  it("an RPC timeout after acceptance: the attestation mined later is settled active and checked by crl-sync", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const card = testCard(0);
    const store = OperatorStore.open(":memory:");
    const req = await makeRequest(ethers, f.alice.address);
    const nonce = await f.registry.nonces(f.alice.address);
    const proof = await bindingProof(f.registry, card, f.alice, req, f.attester.address);
    const id = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.alice.address,
      keyNullifier: keyNullifier(card.modulus),
      personTag: null,
      claims: req.claims,
      caId: req.caId,
      expiryCap: Number(req.expiryCap),
      mode: "direct",
      bindingNonce: nonce,
      bindingDeadline: Number(req.deadline),
      certificates: [{ role: "auth", issuerKeyId: "aa", partition: "p0", serialHex: "a11ce", notAfter: 2e9 }],
    });

    // The node takes the transaction but does not mine it yet; the RPC call times out.
    await ethers.provider.send("evm_setAutomine", [false]);
    const flaky = await RegistryClient.connect(timingOutAfterAcceptance(f.attester), f.address);
    let error: unknown;
    try {
      await flaky.send("attest", [req, card.modulus, proof.cardSignature, proof.subjectSignature], { pii: [] });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ChainError);
    // (attest.ts leaves the row pending here.) Not mined yet: it stays pending, whatever the wall clock says.
    const client = await RegistryClient.connect(f.attester, f.address);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    expect(await reconcilePending(store, client, now)).to.deep.equal({ activated: 0, failed: 0, stillPending: 1 });

    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
    expect((await client.attestationOf(f.alice.address)).statusName).to.equal("Active");

    const result = await crlSync({ store, chain: crlSyncChain(client), crls: [listing(["a11ce"])] });
    expect(result.reconciled).to.deep.equal({ activated: 1, failed: 0, stillPending: 0 });
    expect(result.listed.map((l) => [l.attestationId, l.action])).to.deep.equal([[id, "revoke"]]);
    expect(result.batches.map((b) => [b.kind, b.changed])).to.deep.equal([["revokeInvalidKeys", 1]]);
    expect(result.heartbeat).to.not.equal(undefined);
    expect((await store.get(id))?.status).to.equal("revoked");
    const [, active, burned] = await f.registry.keyState(keyNullifier(card.modulus));
    expect([active, burned]).to.deep.equal([false, true]);
    expect((await client.attestationOf(f.alice.address)).statusName).to.equal("Revoked");
  });

  it("drops the signing claims of a listed signing certificate on the real registry; the record stays active at AUTH", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const card = testCard(1);
    const store = OperatorStore.open(":memory:");
    const personTag = `0x${"7a".repeat(32)}`;
    const req = await makeRequest(ethers, f.bob.address, { claims: FULL, personTag });
    const nonce = await f.registry.nonces(f.bob.address);
    const proof = await bindingProof(f.registry, card, f.bob, req, f.attester.address);
    const client = await RegistryClient.connect(f.attester, f.address);
    const id = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: f.bob.address,
      keyNullifier: keyNullifier(card.modulus),
      personTag,
      claims: FULL,
      caId: req.caId,
      expiryCap: Number(req.expiryCap),
      mode: "direct",
      bindingNonce: nonce,
      bindingDeadline: Number(req.deadline),
      certificates: [
        { role: "auth", issuerKeyId: "aa", partition: "p0", serialHex: "a0b0", notAfter: 2e9 },
        { role: "sign", issuerKeyId: "bb", partition: "s0", serialHex: "5160", notAfter: 2e9 },
      ],
    });
    const sent = await client.send("attest", [req, card.modulus, proof.cardSignature, proof.subjectSignature], {
      pii: [],
    });
    await store.markActive(id, sent.hash);

    const signCrl: CrlPartition = {
      issuerKeyId: "bb",
      partition: "s0",
      lookup: (s) => (s === "5160" ? {} : undefined),
    };
    const result = await crlSync({ store, chain: crlSyncChain(client), crls: [listing([]), signCrl] });
    expect(result.batches.map((b) => [b.kind, b.changed])).to.deep.equal([["dropSigningClaims", 1]]);
    expect(result.claimsDropped.map((d) => [d.attestationId, d.claims, d.how])).to.deep.equal([
      [id, Claim.AUTH, "sent"],
    ]);
    const onChain = await client.attestationOf(f.bob.address);
    expect([onChain.statusName, onChain.claims & FROM_SIGNING]).to.deep.equal(["Active", 0]);
    expect(await store.get(id)).to.include({ status: "active", claims: Claim.AUTH, personTag: null });
    const [, active, burned] = await f.registry.keyState(keyNullifier(card.modulus));
    expect([active, burned]).to.deep.equal([true, false]);
    expect(result.heartbeat).to.not.equal(undefined);
  });
});
