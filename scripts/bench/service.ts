/**
 * Load test of the operator service (`npm run bench:service` → `reports/service.json`).
 *
 * An in-process chain with a v2 registry, the service on a loopback port, and 20 concurrent HTTP clients sending a
 * shuffled mix of: valid proof requests (one card and one fresh wallet each; every fourth with the signing
 * certificate and all claims), exact duplicates of some of them, and bad requests (malformed JSON, schema
 * violations, tampered digests, revoked and expired cards, another operator named). Checks afterwards that every
 * valid request was attested exactly once (one `Attested` event per subject, its store row active), every bad one
 * got a typed 4xx, and nothing got a 5xx.
 *
 * The synthetic PKI (one card per valid request: RSA key generation is the cost, ~10 min for 230 holders on a busy
 * 2-core machine) is cached per day under `.kyc/bench/`. Environment: `BENCH_VALID` (default 210), `BENCH_CLIENTS`
 * (20), `BENCH_CONCURRENCY` (attestations sent at once, default 4: the node manages the attester account's nonces),
 * `BENCH_PRECHECK=0` (no read-only check before the lane).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Wallet } from "ethers";
import { network } from "hardhat";

import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { proofRequestToJson, type ProofRequestJson } from "../../src/binding/proof-request.js";
import { readBindingFromRegistry } from "../../src/binding/registry-binding.js";
import { signBindingWithWallet } from "../../src/binding/wallet-consent.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import { Claim } from "../../src/claims.js";
import { caAddCommand } from "../../src/operator/commands/admin.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { DEV_OPERATOR_SECRET } from "../../src/operator/derive.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { generateDevPki } from "../../src/pki/dev-pki/generate.js";
import type { DevPkiHolder, DevPkiManifest } from "../../src/pki/dev-pki/manifest.js";
import { commandActions } from "../../src/service/command-actions.js";
import { createOperatorService } from "../../src/service/operator-service.js";
import { deployRegistryFixture } from "../../test/helpers/registry-fixture.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const VALID = Number(process.env.BENCH_VALID ?? 210);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PRECHECK = process.env.BENCH_PRECHECK !== "0";
const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

type Kind = "valid" | "duplicate" | "bad";
interface Job {
  readonly kind: Kind;
  readonly subject?: string;
  readonly label: string;
  readonly body: string;
}
interface Outcome {
  readonly job: Job;
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly ms: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The day's synthetic PKI with `holders` holders, generated once and cached. */
async function benchPki(holders: number): Promise<{ dir: string; manifest: DevPkiManifest }> {
  const day = new Date().toISOString().slice(0, 10);
  const base = path.join(root, ".kyc", "bench");
  const existing = existsSync(base)
    ? readdirSync(base)
        .map((n) => /^pki-(\d+)-(\d{4}-\d\d-\d\d)$/.exec(n))
        .filter((m): m is RegExpExecArray => m !== null && m[2] === day && Number(m[1]) >= holders)
    : [];
  if (existing.length > 0) {
    const dir = path.join(base, existing[0]![0]);
    return { dir, manifest: JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as DevPkiManifest };
  }
  const dir = path.join(base, `pki-${holders}-${day}`);
  log(`generating a synthetic PKI with ${holders} holders (RSA key generation; cached in ${dir})…`);
  const t = Date.now();
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const manifest = await generateDevPki({ out: tmp, holders });
  renameSync(tmp, dir);
  log(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  return { dir, manifest };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function shuffle<T>(items: T[], seed = 7): T[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function main(): Promise<void> {
  const { dir, manifest } = await benchPki(VALID + 20);
  const { ethers } = await network.create();
  const f = await deployRegistryFixture(ethers);
  const tmp = mkdtempSync(path.join(tmpdir(), "kyc-bench-service-"));
  const ctx: OperatorContext = { provider: ethers.provider, signer: f.attester, projectRoot: tmp };
  for (const file of readdirSync(path.join(dir, "ca")).filter((n) => n.endsWith(".der"))) {
    await caAddCommand(
      { ...ctx, signer: f.anchorManager },
      { file: path.join(dir, "ca", file), synthetic: true, registry: f.address },
    );
  }
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  const proof = async (holder: DevPkiHolder, wallet: Wallet, disclose: number, attester = f.attester.address) => {
    const binding = await readBindingFromRegistry(ethers.provider, {
      registry: f.address,
      subject: wallet.address,
      attester,
      disclose,
      deadline: now + 7200n,
    });
    const subjectSignature = await signBindingWithWallet(wallet, binding);
    const card = await openCardSigner(`virtual:${path.join(dir, "holders", holder.id)}`);
    try {
      const withSign = disclose !== Claim.AUTH && holder.sign !== undefined;
      const request = await createProofRequest({
        card,
        binding,
        subjectSignature,
        pin: "1234",
        ...(withSign ? { signPassword: "ABC123" } : {}),
      });
      return proofRequestToJson(request);
    } finally {
      await card.close();
    }
  };

  // ---- the requests ----
  log(`preparing ${VALID} valid proof requests (virtual cards, fresh wallets)…`);
  const good = manifest.holders.filter((h) => h.auth.status === "good");
  if (good.length < VALID) throw new Error(`the PKI has ${good.length} usable cards, ${VALID} needed`);
  const jobs: Job[] = [];
  const validBodies: Array<{ subject: string; body: ProofRequestJson }> = [];
  for (let i = 0; i < VALID; i++) {
    const holder = good[i]!;
    const wallet = Wallet.createRandom() as unknown as Wallet;
    const disclose = i % 4 === 0 && holder.sign !== undefined && !holder.minor ? ALL : Claim.AUTH;
    const body = await proof(holder, wallet, disclose);
    validBodies.push({ subject: wallet.address, body });
    jobs.push({ kind: "valid", subject: wallet.address, label: "valid", body: JSON.stringify(body) });
  }
  // Exact duplicates of every 7th valid request.
  for (let i = 0; i < VALID; i += 7) {
    const v = validBodies[i]!;
    jobs.push({ kind: "duplicate", subject: v.subject, label: "duplicate", body: JSON.stringify(v.body) });
  }
  // Bad ones.
  const sample = validBodies[0]!.body;
  const bad = (label: string, body: string) => jobs.push({ kind: "bad", label, body });
  for (let i = 0; i < 6; i++) bad("not JSON", `{"format": "jpki-kyc/proof-request@2", ${"x".repeat(i)}`);
  for (let i = 0; i < 4; i++) bad("empty object", "{}");
  for (let i = 0; i < 4; i++) bad("unknown field", JSON.stringify({ ...sample, [`extra${i}`]: i }));
  for (let i = 0; i < 4; i++)
    bad("tampered disclose", JSON.stringify({ ...sample, binding: { ...sample.binding, disclose: 15 - i * 2 } }));
  for (let i = 0; i < 3; i++) bad("v1 format", JSON.stringify({ ...sample, format: "jpki-kyc/proof-request@1" }));
  for (let i = 0; i < 3; i++) bad("oversized", JSON.stringify({ ...sample, createdAt: "9".repeat(40_000) }));
  for (const scenario of ["revoked-key-compromise", "revoked-hold", "expired", "not-yet-valid"]) {
    const holder = manifest.holders.find((h) => h.scenario === scenario)!;
    const body = await proof(holder, Wallet.createRandom() as unknown as Wallet, Claim.AUTH);
    bad(`card ${scenario}`, JSON.stringify(body));
  }
  for (let i = 0; i < 3; i++) {
    const body = await proof(
      good[VALID + i]!,
      Wallet.createRandom() as unknown as Wallet,
      Claim.AUTH,
      f.attester2.address,
    );
    bad("another operator", JSON.stringify(body));
  }
  shuffle(jobs);

  // ---- the service ----
  const storePath = path.join(tmp, "operator.sqlite");
  const store = OperatorStore.open(storePath);
  const client = await RegistryClient.connect(f.attester, f.address);
  const logLines: string[] = [];
  const { Writable } = await import("node:stream");
  const service = await createOperatorService({
    client,
    store,
    secret: DEV_OPERATOR_SECRET,
    caDir: path.join(dir, "ca"),
    crl: path.join(dir, "crl"),
    actions: commandActions(ctx, {
      registry: f.address,
      storePath,
      crl: path.join(dir, "crl"),
      caDir: path.join(dir, "ca"),
    }),
    // All bench clients share 127.0.0.1: the per-client limit is set above the test's volume.
    rateLimitPerMinute: 100_000,
    crlSyncIntervalMs: 0,
    submissionConcurrency: CONCURRENCY,
    precheck: PRECHECK,
    defaultMetrics: false,
    logStream: new Writable({
      write(chunk: Buffer, _e, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
  const url = await service.listen("127.0.0.1", 0);
  log(`service on ${url}; ${jobs.length} requests from ${CLIENTS} clients (lane concurrency ${CONCURRENCY})…`);

  // ---- the load ----
  const outcomes: Outcome[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const job = jobs[next++];
        if (job === undefined) return;
        const t = performance.now();
        const res = await fetch(`${url}/v1/attestations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: job.body,
        });
        const text = await res.text();
        let code: string | undefined;
        let message: string | undefined;
        try {
          const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
          code = error?.code;
          message = error?.message;
        } catch {
          code = undefined;
        }
        outcomes.push({ job, status: res.status, code, message, ms: performance.now() - t });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  // ---- the checks ----
  const events = await f.registry.queryFilter(f.registry.filters.Attested());
  const perSubject = new Map<string, number>();
  for (const e of events) {
    const s = String(e.args[0]).toLowerCase();
    perSubject.set(s, (perSubject.get(s) ?? 0) + 1);
  }
  const subjects = [...new Set(validBodies.map((v) => v.subject.toLowerCase()))];
  let attested = 0;
  let lost = 0;
  let doubled = 0;
  for (const s of subjects) {
    const n = perSubject.get(s) ?? 0;
    const row = await store.live(client.chainId, f.address, s);
    const ok201 = outcomes.filter((o) => o.job.subject?.toLowerCase() === s && o.status === 201).length;
    if (n === 1 && row?.status === "active" && ok201 === 1) attested++;
    else lost++;
    if (n > 1 || ok201 > 1) doubled++;
  }
  const typed = (o: Outcome) => o.status >= 400 && o.status < 500 && typeof o.code === "string";
  const dup = outcomes.filter((o) => o.job.kind === "duplicate");
  // A duplicate pair is fine when exactly one of its two sends attested and the other was refused typed.
  const duplicatesRefused = subjects.reduce((acc, s) => {
    const pair = outcomes.filter((o) => o.job.subject?.toLowerCase() === s);
    if (pair.length < 2) return acc;
    return acc + pair.filter((o) => o.status !== 201 && typed(o)).length;
  }, 0);
  const badOutcomes = outcomes.filter((o) => o.job.kind === "bad");
  const badRefused = badOutcomes.filter(typed).length;
  const status5xx = outcomes.filter((o) => o.status >= 500).length;
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const validLatencies = outcomes
    .filter((o) => o.status === 201)
    .map((o) => o.ms)
    .sort((a, b) => a - b);
  const byCode: Record<string, number> = {};
  for (const o of outcomes) byCode[`${o.status} ${o.code ?? "-"}`] = (byCode[`${o.status} ${o.code ?? "-"}`] ?? 0) + 1;
  const report = {
    requests: outcomes.length,
    clients: CLIENTS,
    valid: VALID,
    attested,
    duplicates: dup.length,
    duplicatesRefused,
    bad: badOutcomes.length,
    badRefused,
    status5xx,
    lost,
    doubleAttested: doubled,
    throughputRps: Number((outcomes.length / seconds).toFixed(1)),
    attestedPerSecond: Number((attested / seconds).toFixed(1)),
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    p95AttestedMs: Math.round(percentile(validLatencies, 95)),
    wallSeconds: Number(seconds.toFixed(1)),
    laneConcurrency: CONCURRENCY,
    precheck: PRECHECK,
    outcomes: byCode,
    chain: "Hardhat in-process (EDR, automine)",
    at: new Date().toISOString(),
  };
  const ok =
    attested === VALID &&
    lost === 0 &&
    doubled === 0 &&
    status5xx === 0 &&
    duplicatesRefused === dup.length &&
    badRefused === badOutcomes.length;
  await service.close();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(root, "reports"), { recursive: true });
  writeFileSync(path.join(root, "reports", "service.json"), JSON.stringify({ ...report, ok }, null, 2) + "\n");
  console.log(JSON.stringify({ ...report, ok }, null, 2));
  if (!ok) {
    for (const o of outcomes.filter((x) => (x.job.kind === "bad" && !typed(x)) || x.status >= 500).slice(0, 10))
      log(`unexpected: ${o.job.label} → ${o.status} ${o.code ?? ""} ${o.message ?? ""}`);
    for (const o of outcomes.filter((x) => x.job.kind === "valid" && x.status !== 201).slice(0, 5))
      log(`valid request refused: ${o.status} ${o.code ?? ""} ${o.message ?? ""}`);
    process.exitCode = 1;
  }
}

await main();
