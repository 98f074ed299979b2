import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet } from "ethers";

import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import { Claim } from "../../src/claims.js";
import { relayCommand } from "../../src/operator/commands/relay.js";
import { parseRelayFile } from "../../src/operator/relay-file.js";
import { readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { piiFromCertificate } from "../../src/operator/pii-material.js";
import { findPii } from "../../src/privacy/pii-guard.js";
import { crlsWithRevoked } from "../operator/helpers/dev-world.js";
import { ADMIN_TOKEN, get, post, serviceWorld, spareSigner, type ServiceWorld } from "./helpers/service-world.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

/** Every refusal is typed, one line, with no stack trace, and never a 5xx. */
function expectRefusal(r: { status: number; body: any; text: string }, status: number, code: string): void {
  expect(r.status, r.text).to.equal(status);
  expect(r.body?.error?.code, r.text).to.equal(code);
  expect(r.body.error.message).to.be.a("string").and.not.include("\n");
  expect(r.text).not.to.match(/\bat .*\.(ts|js):\d+/);
}

describe("operator service: HTTP API (in-process chain, dev-pki virtual cards)", function () {
  this.timeout(300_000);
  let sw: ServiceWorld;
  let url: string;
  let logs: { text: string };
  const allLogs: Array<{ text: string }> = [];
  const served: Array<{ der: Uint8Array; sign?: Uint8Array }> = [];

  before(async function () {
    sw = await serviceWorld();
    const s = await sw.start();
    url = s.url;
    logs = s.logs;
    allLogs.push(s.logs);
  });
  after(async function () {
    await sw?.close();
  });

  function remember(body: { authCertificate: string; signCertificate?: string }): void {
    served.push({
      der: Buffer.from(body.authCertificate, "base64"),
      ...(body.signCertificate !== undefined ? { sign: Buffer.from(body.signCertificate, "base64") } : {}),
    });
  }

  it("attests a valid proof request: 201 with the transaction; the status route shows it on chain and in the store", async function () {
    const alice = sw.f.alice;
    const body = await sw.proof("adult", alice, ALL, true);
    remember(body);
    const r = await post(`${url}/v1/attestations`, body);
    expect(r.status, r.text).to.equal(201);
    expect(r.body).to.include({ mode: "direct", subject: alice.address, claims: ALL, identity: true });
    expect(r.body.tx.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect(Number(r.body.tx.gasUsed)).to.be.greaterThan(0);
    expect(await sw.f.registry.hasClaims(alice.address, ALL)).to.equal(true);
    // The calldata carries nothing from the certificates (the same PII guard as kyc attest ran).
    const tx = await sw.ethers.provider.getTransaction(r.body.tx.hash);
    const sign = parseCertificate(Buffer.from(body.signCertificate!, "base64"));
    expect(
      findPii(tx!.data, [
        piiFromCertificate("auth", parseCertificate(Buffer.from(body.authCertificate, "base64"))),
        piiFromCertificate("sign", sign, readSigningAttributes(sign), true),
      ]),
    ).to.deep.equal([]);
    const status = await get(`${url}/v1/attestations/${alice.address.toLowerCase()}`);
    expect(status.status).to.equal(200);
    expect(status.body.verified).to.equal(true);
    expect(status.body.chain).to.include({ status: "Active", claims: ALL });
    expect(status.body.operator).to.include({ status: "active", txHash: r.body.tx.hash.toLowerCase() });
    // The same request again: its nonce was consumed; refused as a failed check, no second transaction.
    const again = await post(`${url}/v1/attestations`, body);
    expectRefusal(again, 422, "OPERATOR_CHECK_FAILED");
    expect(again.body.error.failures.join(" ")).to.match(/nonce is stale/);
    const events = await sw.f.registry.queryFilter(sw.f.registry.filters.Attested(alice.address));
    expect(events).to.have.length(1);
  });

  it("serialises concurrent requests for the same subject or the same card: one transaction, the others a typed 409/422", async function () {
    // Four attestations may be sent at once here (a node-managed account): only the locks keep duplicates apart.
    const fast = await sw.start({ submissionConcurrency: 4 });
    allLogs.push(fast.logs);
    const bob = sw.f.bob;
    const body = await sw.proof("age-19", bob, Claim.AUTH, false);
    remember(body);
    const results = await Promise.all(Array.from({ length: 6 }, () => post(`${fast.url}/v1/attestations`, body)));
    const statuses = results.map((r) => r.status).sort();
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(statuses),
    ).to.have.length(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([409, 422], r.text).to.include(r.status);
      expect(["SERVICE_BUSY", "OPERATOR_CHECK_FAILED"]).to.include(r.body.error.code);
    }
    expect(results.some((r) => r.body?.error?.code === "SERVICE_BUSY")).to.equal(true);
    expect(await sw.f.registry.queryFilter(sw.f.registry.filters.Attested(bob.address))).to.have.length(1);

    // One card, two subjects at once (the card key lock): exactly one lands.
    const s1 = await spareSigner(sw.ethers, 10);
    const s2 = await spareSigner(sw.ethers, 11);
    const [b1, b2] = [await sw.proof("age-17", s1, Claim.AUTH, false), await sw.proof("age-17", s2, Claim.AUTH, false)];
    const pair = await Promise.all([post(`${fast.url}/v1/attestations`, b1), post(`${fast.url}/v1/attestations`, b2)]);
    expect(pair.map((r) => r.status).filter((s) => s === 201)).to.have.length(1);
    const loser = pair.find((r) => r.status !== 201)!;
    expect([409, 422]).to.include(loser.status);
    const verified = [await sw.f.registry.isVerified(s1.address), await sw.f.registry.isVerified(s2.address)];
    expect(verified.filter(Boolean)).to.have.length(1);
  });

  it("answers SERVICE_TIMEOUT when an attestation takes too long, keeps its keys locked until it settles, and it lands once", async function () {
    const slow = await sw.start({ handlerTimeoutMs: 1, submissionConcurrency: 4 });
    allLogs.push(slow.logs);
    const subject = await spareSigner(sw.ethers, 13);
    const body = await sw.proof("sign-affiliation-changed", subject, Claim.AUTH, false);
    remember(body);
    const first = await post(`${slow.url}/v1/attestations`, body);
    expectRefusal(first, 503, "SERVICE_TIMEOUT");
    // The first one is still running: the same request again is refused, it does not start a second transaction.
    expectRefusal(await post(`${slow.url}/v1/attestations`, body), 409, "SERVICE_BUSY");
    for (let i = 0; i < 100 && !(await sw.f.registry.isVerified(subject.address)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = await get(`${slow.url}/v1/attestations/${subject.address}`);
    expect(status.body.chain.status).to.equal("Active");
    await new Promise((r) => setTimeout(r, 200));
    expect((await sw.store.live(sw.client.chainId, sw.f.address, subject.address))?.status).to.equal("active");
    expect(await sw.f.registry.queryFilter(sw.f.registry.filters.Attested(subject.address))).to.have.length(1);
  });

  it("refuses a failing request at once even while the submission lane is busy (the checks run before it queues)", async function () {
    const busy = await sw.start({ handlerTimeoutMs: 5_000 });
    allLogs.push(busy.logs);
    let open!: () => void;
    const blocked = busy.service.lane.run(() => new Promise<void>((r) => (open = r)), true);
    try {
      const revoked = await sw.proof("revoked-hold", Wallet.createRandom(), Claim.AUTH, false);
      const t = Date.now();
      const r = await post(`${busy.url}/v1/attestations`, revoked);
      expectRefusal(r, 422, "OPERATOR_CHECK_FAILED");
      expect(Date.now() - t).to.be.lessThan(4_000);
      expect(busy.service.lane.waiting).to.equal(0);
    } finally {
      open();
      await blocked;
    }
  });

  it("refuses every malformed request with a typed 4xx and never a 5xx", async function () {
    const carol = sw.f.carol;
    const good = await sw.proof("minor-12", carol, Claim.AUTH, false);
    // Not JSON.
    expectRefusal(await post(`${url}/v1/attestations`, "{not json"), 400, "SERVICE_BAD_REQUEST");
    // Empty body.
    expectRefusal(await post(`${url}/v1/attestations`, ""), 400, "SERVICE_BAD_REQUEST");
    // Too large.
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, createdAt: "x".repeat(64 * 1024) }),
      413,
      "SERVICE_TOO_LARGE",
    );
    // Not JSON content.
    const form = await fetch(`${url}/v1/attestations`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    const formText = await form.text();
    expectRefusal(
      { status: form.status, body: JSON.parse(formText), text: formText },
      415,
      "SERVICE_UNSUPPORTED_MEDIA_TYPE",
    );
    // Schema violations: an unknown field, a missing field, a wrong type, a bad address.
    expectRefusal(await post(`${url}/v1/attestations`, { ...good, extra: 1 }), 400, "SERVICE_BAD_REQUEST");
    const { authSignature: _drop, ...missing } = good;
    expectRefusal(await post(`${url}/v1/attestations`, missing), 400, "SERVICE_BAD_REQUEST");
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, binding: { ...good.binding, disclose: "1" } }),
      400,
      "SERVICE_BAD_REQUEST",
    );
    expectRefusal(await post(`${url}/v1/attestations`, [good]), 400, "SERVICE_BAD_REQUEST");
    // A protocol v1 file.
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, format: "jpki-kyc/proof-request@1" }),
      400,
      "SERVICE_BAD_REQUEST",
    );
    // A digest that does not match the binding (tampered claims).
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, binding: { ...good.binding, disclose: ALL } }),
      422,
      "BINDING_DIGEST_MISMATCH",
    );
    // A certificate that is not DER.
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, authCertificate: Buffer.from("junk").toString("base64") }),
      400,
      "BINDING_MALFORMED",
    );
    // Another chain: a well-formed binding for chain 1.
    const other = { ...good.binding, chainId: "1" };
    const digest = computeBindingDigest({
      chainId: 1n,
      registry: other.registry,
      subject: other.subject,
      attester: other.attester,
      disclose: other.disclose,
      nonce: BigInt(other.nonce),
      deadline: BigInt(other.deadline),
    });
    expectRefusal(
      await post(`${url}/v1/attestations`, { ...good, binding: { ...other, digest } }),
      422,
      "CHAIN_WRONG_NETWORK",
    );
    // Another operator named in the binding.
    const foreign = await sw.proof("adult", carol, Claim.AUTH, false, sw.f.attester2.address);
    const r = await post(`${url}/v1/attestations`, foreign);
    expectRefusal(r, 422, "OPERATOR_CHECK_FAILED");
    expect(r.body.error.failures.join(" ")).to.match(/another operator/);
    // A revoked card.
    const revoked = await sw.proof("revoked-key-compromise", Wallet.createRandom(), Claim.AUTH, false);
    remember(revoked);
    const rr = await post(`${url}/v1/attestations`, revoked);
    expectRefusal(rr, 422, "OPERATOR_CHECK_FAILED");
    expect(rr.body.error.failures.join(" ")).to.match(/revoked/);
    // Malformed HTTP itself.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), "127.0.0.1", () => socket.write("GARBAGE / HTTP/9.9\r\n\r\n"));
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(raw).to.match(/^HTTP\/1\.1 400/);
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)).error.code).to.equal("SERVICE_BAD_REQUEST");
    // Unknown routes and bad parameters.
    expectRefusal(await get(`${url}/v1/nothing`), 404, "SERVICE_NOT_FOUND");
    expectRefusal(await get(`${url}/v1/attestations/not-an-address`), 400, "SERVICE_BAD_REQUEST");
    expectRefusal(await post(`${url}/v1/attestations?mode=later`, good), 400, "SERVICE_BAD_REQUEST");
    // Nothing was written for any of them, and the good request still attests.
    expect(await sw.store.bySubject(sw.client.chainId, sw.f.address, carol.address)).to.deep.equal([]);
    const ok = await post(`${url}/v1/attestations`, good);
    expect(ok.status, ok.text).to.equal(201);
  });

  it("rate-limits each client with a typed 429", async function () {
    const limited = await sw.start({ rateLimitPerMinute: 3 });
    allLogs.push(limited.logs);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await get(`${limited.url}/v1/attestations/${sw.f.alice.address}`);
      statuses.push(last.status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
    expectRefusal(last!, 429, "SERVICE_RATE_LIMITED");
    // Health and metrics are not rate-limited.
    expect((await get(`${limited.url}/healthz`)).status).to.equal(200);
  });

  it("signs a relay package when asked; the store row settles when the service restarts", async function () {
    const subject = await spareSigner(sw.ethers, 12);
    const body = await sw.proof("leap-day", subject, Claim.AUTH, false);
    remember(body);
    const r = await post(`${url}/v1/attestations?mode=relay&relayMinutes=30`, body);
    expect(r.status, r.text).to.equal(200);
    expect(r.body.mode).to.equal("relay");
    const relay = parseRelayFile(JSON.stringify(r.body.relay));
    expect(relay.attester).to.equal(sw.f.attester.address);
    expect(await sw.f.registry.isVerified(subject.address)).to.equal(false);
    const file = join(sw.tmp, "relay.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, JSON.stringify(r.body.relay));
    await relayCommand(sw.ctx(sw.f.stranger), { in: file });
    expect(await sw.f.registry.isVerified(subject.address)).to.equal(true);
    const restarted = await sw.start();
    allLogs.push(restarted.logs);
    expect(restarted.service.reconciled.activated).to.equal(1);
    expect((await sw.store.live(sw.client.chainId, sw.f.address, subject.address))?.status).to.equal("active");
  });

  it("admin routes need the bearer token (constant-time compare); revoke and crl-sync work with it", async function () {
    const target = sw.f.alice.address;
    const wrong = "x".repeat(ADMIN_TOKEN.length);
    expectRefusal(await post(`${url}/v1/admin/revoke`, { subject: target }), 401, "SERVICE_UNAUTHORIZED");
    expectRefusal(
      await post(`${url}/v1/admin/revoke`, { subject: target }, { authorization: `Bearer ${wrong}` }),
      401,
      "SERVICE_UNAUTHORIZED",
    );
    expectRefusal(
      await post(`${url}/v1/admin/revoke`, { subject: target }, { authorization: `Bearer ${ADMIN_TOKEN}x` }),
      401,
      "SERVICE_UNAUTHORIZED",
    );
    expectRefusal(
      await post(`${url}/v1/admin/crl-sync`, {}, { authorization: ADMIN_TOKEN }),
      401,
      "SERVICE_UNAUTHORIZED",
    );
    expect(await sw.f.registry.isVerified(target)).to.equal(true);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const sync = await post(`${url}/v1/admin/crl-sync`, {}, auth);
    expect(sync.status, sync.text).to.equal(200);
    expect(sync.body.checkedCertificates).to.be.greaterThan(0);
    const revoked = await post(`${url}/v1/admin/revoke`, { subject: target, reason: "Operator" }, auth);
    expect(revoked.status, revoked.text).to.equal(200);
    expect(await sw.f.registry.isVerified(target)).to.equal(false);
    // crl-sync runs inside the service on its schedule: the heartbeat moves on chain.
    const before = await sw.client.lastCrlSync(sw.f.attester.address);
    const scheduled = await sw.start({ crlSyncIntervalMs: 300 });
    allLogs.push(scheduled.logs);
    for (let i = 0; i < 50 && (await sw.client.lastCrlSync(sw.f.attester.address)) === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await sw.client.lastCrlSync(sw.f.attester.address)).to.be.greaterThan(before);
    await scheduled.service.close();
    expect((await get(`${scheduled.url}/healthz`).catch(() => ({ status: 0 }))).status).to.equal(0);
    // Without a configured token the admin routes are off, whatever is sent.
    const off = await sw.start({ adminToken: undefined });
    allLogs.push(off.logs);
    expectRefusal(await post(`${off.url}/v1/admin/crl-sync`, {}, auth), 403, "SERVICE_ADMIN_DISABLED");
  });

  it("(late: it leaves a newer CRL number in the store) refuses, as kyc attest does, a CRL older than one already seen (rollback): 503 OPERATOR_CRL_ROLLBACK, nothing sent", async function () {
    const subject = await spareSigner(sw.ethers, 14);
    // A newer CRL (higher cRLNumber) for the partition of this card is seen first…
    // (The adult's card is free again: the admin test revoked its record for a non-compromise reason.)
    const holder = sw.w.holder("adult");
    const chainNow = new Date((await sw.ethers.provider.getBlock("latest"))!.timestamp * 1000);
    const newer = crlsWithRevoked(sw.w, "auth", holder.partition, [], chainNow);
    const first = await sw.start({ crl: newer });
    allLogs.push(first.logs);
    const body = await sw.proof("adult", subject, Claim.AUTH, false);
    const seen = await post(`${first.url}/v1/attestations`, body);
    expect(seen.status, seen.text).to.equal(201);
    // …then a service presented the older CRL folder again refuses before sending anything.
    const old = await sw.start({ crl: sw.paths.crl });
    allLogs.push(old.logs);
    const other = await spareSigner(sw.ethers, 15);
    const refused = await post(`${old.url}/v1/attestations`, await sw.proof("minor-12", other, Claim.AUTH, false));
    expectRefusal(refused, 503, "OPERATOR_CRL_ROLLBACK");
    expect(await sw.f.registry.isVerified(other.address)).to.equal(false);
    expect(await sw.store.bySubject(sw.client.chainId, sw.f.address, other.address)).to.deep.equal([]);
  });

  it("health, readiness (fails on a stale crl-sync heartbeat), metrics and the OpenAPI document", async function () {
    expect((await get(`${url}/healthz`)).body).to.deep.equal({ status: "ok" });
    const ready = await get(`${url}/readyz`);
    expect(ready.status, ready.text).to.equal(200);
    const metrics = await get(`${url}/metrics`);
    expect(metrics.text).to.match(/kyc_attest_duration_seconds_bucket\{.*outcome="attested"/);
    expect(metrics.text).to.match(/kyc_checks_failed_total\{reason="revoked"\} [1-9]/);
    expect(metrics.text).to.match(/kyc_checks_failed_total\{reason="wrong-attester"\} [1-9]/);
    expect(metrics.text).to.match(/kyc_http_requests_total\{method="POST",route="\/v1\/attestations",status="201"\}/);
    expect(metrics.text).to.match(/kyc_pending_transactions 0/);
    const docs = await get(`${url}/docs/json`);
    expect(docs.body.openapi).to.match(/^3\./);
    expect(Object.keys(docs.body.paths)).to.include.members([
      "/v1/attestations",
      "/v1/attestations/{subject}",
      "/readyz",
    ]);
    expect((await fetch(`${url}/docs`)).status).to.be.oneOf([200, 302]);
    // The chain does not answer: not ready.
    const provider = sw.client.provider as unknown as { getBlock: (...a: unknown[]) => Promise<unknown> };
    const getBlock = provider.getBlock;
    provider.getBlock = () => Promise.reject(new Error("connection refused"));
    try {
      const down = await get(`${url}/readyz`);
      expectRefusal(down, 503, "SERVICE_UNAVAILABLE");
      expect(down.body.checks.chain).to.equal("unreachable");
    } finally {
      provider.getBlock = getBlock;
    }
    // Past maxStaleness without a crl-sync: not ready.
    await sw.networkHelpers.time.increase(4 * 24 * 3600);
    const stale = await get(`${url}/readyz`);
    expectRefusal(stale, 503, "SERVICE_UNAVAILABLE");
    expect(stale.body.checks.crlHeartbeat).to.match(/^stale/);
  });

  it("writes no certificate data to its log", async function () {
    const text = allLogs.map((l) => l.text).join("\n");
    expect(text.length).to.be.greaterThan(100);
    expect(served.length).to.be.greaterThan(3);
    for (const s of served) {
      const materials = [piiFromCertificate("auth", parseCertificate(s.der))];
      const b64 = Buffer.from(s.der).toString("base64");
      if (s.sign !== undefined) {
        const sign = parseCertificate(s.sign);
        materials.push(piiFromCertificate("sign", sign, readSigningAttributes(sign), true));
        expect(text).not.to.include(Buffer.from(s.sign).toString("base64").slice(0, 64));
      }
      expect(findPii(Buffer.from(text, "utf8"), materials)).to.deep.equal([]);
      expect(text).not.to.include(b64.slice(0, 64));
      expect(text).not.to.include(b64.slice(200, 264));
      expect(text.toLowerCase()).not.to.include(parseCertificate(s.der).serialHex.toLowerCase());
    }
    // Sanity: the scan finds certificate data when it is there.
    const s = served[0]!;
    expect(
      findPii(Buffer.concat([Buffer.from(text), Buffer.from(s.der)]), [
        piiFromCertificate("auth", parseCertificate(s.der)),
      ]),
    ).not.to.deep.equal([]);
    void logs;
    void readFileSync;
  });
});
