import { randomBytes } from "node:crypto";

import { expect } from "chai";

import { Claim } from "../../src/claims.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import type { OperatorStore } from "../../src/operator/store/operator-store.js";
import { PostgresOperatorStore } from "../../src/operator/store/postgres-store.js";
import {
  dropSchemas,
  postgresUnavailable,
  requirePostgres,
  TEST_PG_URL_VARIABLE,
} from "../operator/helpers/store-backends.js";
import { post, serviceWorld, spareSigner, type ServiceWorld } from "./helpers/service-world.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

/**
 * Two service instances behind a load balancer: two `createOperatorService` instances, each with its own PostgreSQL
 * store (its own pool and lock connection) on the same database, sharing nothing in memory.
 */
describe("operator service: two instances on one PostgreSQL store", function () {
  this.timeout(300_000);
  let sw: ServiceWorld;
  const url = process.env[TEST_PG_URL_VARIABLE] ?? "";
  const schema = `kyc_test_multi_${randomBytes(4).toString("hex")}`;
  const stores: OperatorStore[] = [];

  before(async function () {
    requirePostgres(this, await postgresUnavailable());
    sw = await serviceWorld();
  });
  after(async function () {
    for (const s of stores) await s.close();
    await sw?.close();
    if (url !== "") await dropSchemas(url, [schema]);
  });

  async function instance(client = sw.client) {
    const store = await PostgresOperatorStore.connect(url, { schema });
    stores.push(store);
    const started = await sw.start({ store, client, submissionConcurrency: 4 });
    return { ...started, store };
  }

  /** Transactions sent by the attester since `before` (its account nonce). */
  async function sentSince(before: number): Promise<number> {
    return (await sw.ethers.provider.getTransactionCount(sw.f.attester.address)) - before;
  }

  it("the same proof request at both instances at once: one transaction, the others a typed 409 or 422", async function () {
    const a = await instance();
    const b = await instance();
    const subject = await spareSigner(sw.ethers, 14);
    const body = await sw.proof("adult", subject, ALL, true);
    const nonce = await sw.ethers.provider.getTransactionCount(sw.f.attester.address);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => post(`${(i % 2 === 0 ? a : b).url}/v1/attestations`, body)),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(statuses),
    ).to.have.length(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([409, 422], r.text).to.include(r.status);
      expect(["SERVICE_BUSY", "OPERATOR_CHECK_FAILED"]).to.include(r.body.error.code);
    }
    expect(results.some((r) => r.body?.error?.code === "SERVICE_BUSY")).to.equal(true);
    expect(await sentSince(nonce)).to.equal(1);
    expect(await sw.f.registry.queryFilter(sw.f.registry.filters.Attested(subject.address))).to.have.length(1);
    const rows = await a.store.bySubject(sw.client.chainId, sw.f.address, subject.address);
    expect(rows.map((r) => r.status)).to.deep.equal(["active"]);
  });

  it("one card for two wallets, one request at each instance (attacker: the card key lock across instances): one transaction", async function () {
    const a = await instance();
    const b = await instance();
    const s1 = await spareSigner(sw.ethers, 15);
    const s2 = await spareSigner(sw.ethers, 16);
    const [b1, b2] = [await sw.proof("age-17", s1, Claim.AUTH, false), await sw.proof("age-17", s2, Claim.AUTH, false)];
    const nonce = await sw.ethers.provider.getTransactionCount(sw.f.attester.address);
    // Blocks every 300 ms instead of one per transaction: both requests pass every check against the same chain
    // state, so only the lock keeps the second transaction from being sent.
    await sw.ethers.provider.send("evm_setAutomine", [false]);
    const miner = setInterval(() => void sw.ethers.provider.send("evm_mine", []), 300);
    let pair: Awaited<ReturnType<typeof post>>[];
    try {
      pair = await Promise.all([post(`${a.url}/v1/attestations`, b1), post(`${b.url}/v1/attestations`, b2)]);
    } finally {
      clearInterval(miner);
      await sw.ethers.provider.send("evm_setAutomine", [true]);
    }
    expect(
      pair.map((r) => r.status).filter((s) => s === 201),
      pair.map((r) => r.text).join(" | "),
    ).to.have.length(1);
    const loser = pair.find((r) => r.status !== 201)!;
    expect([409, 422], loser.text).to.include(loser.status);
    // Without the shared lock both instances would send, and the second transaction would revert on chain.
    expect(await sentSince(nonce)).to.equal(1);
    const verified = [await sw.f.registry.isVerified(s1.address), await sw.f.registry.isVerified(s2.address)];
    expect(verified.filter(Boolean)).to.have.length(1);
  });

  it("a crash between send and receipt in instance A is settled by instance B at its start-up", async function () {
    // A's signer broadcasts, then "crashes" before the receipt is known: A's row stays pending.
    const crashing = new Proxy(sw.f.attester, {
      get(target, prop, receiver) {
        if (prop === "sendTransaction") {
          return async (tx: unknown) => {
            await target.sendTransaction(tx as never);
            throw new Error("simulated crash after broadcasting");
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const a = await instance(await RegistryClient.connect(crashing, sw.f.address));
    const subject = await spareSigner(sw.ethers, 17);
    const body = await sw.proof("age-19", subject, Claim.AUTH, false);
    const r = await post(`${a.url}/v1/attestations`, body);
    expect(r.status, r.text).to.be.at.least(500);
    const pending = await a.store.live(sw.client.chainId, sw.f.address, subject.address);
    expect(pending?.status).to.equal("pending");
    expect(await sw.f.registry.isVerified(subject.address)).to.equal(true);
    // A is gone (its connections, and with them its key locks, end).
    await a.service.close();
    await a.store.close();
    const b = await instance();
    expect(b.service.reconciled.activated).to.equal(1);
    expect((await b.store.get(pending!.id))?.status).to.equal("active");
  });
});
