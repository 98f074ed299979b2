/**
 * `npm run bench:crl`: our streaming CRL verify + lookup against `openssl crl` on a generated 1,000,000-entry CRL.
 *
 * 1. In a temp folder: an RSA-2048 CA (JPKI authentication CA profile) and a CRL of ENTRIES entries (default
 *    1,000,000; override with BENCH_CRL_ENTRIES) written directly as DER, signed over the raw tbsCertList.
 * 2. RUNS times each (default 5, BENCH_CRL_RUNS), alternating: our reader in a fresh Node process (the TypeScript is
 *    bundled to plain JS first so that no loader sits in the measured process), and
 *    `openssl crl -inform DER -in crl.der -CAfile ca.pem -noout` (which verifies the signature).
 *    Wall time is measured around each child; peak RSS with `/usr/bin/time -v` when present, else from the child's
 *    own report (ours) and /proc sampling (openssl).
 * 3. Prints a comparison and writes reports/crl.json (medians).
 */
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { bits, derLength, int, nul, octets, oid, seq, time } from "../../src/pki/der-writer.js";
import {
  issueCertificate,
  encodeName,
  keyIdOf,
  keyUsageValue,
  basicConstraintsCa,
  skiValue,
  akiValue,
} from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";
import { OID } from "../../src/pki/oids.js";
import { toPem } from "../../src/pki/pem.js";

const ENTRIES = Number(process.env.BENCH_CRL_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_CRL_RUNS ?? 5);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const TIME = "/usr/bin/time";

interface Sample {
  wallMs: number;
  peakRssMb: number;
}

function serialOf(i: number): Buffer {
  // 8-byte serials, positive, unique: a fixed prefix byte and the index spread with a multiplier.
  const b = Buffer.alloc(8);
  b[0] = 0x1f;
  b.writeUIntBE((i * 2654435761) % 2 ** 40, 1, 5);
  b.writeUInt16BE(i & 0xffff, 6);
  return b;
}

function buildCrl(dir: string): { crlPath: string; caDer: string; caPem: string; present: string; absent: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
  const keyId = keyIdOf(privateKey);
  const now = Date.now();
  const caDerBytes = issueCertificate(
    {
      serial: Uint8Array.of(0x01),
      issuer: CA_NAMES.auth,
      subject: CA_NAMES.auth,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 3650 * 86_400_000),
      subjectKey: privateKey,
      extensions: [
        [OID.keyUsage, true, keyUsageValue([5, 6])],
        [OID.basicConstraints, true, basicConstraintsCa()],
        [OID.subjectKeyIdentifier, false, skiValue(keyId)],
      ],
    },
    privateKey,
  );
  const caDer = join(dir, "ca.der");
  const caPem = join(dir, "ca.pem");
  writeFileSync(caDer, caDerBytes);
  writeFileSync(caPem, toPem(caDerBytes, "CERTIFICATE"));

  // Entries, written straight into one buffer.
  const reasonExt = (code: number) =>
    Buffer.from([0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, code]);
  const revokedAt = Buffer.from(time(new Date(now - 30 * 86_400_000)));
  const reasons = [1, 3, 4, 5, 6, 0];
  const chunks: Buffer[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const s = serialOf(i);
    const serialTlv =
      s[0]! & 0x80
        ? Buffer.concat([Buffer.from([0x02, 0x09, 0x00]), s])
        : Buffer.concat([Buffer.from([0x02, 0x08]), s]);
    const code = reasons[i % reasons.length]!;
    const ext = code === 0 ? Buffer.alloc(0) : reasonExt(code);
    const bodyLen = serialTlv.length + revokedAt.length + ext.length;
    chunks.push(Buffer.from([0x30, bodyLen]), serialTlv, revokedAt, ext);
  }
  const list = Buffer.concat(chunks);
  const listTlv = Buffer.concat([Buffer.from([0x30]), derLength(list.length), list]);
  const exts = Buffer.from(
    seq(seq(oid(OID.authorityKeyIdentifier), octets(akiValue(keyId))), seq(oid(OID.cRLNumber), octets(int(1)))),
  );
  const head = Buffer.concat([
    int(1),
    seq(oid(OID.sha256WithRSA), nul()),
    encodeName(CA_NAMES.auth),
    time(new Date(now - 3600_000)),
    time(new Date(now + 2 * 86_400_000)),
  ]);
  const extWrapped = Buffer.concat([Buffer.from([0xa0]), derLength(exts.length), exts]);
  const tbsBody = Buffer.concat([head, listTlv, extWrapped]);
  const tbs = Buffer.concat([Buffer.from([0x30]), derLength(tbsBody.length), tbsBody]);
  const signature = sign("sha256", tbs, privateKey);
  const tail = Buffer.concat([seq(oid(OID.sha256WithRSA), nul()), bits(signature)]);
  const total = tbs.length + tail.length;
  const crl = Buffer.concat([Buffer.from([0x30]), derLength(total), tbs, tail]);
  const crlPath = join(dir, "crl.der");
  writeFileSync(crlPath, crl);
  return {
    crlPath,
    caDer,
    caPem,
    present: serialOf(Math.floor(ENTRIES / 2)).toString("hex"),
    absent: "7fffffffffffff01",
  };
}

