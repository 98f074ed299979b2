import { expect } from "chai";

import { Claim, FROM_SIGNING } from "../../src/claims.js";
import { crlSync, type CrlPartition } from "../../src/operator/crl-sync.js";
import { FULL_CRL_SCOPE } from "../../src/pki/crl-selection.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { CertificateRef } from "../../src/operator/store/types.js";
import { FakeRegistry, REGISTRY } from "./helpers/fake-registry.js";

const FULL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

function subjectOf(i: number): string {
  return `0x${i.toString(16).padStart(40, "0")}`;
}
function keyOf(i: number): string {
  return `0x${i.toString(16).padStart(64, "0")}`;
}
function tagOf(i: number): string {
  return `0x${(0xa0000000 + i).toString(16).padStart(64, "0")}`;
}
const authSerial = (i: number): string => (0xa00000 + i).toString(16);
const signSerial = (i: number): string => (0xb00000 + i).toString(16);

function crl(issuerKeyId: string, partition: string, serials: Iterable<string>): CrlPartition {
  const set = new Set(serials);
  return {
    issuerKeyId,
    partition,
    lookup: (s) => (set.has(s) ? { revokedAt: new Date(0), reason: "unspecified" } : undefined),
  };
}

/** Inserts subject `i`'s attestation, backed by `certificates`, as active (and on the fake chain). */
async function insertActive(
  store: OperatorStore,
  chain: FakeRegistry,
  i: number,
  certificates: CertificateRef[],
  claims: number = Claim.AUTH,
): Promise<number> {
  const id = await store.insertPending({
    chainId: 31337n,
    registry: REGISTRY,
    subject: subjectOf(i),
    keyNullifier: keyOf(i),
    personTag: (claims & FROM_SIGNING) !== 0 ? tagOf(i) : null,
    claims,
    caId: 1,
    expiryCap: 0,
    mode: "direct",
    certificates,
  });
  await store.markActive(id, null);
  chain.attest(subjectOf(i), keyOf(i), claims);
  return id;
}

/**
 * A store with `n` active attestations: auth certificates in partitions p0/p1 (auth CA "aa"); odd subjects also with
 * a signing certificate (sign CA "bb", partition p1) and the identity and age claims from it.
 */
async function seed(n: number, chain: FakeRegistry): Promise<OperatorStore> {
  const store = OperatorStore.open(":memory:");
  await store.transaction(async () => {
    for (let i = 1; i <= n; i++) {
      const certificates: CertificateRef[] = [
        { role: "auth", issuerKeyId: "aa", partition: `p${i % 2}`, serialHex: authSerial(i), notAfter: 2e9 },
      ];
      if (i % 2 === 1) {
        certificates.push({
          role: "sign",
          issuerKeyId: "bb",
          partition: "p1",
          serialHex: signSerial(i),
          notAfter: 2e9,
        });
      }
      await insertActive(store, chain, i, certificates, i % 2 === 1 ? FULL : Claim.AUTH);
    }
  });
  return store;
}

/** CRLs listing the auth serials of `authListed` and the sign serials of `signListed`. */
function crls(authListed: number[], signListed: number[]): CrlPartition[] {
  const auth = authListed.map(authSerial);
  return [crl("aa", "p0", auth), crl("aa", "p1", auth), crl("bb", "p1", signListed.map(signSerial))];
}

