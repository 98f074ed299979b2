import { randomBytes } from "node:crypto";

import { expect } from "chai";

import { OperatorError } from "../../src/operator/operator-error.js";
import pg from "pg";

import { storeLocation, type OperatorContext } from "../../src/operator/commands/context.js";
import { openOperatorStore, STORE_URL_VARIABLE } from "../../src/operator/store/open-store.js";
import { MIGRATIONS } from "../../src/operator/store/migrations.js";
import { POSTGRES_MIGRATIONS } from "../../src/operator/store/postgres-migrations.js";
import { PostgresOperatorStore, redactStoreUrl } from "../../src/operator/store/postgres-store.js";
import { SqliteOperatorStore } from "../../src/operator/store/sqlite-store.js";
import type { NewAttestation } from "../../src/operator/store/types.js";
import { settled } from "./helpers/settled.js";
import { dropSchemas, postgresUnavailable, requirePostgres, TEST_PG_URL_VARIABLE } from "./helpers/store-backends.js";

const REGISTRY = "0x" + "aa".repeat(20);

function attestation(i: number, overrides: Partial<NewAttestation> = {}): NewAttestation {
  return {
    chainId: 31337n,
    registry: REGISTRY,
    subject: "0x" + i.toString(16).padStart(40, "0"),
    keyNullifier: "0x" + i.toString(16).padStart(64, "0"),
    personTag: null,
    claims: 1,
    caId: 1,
    expiryCap: 2_000_000_000,
    mode: "direct",
    certificates: [{ role: "auth", issuerKeyId: "ab01", partition: "p1", serialHex: i.toString(16), notAfter: 2e9 }],
    ...overrides,
  };
}

