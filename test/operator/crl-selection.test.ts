/**
 * Which CRL decides: one rule for `kyc attest` and `kyc crl-sync` (src/operator/crl-selection.ts). Written from the
 * operator's and the attacker's side: a folder with yesterday's and today's CRL, an older CRL presented again, a CRL
 * made with openssl under any file name, CRLs that cannot be ordered.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createPrivateKey } from "node:crypto";
import { join } from "node:path";

import { expect } from "chai";

import { Claim } from "../../src/claims.js";
import { KycError } from "../../src/errors.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { loadCaDirectory } from "../../src/operator/ca-directory.js";
import { loadCrls } from "../../src/operator/crl-files.js";
import { crlsCovering, selectCrls, verifiedPartitions } from "../../src/operator/crl-selection.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { FULL_CRL_SCOPE } from "../../src/pki/crl-selection.js";
import { issueCrlDer } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES, crlDpName } from "../../src/pki/dev-pki/world.js";
import { crlsWithRevoked, makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";
import { opensslCrl } from "./helpers/openssl-crl.js";

function throwsCode(fn: () => unknown, code: string, causeCode?: string): void {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(KycError);
    expect((error as KycError).code, (error as Error).message).to.equal(code);
    if (causeCode !== undefined) expect(((error as Error).cause as KycError).code).to.equal(causeCode);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("CRL selection: the newest CRL per issuer and scope decides, for attest and crl-sync alike", function () {
  this.timeout(180_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-crlsel-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );

  async function setup() {
    const { ethers, f, ctx, now, base } = await operatorWorld(w, tmp);
    let n = 0;
    /** A proof request (AUTH only, the authentication certificate) of `scenario`'s card for `subject`. */
    const proof = async (scenario: string, subject: string) => {
      const out = join(tmp, `proof-${n++}.json`);
      await makeProofRequest(w, ethers.provider, {
        holder: w.holder(scenario),
        registry: f.address,
        wallet: await ethers.getSigner(subject),
        attester: f.attester.address,
        disclose: Claim.AUTH,
        deadline: now + 3600n,
        withSign: false,
        out,
      });
      return out;
    };
    const txCount = () => ethers.provider.getTransactionCount(f.attester.address);
    return { f, ctx, proof, base, txCount, now };
  }

  /** The world's CRL folder plus `extra` (a file) copied in under `name`. */
  function folderWith(extra: string, name: string): string {
    const out = mkdtempSync(join(tmp, "crl-"));
    cpSync(join(w.dir, "crl"), out, { recursive: true });
    copyFileSync(extra, join(out, name));
    return out;
  }

  it("two CRLs of one partition: the newer one decides (attest refuses a certificate listed only in the newer one; crl-sync revokes it)", async function () {
    const { f, ctx, proof, base, now } = await setup();
    const adult = w.holder("adult");
    expect(w.holder("minor-12").partition).to.equal(adult.partition); // a good certificate of the same partition
    // Today's CRL of the adult's partition (cRLNumber 101) lists the adult; yesterday's (100) is still in the folder.
    const today = join(
      crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], new Date(Number(now) * 1000)),
      "auth",
      `${adult.partition}.crl`,
    );
    const after = folderWith(today, join("auth", "zz-today.crl")); // walked after yesterday's
    const before = folderWith(today, join("auth", "0-today.crl")); // walked before yesterday's

    // Attested while only yesterday's CRL was there.
    await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address) });
    // Whatever the file order, the newer CRL decides: the adult is refused, the other certificate passes.
    for (const folder of [after, before]) {
      await rejects(
        attestCommand(ctx(), { ...base, crl: folder, request: await proof("adult", f.bob.address) }),
        "OPERATOR_CHECK_FAILED",
        /authentication certificate is revoked/,
      );
    }
    const ok = await attestCommand(ctx(), { ...base, crl: after, request: await proof("minor-12", f.carol.address) });
    expect(ok.mode).to.equal("direct");

    // crl-sync over the same folder: no "two CRLs" refusal; the newer CRL revokes the adult's attestation.
    const sync = await crlSyncCommand(ctx(), { crl: after, caDir: base.caDir, registry: f.address });
    expect(sync.listed.map((l) => l.subject)).to.deep.equal([f.alice.address.toLowerCase()]);
    expect(sync.missingPartitions).to.deep.equal([]);
    expect(sync.heartbeat).to.not.equal(undefined);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
    expect(await f.registry.isVerified(f.carol.address)).to.equal(true);
  });

  it("a CRL-number rollback is refused by attest and crl-sync", async function () {
    const { f, ctx, proof, base, txCount, now } = await setup();
    const adult = w.holder("adult");
    // Today's CRL of the adult's partition (101, nothing new listed); the attacker presents yesterday's (100).
    const today = crlsWithRevoked(w, "auth", adult.partition, [], new Date(Number(now) * 1000));
    await attestCommand(ctx(), { ...base, crl: today, request: await proof("adult", f.alice.address) });
    const storePath = join(tmp, ".kyc", "operator-31337.sqlite");

    const sent = await txCount();
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("minor-12", f.bob.address) }),
      "OPERATOR_CRL_ROLLBACK",
      /cRLNumber 100, lower than 101/,
    );
    await rejects(
      crlSyncCommand(ctx(), { crl: base.crl, caDir: base.caDir, registry: f.address }),
      "OPERATOR_CRL_ROLLBACK",
    );
    await rejects(
      crlSyncCommand(ctx(), { crl: base.crl, caDir: base.caDir, registry: f.address, dryRun: true }),
      "OPERATOR_CRL_ROLLBACK",
    );
    expect(await txCount()).to.equal(sent);
    const store = OperatorStore.open(storePath);
    expect(await store.live(31337n, f.address, f.bob.address)).to.equal(undefined);
    expect(
      await store.crlNumberSeen(
        31337n,
        f.address,
        w.manifest.cas.find((c) => c.id === "auth-gen2")!.subjectKeyId,
        adult.partition,
      ),
    ).to.equal(101n);
    store.close();

    // The same CRL again is fine, for both.
    const sync = await crlSyncCommand(ctx(), { crl: today, caDir: base.caDir, registry: f.address });
    expect(sync.heartbeat).to.not.equal(undefined);
    await attestCommand(ctx(), { ...base, crl: today, request: await proof("minor-12", f.bob.address) });
  });

  it("a CRL made with openssl and saved under any file name (auth.crl) is found for its own certificate", async function () {
    const { f, ctx, proof, base } = await setup();
    const adult = w.holder("adult");
    const age19 = w.holder("age-19");
    const minor = w.holder("minor-12");
    const gen2 = { dir: w.dir, caCert: "ca/auth-gen2.der", caKey: "ca/auth-gen2.key.pem" };
    const at = Date.now();
    const window = { thisUpdate: new Date(at - 3_600_000), nextUpdate: new Date(at + 2 * 86_400_000) };
    for (const h of [adult, age19, minor]) expect(h.auth.caId).to.equal("auth-gen2");
    expect(age19.partition).to.not.equal(adult.partition);

    // A full CRL (no issuingDistributionPoint) of the gen-2 authentication CA, listing the age-19 holder.
    const full = mkdtempSync(join(tmp, "full-"));
    opensslCrl({ ...gen2, ...window, revoked: [age19.auth.serialHex], crlNumber: 0x1000, out: join(full, "auth.crl") });
    const r = await attestCommand(ctx(), { ...base, crl: full, request: await proof("adult", f.alice.address) });
    expect(r.mode).to.equal("direct");
    await rejects(
      attestCommand(ctx(), { ...base, crl: full, request: await proof("age-19", f.bob.address) }),
      "OPERATOR_CHECK_FAILED",
      /authentication certificate is revoked/,
    );

    // Plus a partitioned CRL of the adult's municipality under an unrelated name: listed in either one is revoked.
    const p = w.manifest.partitions.find((x) => x.partition === adult.partition)!;
    opensslCrl({
      ...gen2,
      ...window,
      revoked: [minor.auth.serialHex],
      crlNumber: 7,
      idp: { kind: "auth", prefecture: p.prefecture, city: p.city },
      out: join(full, "downloads", "today.crl"),
    });
    await rejects(
      attestCommand(ctx(), { ...base, crl: full, request: await proof("minor-12", f.carol.address) }),
      "OPERATOR_CHECK_FAILED",
      /authentication certificate is revoked/,
    );

    // crl-sync: the full CRL covers the adult's partition; a newer one listing the adult revokes it.
    rmSync(join(full, "downloads"), { recursive: true });
    opensslCrl({
      ...gen2,
      ...window,
      revoked: [age19.auth.serialHex, adult.auth.serialHex],
      crlNumber: 0x1001,
      out: join(full, "auth.crl"),
    });
    const sync = await crlSyncCommand(ctx(), { crl: full, caDir: base.caDir, registry: f.address });
    expect(sync.missingPartitions).to.deep.equal([]);
    expect(sync.listed.map((l) => l.subject)).to.deep.equal([f.alice.address.toLowerCase()]);
    expect(sync.heartbeat).to.not.equal(undefined);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
  });

  describe("selectCrls (no chain)", function () {
    const cas = () => loadCaDirectory(join(w.dir, "ca"));
    const gen2Id = () => w.manifest.cas.find((c) => c.id === "auth-gen2")!;
    /** A dev-pki-profile CRL of the gen-2 authentication CA for `partition` (or a full CRL), signed by `signer`. */
    function devCrl(o: {
      out: string;
      partition?: string;
      number: number;
      thisUpdate: Date;
      nextUpdate: Date;
      serials?: string[];
      signer?: string;
    }): string {
      const ca = gen2Id();
      const p = o.partition === undefined ? undefined : w.manifest.partitions.find((x) => x.partition === o.partition)!;
      const der = issueCrlDer(
        {
          issuer: CA_NAMES.auth,
          thisUpdate: o.thisUpdate,
          nextUpdate: o.nextUpdate,
          entries: (o.serials ?? []).map((s) => ({
            serial: Buffer.from(s, "hex"),
            revokedAt: o.thisUpdate,
            reasonCode: 1,
          })),
          authorityKeyId: Buffer.from(ca.subjectKeyId, "hex"),
          crlNumber: o.number,
          ...(p !== undefined ? { distributionPoint: crlDpName("auth", p.prefecture, p.city) } : {}),
        },
        createPrivateKey(readFileSync(join(w.dir, o.signer ?? ca.key))),
      );
      writeFileSync(o.out, der);
      return o.out;
    }
    const DAY = 86_400_000;
    const at = new Date();
    const fresh = { thisUpdate: new Date(at.getTime() - DAY), nextUpdate: new Date(at.getTime() + DAY) };
    const stale = { thisUpdate: new Date(at.getTime() - 3 * DAY), nextUpdate: new Date(at.getTime() - 2 * DAY) };

    it("a stale CRL superseded by a newer one is ignored; a stale newest CRL is never replaced by an older fresh one", function () {
      const [p, q] = w.manifest.partitions.map((x) => x.partition) as [string, string];
      const key = gen2Id().subjectKeyId;
      devCrl({ out: join(tmp, "a.crl"), partition: p, number: 5, ...stale });
      devCrl({ out: join(tmp, "b.crl"), partition: p, number: 6, ...fresh, serials: ["0a0b"] });
      devCrl({ out: join(tmp, "c.crl"), partition: q, number: 5, ...fresh });
      devCrl({ out: join(tmp, "d.crl"), partition: q, number: 6, ...stale });
      const selection = selectCrls(loadCrls(tmp, cas(), at));
      expect(selection.used.map((c) => [c.scope, c.number])).to.deep.equal([[p, 6n]]);
      expect(crlsCovering(selection, key, p)).to.deep.include({ problems: [] });
      expect(crlsCovering(selection, key, p).crls[0]!.crl.lookup("0a0b")).to.not.equal(undefined);
      const forQ = crlsCovering(selection, key, q);
      expect(forQ.crls).to.deep.equal([]);
      expect(forQ.problems.join()).to.match(/d\.crl: the newest CRL of its scope \(cRLNumber 6\) is not fresh/);
      throwsCode(() => verifiedPartitions(selection), "OPERATOR_CRL");
    });

    it("a CRL signed by another key is a problem for the scope it claims, not a candidate", function () {
      const [p] = w.manifest.partitions.map((x) => x.partition) as [string];
      const key = gen2Id().subjectKeyId;
      devCrl({ out: join(tmp, "good.crl"), partition: p, number: 5, ...fresh });
      // Claims the gen-2 key and a higher number, signed with the gen-1 key: must not supersede the real one.
      devCrl({ out: join(tmp, "forged.crl"), partition: p, number: 9, ...fresh, signer: "ca/auth-gen1.key.pem" });
      const selection = selectCrls(loadCrls(tmp, cas(), at));
      expect(selection.used.map((c) => c.number)).to.deep.equal([5n]);
      expect(crlsCovering(selection, key, p).problems.join()).to.match(/forged\.crl: its signature does not verify/);
    });

    it("a full CRL covers every partition of its CA, and only its CA", function () {
      const [p, q] = w.manifest.partitions.map((x) => x.partition) as [string, string];
      devCrl({ out: join(tmp, "whole-ca.crl"), number: 3, ...fresh, serials: ["0c0d"] });
      const selection = selectCrls(loadCrls(tmp, cas(), at));
      expect(selection.used.map((c) => c.scope)).to.deep.equal([FULL_CRL_SCOPE]);
      for (const partition of [p, q])
        expect(crlsCovering(selection, gen2Id().subjectKeyId, partition).crls).to.have.length(1);
      const gen1 = w.manifest.cas.find((c) => c.id === "auth-gen1")!.subjectKeyId;
      expect(crlsCovering(selection, gen1, p)).to.deep.equal({ crls: [], problems: [] });
    });

    it("refuses a CRL without cRLNumber, two different CRLs with one number, and an IDP that is not a directory name", function () {
      const gen2 = { dir: w.dir, caCert: "ca/auth-gen2.der", caKey: "ca/auth-gen2.key.pem", ...fresh };
      const a = mkdtempSync(join(tmp, "a-"));
      opensslCrl({ ...gen2, revoked: [], out: join(a, "auth.crl") });
      throwsCode(() => loadCrls(a, cas(), at), "OPERATOR_CRL", "PKI_CRL_NO_NUMBER");

      const b = mkdtempSync(join(tmp, "b-"));
      const [p] = w.manifest.partitions.map((x) => x.partition) as [string];
      devCrl({ out: join(b, "one.crl"), partition: p, number: 8, ...fresh });
      devCrl({ out: join(b, "two.crl"), partition: p, number: 8, ...fresh, serials: ["0e0f"] });
      throwsCode(() => selectCrls(loadCrls(b, cas(), at)), "OPERATOR_CRL", "PKI_CRL_AMBIGUOUS");
      // the same CRL twice (a copy) is one CRL
      rmSync(join(b, "two.crl"));
      copyFileSync(join(b, "one.crl"), join(b, "copy.crl"));
      expect(selectCrls(loadCrls(b, cas(), at)).used).to.have.length(1);

      const c = mkdtempSync(join(tmp, "c-"));
      opensslCrl({
        ...gen2,
        revoked: [],
        crlNumber: 2,
        idp: { uri: "http://crl.dev-pki.invalid/x.crl" },
        out: join(c, "x.crl"),
      });
      throwsCode(() => loadCrls(c, cas(), at), "OPERATOR_CRL", "PKI_CRL_UNSUPPORTED_SCOPE");
    });
  });
});
