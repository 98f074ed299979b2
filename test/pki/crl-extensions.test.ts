import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { parseCertificate, type JpkiCertificate } from "../../src/pki/certificate.js";
import { scanCrlFile } from "../../src/pki/crl-scan.js";
import { openCrl } from "../../src/pki/crl.js";
import { enumerated, implicitPrimitive, int, octets, oid, seq, time } from "../../src/pki/der-writer.js";
import {
  basicConstraintsCa,
  crlDpValue,
  dirNameGeneralNames,
  issueCertificate,
  issueCrlDer,
  keyUsageValue,
  skiValue,
  type CrlEntrySpec,
  type CrlSpec,
} from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES, crlDpName } from "../../src/pki/dev-pki/world.js";
import { OID } from "../../src/pki/oids.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

type Ext = readonly [string, boolean, Uint8Array];

const PARTITION = crlDpName("auth", "Kakuu-ken", "Tesuto-shi");

describe("pki: CRL extension policy (RFC 5280 §5.2, §5.3)", function () {
  this.timeout(60_000);
  const tmp = mkdtempSync(join(tmpdir(), "pki-crlext-"));
  let key: KeyObject;
  let ca: JpkiCertificate;
  let n = 0;

  before(async function () {
    const w = await testWorld();
    key = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    ca = w.ca("auth-gen2");
  });

  /** 300 entries (so the streaming pass crosses chunk boundaries); `at` gets the given extra entry extensions. */
  function build(opts: { crlExt?: Ext[]; entryExt?: Ext[]; at?: number; idpFlags?: Uint8Array[] } = {}): Uint8Array {
    const entries: CrlEntrySpec[] = [];
    for (let i = 0; i < 300; i++) {
      const e: CrlEntrySpec = { serial: Uint8Array.of(0x20, i >> 8, i & 0xff), revokedAt: NOW, reasonCode: i % 3 };
      entries.push(i === (opts.at ?? 250) && opts.entryExt ? { ...e, extensions: opts.entryExt } : e);
    }
    const spec: CrlSpec = {
      issuer: CA_NAMES.auth,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 86_400_000),
      entries,
      authorityKeyId: Uint8Array.from(Buffer.from(ca.subjectKeyId!, "hex")),
      crlNumber: 7,
      distributionPoint: PARTITION,
      ...(opts.idpFlags ? { distributionPointFlags: opts.idpFlags } : {}),
      ...(opts.crlExt ? { extensions: opts.crlExt } : {}),
    };
    return issueCrlDer(spec, key);
  }

  /** Both readers on the same bytes: the in-memory one and the streaming one with a small chunk size. */
  function both(der: Uint8Array, caArg: JpkiCertificate = ca) {
    const p = join(tmp, `c${n++}.crl`);
    writeFileSync(p, der);
    return {
      open: () => openCrl(der),
      scan: () => scanCrlFile(p, { ca: caArg, serials: ["200001", "2000fa"], at: NOW, chunkSize: 97 }),
    };
  }

  function expectRefused(der: Uint8Array, code: string, inMessage: string): void {
    const r = both(der);
    for (const run of [r.open, r.scan]) {
      expect(run).to.throw(PkiError).with.property("code", code);
      expect(run).to.throw(inMessage);
    }
  }

  it("accepts recognised extensions (critical or not) and ignores unknown non-critical ones", function () {
    const der = build({
      crlExt: [
        ["1.3.6.1.4.1.99999.1", false, octets(Uint8Array.of(1))],
        [OID.authorityInfoAccess, false, seq()],
      ],
      entryExt: [
        [OID.invalidityDate, true, time(NOW)],
        ["2.5.29.23", false, oid("1.2.840.10040.2.1")], // holdInstructionCode, non-critical
      ],
      idpFlags: [implicitPrimitive(1, Uint8Array.of(0xff))], // onlyContainsUserCerts: fine for card certificates
    });
    const r = both(der);
    const crl = r.open();
    expect(crl.entryCount).to.equal(300);
    expect(crl.verifySignature(ca)).to.equal(true);
    expect(crl.lookup("2000fa")).to.deep.equal({ revokedAt: NOW, reason: "keyCompromise" }); // 250 % 3 = 1
    const s = r.scan();
    expect(s).to.include({ entryCount: 300, signatureValid: true, fresh: true });
    expect(s.found.get("2000fa")).to.deep.equal({ revokedAt: NOW, reason: "keyCompromise" });
    expect(s.distributionPoint?.partition).to.equal("kakuu-ken_tesuto-shi");
  });

  it("refuses an unrecognised critical CRL extension, naming its OID", function () {
    expectRefused(
      build({ crlExt: [["1.3.6.1.4.1.99999.7", true, octets(Uint8Array.of(1))]] }),
      "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
      "1.3.6.1.4.1.99999.7",
    );
    // freshestCRL is known to RFC 5280 but not processed here: critical → refused
    expectRefused(
      build({ crlExt: [["2.5.29.46", true, seq()]] }),
      "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
      "2.5.29.46",
    );
  });

  it("refuses an unrecognised critical entry extension on any entry, naming its OID", function () {
    for (const at of [0, 150, 299]) {
      expectRefused(
        build({ entryExt: [["2.5.29.23", true, oid("1.2.840.10040.2.2")]], at }),
        "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
        "2.5.29.23",
      );
    }
    expectRefused(
      build({ entryExt: [["1.2.392.999.1", true, enumerated(1)]] }),
      "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
      "1.2.392.999.1",
    );
  });

  it("refuses a delta CRL (deltaCRLIndicator): only complete CRLs are supported", function () {
    expectRefused(build({ crlExt: [[OID.deltaCRLIndicator, true, int(6)]] }), "PKI_CRL_UNSUPPORTED_SCOPE", "2.5.29.27");
    expectRefused(build({ crlExt: [[OID.deltaCRLIndicator, false, int(6)]] }), "PKI_CRL_UNSUPPORTED_SCOPE", "delta");
  });

  it("refuses indirect CRLs: a certificateIssuer entry extension (critical or not) or indirectCRL in the IDP", function () {
    const otherCa = dirNameGeneralNames(CA_NAMES.sign);
    for (const critical of [true, false]) {
      expectRefused(
        build({ entryExt: [[OID.certificateIssuer, critical, otherCa]] }),
        "PKI_CRL_UNSUPPORTED_SCOPE",
        "2.5.29.29",
      );
    }
    expectRefused(
      build({ idpFlags: [implicitPrimitive(4, Uint8Array.of(0xff))] }),
      "PKI_CRL_UNSUPPORTED_SCOPE",
      "indirectCRL",
    );
  });

  it("refuses a CRL whose IDP narrows its scope (CA certs only, attribute certs only, some reasons)", function () {
    expectRefused(
      build({ idpFlags: [implicitPrimitive(2, Uint8Array.of(0xff))] }),
      "PKI_CRL_UNSUPPORTED_SCOPE",
      "onlyContainsCACerts",
    );
    expectRefused(
      build({ idpFlags: [implicitPrimitive(3, Uint8Array.of(0x07, 0x40))] }),
      "PKI_CRL_UNSUPPORTED_SCOPE",
      "onlySomeReasons",
    );
    expectRefused(
      build({ idpFlags: [implicitPrimitive(5, Uint8Array.of(0xff))] }),
      "PKI_CRL_UNSUPPORTED_SCOPE",
      "onlyContainsAttributeCerts",
    );
  });

  it("a CA certificate without cRLSign does not validate a CRL (false, not an exception)", function () {
    const keyId = Uint8Array.from(Buffer.from(ca.subjectKeyId!, "hex"));
    const withUsage = (bitsSet: number[]) =>
      parseCertificate(
        issueCertificate(
          {
            serial: Uint8Array.of(0x7e, n++),
            issuer: CA_NAMES.auth,
            subject: CA_NAMES.auth,
            notBefore: ca.notBefore,
            notAfter: ca.notAfter,
            subjectKey: key,
            extensions: [
              [OID.keyUsage, true, keyUsageValue(bitsSet)],
              [OID.basicConstraints, true, basicConstraintsCa()],
              [OID.cRLDistributionPoints, false, crlDpValue(CA_NAMES.auth)],
              [OID.subjectKeyIdentifier, false, skiValue(keyId)],
            ],
          },
          key,
        ),
      );
    const der = build();
    const certOnly = withUsage([5]); // keyCertSign only: same key, no cRLSign
    const control = withUsage([5, 6]);
    const noSign = both(der, certOnly);
    expect(noSign.open().verifySignature(certOnly)).to.equal(false);
    expect(noSign.scan().signatureValid).to.equal(false);
    const ok = both(der, control);
    expect(ok.open().verifySignature(control)).to.equal(true);
    expect(ok.scan().signatureValid).to.equal(true);
    // a bare key carries no key usage: taken as given
    expect(openCrl(der).verifySignature(certOnly.rsa)).to.equal(true);
  });

  it("a negative cRLNumber is malformed (CRLs are ordered by it)", function () {
    const der = build();
    const hex = Buffer.from(der).toString("hex");
    const good = "0603551d140403020107"; // cRLNumber 7
    expect(hex).to.include(good);
    expect(openCrl(der).crlNumber).to.equal("07");
    const negative = Buffer.from(hex.replace(good, "0603551d140403020187"), "hex");
    expect(() => openCrl(negative))
      .to.throw(PkiError)
      .with.property("code", "PKI_MALFORMED");
  });
});
