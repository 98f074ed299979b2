import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";

import { Claim } from "../../src/claims.js";
import { OperatorError } from "../../src/operator/operator-error.js";
import { sealRecord, type VerificationRecord } from "../../src/operator/records/verification-record.js";
import { MIGRATIONS } from "../../src/operator/store/migrations.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { CertificateRef, NewAttestation } from "../../src/operator/store/types.js";
import { collect } from "./helpers/collect.js";
import { settled } from "./helpers/settled.js";
import { backends } from "./helpers/store-backends.js";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const FULL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

const subjectOf = (i: number): string => `0x${i.toString(16).padStart(40, "0")}`;
const auth = (i: number): CertificateRef => ({
  role: "auth",
  issuerKeyId: "ab01",
  partition: "p1",
  serialHex: (0x100000 + i).toString(16),
  notAfter: 1_900_000_000,
});
/** One adult's signing certificate (issuer cd02, serial `serial`). */
const sign = (serial: string, issuerKeyId = "cd02"): CertificateRef => ({
  role: "sign",
  issuerKeyId,
  partition: "s1",
  serialHex: serial,
  notAfter: 1_900_000_000,
});

function attestation(i: number, overrides: Partial<NewAttestation> = {}): NewAttestation {
  return {
    chainId: 31337n,
    registry: REGISTRY,
    subject: subjectOf(i),
    keyNullifier: `0x${i.toString(16).padStart(64, "0")}`,
    personTag: null,
    claims: Claim.AUTH,
    caId: 1,
    expiryCap: 1_798_000_000,
    mode: "direct",
    bindingNonce: 0n,
    bindingDeadline: 1_800_000_600,
    certificates: [auth(i)],
    ...overrides,
  };
}

/** A verification record for `attestation(i)` (what was checked; no attribute). */
function record(i: number, overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  return {
    version: 1,
    chainId: "31337",
    registry: REGISTRY.toLowerCase(),
    subject: subjectOf(i),
    attester: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    bindingDigest: `0x${"12".repeat(32)}`,
    keyNullifier: `0x${i.toString(16).padStart(64, "0")}`,
    checkedAt: "2027-01-15T10:00:00.000Z",
    method: "jpki-auth",
    certificates: [
      {
        role: "auth",
        issuerKeyId: "ab01",
        serialHex: (0x100000 + i).toString(16),
        chain: [`${"aa".repeat(32)}`],
        caId: 1,
        crls: [{ issuerKeyId: "ab01", number: "2a", thisUpdate: "2027-01-15T00:00:00.000Z" }],
      },
    ],
    subjectSignature: "ecdsa",
    claims: Claim.AUTH,
    claimNames: ["AUTH"],
    personTag: false,
    ...overrides,
  };
}

