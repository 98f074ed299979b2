import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { parseJpkiDate, readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { issueCertificate, otherNamesValue, policiesValue, type NameSpec } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";
import { OID } from "../../src/pki/oids.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

async function leaf(opts: { issuer?: NameSpec; policy: string; san?: [string, string][] }) {
  const w = await testWorld();
  const caKey = createPrivateKey(readFileSync(join(w.dir, "ca", "sign-gen2.key.pem")));
  const holderKey = createPrivateKey(readFileSync(join(w.dir, w.holder("adult").sign!.key)));
  const extensions: [string, boolean, Uint8Array][] = [
    [OID.certificatePolicies, true, policiesValue(opts.policy, "http://example.invalid/cps")],
  ];
  if (opts.san) extensions.push([OID.subjectAltName, false, otherNamesValue(opts.san)]);
  return parseCertificate(
    issueCertificate(
      {
        serial: Uint8Array.of(0x42),
        issuer: opts.issuer ?? CA_NAMES.sign,
        subject: [
          ["C", "JP"],
          ["CN", "DEVPKI-VARIANT"],
        ],
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 86_400_000),
        subjectKey: holderKey,
        extensions,
      },
      caKey,
    ),
  );
}

const FULL: [string, string][] = [
  [OID.attrName, "見本　花子"],
  [OID.attrDateOfBirth, "319800101"],
  [OID.attrGender, "2"],
  [OID.attrAddress, "架空県テスト市見本通1丁目1番1号"],
  [OID.attrNameSubstitutes, "00000"],
  [OID.attrAddressSubstitutes, "0000000000000000"],
];

describe("pki: profile variants", function () {
  it("classifies the test hierarchy and foreign certificates", async function () {
    const testIssuer: NameSpec = [
      ["C", "JP"],
      ["O", "JPKI-TEST"],
      ["OU", "JPKI for digital signature"],
    ];
    expect((await leaf({ policy: OID.jpkiSignTestPolicy })).kind).to.equal("sign-test");
    expect((await leaf({ policy: OID.jpkiAuthPolicy, issuer: testIssuer })).kind).to.equal("auth-test");
    expect((await leaf({ policy: OID.jpkiSignPolicy, issuer: testIssuer })).kind).to.equal("sign-test");
    expect((await leaf({ policy: "1.3.6.1.4.1.99999.1" })).kind).to.equal("other");
  });

  it("tolerates unknown otherName OIDs (newer fields) and keeps them apart", async function () {
    const c = await leaf({
      policy: OID.jpkiSignPolicy,
      san: [...FULL.slice(0, 2), ["1.2.392.200149.8.5.5.7", "ミホン　ハナコ"], ...FULL.slice(2)],
    });
    const a = readSigningAttributes(c);
    expect(a).to.include({ name: "見本　花子", dateOfBirth: "1980-01-01", era: "昭和", gender: "female" });
    expect(a.unknown).to.deep.equal([{ oid: "1.2.392.200149.8.5.5.7", value: "ミホン　ハナコ" }]);
  });

  it("a missing or malformed attribute is PKI_BAD_ATTRIBUTE", async function () {
    const noDob = await leaf({ policy: OID.jpkiSignPolicy, san: FULL.filter(([o]) => o !== OID.attrDateOfBirth) });
    expect(() => readSigningAttributes(noDob))
      .to.throw(PkiError)
      .with.property("code", "PKI_BAD_ATTRIBUTE");
    const badDob = await leaf({
      policy: OID.jpkiSignPolicy,
      san: FULL.map(([o, v]) => [o, o === OID.attrDateOfBirth ? "1980-01-01" : v]),
    });
    expect(() => readSigningAttributes(badDob))
      .to.throw(PkiError)
      .with.property("code", "PKI_BAD_ATTRIBUTE");
    const noSan = await leaf({ policy: OID.jpkiSignPolicy });
    expect(() => readSigningAttributes(noSan))
      .to.throw(PkiError)
      .with.property("code", "PKI_BAD_ATTRIBUTE");
  });

  it("EYYYYMMDD: era digits, Gregorian digits, unknown dates", function () {
    expect(parseJpkiDate("420081031")).to.deep.equal({ era: "平成", iso: "2008-10-31" });
    expect(parseJpkiDate("520200229")).to.deep.equal({ era: "令和", iso: "2020-02-29" });
    expect(parseJpkiDate("119000101")).to.deep.equal({ era: "明治", iso: "1900-01-01" });
    expect(parseJpkiDate("019700000")).to.deep.equal({ era: null, iso: null });
    expect(parseJpkiDate("420070229").iso).to.equal(null);
    expect(() => parseJpkiDate("62008103")).to.throw(PkiError);
  });
});
