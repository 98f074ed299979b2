import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import certInspect from "../../tasks/actions/pki/cert-inspect.js";
import crlCheck from "../../tasks/actions/pki/crl-check.js";
import devPki from "../../tasks/actions/pki/dev-pki.js";
import { NOW, testWorld } from "./helpers/world.js";

const hre = {} as HardhatRuntimeEnvironment;

/** Runs a task action, capturing stdout, stderr and the exit code it sets. */
async function run(action: (args: never, hre: HardhatRuntimeEnvironment) => Promise<void>, args: object) {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  const before = process.exitCode;
  process.exitCode = undefined;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  process.stderr.write = ((chunk: string) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await action(args as never, hre);
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
  const code = process.exitCode ?? 0;
  process.exitCode = before;
  return { stdout: out.join("\n"), stderr: err.join(""), code };
}

describe("pki: kyc tasks", function () {
  this.timeout(60_000);

  it("kyc cert inspect --json prints the spec'd fields, attributes only with --show-attributes (and a warning)", async function () {
    const w = await testWorld();
    const h = w.holder("age-19");
    const file = join(w.dir, h.sign!.cert);
    const plain = await run(certInspect, { file, json: true, showAttributes: false });
    expect(plain.code).to.equal(0);
    const j = JSON.parse(plain.stdout);
    expect(j).to.include.keys(
      "kind",
      "serialHex",
      "notBefore",
      "notAfter",
      "subject",
      "issuer",
      "subjectKeyId",
      "authorityKeyId",
      "rsa",
      "policies",
      "crlDistributionPoint",
      "sha256Fingerprint",
      "jlisCa",
    );
    expect(j).to.not.have.property("attributes");
    expect(j.rsa).to.include({ exponent: 65537, bits: 2048 });
    expect(j.rsa.modulusHex).to.have.length(512);
    expect(plain.stdout).to.not.contain(h.attributes.name);
    expect(plain.stderr).to.equal("");
    const shown = await run(certInspect, { file, json: true, showAttributes: true });
    expect(JSON.parse(shown.stdout).attributes).to.include({
      name: h.attributes.name,
      dateOfBirth: h.attributes.dateOfBirth,
      era: "平成",
      address: h.attributes.address,
    });
    expect(shown.stderr).to.match(/personal data/);
  });

  it("kyc cert inspect on garbage: one line, exit 2", async function () {
    const p = join(mkdtempSync(join(tmpdir(), "pki-task-")), "junk.der");
    writeFileSync(p, Uint8Array.of(0x30, 0x82, 0xff, 0xff, 0x01));
    const r = await run(certInspect, { file: p, json: false, showAttributes: false });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/^Error \[PKI_MALFORMED\]/);
  });

  it("kyc crl check: exit 0 good, 1 revoked, 2 stale", async function () {
    const w = await testWorld();
    const at = NOW.toISOString();
    const ca = join(w.dir, "ca", "auth-gen2.der");
    const good = await run(crlCheck, {
      crl: join(w.dir, "crl"),
      ca,
      cert: join(w.dir, w.holder("adult").auth.cert),
      serial: undefined,
      at,
      json: true,
    });
    expect(good.code).to.equal(0);
    expect(JSON.parse(good.stdout)).to.deep.include({ status: "good" });
    const h = w.holder("revoked-key-compromise");
    const revoked = await run(crlCheck, {
      crl: join(w.dir, "crl"),
      ca,
      cert: join(w.dir, h.auth.cert),
      serial: undefined,
      at,
      json: true,
    });
    expect(revoked.code).to.equal(1);
    const j = JSON.parse(revoked.stdout);
    expect(j).to.include({ status: "revoked", reason: "keyCompromise" });
    expect(j.crl).to.include.keys("thisUpdate", "nextUpdate", "entries", "fresh", "signatureValid");
    const stale = await run(crlCheck, {
      crl: join(w.dir, "crl-stale"),
      ca,
      cert: join(w.dir, w.holder("adult").auth.cert),
      serial: undefined,
      at,
      json: false,
    });
    expect(stale.code).to.equal(2);
    expect(stale.stderr).to.match(/not fresh/);
    const missing = await run(crlCheck, { crl: undefined, ca, cert: undefined, serial: "01", at, json: false });
    expect(missing.code).to.equal(2);
  });

  it("kyc dev-pki writes a world and a summary", async function () {
    const out = mkdtempSync(join(tmpdir(), "pki-task-world-"));
    const r = await run(devPki, { out, seed: 2, holders: 1, now: NOW.toISOString() });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain("h01 adult");
    const m = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(m.holders).to.have.length(1);
    expect((await run(devPki, { out: undefined, seed: 1, holders: 1, now: undefined })).code).to.equal(2);
  });
});
