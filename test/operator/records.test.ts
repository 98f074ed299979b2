import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { KycError } from "../../src/errors.js";
import { Claim } from "../../src/claims.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import { recordsExportCommand, recordsVerifyCommand } from "../../src/operator/commands/records.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { parseRecordsFile, RECORDS_FORMAT } from "../../src/operator/records/records-file.js";
import {
  recordCommitment,
  sealRecord,
  type VerificationRecord,
} from "../../src/operator/records/verification-record.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { bindingProof, keyNullifier, testCard, type TestCard } from "../helpers/card-proof.js";
import { deployRegistryFixture, makeRequest, type RegistryFixture } from "../helpers/registry-fixture.js";

interface Exported {
  format: string;
  chainId: string;
  registry: string;
  records: Array<{
    attestationId: number;
    subject: string;
    record: Record<string, unknown>;
    canonical: string;
    salt: string;
    commitment: string;
  }>;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<KycError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(KycError);
    expect((error as KycError).code).to.equal(code);
    return error as KycError;
  }
  expect.fail(`expected ${code}`);
}

describe("kyc records export / verify (verification records against the on-chain commitments)", function () {
  this.timeout(120_000);
  let tmp: string;
  let f: RegistryFixture;
  let ctx: OperatorContext;
  let storePath: string;
  const ids: Record<string, number> = {};

  /** The verification record attest.ts writes for `subject` bound to `card` (no attribute in it). */
  function recordFor(subject: string, card: TestCard, claims: number): VerificationRecord {
    return {
      version: 1,
      chainId: "31337",
      registry: f.address.toLowerCase(),
      subject: subject.toLowerCase(),
      attester: f.attester.address.toLowerCase(),
      bindingDigest: `0x${"12".repeat(32)}`,
      keyNullifier: keyNullifier(card.modulus).toLowerCase(),
      checkedAt: "2027-01-15T10:00:00.000Z",
      method: "jpki-auth",
      certificates: [
        {
          role: "auth",
          issuerKeyId: "ab01",
          serialHex: "0badc0de",
          chain: ["aa".repeat(32)],
          caId: 1,
          crls: [{ issuerKeyId: "ab01", number: "2a", thisUpdate: "2027-01-15T00:00:00.000Z" }],
        },
      ],
      subjectSignature: "ecdsa",
      claims,
      claimNames: ["AUTH"],
      personTag: false,
    };
  }

  /** Attests `subject` on chain with the record's commitment and stores the row with its sealed record. */
  async function attestWithRecord(store: OperatorStore, who: "alice" | "bob" | "carol", land: boolean): Promise<void> {
    const { ethers } = connection;
    const subject = f[who];
    const card = testCard({ alice: 0, bob: 1, carol: 2 }[who]);
    const sealed = sealRecord(recordFor(subject.address, card, Claim.AUTH));
    const req = await makeRequest(ethers, subject.address, { recordCommitment: sealed.commitment });
    const nonce = await f.registry.nonces(subject.address);
    const id = await store.insertPending({
      chainId: 31337n,
      registry: f.address,
      subject: subject.address,
      keyNullifier: keyNullifier(card.modulus),
      personTag: null,
      claims: Claim.AUTH,
      caId: 1,
      expiryCap: Number(req.expiryCap),
      mode: "direct",
      bindingNonce: nonce,
      bindingDeadline: Number(req.deadline),
      certificates: [{ role: "auth", issuerKeyId: "ab01", partition: "p", serialHex: "0badc0de", notAfter: 2e9 }],
      verification: sealed,
    });
    ids[who] = id;
    if (!land) return;
    const proof = await bindingProof(f.registry, card, subject, req, f.attester.address);
    const client = await RegistryClient.connect(f.attester, f.address);
    const sent = await client.send("attest", [req, card.modulus, proof.cardSignature, proof.subjectSignature], {
      pii: [],
    });
    await store.markActive(id, sent.hash);
  }

  let connection: Awaited<ReturnType<typeof network.create>>;
  before(async function () {
    tmp = mkdtempSync(join(tmpdir(), "kyc-records-"));
    connection = await network.create();
    f = await deployRegistryFixture(connection.ethers);
    ctx = { provider: connection.ethers.provider, projectRoot: tmp }; // no account: both commands only read
    storePath = join(tmp, "store.sqlite");
    const store = OperatorStore.open(storePath);
    await attestWithRecord(store, "alice", true);
    await attestWithRecord(store, "bob", true);
    await attestWithRecord(store, "carol", false); // pending: never landed, not exported
    store.close();
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  function exported(path: string): Exported {
    return JSON.parse(readFileSync(path, "utf8")) as Exported;
  }

  it("exports the records of attestations on chain, with their salts, to a 0600 file", async function () {
    const out = join(tmp, "all.json");
    writeFileSync(out, "old content", { mode: 0o644 }); // an existing file is replaced and its mode tightened
    const r = await recordsExportCommand(ctx, { all: true, out, registry: f.address, store: storePath });
    expect(r.count).to.equal(2);
    expect(statSync(out).mode & 0o777).to.equal(0o600);
    const file = exported(out);
    expect(file.format).to.equal(RECORDS_FORMAT);
    expect(file.records.map((x) => x.attestationId)).to.deep.equal([ids.alice, ids.bob]);
    const alice = file.records[0]!;
    expect(alice.subject).to.equal(f.alice.address.toLowerCase());
    expect(recordCommitment(alice.canonical, alice.salt)).to.equal(alice.commitment);
    expect(alice.record).to.deep.equal(JSON.parse(alice.canonical));

    const one = join(tmp, "bob.json");
    await recordsExportCommand(ctx, { subject: f.bob.address, out: one, registry: f.address, store: storePath });
    expect(exported(one).records.map((x) => x.subject)).to.deep.equal([f.bob.address.toLowerCase()]);
  });

  it("verify: every exported record matches the recordCommitment of its subject's Attested event", async function () {
    const out = join(tmp, "verify-all.json");
    await recordsExportCommand(ctx, { all: true, out, registry: f.address, store: storePath });
    const r = await recordsVerifyCommand(ctx, { in: out });
    expect(r.checks.map((c) => [c.attestationId, c.match, c.problem])).to.deep.equal([
      [ids.alice, true, undefined],
      [ids.bob, true, undefined],
    ]);
    expect([r.matched, r.mismatched]).to.deep.equal([2, 0]);
  });

  describe("a tampered file fails verification (the operator cannot rewrite what it checked)", function () {
    let original: Exported;
    before(async function () {
      const out = join(tmp, "to-tamper.json");
      await recordsExportCommand(ctx, { all: true, out, registry: f.address, store: storePath });
      original = exported(out);
    });

    async function verifyEdited(edit: (file: Exported) => void): Promise<Array<[boolean, string | undefined]>> {
      const copy = JSON.parse(JSON.stringify(original)) as Exported;
      edit(copy);
      const path = join(tmp, `tampered-${Math.random().toString(16).slice(2)}.json`);
      writeFileSync(path, JSON.stringify(copy));
      const r = await recordsVerifyCommand(ctx, { in: path });
      return r.checks.map((c) => [c.match, c.problem]);
    }

    it("an edited record text (claims raised) no longer recomputes its commitment", async function () {
      const checks = await verifyEdited((file) => {
        const a = file.records[0]!;
        a.canonical = a.canonical.replace(`"claims":${Claim.AUTH}`, `"claims":${Claim.AUTH | Claim.IDENTITY}`);
        a.record = JSON.parse(a.canonical) as Record<string, unknown>;
      });
      expect(checks).to.deep.equal([
        [false, "the commitment does not recompute from the text and the salt"],
        [true, undefined],
      ]);
    });

    it("an edited record re-sealed with a new commitment is not on chain", async function () {
      const checks = await verifyEdited((file) => {
        const a = file.records[0]!;
        a.canonical = a.canonical.replace(
          '"checkedAt":"2027-01-15T10:00:00.000Z"',
          '"checkedAt":"2027-01-14T10:00:00.000Z"',
        );
        a.record = JSON.parse(a.canonical) as Record<string, unknown>;
        a.commitment = recordCommitment(a.canonical, a.salt);
      });
      expect(checks[0]).to.deep.equal([false, "no Attested event of the subject carries this commitment"]);
    });

    it("a changed salt, a readable record that differs from the committed text, another subject's record", async function () {
      expect(
        (
          await verifyEdited((file) => {
            file.records[0]!.salt = `0x${"00".repeat(32)}`;
          })
        )[0],
      ).to.deep.equal([false, "the commitment does not recompute from the text and the salt"]);
      expect(
        (
          await verifyEdited((file) => {
            file.records[0]!.record.claims = 15;
          })
        )[0],
      ).to.deep.equal([false, "the readable record differs from the committed text"]);
      expect(
        (
          await verifyEdited((file) => {
            file.records[0]!.subject = file.records[1]!.subject; // alice's record presented as bob's
          })
        )[0],
      ).to.deep.equal([false, "the committed record names another subject"]);
    });
  });

  it("refuses malformed files with a typed error", async function () {
    const cases: Array<[string, string]> = [
      ["not json {", "not valid JSON"],
      [JSON.stringify({ format: "something else" }), "format is not"],
      [
        JSON.stringify({ format: RECORDS_FORMAT, chainId: "31337", registry: f.address, exportedAt: "x" }),
        "records is not a list",
      ],
      [
        JSON.stringify({
          format: RECORDS_FORMAT,
          chainId: "31337",
          registry: f.address,
          exportedAt: "x",
          records: [
            {
              attestationId: 1,
              subject: f.alice.address,
              status: "active",
              txHash: null,
              canonical: "{}",
              salt: "0x12",
              commitment: `0x${"00".repeat(32)}`,
            },
          ],
        }),
        "records[0].salt is not 32 bytes of hex",
      ],
    ];
    for (const [text, message] of cases) {
      expect(() => parseRecordsFile(text), message)
        .to.throw(KycError)
        .with.property("code", "OPERATOR_RECORDS_FILE");
      expect(() => parseRecordsFile(text)).to.throw(message);
    }
    const path = join(tmp, "garbage.json");
    writeFileSync(path, "not json {");
    await expectCode(recordsVerifyCommand(ctx, { in: path }), "OPERATOR_RECORDS_FILE");
    await expectCode(recordsVerifyCommand(ctx, { in: join(tmp, "missing.json") }), "OPERATOR_RECORDS_FILE");
    await expectCode(recordsVerifyCommand(ctx, { in: undefined }), "OPERATOR_BAD_INPUT");
  });

  it("refuses a file for another registry or chain, and bad export arguments", async function () {
    const out = join(tmp, "for-chain.json");
    await recordsExportCommand(ctx, { all: true, out, registry: f.address, store: storePath });
    await expectCode(recordsVerifyCommand(ctx, { in: out, registry: f.extension }), "OPERATOR_RECORDS_FILE");
    const other = exported(out);
    other.chainId = "11155111";
    const otherPath = join(tmp, "other-chain.json");
    writeFileSync(otherPath, JSON.stringify(other));
    await expectCode(recordsVerifyCommand(ctx, { in: otherPath }), "CHAIN_WRONG_NETWORK");

    const base = { registry: f.address, store: storePath };
    await expectCode(recordsExportCommand(ctx, { ...base, all: true, out: undefined }), "OPERATOR_BAD_INPUT");
    await expectCode(recordsExportCommand(ctx, { ...base, out }), "OPERATOR_BAD_INPUT");
    await expectCode(
      recordsExportCommand(ctx, { ...base, all: true, subject: f.alice.address, out }),
      "OPERATOR_BAD_INPUT",
    );
    await expectCode(recordsExportCommand(ctx, { ...base, subject: "0xnope", out }), "OPERATOR_BAD_INPUT");
    const none = await expectCode(
      recordsExportCommand(ctx, { ...base, subject: f.carol.address, out }), // pending only
      "OPERATOR_BAD_INPUT",
    );
    expect(none.message).to.match(/no verification record/);
  });
});
