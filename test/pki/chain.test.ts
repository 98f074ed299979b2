import { expect } from "chai";

import { verifyChain, type TrustAnchorLike } from "../../src/pki/chain.js";
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
});