/** What only PostgreSQL has: a server, several connections on one database, advisory locks, a URL with a password. */
describe("operator store on PostgreSQL (shared by several instances)", function () {
  this.timeout(120_000);
  const url = process.env[TEST_PG_URL_VARIABLE] ?? "";
  const schemas: string[] = [];
  const open: PostgresOperatorStore[] = [];

  before(async function () {
    requirePostgres(this, await postgresUnavailable());
  });
  after(async function () {
    for (const s of open) await s.close();
    if (url !== "") await dropSchemas(url, schemas);
  });

  async function connect(schema: string, options: Parameters<typeof PostgresOperatorStore.connect>[1] = {}) {
    if (!schemas.includes(schema)) schemas.push(schema);
    const store = await PostgresOperatorStore.connect(url, { ...options, schema });
    open.push(store);
    return store;
  }
  const fresh = (): string => `kyc_test_${randomBytes(6).toString("hex")}`;

  it("applies every migration once, also when two instances start at the same time", async function () {
    const schema = fresh();
    const [a, b] = await Promise.all([connect(schema), connect(schema)]);
    expect(a.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
    expect(b.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.description])).to.deep.equal(
      MIGRATIONS.map((m) => [m.version, m.description]),
    );
    const id = await a.insertPending(attestation(1));
    expect((await b.get(id))?.status).to.equal("pending");
    const again = await connect(schema);
    expect(again.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
    expect(await again.byStatus(31337n, REGISTRY, ["pending"])).to.have.length(1);
  });

  it("refuses a database with a newer schema, and never shows the URL's password", async function () {
    const schema = fresh();
    const extra = [
      ...POSTGRES_MIGRATIONS,
      { version: 99, description: "test", sql: "CREATE TABLE extra_test (x INTEGER)" },
    ];
    await connect(schema, { migrations: extra });
    const newer = await settled(() => connect(schema));
    expect(newer).to.throw(OperatorError).with.property("code", "OPERATOR_STORE");
    const u = new URL(url);
    u.password = "wrong-secret-password";
    u.port = "1"; // nothing listens there
    let message = "";
    try {
      await openOperatorStore(u.toString());
    } catch (error) {
      expect(error).to.be.instanceOf(OperatorError).with.property("code", "OPERATOR_STORE");
      message = (error as Error).message;
    }
    expect(message).to.match(/cannot open the operator store postgres:\/\/.*:\*\*\*@/);
    expect(message).not.to.include("wrong-secret-password");
    expect(redactStoreUrl(u.toString())).not.to.include("wrong-secret-password");
    const store = await connect(fresh());
    expect(store.path)
      .to.include(":***@")
      .and.not.include(`:${new URL(url).password}@`);
  });

  it("two instances inserting the same subject at once: exactly one live row, the other a typed conflict", async function () {
    const schema = fresh();
    const a = await connect(schema);
    const b = await connect(schema);
    for (let round = 1; round <= 10; round++) {
      const results = await Promise.all(
        [a, b, a, b].map((s) => settled(() => s.insertPending(attestation(100 + round)))),
      );
      let ok = 0;
      for (const r of results) {
        try {
          r();
          ok++;
        } catch (error) {
          expect(error).to.be.instanceOf(OperatorError).with.property("code", "OPERATOR_STORE_CONFLICT");
        }
      }
      expect(ok, `round ${round}`).to.equal(1);
      const rows = await a.bySubject(31337n, REGISTRY, attestation(100 + round).subject);
      expect(rows).to.have.length(1);
      expect(await a.certificates(rows[0]!.id)).to.have.length(1);
    }
  });

  it("transaction is all or nothing; concurrent read-modify-writes all commit (serialization failures are retried)", async function () {
    const schema = fresh();
    const a = await connect(schema);
    const b = await connect(schema);
    const failed = await settled(() =>
      a.transaction(async () => {
        await a.insertPending(attestation(1));
        await a.recordCrlNumber(31337n, REGISTRY, "ab01", "p1", 5n);
        throw new Error("abort");
      }),
    );
    expect(failed).to.throw("abort");
    expect(await b.counts(31337n, REGISTRY)).to.include({ pending: 0 });
    expect(await b.crlNumberSeen(31337n, REGISTRY, "ab01", "p1")).to.equal(undefined);
    // Concurrent read-modify-write of the same CRL number: both commit, the highest wins.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? a : b).recordCrlNumber(31337n, REGISTRY, "ab01", "p1", BigInt(i + 1)),
      ),
    );
    expect(await a.crlNumberSeen(31337n, REGISTRY, "ab01", "p1")).to.equal(8n);
  });

  it("key locks are exclusive across instances and end with the holder's connection (attacker: a second instance)", async function () {
    const schema = fresh();
    const a = await connect(schema);
    const b = await connect(schema);
    const keys = ["subject:0x01", "key:0xabc", "person:ff"];
    const release = await a.tryLockKeys(keys);
    expect(release).to.be.a("function");
    // Any one shared key is busy for the other instance, and for the same instance (not re-entrant).
    expect(await b.tryLockKeys(["key:0xabc"])).to.equal(undefined);
    expect(await b.tryLockKeys(["subject:0x02", "person:ff"])).to.equal(undefined);
    expect(await a.tryLockKeys(["subject:0x01"])).to.equal(undefined);
    // A refused attempt took nothing: its free key is still free.
    const other = await b.tryLockKeys(["subject:0x02"]);
    expect(other).to.be.a("function");
    await other!();
    await release!();
    const taken = await b.tryLockKeys(keys);
    expect(taken).to.be.a("function");
    expect(await a.tryLockKeys(["person:ff"])).to.equal(undefined);
    // The holder "crashes": its connection ends, and the keys are free again.
    await b.close();
    const after = await a.tryLockKeys(keys);
    expect(after).to.be.a("function");
    await after!();
  });

  it("iterates the certificates of a partition across pages, in order, each once", async function () {
    const store = await connect(fresh(), { pageSize: 50 });
    await store.transaction(async () => {
      for (let i = 1; i <= 180; i++) {
        const id = await store.insertPending(attestation(i));
        await store.markActive(id, null);
      }
    });
    let n = 0;
    let previous = 0;
    for await (const c of store.activeCertificates(31337n, REGISTRY, "ab01", "p1")) {
      expect(c.attestationId).to.be.greaterThan(previous);
      previous = c.attestationId;
      n++;
    }
    expect(n).to.equal(180);
  });
  it("--store, else KYC_STORE_URL, else the chain's SQLite file selects the backend", async function () {
    const schema = fresh();
    schemas.push(schema);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const configured = `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const ctx = (value?: string): OperatorContext =>
      ({
        projectRoot: "/project",
        readConfigVariable: async (name: string) => (name === STORE_URL_VARIABLE ? value : undefined),
      }) as unknown as OperatorContext;
    expect(await storeLocation(ctx(configured), 31337n, undefined)).to.equal(configured);
    expect(await storeLocation(ctx(configured), 31337n, "/tmp/x.sqlite")).to.equal("/tmp/x.sqlite");
    expect(await storeLocation(ctx(), 31337n, undefined)).to.equal("/project/.kyc/operator-31337.sqlite");
    const store = await openOperatorStore(await storeLocation(ctx(configured), 31337n, undefined));
    try {
      expect(store).to.be.instanceOf(PostgresOperatorStore);
      expect(store.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
      expect(store.path).to.include(":***@");
    } finally {
      await store.close();
    }
    const file = await openOperatorStore(":memory:");
    expect(file).to.be.instanceOf(SqliteOperatorStore);
    await file.close();
  });
});