async function bundleChild(dir: string): Promise<string[]> {
  const out = join(dir, "crl-child.mjs");
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: [join(here, "crl-child.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      outfile: out,
      logLevel: "error",
      // pkijs pulls in CommonJS code that calls require(): give the ESM bundle one.
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
      absWorkingDir: root,
    });
    return [out];
  } catch (error) {
    console.warn(`(esbuild unavailable, running the child through tsx: its loader adds memory) ${String(error)}`);
    return ["--import", "tsx", join(here, "crl-child.ts")];
  }
}

/** Runs a command, returns wall time, peak RSS (via /usr/bin/time -v when present) and stdout. */
async function measure(cmd: string, args: string[]): Promise<Sample & { stdout: string; selfRssMb?: number }> {
  const useTime = existsSync(TIME);
  const argv = useTime ? ["-v", cmd, ...args] : args;
  const bin = useTime ? TIME : cmd;
  const start = performance.now();
  const child = spawn(bin, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  let stdout = "";
  let stderr = "";
  let sampledKb = 0;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const sampler = useTime
    ? undefined
    : setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          const m = /VmHWM:\s+(\d+) kB/.exec(status);
          if (m) sampledKb = Math.max(sampledKb, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 5);
  const code: number = await new Promise((res) => child.on("close", (c) => res(c ?? -1)));
  const wallMs = performance.now() - start;
  if (sampler) clearInterval(sampler);
  if (code !== 0) throw new Error(`${cmd} exited with ${code}: ${stderr.slice(-500)}`);
  let peakKb = sampledKb;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (m) peakKb = Number(m[1]);
  return { wallMs, peakRssMb: peakKb / 1024, stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-crl-"));
  try {
    const t0 = performance.now();
    const { crlPath, caDer, caPem, present, absent } = buildCrl(dir);
    const sizeMb = readFileSync(crlPath).length / 1024 / 1024;
    console.log(
      `CRL: ${ENTRIES.toLocaleString("en")} entries, ${sizeMb.toFixed(1)} MB, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const childArgs = await bundleChild(dir);
    const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout.trim();
    const ours: Sample[] = [];
    const inMemory: Sample[] = [];
    const theirs: Sample[] = [];
    let ourResult:
      { entries: number; signatureValid: boolean; lookups: { serial: string; revoked: boolean }[] } | undefined;
    for (let r = 0; r < RUNS; r++) {
      const a = await measure(process.execPath, [...childArgs, "scan", crlPath, caDer, present, absent]);
      ourResult = JSON.parse(a.stdout.trim().split("\n").pop()!);
      if (!ourResult!.signatureValid || ourResult!.entries !== ENTRIES)
        throw new Error(`our reader failed: ${a.stdout}`);
      if (!ourResult!.lookups[0]!.revoked || ourResult!.lookups[1]!.revoked) throw new Error("wrong lookup result");
      ours.push(a);
      const c = await measure(process.execPath, [...childArgs, "open", crlPath, caDer, present, absent]);
      const cr = JSON.parse(c.stdout.trim().split("\n").pop()!);
      if (!cr.signatureValid || cr.entries !== ENTRIES || !cr.lookups[0].revoked)
        throw new Error(`openCrl failed: ${c.stdout}`);
      inMemory.push(c);
      const b = await measure("openssl", ["crl", "-inform", "DER", "-in", crlPath, "-CAfile", caPem, "-noout"]);
      theirs.push(b);
      console.log(
        `run ${r + 1}: ours (scan) ${a.wallMs.toFixed(0)} ms / ${a.peakRssMb.toFixed(1)} MB   in-memory ${c.wallMs.toFixed(0)} ms / ${c.peakRssMb.toFixed(1)} MB   openssl ${b.wallMs.toFixed(0)} ms / ${b.peakRssMb.toFixed(1)} MB`,
      );
    }
    const report = {
      entries: ENTRIES,
      crlBytes: readFileSync(crlPath).length,
      runs: RUNS,
      openssl: {
        version: openssl,
        command: "openssl crl -inform DER -in crl.der -CAfile ca.pem -noout",
        wallMs: Math.round(median(theirs.map((s) => s.wallMs))),
        peakRssMb: Number(median(theirs.map((s) => s.peakRssMb)).toFixed(1)),
        samples: theirs.map((s) => ({ wallMs: Math.round(s.wallMs), peakRssMb: Number(s.peakRssMb.toFixed(1)) })),
      },
      ours: {
        what: "node: scanCrlFile (one streaming pass: validate + count + duplicate check every entry, verify signature over the raw tbsCertList, look up 2 serials)",
        wallMs: Math.round(median(ours.map((s) => s.wallMs))),
        peakRssMb: Number(median(ours.map((s) => s.peakRssMb)).toFixed(1)),
        samples: ours.map((s) => ({ wallMs: Math.round(s.wallMs), peakRssMb: Number(s.peakRssMb.toFixed(1)) })),
      },
      oursInMemory: {
        what: "node: read file, openCrl (validate + count + index every entry), verifySignature, lookup 2 serials",
        wallMs: Math.round(median(inMemory.map((s) => s.wallMs))),
        peakRssMb: Number(median(inMemory.map((s) => s.peakRssMb)).toFixed(1)),
      },
      rssMethod: existsSync(TIME) ? "/usr/bin/time -v (max RSS)" : "/proc VmHWM sampling",
      target: { timeRatio: 0.5, memoryRatio: 0.25 },
      timeRatio: 0,
      memoryRatio: 0,
      meetsTarget: false,
      node: process.version,
      at: new Date().toISOString(),
    };
    report.timeRatio = Number((report.ours.wallMs / report.openssl.wallMs).toFixed(3));
    report.memoryRatio = Number((report.ours.peakRssMb / report.openssl.peakRssMb).toFixed(3));
    report.meetsTarget = report.timeRatio <= 0.5 && report.memoryRatio <= 0.25;
    mkdirSync(join(root, "reports"), { recursive: true });
    writeFileSync(join(root, "reports", "crl.json"), JSON.stringify(report, null, 2) + "\n");
    console.log("");
    console.log(`                 wall (median)   peak RSS (median)`);
    console.log(
      `openssl crl      ${String(report.openssl.wallMs).padStart(8)} ms   ${report.openssl.peakRssMb.toFixed(1).padStart(10)} MB`,
    );
    console.log(
      `ours             ${String(report.ours.wallMs).padStart(8)} ms   ${report.ours.peakRssMb.toFixed(1).padStart(10)} MB`,
    );
    console.log(
      `ratio            ${report.timeRatio.toFixed(3).padStart(11)}   ${report.memoryRatio.toFixed(3).padStart(13)}    (target ≤ 0.5, ≤ 0.25)`,
    );
    console.log(`${report.meetsTarget ? "MEETS" : "MISSES"} the target. Written reports/crl.json`);
    if (!report.meetsTarget) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
