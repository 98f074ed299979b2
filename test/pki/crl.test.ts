import { mkdtempSync, writeFileSync, readFileSync, cpSync } from "node:fs";
import { createPrivateKey } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { checkCrl, crlCheckExitCode } from "../../src/pki/cli/crl-check.js";
import { openCrlDirectory } from "../../src/pki/crl-directory.js";
import { openCrl } from "../../src/pki/crl.js";
import { issueCrl } from "../../src/pki/dev-pki/issue-crl.js";
import { issueCrlDer } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES, crlDpName } from "../../src/pki/dev-pki/world.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

describe("pki: CRLs", function () {
  it("opens every generated CRL: signature by its CA, counts, serials, freshness", async function () {
    const w = await testWorld();
    for (const m of w.manifest.crls) {
      const crl = openCrl(w.read(m.path));
      expect(crl.verifySignature(w.ca(m.caId)), m.path).to.equal(true);
      expect(crl.entryCount).to.equal(m.entries.length);
      expect([...crl.serials()].sort()).to.deep.equal(m.entries.map((e) => e.serialHex).sort());
      expect(crl.authorityKeyId).to.equal(w.ca(m.caId).subjectKeyId);
      expect(crl.distributionPoint!.partition).to.equal(m.partition);
      expect(crl.thisUpdate.toISOString()).to.equal(m.thisUpdate);
      expect(crl.isFresh(NOW)).to.equal(!m.stale);
      // signed by the other generation's key: the signature check fails (a result, not an exception)
      const other = m.caId.endsWith("gen1") ? m.caId.replace("gen1", "gen2") : m.caId.replace("gen2", "gen1");
      expect(crl.verifySignature(w.ca(other))).to.equal(false);
    }
  });

  it("looks up revoked serials with revocation date and reason code", async function () {
    const w = await testWorld();
    const reasons = new Set<string>();
    for (const m of w.manifest.crls.filter((c) => !c.stale)) {
      const crl = openCrl(w.read(m.path));
      for (const e of m.entries) {
        const hit = crl.lookup(e.serialHex.toUpperCase());
        expect(hit, e.serialHex).to.deep.equal({ revokedAt: new Date(e.revokedAt), reason: e.reason });
        reasons.add(e.reason);
      }
      expect(crl.lookup("00" + "0badc0de")).to.equal(undefined);
    }
    expect(reasons.size).to.be.greaterThanOrEqual(4);
    expect([...reasons]).to.include.members(["keyCompromise", "certificateHold", "affiliationChanged", "superseded"]);
  });

  it("a revoked holder is listed; a good holder is not; the stale CRL misses the recent revocation", async function () {
    const w = await testWorld();
    const h = w.holder("revoked-key-compromise");
    const dir = openCrlDirectory(join(w.dir, "crl"));
    const found = dir.findFor(w.cert(h.auth.cert));
    expect(found).to.have.length(1);
    const { crl } = found[0]!;
    expect(crl.distributionPoint?.partition).to.equal(h.partition);
    expect(crl.lookup(h.auth.serialHex)!.reason).to.equal("keyCompromise");
    const good = w.holder("adult");
    expect(dir.findFor(w.cert(good.auth.cert))[0]!.crl.lookup(good.auth.serialHex)).to.equal(undefined);
    const stale = openCrlDirectory(join(w.dir, "crl-stale")).findFor(w.cert(h.auth.cert))[0]!.crl;
    expect(stale.isFresh(NOW)).to.equal(false);
    expect(stale.lookup(h.auth.serialHex)).to.equal(undefined);
  });

  it("the folder lookup picks each CA generation's own CRL", async function () {
    const w = await testWorld();
    const h = w.holder("revoked-hold"); // issued by generation 1
    const found = openCrlDirectory(join(w.dir, "crl")).findFor(w.cert(h.sign!.cert));
    expect(found).to.have.length(1);
    const { crl, file } = found[0]!;
    expect(file.path).to.contain(join("sign", "gen1"));
    expect(crl.authorityKeyId).to.equal(w.ca("sign-gen1").subjectKeyId);
    expect(crl.lookup(h.sign!.serialHex)!.reason).to.equal("certificateHold");
  });

  it("kyc crl check: good 0, revoked 1, stale / wrong CA / bad signature 2", async function () {
    const w = await testWorld();
    const at = NOW.toISOString();
    const ca = join(w.dir, "ca", "auth-gen2.der");
    const good = checkCrl({ crl: join(w.dir, "crl"), ca, cert: join(w.dir, w.holder("adult").auth.cert), at });
    expect(good.status).to.equal("good");
    expect(crlCheckExitCode(good)).to.equal(0);
    expect(good.crl).to.include({ fresh: true, signatureValid: true });
    const h = w.holder("revoked-key-compromise");
    const revoked = checkCrl({ crl: join(w.dir, "crl"), ca, serial: h.auth.serialHex, at });
    expect(revoked).to.include({ status: "revoked", reason: "keyCompromise", revokedAt: h.auth.revocation!.revokedAt });
    expect(crlCheckExitCode(revoked)).to.equal(1);
    const stale = checkCrl({ crl: join(w.dir, "crl-stale"), ca, cert: join(w.dir, w.holder("adult").auth.cert), at });
    expect(stale.status).to.equal("error");
    expect(stale.crl.fresh).to.equal(false);
    expect(crlCheckExitCode(stale)).to.equal(2);
    const m = w.manifest.crls.find((c) => !c.stale && c.caId === "auth-gen2")!;
    const wrongCa = checkCrl({ crl: join(w.dir, m.path), ca: join(w.dir, "ca", "auth-gen1.der"), serial: "01", at });
    expect(wrongCa.status).to.equal("error");
    expect(wrongCa.crl.signatureValid).to.equal(false);
    expect(() => checkCrl({ crl: join(w.dir, "crl"), ca, at })).to.throw(PkiError);
  });

  it("issueCrl: a new CRL revokes a holder; the old one did not list it", async function () {
    const w = await testWorld();
    const dir = mkdtempSync(join(tmpdir(), "pki-issue-"));
    cpSync(w.dir, dir, { recursive: true });
    const h = w.holder("adult");
    const before = checkCrl({
      crl: join(dir, "crl"),
      ca: join(dir, "ca", "auth-gen2.der"),
      serial: h.auth.serialHex,
      at: NOW.toISOString(),
    });
    expect(before.status).to.equal("good");
    const record = issueCrl({
      dir,
      kind: "auth",
      partition: h.partition,
      revoked: [{ serialHex: h.auth.serialHex, reason: "keyCompromise", at: NOW, holderId: h.id }],
      thisUpdate: NOW,
    });
    expect(record.crlNumber).to.equal(101);
    const after = checkCrl({
      crl: join(dir, "crl"),
      ca: join(dir, "ca", "auth-gen2.der"),
      cert: join(dir, h.auth.cert),
      at: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(after).to.include({ status: "revoked", reason: "keyCompromise" });
    expect(after.crl.entries).to.equal(w.manifest.crls.find((c) => c.path === record.path)!.entries.length + 1);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest.holders.find((x: { id: string }) => x.id === h.id).auth.status).to.equal("revoked");
  });

  it("kyc crl check on a folder: the newest CRL of the certificate's scope decides, whatever the file names", async function () {
    const w = await testWorld();
    const h = w.holder("adult");
    const ca = w.ca("auth-gen2");
    const p = w.manifest.partitions.find((x) => x.partition === h.partition)!;
    const current = w.manifest.crls.find((c) => !c.stale && c.caId === "auth-gen2" && c.partition === h.partition)!;
    const key = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    const spec = (crlNumber: number, partitioned: boolean) =>
      issueCrlDer(
        {
          issuer: CA_NAMES.auth,
          thisUpdate: NOW,
          nextUpdate: new Date(NOW.getTime() + 86_400_000),
          entries: [{ serial: Buffer.from(h.auth.serialHex, "hex"), revokedAt: NOW, reasonCode: 1 }],
          authorityKeyId: Uint8Array.from(Buffer.from(ca.subjectKeyId!, "hex")),
          crlNumber,
          ...(partitioned ? { distributionPoint: crlDpName("auth", p.prefecture, p.city) } : {}),
        },
        key,
      );
    const check = (crl: string) =>
      checkCrl({ crl, ca: join(w.dir, "ca", "auth-gen2.der"), cert: join(w.dir, h.auth.cert), at: NOW.toISOString() });
    // Yesterday's CRL (current.crlNumber) and today's (one more) of the partition, today's under an unrelated name.
    const both = mkdtempSync(join(tmpdir(), "pki-newest-"));
    cpSync(join(w.dir, "crl"), both, { recursive: true });
    writeFileSync(join(both, "auth", "zz-download.crl"), spec(current.crlNumber + 1, true));
    expect(check(both)).to.include({ status: "revoked", reason: "keyCompromise" });
    expect(check(both).crl.path).to.equal(join(both, "auth", "zz-download.crl"));
    // A full CRL (no issuingDistributionPoint) covers the certificate's partition too.
    const full = mkdtempSync(join(tmpdir(), "pki-full-"));
    writeFileSync(join(full, "auth.crl"), spec(5, false));
    expect(check(full)).to.include({ status: "revoked" });
  });

  it("rejects duplicate entries with a typed error", async function () {
    const w = await testWorld();
    const key = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    const spec = {
      issuer: CA_NAMES.auth,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 86_400_000),
      authorityKeyId: Uint8Array.from(Buffer.from(w.ca("auth-gen2").subjectKeyId!, "hex")),
      crlNumber: 5,
    };
    const entry = (s: number[], reasonCode: number) => ({ serial: Uint8Array.from(s), revokedAt: NOW, reasonCode });
    const ok = issueCrlDer({ ...spec, entries: [entry([1, 2, 3], 1), entry([1, 2, 4], 0)] }, key);
    expect(openCrl(ok).entryCount).to.equal(2);
    const dup = issueCrlDer({ ...spec, entries: [entry([1, 2, 3], 1), entry([9], 0), entry([1, 2, 3], 4)] }, key);
    expect(() => openCrl(dup))
      .to.throw(PkiError)
      .with.property("code", "PKI_CRL_DUPLICATE_ENTRY");
    const empty = openCrl(issueCrlDer({ ...spec, entries: [] }, key));
    expect(empty.entryCount).to.equal(0);
    expect(empty.lookup("01")).to.equal(undefined);
    const p = join(mkdtempSync(join(tmpdir(), "pki-dup-")), "dup.crl");
    writeFileSync(p, dup);
    expect(() => checkCrl({ crl: p, ca: join(w.dir, "ca", "auth-gen2.der"), serial: "01" })).to.throw(PkiError);
  });
});