describe("crl-sync (protocol v2: burn listed card keys, drop listed signing claims)", function () {
  it("burns the keys of listed authentication certificates, drops the claims of listed signing certificates, then records the heartbeat", async function () {
    const chain = new FakeRegistry();
    const store = await seed(200, chain);
    const listedAuth = [3, 10, 11, 50, 51, 52, 120, 199];
    const listedSign = [11, 77, 151]; // 11: both listed -> revoked (once); 77, 151: signing only -> claims dropped
    const result = await crlSync({ store, chain, crls: crls(listedAuth, listedSign), batchSize: 4 });

    const revoke = result.listed.filter((l) => l.action === "revoke").map((l) => l.subject);
    const drop = result.listed.filter((l) => l.action === "drop-claims").map((l) => l.subject);
    expect(revoke.sort()).to.deep.equal(listedAuth.map(subjectOf).sort());
    expect(drop.sort()).to.deep.equal([77, 151].map(subjectOf).sort());
    expect(
      result.listed
        .find((l) => l.subject === subjectOf(11))
        ?.roles.slice()
        .sort(),
    ).to.deep.equal(["auth", "sign"]);
    expect(result.batches.map((b) => [b.kind, b.size, b.changed])).to.deep.equal([
      ["revokeInvalidKeys", 4, 4],
      ["revokeInvalidKeys", 4, 4],
      ["dropSigningClaims", 2, 2],
    ]);
    expect(result.checkedCertificates).to.equal(300);
    expect(chain.heartbeats).to.equal(1);
    expect(result.heartbeat).to.not.equal(undefined);

    // On chain: listed auth keys burned and their records revoked; the signing-only ones stay active at AUTH.
    for (const i of listedAuth) {
      expect(chain.keys.get(keyOf(i))?.burned, `key ${i}`).to.equal(true);
      expect(chain.records.get(subjectOf(i))?.status).to.equal("Revoked");
    }
    for (const i of [77, 151]) {
      expect(chain.keys.get(keyOf(i))?.burned, "a listed signing certificate never burns the card key").to.equal(false);
      expect(chain.records.get(subjectOf(i))).to.include({ status: "Active", claims: Claim.AUTH });
    }
    // The chain saw nullifiers and addresses only.
    expect(chain.revokeBatches.flat().sort()).to.deep.equal(listedAuth.map(keyOf).sort());

    // In the store: revoked rows closed; dropped rows active at AUTH, person tag released, sign cert no longer checked.
    expect(await store.counts(31337n, REGISTRY)).to.include({ active: 192, revoked: 8, "revoke-pending": 0 });
    const row77 = (await store.live(31337n, REGISTRY, subjectOf(77)))!;
    expect(row77).to.include({ status: "active", claims: Claim.AUTH, personTag: null });
    const certs = await store.certificates(row77.id);
    expect(certs.map((c) => [c.role, c.state])).to.deep.equal([
      ["auth", "checked"],
      ["sign", "dropped"],
    ]);
    expect(certs[1]?.dropTxHash).to.equal(result.batches[2]?.hash);
    expect(result.claimsDropped.map((d) => [d.subject, d.claims, d.how])).to.deep.equal([
      [subjectOf(77), Claim.AUTH, "sent"],
      [subjectOf(151), Claim.AUTH, "sent"],
    ]);

    // Next run: the dropped signing certificates are no longer checked; the auth ones still are; nothing is sent.
    const again = await crlSync({ store, chain, crls: crls(listedAuth, listedSign), batchSize: 4 });
    expect(again.checkedCertificates).to.equal(300 - 8 - 4 - 2); // 8 revoked rows (4 of them odd), 2 dropped certs
    expect(again.listed).to.deep.equal([]);
    expect(chain.revokeBatches).to.have.length(2);
    expect(chain.dropBatches).to.have.length(1);
    expect(chain.burnedTwice + chain.droppedTwice).to.equal(0);
  });

  it("a listed signing certificate of a row without claims from it sends nothing and is no longer checked", async function () {
    const chain = new FakeRegistry();
    const store = OperatorStore.open(":memory:");
    const id = await insertActive(store, chain, 5, [
      { role: "auth", issuerKeyId: "aa", partition: "p1", serialHex: authSerial(5), notAfter: 2e9 },
      { role: "sign", issuerKeyId: "bb", partition: "p1", serialHex: signSerial(5), notAfter: 2e9 },
    ]);
    const result = await crlSync({ store, chain, crls: crls([], [5]) });
    expect(result.claimsDropped).to.deep.equal([
      { subject: subjectOf(5), attestationId: id, claims: Claim.AUTH, how: "none" },
    ]);
    expect(chain.dropBatches).to.deep.equal([]);
    expect((await store.get(id))?.status).to.equal("active");
    expect(await store.partitionsInUse(31337n, REGISTRY)).to.deep.equal([
      { issuerKeyId: "aa", partition: "p1", count: 1 },
    ]);
    expect(chain.heartbeats).to.equal(1);
  });

  it("is idempotent: a second run finds nothing and sends nothing", async function () {
    const chain = new FakeRegistry();
    const store = await seed(40, chain);
    await crlSync({ store, chain, crls: crls([1, 2, 3], [5]), batchSize: 2 });
    const again = await crlSync({ store, chain, crls: crls([1, 2, 3], [5]), batchSize: 2 });
    expect(again.listed).to.deep.equal([]);
    expect(again.batches).to.deep.equal([]);
    expect(chain.revokeBatches).to.have.length(2);
    expect(chain.dropBatches).to.have.length(1);
    expect(chain.heartbeats).to.equal(2);
  });

  it("resumes after being killed between batches, burning nothing twice and recording the heartbeat once done", async function () {
    const chain = new FakeRegistry();
    const store = await seed(100, chain);
    const listed = Array.from({ length: 23 }, (_, k) => 2 + 4 * k);
    chain.killBeforeBatch = 2;
    let error: unknown;
    try {
      await crlSync({ store, chain, crls: crls(listed, []), batchSize: 5 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal("killed");
    expect(chain.heartbeats).to.equal(0);
    // Two batches confirmed; the third was marked revoke-pending before the kill.
    expect(await store.counts(31337n, REGISTRY)).to.include({ revoked: 10, "revoke-pending": 5 });

    chain.killBeforeBatch = undefined;
    const result = await crlSync({ store, chain, crls: crls(listed, []), batchSize: 5 });
    expect(result.listed.filter((l) => l.resumed)).to.have.length(5);
    expect(await store.counts(31337n, REGISTRY)).to.include({ revoked: 23, "revoke-pending": 0, active: 77 });
    expect(chain.burnedTwice).to.equal(0);
    expect(chain.heartbeats).to.equal(1);
  });

  it("resumes after being killed while a revocation batch was being mined (the batch did land)", async function () {
    const chain = new FakeRegistry();
    const store = await seed(30, chain);
    chain.killWhileMining = 0;
    await crlSync({ store, chain, crls: crls([1, 2, 3, 4], []), batchSize: 3 }).catch(() => undefined);
    expect(await store.counts(31337n, REGISTRY)).to.include({ "revoke-pending": 3 });
    const pending = await store.byStatus(31337n, REGISTRY, ["revoke-pending"]);
    expect(pending.every((r) => r.revokeTxHash !== null)).to.equal(true);
    chain.killWhileMining = undefined;
    const result = await crlSync({ store, chain, crls: crls([1, 2, 3, 4], []), batchSize: 3 });
    expect(result.alreadyRevoked).to.equal(3); // settled from chain state (keys burned), not re-sent
    expect(chain.revokeBatches.flat().filter((k) => k === keyOf(1))).to.have.length(1);
    expect(chain.burnedTwice).to.equal(0);
    expect(await store.counts(31337n, REGISTRY)).to.include({ revoked: 4, "revoke-pending": 0 });
    expect(chain.heartbeats).to.equal(1);
  });

  it("resumes after being killed while a claim-drop batch was being mined: settled from chain state, not re-sent", async function () {
    const chain = new FakeRegistry();
    const store = await seed(20, chain);
    chain.killWhileMining = 0;
    await crlSync({ store, chain, crls: crls([], [1, 3, 5]) }).catch(() => undefined);
    const marked = await store.dropPending(31337n, REGISTRY);
    expect(marked.map((r) => r.subject)).to.deep.equal([1, 3, 5].map(subjectOf));
    // still active, claims not yet updated, signing certificates still checked until settled
    expect(marked.every((r) => r.status === "active" && r.claims === FULL)).to.equal(true);
    expect((await store.certificates(marked[0]!.id))[1]).to.include({ state: "drop-pending" });
    expect(chain.heartbeats).to.equal(0);

    chain.killWhileMining = undefined;
    const result = await crlSync({ store, chain, crls: crls([], [1, 3, 5]) });
    expect(result.listed.every((l) => l.resumed && l.action === "drop-claims")).to.equal(true);
    expect(result.claimsDropped.map((d) => d.how)).to.deep.equal(["already", "already", "already"]);
    expect(chain.dropBatches).to.have.length(1);
    expect(chain.droppedTwice).to.equal(0);
    for (const i of [1, 3, 5]) {
      const row = (await store.live(31337n, REGISTRY, subjectOf(i)))!;
      expect(row).to.include({ status: "active", claims: Claim.AUTH, personTag: null });
    }
    expect(await store.dropPending(31337n, REGISTRY)).to.deep.equal([]);
    expect(chain.heartbeats).to.equal(1);
  });

  it("does not record the heartbeat when a partition the store depends on has no CRL", async function () {
    const chain = new FakeRegistry();
    const store = await seed(10, chain);
    const partial = crls([2], []).filter((c) => c.issuerKeyId !== "bb");
    const result = await crlSync({ store, chain, crls: partial });
    expect(result.missingPartitions).to.deep.equal([{ issuerKeyId: "bb", partition: "p1", count: 5 }]);
    expect(result.heartbeat).to.equal(undefined);
    expect(chain.heartbeats).to.equal(0);
    expect(chain.records.get(subjectOf(2))?.status).to.equal("Revoked"); // what was found is still revoked
  });

  it("burns the key of a listed record that already ended on chain, and closes its row", async function () {
    const chain = new FakeRegistry();
    const store = await seed(10, chain);
    chain.records.get(subjectOf(5))!.status = "Expired";
    chain.records.get(subjectOf(6))!.status = "Revoked"; // the holder revoked it (revokeSelf): key not burned
    const result = await crlSync({ store, chain, crls: crls([5, 6, 7], []) });
    expect(result.notActive).to.deep.equal([{ subject: subjectOf(5), status: "Expired" }]);
    expect(result.alreadyRevoked).to.equal(1);
    expect(result.batches[0]?.changed).to.equal(1); // only 7 had an active record to revoke
    for (const i of [5, 6, 7]) expect(chain.keys.get(keyOf(i))?.burned, `key ${i}`).to.equal(true);
    expect(chain.records.get(subjectOf(5))?.status).to.equal("Expired");
    expect(await store.counts(31337n, REGISTRY)).to.include({ revoked: 3, "revoke-pending": 0 });
    expect(chain.heartbeats).to.equal(1);
  });

  it("closes, without sending, listed rows whose record another attester or card now holds on chain", async function () {
    const chain = new FakeRegistry();
    const store = await seed(10, chain);
    chain.attest(subjectOf(4), keyOf(1004), Claim.AUTH, "other"); // another attester, another card
    chain.records.get(subjectOf(9))!.attester = "other"; // another attester re-attested with the same card
    const result = await crlSync({ store, chain, crls: crls([3, 4, 8], [9]) });
    expect(result.replaced.map((r) => r.subject).sort()).to.deep.equal([4, 9].map(subjectOf).sort());
    expect(chain.revokeBatches.flat().sort()).to.deep.equal([3, 8].map(keyOf).sort());
    expect(chain.dropBatches).to.deep.equal([]);
    expect(chain.records.get(subjectOf(4))?.status).to.equal("Active"); // the other attester's record is left alone
    expect(chain.records.get(subjectOf(9))?.claims).to.equal(FULL);
    for (const r of result.replaced) {
      const row = await store.get(r.attestationId);
      expect(row?.status).to.equal("revoked");
      expect(row?.error).to.match(/^superseded on chain/);
    }
    expect(chain.heartbeats).to.equal(1);
  });

  it("reports entries the registry skipped (attester role lost) and records no heartbeat", async function () {
    const chain = new FakeRegistry();
    const store = await seed(10, chain);
    chain.attesterActive = false;
    const result = await crlSync({ store, chain, crls: crls([2], [3]) });
    expect(result.unsettled.map((u) => [u.subject, u.why])).to.deep.equal([
      [subjectOf(2), "revokeInvalidKeys skipped the card key (NotAuthorized)"],
      [subjectOf(3), "dropSigningClaims skipped the subject (NotAuthorized)"],
    ]);
    expect(result.heartbeat).to.equal(undefined);
    // Both stay marked, to be settled or re-sent by the next run.
    expect((await store.live(31337n, REGISTRY, subjectOf(2)))?.status).to.equal("revoke-pending");
    expect((await store.dropPending(31337n, REGISTRY)).map((r) => r.subject)).to.deep.equal([subjectOf(3)]);
  });

  it("never burns the key of a revoke-pending row that no CRL lists (an interrupted `kyc revoke`)", async function () {
    const chain = new FakeRegistry();
    const store = await seed(6, chain);
    const row = (await store.live(31337n, REGISTRY, subjectOf(2)))!;
    await store.markRevokePending([row.id]);
    const result = await crlSync({ store, chain, crls: crls([], []) });
    expect(result.listed).to.deep.equal([]);
    expect(chain.revokeBatches).to.deep.equal([]);
    expect(chain.keys.get(keyOf(2))?.burned).to.equal(false);
    expect((await store.get(row.id))?.status).to.equal("revoke-pending"); // still checked, left to `kyc revoke`
    expect(result.checkedCertificates).to.equal(9);
    // Once the chain shows it revoked, the next run closes it.
    chain.records.get(subjectOf(2))!.status = "Revoked";
    await crlSync({ store, chain, crls: crls([], []) });
    expect((await store.get(row.id))?.status).to.equal("revoked");
  });

  it("a full CRL (no distribution point) covers every partition of its CA: listed in it or in the partition's CRL is acted on", async function () {
    const chain = new FakeRegistry();
    const store = await seed(10, chain);
    // CA "aa": only p0 has a partition CRL (listing 2); the full CRL lists 3 (p1) and 4 (p0). CA "bb": none.
    const given = [crl("aa", "p0", [authSerial(2)]), crl("aa", FULL_CRL_SCOPE, [3, 4].map(authSerial))];
    const result = await crlSync({ store, chain, crls: given, dryRun: true });
    expect(result.listed.map((l) => l.subject).sort()).to.deep.equal([2, 3, 4].map(subjectOf).sort());
    expect(result.missingPartitions).to.deep.equal([{ issuerKeyId: "bb", partition: "p1", count: 5 }]);
    expect(result.checkedCertificates).to.equal(10);
  });

  describe("a row superseded by a still-pending re-attestation (the chain still holds its record)", function () {
    /** Subject 1 (FULL claims, signing certificate) re-attests with the same card; the new attestation is pending. */
    async function reattesting(chain: FakeRegistry): Promise<{ store: OperatorStore; old: number; next: number }> {
      const store = await seed(4, chain);
      const old = (await store.live(31337n, REGISTRY, subjectOf(1)))!.id;
      const next = await store.insertPending({
        chainId: 31337n,
        registry: REGISTRY,
        subject: subjectOf(1),
        keyNullifier: keyOf(1),
        personTag: null,
        claims: Claim.AUTH,
        caId: 1,
        expiryCap: 0,
        mode: "direct",
        supersedes: old,
        bindingNonce: 1n,
        bindingDeadline: Number(chain.time) + 600,
        certificates: [{ role: "auth", issuerKeyId: "aa", partition: "p1", serialHex: authSerial(1), notAfter: 2e9 }],
      });
      return { store, old, next };
    }

    it("its listed authentication certificate burns the key; the re-attestation then fails and the old row stays closed", async function () {
      const chain = new FakeRegistry();
      const { store, old, next } = await reattesting(chain);
      const result = await crlSync({ store, chain, crls: crls([1], []) });
      expect(result.reconciled).to.deep.equal({ activated: 0, failed: 0, stillPending: 1 });
      expect(result.listed.map((l) => l.attestationId)).to.deep.equal([old]);
      expect(chain.keys.get(keyOf(1))?.burned).to.equal(true);
      expect(await store.get(old)).to.include({ status: "revoked" });
      expect((await store.get(old))?.error).to.match(/^revoked on chain/);
      // the pending re-attestation can no longer land (key burned): it fails at its deadline; the old row stays closed
      chain.time += 601n;
      const later = await crlSync({ store, chain, crls: crls([1], []) });
      expect(later.reconciled).to.deep.equal({ activated: 0, failed: 1, stillPending: 0 });
      expect((await store.get(next))?.status).to.equal("failed");
      expect((await store.get(old))?.status).to.equal("revoked");
      expect(await store.live(31337n, REGISTRY, subjectOf(1))).to.equal(undefined);
    });

    it("its listed signing certificate waits for the re-attestation to settle: nothing sent, no heartbeat", async function () {
      const chain = new FakeRegistry();
      const { store, old } = await reattesting(chain);
      const result = await crlSync({ store, chain, crls: crls([], [1]) });
      expect(result.unsettled.map((u) => u.attestationId)).to.deep.equal([old]);
      expect(chain.dropBatches).to.deep.equal([]);
      expect(result.heartbeat).to.equal(undefined);
      // the re-attestation (AUTH only, no signing certificate) lands: nothing is left to drop
      chain.attest(subjectOf(1), keyOf(1), Claim.AUTH);
      const next = await crlSync({ store, chain, crls: crls([], [1]) });
      expect(next.reconciled).to.include({ activated: 1 });
      expect(next.listed).to.deep.equal([]);
      expect(next.heartbeat).to.not.equal(undefined);
    });
  });

  it("--dry-run lists and changes nothing (pending rows are not settled either)", async function () {
    const chain = new FakeRegistry();
    const store = await seed(20, chain);
    const result = await crlSync({ store, chain, crls: crls([1, 2], [3]), dryRun: true });
    expect(result.listed.map((l) => [l.subject, l.action]).sort()).to.deep.equal([
      [subjectOf(1), "revoke"],
      [subjectOf(2), "revoke"],
      [subjectOf(3), "drop-claims"],
    ]);
    expect(result.reconciled).to.equal(undefined);
    expect(chain.revokeBatches.length + chain.dropBatches.length).to.equal(0);
    expect(chain.heartbeats).to.equal(0);
    expect((await store.counts(31337n, REGISTRY)).active).to.equal(20);
    expect(await store.dropPending(31337n, REGISTRY)).to.deep.equal([]);
  });

  it("rejects a bad batch size and duplicate CRLs for one partition", async function () {
    const chain = new FakeRegistry();
    const store = await seed(2, chain);
    await expectReject(crlSync({ store, chain, crls: [], batchSize: 0 }), "OPERATOR_BAD_INPUT");
    await expectReject(crlSync({ store, chain, crls: [crl("aa", "p0", []), crl("AA", "p0", [])] }), "OPERATOR_CRL");
  });

  it("finds the one listed certificate among 20,000 stored against a 200,000-entry CRL index", async function () {
    this.timeout(120_000);
    const chain = new FakeRegistry();
    const store = await seed(0, chain);
    await store.transaction(async () => {
      for (let i = 1; i <= 20_000; i++) {
        await insertActive(store, chain, i, [
          { role: "auth", issuerKeyId: "aa", partition: "p0", serialHex: (i * 7).toString(16), notAfter: 2e9 },
        ]);
      }
    });
    const big = new Set<string>();
    for (let k = 0; k < 200_000; k++) big.add((k * 13 + 5_000_000).toString(16)); // none of them stored
    big.add((70).toString(16)); // subject 10
    const result = await crlSync({ store, chain, crls: [crl("aa", "p0", big)], dryRun: true });
    expect(result.checkedCertificates).to.equal(20_000);
    expect(result.listed.map((l) => l.subject)).to.deep.equal([subjectOf(10)]);
  });
});

async function expectReject(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: string }).code).to.equal(code);
    return;
  }
  expect.fail(`expected a rejection with ${code}`);
}
