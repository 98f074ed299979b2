// The operator service publishes the anonymous-proof root by itself after attestations that opted in (one root per
// batch): it logs the ring entry (ref) the registry wrote, and a stale operator's publication is refused, logged with
// its typed code, and sends nothing.
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";

import { proofRequestToJson } from "../../src/binding/proof-request.js";
import { loadAnonHasher } from "../../src/anon/poseidon.js";
import { Claim } from "../../src/claims.js";
import { makeProofRequest } from "../operator/helpers/dev-world.js";
import { MAX_STALENESS } from "../helpers/registry-fixture.js";
import { post, serviceWorld, spareSigner, type LogSink, type ServiceWorld } from "./helpers/service-world.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

/** Waits (up to 20 s) for a JSON log line with `msg`; returns it parsed. */
async function logLine(logs: LogSink, msg: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const line = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect.fail(`no log line "${msg}"`);
}

describe("operator service: automatic anonymous-proof root publication", function () {
  this.timeout(300_000);
  let sw: ServiceWorld;

  before(async function () {
    sw = await serviceWorld();
  });
  after(async function () {
    await sw?.close();
  });

  /** A proof request of `scenario`'s card for `wallet`, opting in with the commitment of `secret`. */
  async function optedIn(scenario: string, walletIndex: number, secret: bigint) {
    const hasher = await loadAnonHasher();
    const wallet = await spareSigner(sw.ethers, walletIndex);
    const now = BigInt((await sw.ethers.provider.getBlock("latest"))!.timestamp);
    const request = await makeProofRequest(sw.w, sw.ethers.provider, {
      holder: sw.w.holder(scenario),
      registry: sw.f.address,
      wallet,
      attester: sw.f.attester.address,
      disclose: ALL,
      deadline: now + 3600n,
      withSign: true,
      out: join(sw.tmp, `anon-${walletIndex}.json`),
      anonCommitment: toBeHex(hasher.commitment(secret), 32),
    });
    return proofRequestToJson(request);
  }

  it("logs the root and the ref the registry wrote; a stale operator's publication is refused with OPERATOR_CRL_STALE and sends nothing", async function () {
    const { service, url, logs } = await sw.start({ anonPublishDelayMs: 1_500 });
    const r = await post(`${url}/v1/attestations`, await optedIn("adult", 10, 11n));
    expect(r.status, r.text).to.equal(201);
    const published = await logLine(logs, "anonymous-proof root");
    const events = await sw.f.registry.queryFilter(sw.f.registry.filters.AnonRootPublished());
    expect(events).to.have.length(1);
    expect(published).to.include({
      root: events[0]!.args.root,
      ref: events[0]!.args.ref.toString(),
      reason: "changed",
      validUntil: Number(events[0]!.args.validUntil),
    });
    await service.close();

    // another opt-in; before its root goes out, the operator's CRL heartbeat turns stale
    const late = await sw.start({ anonPublishDelayMs: 4_000 });
    const again = await post(`${late.url}/v1/attestations`, await optedIn("age-19", 11, 12n));
    expect(again.status, again.text).to.equal(201);
    const nonce = await sw.f.attester.getNonce();
    const staleAt = (await sw.f.registry.lastCrlSync(sw.f.attester.address)) + MAX_STALENESS;
    await sw.networkHelpers.time.increaseTo(staleAt);
    const refused = await logLine(late.logs, "root publication failed");
    expect(refused.code).to.equal("OPERATOR_CRL_STALE");
    expect(String(refused.message)).to.match(/crl-sync/);
    expect(await sw.f.attester.getNonce()).to.equal(nonce);
    expect(await sw.f.registry.queryFilter(sw.f.registry.filters.AnonRootPublished())).to.have.length(1);
  });
});