for (const backend of backends()) {
  describe(`operator store, protocol v2 (schema 4) (${backend.name})`, function () {
    backend.hooks();
    let dir: string;
    beforeEach(function () {
      dir = mkdtempSync(join(tmpdir(), "kyc-store-v2-"));
    });
    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    backend.fileIt(
      "applies version 3 to a store written at 4 by a tool that did not have it yet (migrations applied by version)",
      async function () {
        expect(MIGRATIONS.map((m) => m.version)).to.deep.equal([1, 2, 3, 4]);
        const path = join(dir, "op.sqlite");
        // the v2 branch before the CRL-number migration was merged: versions 1, 2 and 4
        const withoutThree = MIGRATIONS.filter((m) => m.version !== 3);
        const early = OperatorStore.open(path, { migrations: withoutThree });
        expect(early.schemaVersion).to.equal(4);
        early.close();
        const store = OperatorStore.open(path);
        expect(store.schemaVersion).to.equal(4);
        await store.recordCrlNumber(31337n, REGISTRY, "aa", "p0", 5n); // version 3's table is there
        expect(await store.crlNumberSeen(31337n, REGISTRY, "aa", "p0")).to.equal(5n);
        store.close();
        const raw = new DatabaseSync(path);
        const versions = (
          raw.prepare("SELECT version FROM schema_version ORDER BY version").all() as Array<{
            version: number;
          }>
        ).map((r) => Number(r.version));
        expect(versions).to.deep.equal([1, 2, 3, 4]);
        raw.close();
      },
    );

    backend.fileIt(
      "upgrades a schema-2 store with rows: no deadline, certificates checked, no verification record",
      async function () {
        const path = join(dir, "v2.sqlite");
        const old = OperatorStore.open(path, { migrations: MIGRATIONS.slice(0, 2) });
        expect(old.schemaVersion).to.equal(2);
        old.close();
        const raw = new DatabaseSync(path);
        const id = Number(
          raw
            .prepare(
              `INSERT INTO attestations (chain_id, registry, subject, key_nullifier, claims, ca_id, expiry_cap, mode, status,
             created_at, updated_at, binding_nonce) VALUES ('31337', ?, ?, ?, 1, 1, 1, 'direct', 'pending', 1, 1, '3')`,
            )
            .run(REGISTRY.toLowerCase(), subjectOf(9), `0x${"09".padStart(64, "0")}`).lastInsertRowid,
        );
        raw
          .prepare(
            "INSERT INTO certificates (attestation_id, role, issuer_key_id, partition, serial, not_after) VALUES (?, 'sign', 'cd02', 's1', 'beef', 1)",
          )
          .run(id);
        raw.close();
        const store = OperatorStore.open(path);
        expect(store.schemaVersion).to.equal(4);
        expect(await store.get(id)).to.include({ bindingNonce: 3n, bindingDeadline: null });
        expect((await store.certificates(id)).map((c) => [c.role, c.state, c.dropTxHash])).to.deep.equal([
          ["sign", "checked", null],
        ]);
        expect(await store.verificationRecord(id)).to.equal(undefined);
        // the migrated pending row's signing certificate is in use for the rule below
        expect(
          await settled(
            async () => await store.insertPending(attestation(10, { certificates: [auth(10), sign("beef")] })),
          ),
        )
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_SIGN_CERT_IN_USE");
        store.close();
      },
    );

    it("writes the sealed verification record with its row in one transaction", async function () {
      const store = await backend.open();
      const sealed = sealRecord(record(1));
      const id = await store.insertPending(attestation(1, { verification: sealed }));
      expect(await store.verificationRecord(id)).to.deep.equal({
        attestationId: id,
        canonical: sealed.canonical,
        salt: sealed.salt,
        commitment: sealed.commitment,
      });
      // a row that cannot be written (live-row conflict) leaves no record behind
      expect(
        await settled(async () => await store.insertPending(attestation(1, { verification: sealRecord(record(1)) }))),
      ).to.throw(OperatorError);
      expect(await store.verificationRecords(31337n, REGISTRY)).to.have.length(1);
      store.close();
    });

    it("refuses an inconsistent verification record and writes nothing", async function () {
      const store = await backend.open();
      const good = sealRecord(record(2));
      const cases: Array<[string, NewAttestation]> = [
        ["commitment", attestation(2, { verification: { ...good, commitment: `0x${"00".repeat(32)}` } })],
        [
          "canonical",
          attestation(2, { verification: { ...good, canonical: good.canonical.replace('"claims":1', '"claims":3') } }),
        ],
        ["subject", attestation(3, { verification: good })],
        ["key", attestation(2, { keyNullifier: `0x${"ff".repeat(32)}`, verification: good })],
        ["registry", attestation(2, { registry: `0x${"11".repeat(20)}`, verification: good })],
      ];
      for (const [what, a] of cases) {
        expect(await settled(async () => await store.insertPending(a)), what)
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_BAD_INPUT");
      }
      expect((await store.counts(31337n, REGISTRY)).pending).to.equal(0);
      expect(await store.verificationRecords(31337n, REGISTRY)).to.deep.equal([]);
      store.close();
    });

    it("lists verification records of every status, per subject or all, with their rows", async function () {
      const store = await backend.open();
      const a = await store.insertPending(attestation(1, { verification: sealRecord(record(1)) }));
      await store.markActive(a, null);
      await store.markRevoked([a], null);
      const b = await store.insertPending(
        attestation(1, {
          keyNullifier: `0x${"0b".repeat(32)}`,
          verification: sealRecord(record(1, { keyNullifier: `0x${"0b".repeat(32)}` })),
        }),
      );
      const c = await store.insertPending(attestation(2, { verification: sealRecord(record(2)) }));
      await store.insertPending(attestation(3)); // no record (written before protocol v2)
      const all = await store.verificationRecords(31337n, REGISTRY);
      expect(all.map((r) => [r.attestation.id, r.attestation.status])).to.deep.equal([
        [a, "revoked"],
        [b, "pending"],
        [c, "pending"],
      ]);
      expect(
        (await store.verificationRecords(31337n, REGISTRY, subjectOf(1).toUpperCase().replace("0X", "0x"))).map(
          (r) => r.attestation.id,
        ),
      ).to.deep.equal([a, b]);
      expect(await store.verificationRecords(31337n, `0x${"22".repeat(20)}`)).to.deep.equal([]);
      // what is kept is the record as committed: no certificate attribute can be in it (the type has none)
      for (const r of all) {
        expect(Object.keys(JSON.parse(r.record.canonical) as object)).to.not.include.members([
          "name",
          "dateOfBirth",
          "address",
          "gender",
        ]);
      }
      store.close();
    });

    describe("one signing certificate backs one subject (attacker: an adult's certificate lent to other cards)", function () {
      it("refuses an adult's signing certificate presented for a second subject, while the first is live", async function () {
        const store = await backend.open();
        const adult = sign("5ca1ab1e");
        const first = await store.insertPending(
          attestation(1, { claims: FULL, personTag: `0x${"aa".repeat(32)}`, certificates: [auth(1), adult] }),
        );
        // pending: already refused for another subject (another card, another wallet)
        expect(
          await settled(
            async () =>
              await store.insertPending(
                attestation(2, { claims: FULL, personTag: `0x${"bb".repeat(32)}`, certificates: [auth(2), adult] }),
              ),
          ),
        )
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_SIGN_CERT_IN_USE");
        await store.markActive(first, null);
        // the serial in another case (hex is stored lower-case) and active: refused
        const shouting = { ...adult, serialHex: adult.serialHex.toUpperCase(), issuerKeyId: "CD02" };
        expect(
          await settled(
            async () => await store.insertPending(attestation(3, { claims: FULL, certificates: [auth(3), shouting] })),
          ),
        )
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_SIGN_CERT_IN_USE");
        await store.markRevokePending([first]);
        expect(
          await settled(
            async () => await store.insertPending(attestation(4, { claims: FULL, certificates: [auth(4), adult] })),
          ),
        )
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_SIGN_CERT_IN_USE");
        expect(await store.counts(31337n, REGISTRY)).to.include({ pending: 0, "revoke-pending": 1 });
        // once the first attestation is revoked, the certificate is free again
        await store.markRevoked([first], null);
        const second = await store.insertPending(attestation(2, { claims: FULL, certificates: [auth(2), adult] }));
        expect((await store.get(second))?.status).to.equal("pending");
        store.close();
      });

      it("allows the same subject to re-attest with its certificate, and the same serial under another CA", async function () {
        const store = await backend.open();
        const adult = sign("5ca1ab1e");
        const first = await store.insertPending(attestation(1, { claims: FULL, certificates: [auth(1), adult] }));
        await store.markActive(first, null);
        const again = await store.insertPending(
          attestation(1, { claims: FULL, supersedes: first, bindingNonce: 1n, certificates: [auth(1), adult] }),
        );
        expect((await store.get(again))?.supersedes).to.equal(first);
        const other = await store.insertPending(
          attestation(2, { claims: FULL, certificates: [auth(2), sign("5ca1ab1e", "ee03")] }),
        );
        expect((await store.get(other))?.status).to.equal("pending");
        store.close();
      });

      it("still counts a superseded row whose re-attestation is pending (it comes back if that fails)", async function () {
        const store = await backend.open();
        const adult = sign("5ca1ab1e");
        const first = await store.insertPending(attestation(1, { claims: FULL, certificates: [auth(1), adult] }));
        await store.markActive(first, null);
        // the holder re-attests at AUTH only, without the signing certificate; it is pending
        await store.insertPending(attestation(1, { supersedes: first, bindingNonce: 1n, certificates: [auth(1)] }));
        expect(
          await settled(
            async () => await store.insertPending(attestation(2, { claims: FULL, certificates: [auth(2), adult] })),
          ),
        )
          .to.throw(OperatorError)
          .with.property("code", "OPERATOR_SIGN_CERT_IN_USE");
        store.close();
      });

      it("frees the certificate once its claims were dropped (it is listed in a CRL: no longer backs anything)", async function () {
        const store = await backend.open();
        const adult = sign("5ca1ab1e");
        const first = await store.insertPending(
          attestation(1, { claims: FULL, personTag: `0x${"aa".repeat(32)}`, certificates: [auth(1), adult] }),
        );
        await store.markActive(first, null);
        await store.markClaimsDropped(first, Claim.AUTH, `0x${"dd".repeat(32)}`);
        expect(await store.get(first)).to.include({ status: "active", claims: Claim.AUTH, personTag: null });
        expect(
          await settled(
            async () => await store.insertPending(attestation(2, { claims: FULL, certificates: [auth(2), adult] })),
          ),
        ).to.not.throw();
        store.close();
      });
    });

    it("claim drop: pending then dropped; the row stays live and its signing certificate is no longer checked", async function () {
      const store = await backend.open();
      const id = await store.insertPending(
        attestation(1, { claims: FULL, personTag: `0x${"aa".repeat(32)}`, certificates: [auth(1), sign("77")] }),
      );
      await store.markActive(id, null);
      const partitions = async (): Promise<string[]> =>
        (await store.partitionsInUse(31337n, REGISTRY)).map((p) => `${p.issuerKeyId}/${p.partition}`);
      expect(await partitions()).to.deep.equal(["ab01/p1", "cd02/s1"]);
      await store.markClaimsDropPending([id]);
      await store.setDropTxHash([id], `0x${"DD".repeat(32)}`);
      expect((await store.dropPending(31337n, REGISTRY)).map((r) => r.id)).to.deep.equal([id]);
      expect((await store.certificates(id))[1]).to.include({
        state: "drop-pending",
        dropTxHash: `0x${"dd".repeat(32)}`,
      });
      expect(await partitions()).to.deep.equal(["ab01/p1", "cd02/s1"]); // still checked until settled
      await store.markClaimsDropped(id, Claim.AUTH, null);
      expect(await store.get(id)).to.include({ status: "active", claims: Claim.AUTH, personTag: null });
      expect((await store.certificates(id))[1]).to.include({ state: "dropped", dropTxHash: `0x${"dd".repeat(32)}` });
      expect(await partitions()).to.deep.equal(["ab01/p1"]);
      expect(await collect(store.activeCertificates(31337n, REGISTRY, "cd02", "s1"))).to.deep.equal([]);
      expect(await store.dropPending(31337n, REGISTRY)).to.deep.equal([]);
      // a closed row is not changed
      await store.markRevoked([id], null);
      await store.markClaimsDropped(id, 0, null);
      expect((await store.get(id))?.claims).to.equal(Claim.AUTH);
      store.close();
    });

    it("does not reopen a superseded row whose record was revoked on chain while the re-attestation was pending", async function () {
      const store = await backend.open();
      const first = await store.insertPending(attestation(1));
      await store.markActive(first, null);
      const second = await store.insertPending(attestation(1, { supersedes: first, bindingNonce: 1n }));
      // crl-sync revoked the superseded record meanwhile (it is still checked while the successor is pending)
      expect(
        (await collect(store.activeCertificates(31337n, REGISTRY, "ab01", "p1"))).map((c) => c.attestationId),
      ).to.deep.equal([first]);
      await store.markRevoked([first], `0x${"ab".repeat(32)}`);
      expect(await store.get(first)).to.include({ status: "revoked", revokeTxHash: `0x${"ab".repeat(32)}` });
      await store.markFailed(second, "the binding deadline passed");
      expect((await store.get(first))?.status).to.equal("revoked");
      expect(await store.live(31337n, REGISTRY, subjectOf(1))).to.equal(undefined);
      store.close();
    });
  });
}
