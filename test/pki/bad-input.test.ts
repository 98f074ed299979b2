import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import fc from "fast-check";

import { readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { verifyChain } from "../../src/pki/chain.js";
import { openCrl } from "../../src/pki/crl.js";
import { readTlv } from "../../src/pki/der.js";
import { issueCertificate } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";
import { OID } from "../../src/pki/oids.js";
import { PkiError } from "../../src/pki/pki-error.js";
import { NOW, testWorld } from "./helpers/world.js";

/** Offsets of every TLV header in a DER tree (entering constructed values). */
function tlvOffsets(der: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    for (let p = start; p < end;) {
      const t = readTlv(der, p, end);
      out.push(p);
      if ((t.tag & 0x20) !== 0 && depth < 20) walk(t.valueStart, t.end, depth + 1);
      p = t.end;
    }
  };
  walk(0, der.length, 0);
  return out;
}

type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number; value: number }
  | { kind: "tag"; which: number; value: number }
  | { kind: "indefinite"; which: number }
  | { kind: "oversized"; which: number; n: number }
  | { kind: "trailing"; bytes: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("tag" as const), which: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("indefinite" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("oversized" as const), which: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("trailing" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

function mutate(der: Uint8Array, offsets: number[], m: Mutation): Uint8Array {
  const d = der.slice();
  switch (m.kind) {
    case "truncate":
      return d.subarray(0, m.at % d.length);
    case "flip":
      d[m.at % d.length] = m.value;
      return d;
    case "tag":
      d[offsets[m.which % offsets.length]!] = m.value;
      return d;
    case "indefinite": {
      const o = offsets[m.which % offsets.length]!;
      d[o + 1] = 0x80;
      return d;
    }
    case "oversized": {
      // replace the length with an n-byte long form of a huge value
      const o = offsets[m.which % offsets.length]!;
      const t = readTlv(der, o, der.length);
      const header = Uint8Array.of(d[o]!, 0x80 | m.n, ...new Array<number>(m.n).fill(0xff));
      const out = new Uint8Array(o + header.length + (der.length - t.valueStart));
      out.set(d.subarray(0, o), 0);
      out.set(header, o);
      out.set(d.subarray(t.valueStart), o + header.length);
      return out;
    }
    case "trailing": {
      const out = new Uint8Array(d.length + m.bytes.length);
      out.set(d, 0);
      out.set(m.bytes, d.length);
      return out;
    }
  }
}

/** Runs `f`; it must return or throw a PkiError, nothing else. */
function typedOrOk(f: () => unknown): "ok" | string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof PkiError) return e.code;
    throw e;
  }
}

