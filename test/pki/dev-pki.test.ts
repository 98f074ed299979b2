import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import { expect } from "chai";

import { ageOn } from "../../src/pki/age.js";
import { generateDevPki } from "../../src/pki/dev-pki/generate.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe("pki: dev-pki generator", function () {
  it("is deterministic for a seed and `now`, and differs for another seed", async function () {
    this.timeout(60_000);
    const a = mkdtempSync(join(tmpdir(), "devpki-a-"));
    const b = mkdtempSync(join(tmpdir(), "devpki-b-"));
    const c = mkdtempSync(join(tmpdir(), "devpki-c-"));
    await generateDevPki({ out: a, seed: 5, holders: 2, now: NOW });
    await generateDevPki({ out: b, seed: 5, holders: 2, now: NOW });
    await generateDevPki({ out: c, seed: 6, holders: 2, now: NOW });
    const files = listFiles(a);
    expect(files).to.deep.equal(listFiles(b));
    expect(files).to.include.members([
      "manifest.json",
      "ca/auth-gen1.der",
      "ca/sign-gen2.key.pem",
      "holders/h01/auth.key.pem",
    ]);
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).to.equal(true);
    expect(readFileSync(join(a, "ca/auth-gen2.der")).equals(readFileSync(join(c, "ca/auth-gen2.der")))).to.equal(false);
  });

  it("covers the scenarios: minors, 17 and 19, 29 February, revoked, expired, not yet valid", async function () {
    const w = await testWorld();
    const m = w.manifest;
    expect(m.version).to.equal(1);
    expect(m.synthetic).to.equal(true);
    expect(m.now).to.equal(NOW.toISOString());
    for (const h of m.holders) {
      expect(ageOn(h.attributes.dateOfBirth, NOW), h.id).to.equal(h.age);
      expect(h.minor).to.equal(h.age < 15);
      expect(h.sign === undefined, h.id).to.equal(h.age < 15);
      expect(h.attributes.address).to.match(/^(架空県|見本県)/);
      expect(h.attributes.name).to.match(/^\S+\u3000\S+$/);
      const card = JSON.parse(readFileSync(join(w.dir, h.card), "utf8"));
      expect(card).to.have.keys("authPin", "signPassword", "tokenInfo");
    }
    const ages = m.holders.map((h) => h.age);
    expect(ages).to.include.members([17, 19]);
    expect(m.holders.some((h) => h.age < 15)).to.equal(true);
    expect(m.holders.some((h) => h.attributes.dateOfBirth.endsWith("-02-29"))).to.equal(true);
    const statuses = m.holders.flatMap((h) => [h.auth.status, h.sign?.status]);
    expect(statuses).to.include.members(["good", "revoked", "expired", "not-yet-valid"]);
    expect(w.holder("sign-affiliation-changed").auth.status).to.equal("good");
    expect(w.holder("sign-affiliation-changed").sign!.status).to.equal("revoked");
    // a rollover: holders under both generations of each CA
    expect(new Set(m.holders.map((h) => h.auth.caId))).to.deep.equal(new Set(["auth-gen1", "auth-gen2"]));
    expect(m.cas.map((c) => c.id)).to.deep.equal(["auth-gen1", "auth-gen2", "sign-gen1", "sign-gen2"]);
    // CRLs per municipality, a stale set, several reasons
    expect(new Set(m.crls.map((c) => c.partition)).size).to.equal(3);
    expect(m.crls.filter((c) => c.stale).length).to.be.greaterThan(0);
    for (const c of m.crls.filter((x) => x.stale)) expect(new Date(c.nextUpdate) < NOW).to.equal(true);
  });

  it("each certificate's notAfter is 23:59:59 JST on a birthday (28 Feb for 29 Feb births in common years)", async function () {
    const w = await testWorld();
    for (const h of w.manifest.holders) {
      const na = new Date(h.auth.notAfter);
      const jst = new Date(na.getTime() + 9 * 3600_000);
      expect(jst.toISOString().slice(11, 19)).to.equal("23:59:59");
      const md = jst.toISOString().slice(5, 10);
      const bmd = h.attributes.dateOfBirth.slice(5);
      const leapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      if (bmd === "02-29" && !leapYear(jst.getUTCFullYear())) expect(md).to.equal("02-28");
      else expect(md).to.equal(bmd);
    }
  });

  it("keys are PKCS#8 PEM and match their certificates", async function () {
    const { createPrivateKey, createPublicKey } = await import("node:crypto");
    const w = await testWorld();
    const h = w.holder("adult");
    const key = createPrivateKey(readFileSync(join(w.dir, h.auth.key)));
    const spki = createPublicKey(key).export({ type: "spki", format: "der" });
    expect(Buffer.from(w.cert(h.auth.cert).spki).equals(spki)).to.equal(true);
    expect(readFileSync(join(w.dir, h.auth.key), "utf8")).to.match(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("rejects bad options with a typed error", async function () {
    const out = mkdtempSync(join(tmpdir(), "devpki-bad-"));
    for (const opts of [{ holders: 0 }, { holders: 1.5 }, { seed: -1 }, { now: new Date("nope") }]) {
      let err: unknown;
      try {
        await generateDevPki({ out, ...opts });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(opts)).to.be.instanceOf(PkiError);
    }
  });
});
