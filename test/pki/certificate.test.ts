import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { ageOn } from "../../src/pki/age.js";
import { readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { JLIS_CA_FINGERPRINTS } from "../../src/pki/jlis-ca.js";
import { toPem } from "../../src/pki/pem.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { verifyPkcs1Sha256 } from "../../src/pki/rsa.js";
import { REAL_CA_DIR, testWorld } from "./helpers/world.js";

const REAL = [
  { file: "auth-ca-gen1-2015.der", kind: "auth", generation: 1, serial: "01", ski: "9567951b", notAfter: "2025-10-19" },
  {
    file: "auth-ca-gen2-2019.der",
    kind: "auth",
    generation: 2,
    serial: "0133c349",
    ski: "8cd5586a",
    notAfter: "2029-09-14",
  },
  {
    file: "auth-ca-gen3-2023.der",
    kind: "auth",
    generation: 3,
    serial: "06d18006",
    ski: "1ac100f5",
    notAfter: "2033-07-15",
  },
  { file: "sign-ca-gen1-2015.der", kind: "sign", generation: 1, serial: "01", ski: "0d034cbb", notAfter: "2025-10-19" },
  {
    file: "sign-ca-gen2-2019.der",
    kind: "sign",
    generation: 2,
    serial: "0132c4ab",
    ski: "4de017de",
    notAfter: "2029-09-14",
  },
  {
    file: "sign-ca-gen3-2023.der",
    kind: "sign",
    generation: 3,
    serial: "067c6a21",
    ski: "d21ea558",
    notAfter: "2033-07-15",
  },
];

describe("pki: certificates", function () {
  describe("the six real J-LIS CA certificates (read from ../shared/jpki/ca)", function () {
    before(function () {
      if (!existsSync(REAL_CA_DIR)) {
        console.log(`    skipped: ${REAL_CA_DIR} is absent (the real J-LIS CA files are not part of the repo)`);
        this.skip();
      }
    });

    it("pins exactly six fingerprints", function () {
      expect(Object.keys(JLIS_CA_FINGERPRINTS)).to.have.length(6);
    });

    for (const r of REAL) {
      it(`parses ${r.file}: ${r.kind} CA generation ${r.generation}`, function () {
        const c = parseCertificate(readFileSync(join(REAL_CA_DIR, r.file)));
        expect(c.kind).to.equal("ca");
        expect(c.jlisCa).to.deep.equal({ kind: r.kind, generation: r.generation });
        expect(c.caKind).to.equal(r.kind);
        expect(c.serialHex).to.equal(r.serial);
        expect(c.subjectKeyId!.startsWith(r.ski)).to.equal(true);
        expect(c.authorityKeyId).to.equal(undefined);
        expect(c.notAfter.toISOString().slice(0, 10)).to.equal(r.notAfter);
        expect(c.rsa.bits).to.equal(2048);
        expect(c.rsa.exponent).to.equal(65537);
        expect(c.keyUsage).to.deep.equal(["keyCertSign", "cRLSign"]);
        expect(c.isCa).to.equal(true);
        expect(c.subject.text).to.equal(c.issuer.text);
        expect(c.subject.attributes.map((a) => a.name)).to.deep.equal(["C", "O", "OU", "OU"]);
        // self-signed: the signature over the raw TBS verifies with its own key
        expect(verifyPkcs1Sha256(c.rsa, c.tbs, c.signature)).to.equal(true);
        expect(c.spkiSha256).to.match(/^[0-9a-f]{64}$/);
      });
    }

    it("a real CA with one flipped TBS byte is no longer recognised or self-verifying", function () {
      const der = new Uint8Array(readFileSync(join(REAL_CA_DIR, "auth-ca-gen3-2023.der")));
      der[400] = der[400]! ^ 0x01; // inside the modulus
      const c = parseCertificate(der);
      expect(c.jlisCa).to.equal(undefined);
      expect(verifyPkcs1Sha256(c.rsa, c.tbs, c.signature)).to.equal(false);
    });
  });

  describe("synthetic certificates round-trip", function () {
    it("CA generations: kind ca with caKind, not J-LIS, self-signed, JPKI extensions", async function () {
      const w = await testWorld();
      for (const ca of w.manifest.cas) {
        const c = w.ca(ca.id);
        expect(c.kind).to.equal("ca");
        expect(c.caKind).to.equal(ca.kind);
        expect(c.jlisCa).to.equal(undefined);
        expect(c.subjectKeyId).to.equal(ca.subjectKeyId);
        expect(c.spkiSha256).to.equal(ca.spkiSha256);
        expect(c.sha256Fingerprint).to.equal(ca.sha256Fingerprint);
        expect(c.extensions.map((e) => e.oid)).to.deep.equal([
          "2.5.29.15",
          "2.5.29.17",
          "2.5.29.19",
          "2.5.29.31",
          "2.5.29.14",
        ]);
        expect(verifyPkcs1Sha256(c.rsa, c.tbs, c.signature)).to.equal(true);
      }
    });

    it("authentication certificates: profile, extension order, AKI, CRL distribution point", async function () {
      const w = await testWorld();
      const h = w.holder("adult");
      const c = w.cert(h.auth.cert);
      expect(c.kind).to.equal("auth");
      expect(c.serialHex).to.equal(h.auth.serialHex);
      expect(c.policies).to.deep.equal(["1.2.392.200149.8.5.1.3.30"]);
      expect(c.keyUsage).to.deep.equal(["digitalSignature"]);
      expect(c.subject.attributes.map((a) => a.name)).to.deep.equal(["C", "CN"]);
      expect(c.subject.attributes[1]!.value).to.have.length(23);
      expect(c.extensions.map((e) => [e.oid, e.critical])).to.deep.equal([
        ["2.5.29.15", true],
        ["2.5.29.37", false],
        ["2.5.29.32", true],
        ["2.5.29.18", false],
        ["2.5.29.31", false],
        ["1.3.6.1.5.5.7.1.1", false],
        ["2.5.29.35", false],
        ["2.5.29.14", false],
      ]);
      expect(c.authorityKeyId).to.equal(w.ca(h.auth.caId).subjectKeyId);
      expect(c.crlDistributionPoint!.partition).to.equal(h.partition);
      expect(c.crlDistributionPoint!.name.text).to.contain(
        "OU=JPKI for user authentication, OU=CRL Distribution Points",
      );
      expect(c.notAfter.toISOString()).to.equal(h.auth.notAfter);
      expect(c.notAfter.toISOString().endsWith("T14:59:59.000Z")).to.equal(true);
      expect(c.rsa.bits).to.equal(2048);
      expect(verifyPkcs1Sha256(w.ca(h.auth.caId).rsa, c.tbs, c.signature)).to.equal(true);
    });

    it("signing certificates: kind sign, L=prefecture/city subject, nonRepudiation", async function () {
      const w = await testWorld();
      const h = w.holder("adult");
      const c = w.cert(h.sign!.cert);
      expect(c.kind).to.equal("sign");
      expect(c.policies).to.deep.equal(["1.2.392.200149.8.5.1.1.20"]);
      expect(c.keyUsage).to.deep.equal(["digitalSignature", "nonRepudiation"]);
      expect(c.subject.attributes.map((a) => a.name)).to.deep.equal(["C", "L", "L", "CN"]);
      expect(c.crlDistributionPoint!.name.text).to.contain("OU=JPKI for digital signature");
    });

    it("PEM input gives the same certificate as DER", async function () {
      const w = await testWorld();
      const der = w.read(w.holder("adult").auth.cert);
      const fromPem = parseCertificate(toPem(der, "CERTIFICATE"));
      expect(fromPem.sha256Fingerprint).to.equal(parseCertificate(der).sha256Fingerprint);
      expect(Buffer.from(fromPem.tbs).equals(Buffer.from(parseCertificate(der).tbs))).to.equal(true);
    });

    it("keeps the raw TBS bytes exactly as they are in the DER", async function () {
      const w = await testWorld();
      const der = w.read(w.holder("age-19").auth.cert);
      const c = parseCertificate(der);
      expect(Buffer.from(der).indexOf(Buffer.from(c.tbs))).to.equal(4);
    });
  });

  describe("signing attributes", function () {
    it("reads the four attributes of every signing certificate as generated", async function () {
      const w = await testWorld();
      let n = 0;
      for (const h of w.manifest.holders) {
        if (!h.sign) continue;
        const a = readSigningAttributes(w.cert(h.sign.cert));
        expect(a.name).to.equal(h.attributes.name);
        expect(a.dateOfBirth).to.equal(h.attributes.dateOfBirth);
        expect(a.genderCode).to.equal(h.attributes.gender);
        expect(a.address).to.equal(h.attributes.address);
        expect(a.address.startsWith("架空県") || a.address.startsWith("見本県")).to.equal(true);
        expect(a.nameSubstitutes).to.have.length([...a.name].length);
        n++;
      }
      expect(n).to.be.greaterThan(5);
    });

    it("decodes era, gender and the substitute-character flags", async function () {
      const w = await testWorld();
      const a17 = readSigningAttributes(w.cert(w.holder("age-17").sign!.cert));
      expect(a17.era).to.equal("平成");
      expect(a17.gender).to.equal("unknown");
      expect(a17.nameSubstitutes.filter(Boolean)).to.have.length(1);
      expect(a17.nameSubstitutes[1]).to.equal(true);
      const leap = readSigningAttributes(w.cert(w.holder("leap-day").sign!.cert));
      expect(leap.dateOfBirth!.slice(5)).to.equal("02-29");
      expect(leap.dateOfBirthRaw).to.match(/^4\d{4}0229$/);
    });

    it("refuses to read attributes from an authentication certificate", async function () {
      const w = await testWorld();
      expect(() => readSigningAttributes(w.cert(w.holder("adult").auth.cert)))
        .to.throw(PkiError)
        .with.property("code", "PKI_BAD_ARGUMENT");
    });

    it("inspect without --show-attributes carries no attribute", async function () {
      const { summarizeCertificate } = await import("../../src/pki/cli/inspect.js");
      const w = await testWorld();
      const h = w.holder("adult");
      const plain = summarizeCertificate(w.cert(h.sign!.cert), false);
      expect(plain).to.not.have.property("attributes");
      expect(JSON.stringify(plain)).to.not.contain(h.attributes.name);
      const shown = summarizeCertificate(w.cert(h.sign!.cert), true);
      expect(shown.attributes!.name).to.equal(h.attributes.name);
      expect(summarizeCertificate(w.cert(h.auth.cert), true).attributes).to.equal(null);
    });
  });

  describe("ageOn (JST)", function () {
    it("counts completed years, switching at JST midnight", function () {
      // 2008-06-15 00:00 JST is 2008-06-14T15:00Z
      expect(ageOn("1990-06-15", new Date("2008-06-14T14:59:59Z"))).to.equal(17);
      expect(ageOn("1990-06-15", new Date("2008-06-14T15:00:00Z"))).to.equal(18);
      expect(ageOn("2000-01-01", new Date("2019-12-31T15:00:00Z"))).to.equal(20);
      expect(ageOn("2000-01-01", new Date("2019-12-31T14:59:59Z"))).to.equal(19);
    });

    it("29 February: next age on 1 March in common years, on 29 February in leap years", function () {
      const jst = (s: string) => new Date(`${s}T00:00:00+09:00`);
      expect(ageOn("2004-02-29", jst("2022-02-28"))).to.equal(17);
      expect(ageOn("2004-02-29", jst("2022-03-01"))).to.equal(18);
      expect(ageOn("2004-02-29", jst("2024-02-28"))).to.equal(19);
      expect(ageOn("2004-02-29", jst("2024-02-29"))).to.equal(20);
      expect(ageOn("2004-02-29", new Date("2022-02-28T14:59:59Z"))).to.equal(17); // 23:59:59 JST 28 Feb
      expect(ageOn("2004-02-29", new Date("2022-02-28T15:00:00Z"))).to.equal(18); // 00:00 JST 1 Mar
    });

    it("rejects a date of birth that is not a real date", function () {
      expect(() => ageOn("2003-02-29", new Date())).to.throw(PkiError);
      expect(() => ageOn("1990-13-01", new Date())).to.throw(PkiError);
      expect(() => ageOn("19900101", new Date())).to.throw(PkiError);
    });
  });
});