describe("pki: bad input never crashes", function () {
  this.timeout(60_000);

  it("mutated certificate DER: a certificate or a PkiError (attributes and chain too)", async function () {
    const w = await testWorld();
    const anchors = w.manifest.cas.map((c) => w.ca(c.id));
    for (const rel of [w.holder("adult").sign!.cert, w.holder("adult").auth.cert, w.manifest.cas[0]!.cert]) {
      const der = w.read(rel);
      const offsets = tlvOffsets(der);
      fc.assert(
        fc.property(mutationArb, (m) => {
          const bad = mutate(der, offsets, m);
          const r = typedOrOk(() => {
            const c = parseCertificate(bad);
            verifyChain(c, anchors, NOW);
            if (c.kind === "sign") readSigningAttributes(c);
          });
          if (m.kind === "truncate") expect(r).to.not.equal("ok");
          if (m.kind === "trailing") expect(r).to.equal("PKI_TRAILING_DATA");
          if (m.kind === "indefinite" || m.kind === "oversized") expect(r).to.not.equal("ok");
        }),
        { numRuns: 250, seed: 42 },
      );
    }
  });

  it("mutated CRL DER: a CRL or a PkiError, through lookup, serials and signature", async function () {
    const w = await testWorld();
    const m0 = w.manifest.crls.find((c) => !c.stale && c.entries.length >= 4)!;
    const der = w.read(m0.path);
    const ca = w.ca(m0.caId);
    const offsets = tlvOffsets(der);
    fc.assert(
      fc.property(
        mutationArb,
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 10 }),
        (m, serial) => {
          const bad = mutate(der, offsets, m);
          const r = typedOrOk(() => {
            const crl = openCrl(bad);
            crl.verifySignature(ca);
            crl.isFresh(NOW);
            [...crl.serials()];
            for (const e of m0.entries) crl.lookup(e.serialHex);
            crl.lookup(serial);
          });
          if (m.kind === "truncate") expect(r).to.not.equal("ok");
          if (m.kind === "trailing") expect(r).to.equal("PKI_TRAILING_DATA");
          if (m.kind === "indefinite" || m.kind === "oversized") expect(r).to.not.equal("ok");
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });

  it("random bytes and deep nesting are typed errors", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        typedOrOk(() => parseCertificate(bytes));
        typedOrOk(() => openCrl(bytes));
      }),
      { numRuns: 500, seed: 3 },
    );
    // 5000 nested SEQUENCEs (indefinite-free, definite lengths)
    let nested: Uint8Array = Uint8Array.of(0x05, 0x00);
    for (let i = 0; i < 5000; i++) {
      const len = nested.length;
      const head = len < 128 ? [0x30, len] : len < 256 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      if (len > 0xffff) break;
      nested = Uint8Array.of(...head, ...nested);
    }
    expect(() => parseCertificate(nested)).to.throw(PkiError);
    expect(() => openCrl(nested)).to.throw(PkiError);
    expect(() => parseCertificate("not a certificate"))
      .to.throw(PkiError)
      .with.property("code", "PKI_BAD_PEM");
  });

  it("a non-RSA key is PKI_NOT_RSA", async function () {
    const w = await testWorld();
    const { privateKey: ec } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const { createPrivateKey } = await import("node:crypto");
    const caKey = createPrivateKey(readFileSync(join(w.dir, "ca", "auth-gen2.key.pem")));
    const der = issueCertificate(
      {
        serial: Uint8Array.of(7),
        issuer: CA_NAMES.auth,
        subject: [
          ["C", "JP"],
          ["CN", "DEVPKI-NEXT-GENERATION"],
        ],
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 86_400_000),
        subjectKey: ec,
        extensions: [],
      },
      caKey,
    );
    expect(() => parseCertificate(der))
      .to.throw(PkiError)
      .with.property("code", "PKI_NOT_RSA");
  });

  it("an unsupported signature algorithm is PKI_UNSUPPORTED_ALGORITHM (certificate and CRL)", async function () {
    const w = await testWorld();
    const sha256Rsa = Buffer.from("06092a864886f70d01010b", "hex");
    const toSha1 = (src: Uint8Array) => {
      const b = Buffer.from(src);
      let n = 0;
      for (let i = b.indexOf(sha256Rsa); i >= 0; i = b.indexOf(sha256Rsa, i + 1)) {
        b[i + sha256Rsa.length - 1] = 0x05; // sha1WithRSAEncryption
        n++;
      }
      expect(n).to.equal(2);
      return new Uint8Array(b);
    };
    expect(() => parseCertificate(toSha1(w.read(w.holder("adult").auth.cert))))
      .to.throw(PkiError)
      .with.property("code", "PKI_UNSUPPORTED_ALGORITHM");
    expect(() => openCrl(toSha1(w.read(w.manifest.crls[0]!.path))))
      .to.throw(PkiError)
      .with.property("code", "PKI_UNSUPPORTED_ALGORITHM");
    expect(OID.sha256WithRSA).to.equal("1.2.840.113549.1.1.11");
  });

  it("a certificate whose AKI matches no anchor fails the chain check (a result)", async function () {
    const w = await testWorld();
    const c = w.cert(w.holder("adult").auth.cert);
    expect(verifyChain(c, [], NOW)).to.deep.equal({ ok: false, failures: ["issuer-not-found"] });
    expect(verifyChain(c, [w.ca("sign-gen1"), w.ca("sign-gen2")], NOW).failures).to.deep.equal(["issuer-not-found"]);
  });
});
