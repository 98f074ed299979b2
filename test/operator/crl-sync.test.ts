import { expect } from "chai";

import { crlSync, type CrlPartition, type CrlSyncChain } from "../../src/operator/crl-sync.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { PiiMaterial } from "../../src/operator/pii-guard.js";
import type { CertificateRef } from "../../src/operator/store/types.js";
import { assertNoPii } from "../../src/operator/pii-guard.js";
import { FULL_CRL_SCOPE } from "../../src/pki/crl-selection.js";

const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

/** An in-memory registry: statuses per subject, a batch revocation that skips non-active entries. */
class FakeChain implements CrlSyncChain {
  readonly chainId = 31337n;
  readonly registry = REGISTRY;
  readonly status = new Map<string, string>();
  readonly sentBatches: string[][] = [];
  revokedTwice = 0;
  heartbeats = 0;
  /** Throw ("kill the process") after this many batches were mined (undefined: never). */
  killAfterBatches: number | undefined;
  /** Throw after sending but before the receipt, on this batch index (simulates a kill mid-transaction). */
  killWhileMining: number | undefined;
  private txCount = 0;

  async revokeBatch(subjects: readonly string[], pii: readonly PiiMaterial[], onSent: (hash: string) => void) {
    const data = "0x" + subjects.map((s) => s.slice(2).padStart(64, "0")).join("");
    assertNoPii(data, pii);
    const index = this.sentBatches.length;
    if (this.killAfterBatches !== undefined && index >= this.killAfterBatches) throw new Error("killed");
    const hash = `0x${(++this.txCount).toString(16).padStart(64, "0")}`;
    this.sentBatches.push([...subjects]);
    const revoked: string[] = [];
    for (const s of subjects) {
      const st = this.status.get(s);
      if (st === "Revoked") this.revokedTwice++;
      if (st !== "Active") continue;
      this.status.set(s, "Revoked");
      revoked.push(s);
    }
    onSent(hash);
    if (this.killWhileMining === index) throw new Error("killed while waiting for the receipt");
    return { hash, gasUsed: 1000n * BigInt(revoked.length), revoked };
  }
  async recordCrlSync() {
    this.heartbeats++;
    return { hash: `0x${"ee".repeat(32)}`, gasUsed: 30000n };
  }
  async statusOf(subject: string) {
    return this.status.get(subject) ?? "None";
  }
  /** Subjects whose record another attester (or another card) now holds. */
  readonly replacedOnChain = new Set<string>();
  async isOwnRecord(subject: string) {
    return !this.replacedOnChain.has(subject);
  }
}

function subjectOf(i: number): string {
  return `0x${i.toString(16).padStart(40, "0")}`;
}

function crl(issuerKeyId: string, partition: string, serials: Iterable<string>): CrlPartition {
  const set = new Set(serials);
  return {
    issuerKeyId,
    partition,
    lookup: (s) => (set.has(s) ? { revokedAt: new Date(0), reason: "unspecified" } : undefined),
  };
}

/** Inserts subject `i`'s attestation, backed by `certificates`, as active. */
function insertActive(store: OperatorStore, i: number, certificates: CertificateRef[]): void {
  const id = store.insertPending({
    chainId: 31337n,
    registry: REGISTRY,
    subject: subjectOf(i),
    keyNullifier: `0x${i.toString(16).padStart(64, "0")}`,
    personTag: null,
    claims: 1,
    caId: 1,
    expiryCap: 0,
    mode: "direct",
    certificates,
  });
  store.markActive(id, null);
}

/** A store with `n` active attestations in partitions p0/p1 (auth CA "aa"), odd ones also with a signing cert (CA "bb"). */
function seed(n: number, chain: FakeChain): OperatorStore {
  const store = OperatorStore.open(":memory:");
  store.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const certificates: CertificateRef[] = [
        {
          role: "auth" as const,
          issuerKeyId: "aa",
          partition: `p${i % 2}`,
          serialHex: (0xa00000 + i).toString(16),
          notAfter: 2e9,
        },
      ];
      if (i % 2 === 1) {
        certificates.push({
          role: "sign" as const,
          issuerKeyId: "bb",
          partition: "p1",
          serialHex: (0xb00000 + i).toString(16),
          notAfter: 2e9,
        });
      }
      insertActive(store, i, certificates);
      chain.status.set(subjectOf(i), "Active");
    }
  });
  return store;
}

