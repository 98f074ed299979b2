import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { parseCertificate } from "../../src/pki/certificate.js";
import { verifyChain, type TrustAnchorLike } from "../../src/pki/chain.js";
import {
  basicConstraintsCa,
  issueCertificate,
  keyUsageValue,
  skiValue,
  type CertSpec,
} from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";
import { OID } from "../../src/pki/oids.js";
import { NOW, testWorld } from "./helpers/world.js";

describe("pki: chain verification", function () {
  it("every holder certificate's chain result matches its manifest status at NOW", async function () {
    const w = await testWorld();
    const anchors = w.manifest.cas.map((c) => w.ca(c.id));
    let checked = 0;
    for (const h of w.manifest.holders) {
      for (const hc of [h.auth, h.sign]) {
        if (!hc) continue;
        const r = verifyChain(w.cert(hc.cert), anchors, NOW);
        expect(r.anchor && "der" in r.anchor ? r.anchor.subjectKeyId : undefined).to.equal(w.ca(hc.caId).subjectKeyId);
        if (hc.status === "expired") expect(r.failures).to.deep.equal(["expired"]);
        else if (hc.status === "not-yet-valid") expect(r.failures).to.deep.equal(["not-yet-valid"]);
        else expect(r, `${h.id}`).to.deep.include({ ok: true, failures: [] }); // revocation is the CRL's job
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(15);
  });

  it("uses AKI → SKI across CA generations that share one DN (rollover)", async function () {
    const w = await testWorld();
    const leap = w.holder("leap-day");
    expect(leap.auth.caId).to.equal("auth-gen1");
    const c = w.cert(leap.auth.cert);
    // Only gen2 of the same DN: the issuer is not found, the DN alone is not enough.
    expect(verifyChain(c, [w.ca("auth-gen2")], NOW)).to.deep.equal({ ok: false, failures: ["issuer-not-found"] });
    expect(verifyChain(c, [w.ca("auth-gen2"), w.ca("auth-gen1")], NOW).ok).to.equal(true);
  });

  it("an authentication certificate must chain to an authentication CA", async function () {
    const w = await testWorld();
    const c = w.cert(w.holder("adult").auth.cert);
    const authCa = w.ca("auth-gen2");
    const wrongKind: TrustAnchorLike = {
      kind: "sign",
      subjectKeyId: authCa.subjectKeyId!,
      rsa: authCa.rsa,
      notBefore: authCa.notBefore,
      notAfter: authCa.notAfter,
    };
    expect(verifyChain(c, [wrongKind], NOW).failures).to.deep.equal(["kind-mismatch"]);
    const sign = w.cert(w.holder("adult").sign!.cert);
    const signCa = w.ca("sign-gen2");
    const asAuth: TrustAnchorLike = { ...wrongKind, kind: "auth", subjectKeyId: signCa.subjectKeyId!, rsa: signCa.rsa };
    expect(verifyChain(sign, [asAuth], NOW).failures).to.deep.equal(["kind-mismatch"]);
  });

  it("reports a bad signature when the anchor's SKI matches but its key does not", async function () {
    const w = await testWorld();
    const c = w.cert(w.holder("adult").auth.cert);
    const impostor: TrustAnchorLike = {
      kind: "auth",
      subjectKeyId: w.ca("auth-gen2").subjectKeyId!,
      rsa: w.ca("auth-gen1").rsa,
      notBefore: new Date(0),
      notAfter: new Date("2099-01-01"),
    };
    expect(verifyChain(c, [impostor], NOW).failures).to.deep.equal(["bad-signature"]);
  });

  it("reports an expired or not-yet-valid CA", async function () {
    const w = await testWorld();
    const c = w.cert(w.holder("adult").auth.cert);
    const ca = w.ca("auth-gen2");
    const base = { kind: "auth" as const, subjectKeyId: ca.subjectKeyId!, rsa: ca.rsa };
    expect(
      verifyChain(c, [{ ...base, notBefore: new Date(0), notAfter: new Date(NOW.getTime() - 1000) }], NOW).failures,
    ).to.deep.equal(["ca-expired"]);
    expect(
      verifyChain(c, [{ ...base, notBefore: new Date(NOW.getTime() + 1000), notAfter: new Date("2099-01-01") }], NOW)
        .failures,
    ).to.deep.equal(["ca-not-yet-valid"]);
  });

  it("a CA certificate is not a card certificate", async function () {
    const w = await testWorld();
    const ca = w.ca("auth-gen2");
    expect(verifyChain(ca, [ca], NOW).ok).to.equal(false);
  });

  it("the issuer matched by AKI → SKI must be a CA with keyCertSign, else issuer-not-ca (a result)", async function () {
    const w = await testWorld();
    const real = w.ca("auth-gen2");
    const key = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    // Certificates over the same key and SKI as auth-gen2, so the card certificate's signature still verifies.
    const anchor = (extensions: CertSpec["extensions"]) =>
      parseCertificate(
        issueCertificate(
          {
            serial: Uint8Array.of(0x6a, extensions.length),
            issuer: CA_NAMES.auth,
            subject: CA_NAMES.auth,
            notBefore: real.notBefore,
            notAfter: real.notAfter,
            subjectKey: key,
            extensions: [
              ...extensions,
              [OID.subjectKeyIdentifier, false, skiValue(Buffer.from(real.subjectKeyId!, "hex"))],
            ],
          },
          key,
        ),
      );
    const c = w.cert(w.holder("adult").auth.cert);
    const ca = [OID.basicConstraints, true, basicConstraintsCa()] as const;
    const control = anchor([[OID.keyUsage, true, keyUsageValue([5, 6])], ca]);
    expect(verifyChain(c, [control], NOW)).to.deep.include({ ok: true, failures: [] });
    // cA=TRUE but keyUsage lacks keyCertSign
    const crlOnly = anchor([[OID.keyUsage, true, keyUsageValue([6])], ca]);
    expect(verifyChain(c, [crlOnly], NOW)).to.deep.include({ ok: false, failures: ["issuer-not-ca"] });
    // keyCertSign but no basicConstraints: not a CA (and so not a JPKI CA of any kind)
    const notCa = anchor([[OID.keyUsage, true, keyUsageValue([5, 6])]]);
    const r = verifyChain(c, [notCa], NOW);
    expect(r.ok).to.equal(false);
    expect(r.failures[0]).to.equal("issuer-not-ca");
  });
});
