import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import fc from "fast-check";

import { scanCrlFile } from "../../src/pki/crl-scan.js";
import { openCrl } from "../../src/pki/crl.js";
import { issueCrlDer, type CrlEntrySpec } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

describe("pki: streaming CRL file scan", function () {
  this.timeout(60_000);
  const tmp = mkdtempSync(join(tmpdir(), "pki-scan-"));

  it("agrees with openCrl on every generated CRL, with any chunk size", async function () {
    const w = await testWorld();
    for (const m of w.manifest.crls) {
      const crl = openCrl(w.read(m.path));
      const serials = [...m.entries.map((e) => e.serialHex), "0badc0de"];
      for (const chunkSize of [7, 64, 1 << 20]) {
        const r = scanCrlFile(join(w.dir, m.path), { ca: w.ca(m.caId), serials, at: NOW, chunkSize });
        expect(r.signatureValid, `${m.path} @${chunkSize}`).to.equal(true);
        expect(r.entryCount).to.equal(crl.entryCount);
        expect(r.fresh).to.equal(!m.stale);
        expect(r.thisUpdate.getTime()).to.equal(crl.thisUpdate.getTime());
        expect(r.authorityKeyId).to.equal(crl.authorityKeyId);
        expect(r.distributionPoint?.partition).to.equal(m.partition);
        expect(r.found.size).to.equal(m.entries.length);
        for (const e of m.entries) expect(r.found.get(e.serialHex)).to.deep.equal(crl.lookup(e.serialHex));
      }
      const other = m.caId.endsWith("gen1") ? m.caId.replace("gen1", "gen2") : m.caId.replace("gen2", "gen1");
      expect(scanCrlFile(join(w.dir, m.path), { ca: w.ca(other), at: NOW }).signatureValid).to.equal(false);
    }
  });

  it("streams a few thousand entries across chunk boundaries and finds the right ones", async function () {
    const w = await testWorld();
    const key = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    const entries: CrlEntrySpec[] = [];
    for (let i = 1; i <= 3000; i++) {
      entries.push({
        serial: Uint8Array.of(0x10, i >> 8, i & 0xff),
        revokedAt: new Date(NOW.getTime() - i * 1000),
        reasonCode: i % 7 === 0 ? 0 : 1 + (i % 6),
      });
    }
    const der = issueCrlDer(
      {
        issuer: CA_NAMES.auth,
        thisUpdate: NOW,
        nextUpdate: new Date(NOW.getTime() + 86_400_000),
        entries,
        authorityKeyId: Uint8Array.from(Buffer.from(w.ca("auth-gen2").subjectKeyId!, "hex")),
        crlNumber: 9,
      },
      key,
    );
    const p = join(tmp, "big.crl");
    writeFileSync(p, der);
    const r = scanCrlFile(p, {
      ca: w.ca("auth-gen2"),
      serials: ["100bb8", "0x10000E", "100001", "ffffff"],
      at: NOW,
      chunkSize: 100,
    });
    expect(r.signatureValid).to.equal(true);
    expect(r.entryCount).to.equal(3000);
    expect([...r.found.keys()].sort()).to.deep.equal(["100001", "10000e", "100bb8"]);
    expect(r.found.get("10000e")!.reason).to.equal("unspecified"); // 14 % 7 === 0
    expect(r.found.get("100001")!.reason).to.equal("cACompromise");
    expect(r.found.get("100bb8")!.revokedAt.getTime()).to.equal(NOW.getTime() - 3000 * 1000);
    const dup = issueCrlDer(
      {
        issuer: CA_NAMES.auth,
        thisUpdate: NOW,
        nextUpdate: new Date(NOW.getTime() + 86_400_000),
        entries: [...entries.slice(0, 100), entries[42]!],
        authorityKeyId: Uint8Array.of(1),
        crlNumber: 10,
      },
      key,
    );
    writeFileSync(p, dup);
    expect(() => scanCrlFile(p, { chunkSize: 50 }))
      .to.throw(PkiError)
      .with.property("code", "PKI_CRL_DUPLICATE_ENTRY");
  });

  it("mutated CRL files: a result or a PkiError, the same verdict as openCrl", async function () {
    const w = await testWorld();
    const m0 = w.manifest.crls.find((c) => !c.stale && c.entries.length >= 4)!;
    const der = w.read(m0.path);
    const ca = w.ca(m0.caId);
    const p = join(tmp, "mutant.crl");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ cut: fc.nat({ max: der.length - 1 }) }),
          fc.record({ at: fc.nat({ max: der.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
        ),
        fc.integer({ min: 5, max: 300 }),
        (m, chunkSize) => {
          let bad: Uint8Array;
          if ("cut" in m) bad = der.subarray(0, m.cut);
          else if ("extra" in m) bad = Buffer.concat([der, m.extra]);
          else {
            bad = der.slice();
            bad[m.at] = m.value;
          }
          writeFileSync(p, bad);
          let scanned: "error" | boolean;
          try {
            scanned = scanCrlFile(p, { ca, serials: m0.entries.map((e) => e.serialHex), chunkSize }).signatureValid;
          } catch (e) {
            if (!(e instanceof PkiError)) throw e;
            scanned = "error";
          }
          if ("cut" in m || "extra" in m) expect(scanned).to.equal("error");
          // whatever the streaming pass accepted with a valid signature, the in-memory reader accepts too
          if (scanned === true) expect(openCrl(bad).verifySignature(ca)).to.equal(true);
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it("a missing file is PKI_IO", function () {
    expect(() => scanCrlFile(join(tmp, "nope.crl")))
      .to.throw(PkiError)
      .with.property("code", "PKI_IO");
  });
});