/** CRLs listing auth serials of `authListed` and sign serials of `signListed`. */
function crls(authListed: number[], signListed: number[]): CrlPartition[] {
  const auth = authListed.map((i) => (0xa00000 + i).toString(16));
  return [
    crl("aa", "p0", auth),
    crl("aa", "p1", auth),
    crl(
      "bb",
      "p1",
      signListed.map((i) => (0xb00000 + i).toString(16)),
    ),
  ];
}

describe("crl-sync", function () {
  it("revokes exactly the listed attestations in batches, then records the heartbeat", async function () {
    const chain = new FakeChain();
    const store = seed(200, chain);
    const listedAuth = [3, 10, 11, 50, 51, 52, 120, 199];
    const listedSign = [11, 77]; // 11 is listed twice (auth and sign): revoked once
    const result = await crlSync({ store, chain, crls: crls(listedAuth, listedSign), batchSize: 4 });
    const expected = [...new Set([...listedAuth, ...listedSign])].map(subjectOf).sort();
    expect(result.listed.map((l) => l.subject).sort()).to.deep.equal(expected);
    expect(
      result.listed
        .find((l) => l.subject === subjectOf(11))
        ?.roles.slice()
        .sort(),
    ).to.deep.equal(["auth", "sign"]);
    expect(result.batches.map((b) => b.size)).to.deep.equal([4, 4, 1]);
    expect(result.checkedCertificates).to.equal(300);
    expect(result.heartbeat).to.not.equal(undefined);
    expect(chain.heartbeats).to.equal(1);
    expect(store.counts(31337n, REGISTRY)).to.include({ active: 191, revoked: 9, "revoke-pending": 0 });
    for (const s of expected) expect(chain.status.get(s)).to.equal("Revoked");
    expect(chain.status.get(subjectOf(4))).to.equal("Active");
  });

  it("is idempotent: a second run finds nothing and revokes nothing", async function () {
    const chain = new FakeChain();
    const store = seed(40, chain);
    await crlSync({ store, chain, crls: crls([1, 2, 3], []), batchSize: 2 });
    const again = await crlSync({ store, chain, crls: crls([1, 2, 3], []), batchSize: 2 });
    expect(again.listed).to.deep.equal([]);
    expect(again.batches).to.deep.equal([]);
    expect(chain.sentBatches).to.have.length(2);
    expect(chain.heartbeats).to.equal(2);
  });

  it("resumes after being killed between batches, revoking nothing twice and recording the heartbeat once done", async function () {
    const chain = new FakeChain();
    const store = seed(100, chain);
    const listed = Array.from({ length: 23 }, (_, k) => 2 + 4 * k);
    chain.killAfterBatches = 2;
    let error: unknown;
    try {
      await crlSync({ store, chain, crls: crls(listed, []), batchSize: 5 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal("killed");
    expect(chain.heartbeats).to.equal(0);
    // Two batches confirmed; the third was marked revoke-pending before the kill.
    expect(store.counts(31337n, REGISTRY)).to.include({ revoked: 10, "revoke-pending": 5 });

    chain.killAfterBatches = undefined;
    const result = await crlSync({ store, chain, crls: crls(listed, []), batchSize: 5 });
    expect(result.listed.filter((l) => l.resumed)).to.have.length(5);
    expect(store.counts(31337n, REGISTRY)).to.include({ revoked: 23, "revoke-pending": 0, active: 77 });
    expect(chain.revokedTwice).to.equal(0);
    expect(chain.heartbeats).to.equal(1);
  });

  it("resumes after being killed while a batch was being mined (the batch did land)", async function () {
    const chain = new FakeChain();
    const store = seed(30, chain);
    chain.killWhileMining = 0;
    await crlSync({ store, chain, crls: crls([1, 2, 3, 4], []), batchSize: 3 }).catch(() => undefined);
    expect(store.counts(31337n, REGISTRY)).to.include({ "revoke-pending": 3 });
    const pending = store.byStatus(31337n, REGISTRY, ["revoke-pending"]);
    expect(pending.every((r) => r.revokeTxHash !== null)).to.equal(true);
    chain.killWhileMining = undefined;
    const result = await crlSync({ store, chain, crls: crls([1, 2, 3, 4], []), batchSize: 3 });
    expect(result.alreadyRevoked).to.equal(3); // settled from chain state, not re-sent
    expect(chain.sentBatches.flat().filter((s) => s === subjectOf(1))).to.have.length(1);
    expect(store.counts(31337n, REGISTRY)).to.include({ revoked: 4, "revoke-pending": 0 });
    expect(chain.heartbeats).to.equal(1);
  });

  it("does not record the heartbeat when a partition the store depends on has no CRL", async function () {
    const chain = new FakeChain();
    const store = seed(10, chain);
    const partial = crls([2], []).filter((c) => c.issuerKeyId !== "bb");
    const result = await crlSync({ store, chain, crls: partial });
    expect(result.missingPartitions).to.deep.equal([{ issuerKeyId: "bb", partition: "p1", count: 5 }]);
    expect(result.heartbeat).to.equal(undefined);
    expect(chain.heartbeats).to.equal(0);
    expect(chain.status.get(subjectOf(2))).to.equal("Revoked"); // what was found is still revoked
  });

  it("closes rows whose record already ended on chain without sending for them", async function () {
    const chain = new FakeChain();
    const store = seed(10, chain);
    chain.status.set(subjectOf(5), "Expired");
    chain.status.set(subjectOf(6), "Revoked"); // revoked by someone else (e.g. revokeSelf)
    const result = await crlSync({ store, chain, crls: crls([5, 6, 7], []) });
    expect(result.notActive).to.deep.equal([{ subject: subjectOf(5), status: "Expired" }]);
    expect(result.alreadyRevoked).to.equal(1);
    // Subject 6 went into the batch and the registry skipped it (the fake counts it as sent-while-revoked).
    expect(chain.revokedTwice).to.equal(1);
    expect(chain.status.get(subjectOf(5))).to.equal("Expired");
    expect(store.counts(31337n, REGISTRY)).to.include({ revoked: 3, "revoke-pending": 0 });
    expect(chain.heartbeats).to.equal(1);
  });

  it("closes, without sending, listed rows whose record another attester or card now holds on chain", async function () {
    const chain = new FakeChain();
    const store = seed(10, chain);
    chain.replacedOnChain.add(subjectOf(4));
    const result = await crlSync({ store, chain, crls: crls([3, 4, 8], []) });
    expect(result.replaced.map((r) => r.subject)).to.deep.equal([subjectOf(4)]);
    expect(chain.sentBatches.flat().sort()).to.deep.equal([3, 8].map(subjectOf).sort());
    expect(chain.status.get(subjectOf(4))).to.equal("Active"); // the other attester's record is left alone
    const row = store.get(result.replaced[0]!.attestationId);
    expect(row?.status).to.equal("revoked");
    expect(row?.error).to.match(/^superseded on chain/);
    expect(chain.heartbeats).to.equal(1);
  });

  it("a full CRL (no distribution point) covers every partition of its CA: listed in it or in the partition's CRL is revoked", async function () {
    const chain = new FakeChain();
    const store = seed(10, chain);
    // CA "aa": only p0 has a partition CRL (listing 2); the full CRL lists 3 (p1) and 4 (p0). CA "bb": none.
    const given = [
      crl("aa", "p0", [(0xa00000 + 2).toString(16)]),
      crl(
        "aa",
        FULL_CRL_SCOPE,
        [3, 4].map((i) => (0xa00000 + i).toString(16)),
      ),
    ];
    const result = await crlSync({ store, chain, crls: given, dryRun: true });
    expect(result.listed.map((l) => l.subject).sort()).to.deep.equal([2, 3, 4].map(subjectOf).sort());
    expect(result.missingPartitions).to.deep.equal([{ issuerKeyId: "bb", partition: "p1", count: 5 }]);
    expect(result.checkedCertificates).to.equal(10);
  });

  it("--dry-run lists and changes nothing", async function () {
    const chain = new FakeChain();
    const store = seed(20, chain);
    const result = await crlSync({ store, chain, crls: crls([1, 2], [3]), dryRun: true });
    expect(result.listed.map((l) => l.subject).sort()).to.deep.equal([1, 2, 3].map(subjectOf).sort());
    expect(chain.sentBatches).to.have.length(0);
    expect(chain.heartbeats).to.equal(0);
    expect(store.counts(31337n, REGISTRY).active).to.equal(20);
  });

  it("rejects a bad batch size and duplicate CRLs for one partition", async function () {
    const chain = new FakeChain();
    const store = seed(2, chain);
    await expectReject(crlSync({ store, chain, crls: [], batchSize: 0 }), "OPERATOR_BAD_INPUT");
    await expectReject(crlSync({ store, chain, crls: [crl("aa", "p0", []), crl("AA", "p0", [])] }), "OPERATOR_CRL");
  });

  it("finds the one listed certificate among 20,000 stored against a 200,000-entry CRL index", async function () {
    this.timeout(120_000);
    const chain = new FakeChain();
    const store = seed(0, chain);
    store.transaction(() => {
      for (let i = 1; i <= 20_000; i++) {
        insertActive(store, i, [
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
