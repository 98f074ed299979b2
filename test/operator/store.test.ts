import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";

import { OperatorError } from "../../src/operator/operator-error.js";
import { MIGRATIONS } from "../../src/operator/store/migrations.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { NewAttestation } from "../../src/operator/store/types.js";
import { collect } from "./helpers/collect.js";
import { settled } from "./helpers/settled.js";
import { backends } from "./helpers/store-backends.js";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function attestation(i: number, overrides: Partial<NewAttestation> = {}): NewAttestation {
  const hex = i.toString(16).padStart(40, "0");
  return {
    chainId: 31337n,
    registry: REGISTRY,
    subject: `0x${hex}`,
    keyNullifier: `0x${i.toString(16).padStart(64, "0")}`,
    personTag: null,
    claims: 1,
    caId: 1,
    expiryCap: 1_800_000_000 - (1_800_000_000 % 2_592_000),
    mode: "direct",
    certificates: [
      {
        role: "auth",
        issuerKeyId: "AB01",
        partition: "p1",
        serialHex: (0x100000 + i).toString(16),
        notAfter: 1_900_000_000,
      },
    ],
    ...overrides,
  };
}

for (const backend of backends()) {
  describe(`operator store (${backend.name})`, function () {
    backend.hooks();
    let dir: string;
    beforeEach(function () {
      dir = mkdtempSync(join(tmpdir(), "kyc-store-"));
    });
    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    backend.fileIt("creates the file with mode 0600, WAL journal, and applies every migration once", async function () {
      const path = join(dir, "nested", "op.sqlite");
      const store = OperatorStore.open(path);
      expect(store.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
      await store.insertPending(attestation(1));
      store.close();
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      expect(statSync(join(dir, "nested")).mode & 0o777).to.equal(0o700);
      const raw = new DatabaseSync(path);
      expect((raw.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).to.equal("wal");
      raw.close();
      // Reopen: migrations are not re-applied and the row survives.
      const again = OperatorStore.open(path);
      expect(again.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
      expect(await again.byStatus(31337n, REGISTRY, ["pending"])).to.have.length(1);
      again.close();
    });

    backend.fileIt("applies a later migration to an existing store in order", async function () {
      const path = join(dir, "op.sqlite");
      OperatorStore.open(path).close();
      const extra = [...MIGRATIONS, { version: 99, description: "test", sql: "CREATE TABLE extra_test (x INTEGER)" }];
      const store = OperatorStore.open(path, { migrations: extra });
      expect(store.schemaVersion).to.equal(99);
      store.close();
    });

    backend.fileIt("refuses a store with a newer schema and a file that is not a database", async function () {
      const path = join(dir, "op.sqlite");
      const extra = [...MIGRATIONS, { version: 99, description: "test", sql: "CREATE TABLE extra_test (x INTEGER)" }];
      OperatorStore.open(path, { migrations: extra }).close();
      expect(() => OperatorStore.open(path))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_STORE");

      const garbage = join(dir, "garbage.sqlite");
      writeFileSync(garbage, "this is not a database, just some text that is long enough to look like a header..");
      expect(() => OperatorStore.open(garbage))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_STORE");
    });

    it("writes pending rows with their certificates and never certificate attributes", async function () {
      const store = await backend.open();
      const id = await store.insertPending(attestation(7, { personTag: `0x${"ab".repeat(32)}`, claims: 15 }));
      const row = await store.get(id);
      expect(row?.status).to.equal("pending");
      expect(row?.subject).to.equal(attestation(7).subject.toLowerCase());
      expect(row?.registry).to.equal(REGISTRY.toLowerCase());
      expect(row?.personTag).to.equal(`0x${"ab".repeat(32)}`);
      // The schema has no column for attributes at all.
      for (const forbidden of ["name", "date_of_birth", "dob", "gender", "address", "der", "tbs"]) {
        expect(MIGRATIONS.map((m) => m.sql).join("\n")).not.to.match(
          new RegExp(`\\b${forbidden}\\b\\s+(TEXT|BLOB|INTEGER)`),
        );
      }
      store.close();
    });

    it("allows one live row per subject, and a new one after revocation", async function () {
      const store = await backend.open();
      const id = await store.insertPending(attestation(1));
      expect(await settled(async () => await store.insertPending(attestation(1))))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_STORE_CONFLICT");
      await store.markActive(id, `0x${"11".repeat(32)}`);
      expect(await settled(async () => await store.insertPending(attestation(1)))).to.throw(OperatorError);
      await store.markRevokePending([id]);
      await store.markRevoked([id], `0x${"22".repeat(32)}`);
      const id2 = await store.insertPending(attestation(1, { keyNullifier: `0x${"cd".repeat(32)}` }));
      expect(id2).to.not.equal(id);
      expect((await store.bySubject(31337n, REGISTRY, attestation(1).subject)).map((r) => r.status)).to.deep.equal([
        "revoked",
        "pending",
      ]);
      store.close();
    });

    backend.fileIt(
      "upgrades a schema-1 store with rows to the latest schema (no binding nonce, deadline or superseded row)",
      async function () {
        const path = join(dir, "v1.sqlite");
        OperatorStore.open(path, { migrations: MIGRATIONS.slice(0, 1) }).close();
        const raw = new DatabaseSync(path);
        const a = attestation(5);
        const id = Number(
          raw
            .prepare(
              `INSERT INTO attestations (chain_id, registry, subject, key_nullifier, claims, ca_id, expiry_cap, mode, status,
             created_at, updated_at) VALUES ('31337', ?, ?, ?, 1, 1, ?, 'direct', 'active', 1, 1)`,
            )
            .run(REGISTRY.toLowerCase(), a.subject, a.keyNullifier, a.expiryCap).lastInsertRowid,
        );
        raw.close();
        const v2 = OperatorStore.open(path);
        expect(v2.schemaVersion).to.equal(MIGRATIONS.at(-1)?.version);
        expect(await v2.get(id)).to.include({
          status: "active",
          supersedes: null,
          bindingNonce: null,
          bindingDeadline: null,
        });
        const next = await v2.insertPending(
          attestation(5, { supersedes: id, bindingNonce: 7n, bindingDeadline: 1_800_000_600 }),
        );
        expect(await v2.get(next)).to.include({ supersedes: id, bindingNonce: 7n, bindingDeadline: 1_800_000_600 });
        expect((await v2.certificates(next)).map((c) => c.state)).to.deep.equal(["checked"]);
        v2.close();
      },
    );

    backend.fileIt(
      "schema 3 remembers the highest CRL number per (chain, registry, issuer key, scope); a lower one never replaces it",
      async function () {
        const path = join(dir, "v2.sqlite");
        OperatorStore.open(path, { migrations: MIGRATIONS.slice(0, 2) }).close();
        const store = OperatorStore.open(path);
        expect(store.schemaVersion).to.be.at.least(3);
        const other = "0x" + "ab".repeat(20);
        expect(await store.crlNumberSeen(31337n, REGISTRY, "AA", "p0")).to.equal(undefined);
        await store.recordCrlNumber(31337n, REGISTRY, "AA", "p0", 0x65n);
        await store.recordCrlNumber(31337n, REGISTRY, "aa", "p0", 0x64n); // lower: kept at 0x65
        await store.recordCrlNumber(31337n, REGISTRY, "aa", "*", 7n);
        const big = (1n << 159n) + 3n; // 20 octets
        await store.recordCrlNumber(31337n, other, "aa", "p0", big);
        expect(await store.crlNumberSeen(31337n, REGISTRY.toLowerCase(), "aa", "p0")).to.equal(0x65n);
        expect(await store.crlNumberSeen(31337n, REGISTRY, "aa", "*")).to.equal(7n);
        expect(await store.crlNumberSeen(31337n, REGISTRY, "aa", "p1")).to.equal(undefined);
        expect(await store.crlNumberSeen(31337n, REGISTRY, "bb", "p0")).to.equal(undefined);
        expect(await store.crlNumberSeen(5n, REGISTRY, "aa", "p0")).to.equal(undefined);
        expect(await store.crlNumberSeen(31337n, other, "aa", "p0")).to.equal(big);
        await store.recordCrlNumber(31337n, REGISTRY, "aa", "p0", 0x66n);
        expect(await store.crlNumberSeen(31337n, REGISTRY, "aa", "p0")).to.equal(0x66n);
        store.close();
      },
    );

    it("a re-attestation supersedes the active row; the row comes back if the new one fails", async function () {
      const store = await backend.open();
      const subject = attestation(3).subject;
      const auth = attestation(3).certificates[0]!;
      const sign = { ...auth, role: "sign" as const, serialHex: "beef01" };
      const first = await store.insertPending(attestation(3, { bindingNonce: 0n }));
      await store.markActive(first, `0x${"11".repeat(32)}`);
      // without naming the row it replaces: still a conflict
      expect(await settled(async () => await store.insertPending(attestation(3))))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_STORE_CONFLICT");
      // naming a row that is not the subject's live one: a conflict
      expect(await settled(async () => await store.insertPending(attestation(3, { supersedes: first + 100 }))))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_STORE_CONFLICT");
      const second = await store.insertPending(
        attestation(3, { supersedes: first, bindingNonce: 1n, claims: 3, certificates: [auth, sign] }),
      );
      expect(await store.get(second)).to.include({ status: "pending", supersedes: first, bindingNonce: 1n });
      expect(await store.get(first)).to.include({
        status: "revoked",
        error: `superseded by attestation #${second} (re-attestation)`,
      });
      expect((await store.live(31337n, REGISTRY, subject))?.id).to.equal(second);
      // the new attestation fails: the old row is live again, and CRL-checked again
      await store.markFailed(second, "the attest transaction reverted");
      expect((await store.get(second))?.status).to.equal("failed");
      expect(await store.get(first)).to.include({ status: "active", error: null });
      expect(
        (await collect(store.activeCertificates(31337n, REGISTRY, "AB01", "p1"))).map((c) => c.attestationId),
      ).to.deep.equal([first]);
      // a second try lands: the old row stays closed; the new row's certificates are the ones checked
      const third = await store.insertPending(
        attestation(3, { supersedes: first, bindingNonce: 1n, claims: 3, certificates: [auth, sign] }),
      );
      await store.markActive(third, `0x${"33".repeat(32)}`);
      await store.markFailed(third, "late failure report is ignored for an active row");
      expect((await store.bySubject(31337n, REGISTRY, subject)).map((r) => r.status)).to.deep.equal([
        "revoked",
        "failed",
        "active",
      ]);
      expect(
        (await collect(store.activeCertificates(31337n, REGISTRY, "AB01", "p1"))).map((c) => [c.attestationId, c.role]),
      ).to.deep.equal([
        [third, "auth"],
        [third, "sign"],
      ]);
      store.close();
    });

    it("only moves rows along the lifecycle (a failed row cannot become active)", async function () {
      const store = await backend.open();
      const id = await store.insertPending(attestation(1));
      await store.markFailed(id, "reverted: DeadlineExpired");
      await store.markActive(id, null);
      expect((await store.get(id))?.status).to.equal("failed");
      expect((await store.get(id))?.error).to.equal("reverted: DeadlineExpired");
      store.close();
    });

    it("lists partitions in use and iterates the active certificates of one partition", async function () {
      const store = await backend.open();
      for (let i = 1; i <= 6; i++) {
        const id = await store.insertPending(
          attestation(i, {
            certificates: [
              {
                role: "auth",
                issuerKeyId: "ab01",
                partition: i % 2 === 0 ? "even" : "odd",
                serialHex: `a${i}0000`,
                notAfter: 1,
              },
              { role: "sign", issuerKeyId: "cd02", partition: "odd", serialHex: `b${i}0000`, notAfter: 1 },
            ],
          }),
        );
        if (i !== 6) await store.markActive(id, null);
      }
      expect(await store.partitionsInUse(31337n, REGISTRY)).to.deep.equal([
        { issuerKeyId: "ab01", partition: "even", count: 2 },
        { issuerKeyId: "ab01", partition: "odd", count: 3 },
        { issuerKeyId: "cd02", partition: "odd", count: 5 },
      ]);
      const even = await collect(store.activeCertificates(31337n, REGISTRY, "AB01", "even"));
      expect(even.map((c) => c.serialHex).sort()).to.deep.equal(["a20000", "a40000"]);
      expect(even.every((c) => c.role === "auth")).to.equal(true);
      // Another registry sees nothing.
      expect(await collect(store.activeCertificates(31337n, "0x" + "00".repeat(20), "ab01", "even"))).to.have.length(0);
      store.close();
    });

    backend.fileIt("iterates 20,000 active certificates quickly through the partition index", async function () {
      this.timeout(60_000);
      const store = OperatorStore.open(join(dir, "big.sqlite"));
      await store.transaction(async () => {
        for (let i = 1; i <= 20_000; i++) {
          const id = await store.insertPending(attestation(i));
          await store.markActive(id, null);
        }
      });
      let n = 0;
      for await (const _ of store.activeCertificates(31337n, REGISTRY, "ab01", "p1")) n++;
      expect(n).to.equal(20_000);
      store.close();
    });
  });
}
