import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";

import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import { RegistryClient } from "../../src/chain/registry-client.js";

import { Claim } from "../../src/claims.js";
import { caSetEnabledCommand } from "../../src/operator/commands/admin.js";
import { attestReport } from "../../src/operator/attest-report.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { chainTime, type OperatorContext } from "../../src/operator/commands/context.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { devSetupCommand } from "../../src/operator/commands/dev-setup.js";
import { relayCommand } from "../../src/operator/commands/relay.js";
import { revokeByCardCommand } from "../../src/operator/commands/revoke-by-card.js";
import { DEV_OPERATOR_SECRET, personTag } from "../../src/operator/derive.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { findPii } from "../../src/privacy/pii-guard.js";
import { piiFromCertificate } from "../../src/operator/pii-material.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { reconcilePending } from "../../src/operator/reconcile.js";
import { readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { deployRegistry } from "../helpers/registry-fixture.js";
import { crlsWithRevoked, makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

describe("kyc attest / crl-sync end to end (dev-pki world, virtual cards, in-process chain)", function () {
  this.timeout(120_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-attest-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );

  async function setup() {
    const { ethers, networkHelpers, f, ctx, now, base } = await operatorWorld(w, tmp);
    const proof = async (
      scenario: string,
      subject: string,
      disclose: number,
      withSign: boolean,
      name = "proof.json",
      attester = f.attester.address,
    ) => {
      const out = join(tmp, name);
      await makeProofRequest(w, ethers.provider, {
        holder: w.holder(scenario),
        registry: f.address,
        wallet: await ethers.getSigner(subject),
        attester,
        disclose,
        deadline: now + 3600n,
        withSign,
        out,
      });
      return out;
    };
    /** The chain's time now, at which crl-sync checks CRL freshness (not the wall clock: see `crlsWithRevoked`). */
    const chainNow = async () => new Date(Number(await chainTime(ethers.provider)) * 1000);
    return { ethers, networkHelpers, f, ctx, proof, base, now, chainNow };
  }

  it("attests an adult with identity and age claims; the calldata carries nothing from the certificates", async function () {
    const { ethers, f, ctx, proof, base } = await setup();
    const request = await proof("adult", f.alice.address, ALL, true);
    const r = await attestCommand(ctx(), { ...base, request });
    expect(r.mode).to.equal("direct");
    expect(r.claims).to.equal(ALL);
    expect(r.identity).to.equal(true);
    expect(await f.registry.hasClaims(f.alice.address, ALL)).to.equal(true);
    const record = await f.registry.attestationOf(f.alice.address);
    expect(record.personTag).to.not.equal(`0x${"00".repeat(32)}`);
    const tx = await ethers.provider.getTransaction(r.tx!.hash);
    const auth = parseCertificate(readBytes(join(w.dir, w.holder("adult").auth.cert)));
    const sign = parseCertificate(readBytes(join(w.dir, w.holder("adult").sign!.cert)));
    expect(
      findPii(tx!.data, [
        piiFromCertificate("auth", auth),
        piiFromCertificate("sign", sign, readSigningAttributes(sign), true),
      ]),
    ).to.deep.equal([]);
    const store = OperatorStore.open(join(tmp, ".kyc", "operator-31337.sqlite"));
    expect(await store.get(r.storeId)).to.include({ status: "active", claims: ALL, txHash: r.tx!.hash.toLowerCase() });
    store.close();
  });

  it("publishes no more than disclosed, and AGE_18 without AGE_20 at 19", async function () {
    const { f, ctx, proof, base } = await setup();
    const r1 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, Claim.AUTH, true),
    });
    expect(r1.claims).to.equal(Claim.AUTH);
    expect((await f.registry.attestationOf(f.alice.address)).personTag).to.equal(`0x${"00".repeat(32)}`);
    const r2 = await attestCommand(ctx(), { ...base, request: await proof("age-19", f.bob.address, ALL, true) });
    expect(r2.claims).to.equal(Claim.AUTH | Claim.IDENTITY | Claim.AGE_18);
  });

  it("signs for relay; a stranger relays; the store reconciles the row on the next run", async function () {
    const { f, ctx, proof, base } = await setup();
    const relayOut = join(tmp, "relay.json");
    const r = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.carol.address, ALL, true),
      relayOut,
    });
    expect(r.mode).to.equal("relay");
    expect(await f.registry.isVerified(f.carol.address)).to.equal(false);
    await relayCommand(ctx(f.stranger), { in: relayOut });
    expect(await f.registry.hasClaims(f.carol.address, ALL)).to.equal(true);
    // The next operator run settles the pending relay row.
    await attestCommand(ctx(), {
      ...base,
      request: await proof("age-19", f.bob.address, Claim.AUTH, false, "p2.json"),
    });
    const store = OperatorStore.open(join(tmp, ".kyc", "operator-31337.sqlite"));
    expect((await store.get(r.storeId))?.status).to.equal("active");
    store.close();
  });

  it("refuses revoked, expired, not-yet-valid certificates and stale CRLs with one line, writing nothing", async function () {
    const { f, ctx, proof, base } = await setup();
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("revoked-key-compromise", f.alice.address, 1, false) }),
      "OPERATOR_CHECK_FAILED",
      /revoked/,
    );
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("expired", f.alice.address, 1, false) }),
      "OPERATOR_CHECK_FAILED",
      /not valid now|expired/,
    );
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("not-yet-valid", f.alice.address, 1, false) }),
      "OPERATOR_CHECK_FAILED",
    );
    const good = await proof("adult", f.alice.address, 1, false);
    await rejects(
      attestCommand(ctx(), { ...base, crl: join(w.dir, "crl-stale"), request: good }),
      "OPERATOR_CHECK_FAILED",
      /fresh/,
    );
    // A signing certificate revoked on its own (affiliation changed) fails the identity request.
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("sign-affiliation-changed", f.alice.address, ALL, true) }),
      "OPERATOR_CHECK_FAILED",
      /signing certificate is revoked/,
    );
    const store = OperatorStore.open(join(tmp, ".kyc", "operator-31337.sqlite"));
    expect(await store.byStatus(31337n, f.address, ["pending", "active", "failed"])).to.deep.equal([]);
    store.close();
  });

  it("refuses an expired deadline, a disabled CA, a missing role, a wrong registry, garbage files", async function () {
    const { networkHelpers, f, ctx, proof, base, now } = await setup();
    const request = await proof("adult", f.alice.address, ALL, true);
    await rejects(attestCommand(ctx(f.stranger), { ...base, request }), "CHAIN_MISSING_ROLE");
    await rejects(attestCommand(ctx(), { ...base, request, registry: f.alice.address }), "CHAIN_REGISTRY_NOT_DEPLOYED");
    await rejects(attestCommand(ctx(), { ...base, request, registry: undefined }), "CHAIN_REGISTRY_NOT_DEPLOYED");
    writeFileSync(join(tmp, "garbage.json"), "not json");
    await rejects(attestCommand(ctx(), { ...base, request: join(tmp, "garbage.json") }), "BINDING_MALFORMED");
    await rejects(attestCommand(ctx(), { ...base, request: join(tmp, "missing.json") }), "BINDING_IO");
    await rejects(attestCommand(ctx(), { ...base, request, caDir: join(tmp, "nope") }), "OPERATOR_BAD_INPUT");
    await rejects(attestCommand(ctx(), { ...base, request, crl: join(tmp, "nope") }), "OPERATOR_BAD_INPUT");
    await rejects(attestCommand(ctx(), { ...base, request: undefined }), "OPERATOR_BAD_INPUT");
    // Disable every enabled authentication anchor of the world (ids 3..): no trusted CA left.
    for (const caId of [3, 4])
      await caSetEnabledCommand(ctx(f.anchorManager), { caId, enable: false, registry: f.address });
    await rejects(attestCommand(ctx(), { ...base, request }), "OPERATOR_CHECK_FAILED", /trust anchor/);
    for (const caId of [3, 4])
      await caSetEnabledCommand(ctx(f.anchorManager), { caId, enable: true, registry: f.address });
    await networkHelpers.time.increaseTo(now + 3601n);
    await rejects(attestCommand(ctx(), { ...base, request }), "OPERATOR_CHECK_FAILED", /deadline/);
  });

  it("refuses a proof for another chain, an unfunded attester and a stale heartbeat, leaving no pending row", async function () {
    const { ethers, networkHelpers, f, ctx, proof, base } = await setup();
    const request = await proof("adult", f.alice.address, ALL, true);
    // The same binding for chain 5 (digest recomputed, so the file itself is consistent).
    const json = JSON.parse(readFileSync(request, "utf8")) as { binding: Record<string, unknown> };
    json.binding.chainId = "5";
    json.binding.digest = computeBindingDigest({
      chainId: 5n,
      registry: String(json.binding.registry),
      subject: String(json.binding.subject),
      attester: String(json.binding.attester),
      disclose: Number(json.binding.disclose),
      nonce: BigInt(String(json.binding.nonce)),
      deadline: BigInt(String(json.binding.deadline)),
    });
    writeFileSync(join(tmp, "chain5.json"), JSON.stringify(json));
    await rejects(attestCommand(ctx(), { ...base, request: join(tmp, "chain5.json") }), "CHAIN_WRONG_NETWORK");

    const poor = Wallet.createRandom().connect(ethers.provider);
    await f.registry.connect(f.admin).grantRole(await f.registry.ATTESTER_ROLE(), poor.address);
    await f.registry.connect(f.admin).setMaxStaleness(0);
    const poorRequest = await proof("adult", f.alice.address, ALL, true, "poor.json", poor.address);
    await rejects(attestCommand(ctx(poor as never), { ...base, request: poorRequest }), "CHAIN_INSUFFICIENT_FUNDS");
    const store = OperatorStore.open(join(tmp, ".kyc", "operator-31337.sqlite"));
    expect(await store.live(31337n, f.address, f.alice.address)).to.equal(undefined);
    expect(await store.byStatus(31337n, f.address, ["failed"])).to.have.length(1);
    store.close();

    await f.registry.connect(f.admin).setMaxStaleness(600);
    await networkHelpers.time.increase(601);
    await rejects(attestCommand(ctx(), { ...base, request }), "OPERATOR_CRL", /crl-sync/);
  });

  it("writes the pending row before sending; after a crash mid-send the next run reconciles it from the chain", async function () {
    const { f, ctx, proof, base } = await setup();
    const storePath = join(tmp, ".kyc", "operator-31337.sqlite");
    let seenAtSend: string | undefined;
    // A signer that checks the store at the moment of sending, sends, then "crashes" before the result is known.
    const crashing = new Proxy(f.attester, {
      get(target, prop, receiver) {
        if (prop === "sendTransaction") {
          return async (tx: unknown) => {
            const peek = OperatorStore.open(storePath);
            seenAtSend = (await peek.live(31337n, f.address, f.alice.address))?.status;
            peek.close();
            await target.sendTransaction(tx as never);
            throw new Error("simulated crash after broadcasting");
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const request = await proof("adult", f.alice.address, ALL, true);
    await rejects(attestCommand(ctx(crashing), { ...base, request }), "CHAIN_UNAVAILABLE");
    expect(seenAtSend).to.equal("pending");
    let store = OperatorStore.open(storePath);
    const row = await store.live(31337n, f.address, f.alice.address);
    expect(row?.status).to.equal("pending"); // not marked failed: the transaction may have landed (it did)
    store.close();
    expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
    // The next run (any attest) reconciles it first.
    await attestCommand(ctx(), {
      ...base,
      request: await proof("age-19", f.bob.address, Claim.AUTH, false, "p2.json"),
    });
    store = OperatorStore.open(storePath);
    expect((await store.get(row!.id))?.status).to.equal("active");
    store.close();
  });

  it("the PII guard refuses calldata carrying a real dev-pki certificate's bytes or attributes", async function () {
    const adult = w.holder("adult");
    const auth = parseCertificate(readBytes(join(w.dir, adult.auth.cert)));
    const sign = parseCertificate(readBytes(join(w.dir, adult.sign!.cert)));
    const attributes = readSigningAttributes(sign);
    const materials = [piiFromCertificate("auth", auth), piiFromCertificate("sign", sign, attributes, true)];
    const clean = "0x" + "ab".repeat(200);
    expect(findPii(clean, materials)).to.deep.equal([]);
    const leaks: Array<[string, Uint8Array]> = [
      ["auth TBS", auth.tbs],
      ["auth serial", Buffer.from(auth.serialHex, "hex")],
      ["auth subject CN", Buffer.from(auth.subject.attributes.find((a) => a.name === "CN")!.value, "utf8")],
      ["CRL distribution point city", Buffer.from(auth.crlDistributionPoint!.city!, "utf8")],
      ["holder name", Buffer.from(attributes.name, "utf8")],
      ["holder address", Buffer.from(attributes.address, "utf8")],
      ["raw date of birth", Buffer.from(attributes.dateOfBirthRaw, "utf8")],
      ["signing key", sign.rsa.modulus],
    ];
    for (const [what, bytes] of leaks) {
      const data = clean + Buffer.from(bytes).toString("hex") + "cd".repeat(10);
      expect(findPii(data, materials), what).to.not.deep.equal([]);
    }
  });

  it("revoke-by-card: the bound card revokes (lost wallet); another card is refused", async function () {
    const { f, ctx, proof, base } = await setup();
    await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address, Claim.AUTH, false) });
    const wrongCard = await openCardSigner(`virtual:${join(w.dir, "holders", w.holder("age-19").id)}`);
    try {
      await rejects(
        revokeByCardCommand(ctx(f.stranger), {
          card: wrongCard,
          subject: f.alice.address,
          askPin: async () => "1234",
          registry: f.address,
        }),
        "OPERATOR_BAD_INPUT",
        /not the one bound/,
      );
    } finally {
      await wrongCard.close();
    }
    const card = await openCardSigner(`virtual:${join(w.dir, "holders", w.holder("adult").id)}`);
    try {
      const outcome = await revokeByCardCommand(ctx(f.stranger), {
        card,
        subject: f.alice.address,
        askPin: async () => "1234",
        registry: f.address,
      });
      expect(outcome.events.map((e) => e.name)).to.include("Revoked");
    } finally {
      await card.close();
    }
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
  });

  it("takes the person-tag secret from the configured variable; different secrets give different tags", async function () {
    const { f, ctx, proof, base } = await setup();
    const secretA = "0x" + "a1".repeat(32);
    const withSecret = (signer = f.attester): OperatorContext => ({
      ...ctx(signer),
      readConfigVariable: async (name) => (name === "KYC_OPERATOR_SECRET" ? secretA : undefined),
    });
    const r = await attestCommand(withSecret(), { ...base, request: await proof("adult", f.alice.address, ALL, true) });
    const tagA = (await f.registry.attestationOf(f.alice.address)).personTag;
    const adult = readSigningAttributes(parseCertificate(readBytes(join(w.dir, w.holder("adult").sign!.cert))));
    expect(tagA).to.equal(
      personTag(Buffer.from(secretA.slice(2), "hex"), {
        dateOfBirth: adult.dateOfBirth,
        gender: adult.genderCode,
        name: adult.name,
      }),
    );
    expect(r.identity).to.equal(true);
    expect(tagA).to.not.equal(
      personTag(DEV_OPERATOR_SECRET, { dateOfBirth: adult.dateOfBirth, gender: adult.genderCode, name: adult.name }),
    );
  });

  it("dev-setup bootstraps a fresh registry from its admin (anchors, roles), idempotently", async function () {
    const { ethers } = await network.create();
    const [admin, operator] = await ethers.getSigners();
    const { registry, address } = await deployRegistry(ethers, admin!.address, { adminDelay: 0n });
    const ctx: OperatorContext = { provider: ethers.provider, signer: admin!, projectRoot: tmp };
    await rejects(
      devSetupCommand({ ...ctx, signer: operator! }, { caDir: join(w.dir, "ca"), registry: address }),
      "CHAIN_MISSING_ROLE",
    );
    const r = await devSetupCommand(ctx, { caDir: join(w.dir, "ca"), attester: operator!.address, registry: address });
    expect(r.anchorsAdded.map((a) => a.kind).sort()).to.deep.equal(["auth", "auth", "sign", "sign"]);
    expect(
      await registry
        .getFunction("hasRole")
        .staticCall(await registry.getFunction("ATTESTER_ROLE").staticCall(), operator!.address),
    ).to.equal(true);
    const again = await devSetupCommand(ctx, {
      caDir: join(w.dir, "ca"),
      attester: operator!.address,
      registry: address,
    });
    expect(again.anchorsAdded).to.deep.equal([]);
    expect(again.transactions).to.deep.equal([]);
  });

  it("settles a subject's stale store row before re-attesting (holder revoked on chain; dev chain reset)", async function () {
    const first = await setup();
    await attestCommand(first.ctx(), {
      ...first.base,
      request: await first.proof("adult", first.f.alice.address, Claim.AUTH, false),
    });
    await first.f.registry.connect(first.f.alice).revokeSelf();
    // Same subject, another card: the old row is closed as revoked, the new one recorded.
    const r = await attestCommand(first.ctx(), {
      ...first.base,
      request: await first.proof("age-19", first.f.alice.address, Claim.AUTH, false, "p2.json"),
    });
    const storePath = join(tmp, ".kyc", "operator-31337.sqlite");
    let store = OperatorStore.open(storePath);
    expect((await store.bySubject(31337n, first.f.address, first.f.alice.address)).map((x) => x.status)).to.deep.equal([
      "revoked",
      "active",
    ]);
    store.close();
    // A fresh chain with the registry at the same address (like a restarted `hardhat node`): the old row is closed.
    const second = await setup();
    expect(second.f.address).to.equal(first.f.address);
    await attestCommand(second.ctx(), {
      ...second.base,
      request: await second.proof("adult", second.f.alice.address, Claim.AUTH, false, "p3.json"),
    });
    store = OperatorStore.open(storePath);
    const rows = await store.bySubject(31337n, second.f.address, second.f.alice.address);
    expect(rows.map((x) => x.status)).to.deep.equal(["revoked", "failed", "active"]);
    expect(rows[1]?.id).to.equal(r.storeId);
    store.close();
  });

  it("re-attestation: the same card moves AUTH to identity + age; a move drops the signing claims; a new card replaces the record", async function () {
    const { f, ctx, proof, base, chainNow } = await setup();
    const firstProof = await proof("adult", f.alice.address, Claim.AUTH, false, "p1.json");
    const r1 = await attestCommand(ctx(), { ...base, request: firstProof });
    expect(r1.reattestation).to.equal(false);
    expect(attestReport(r1).lines.join("\n")).not.to.include("re-attestation");
    const r2 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, ALL, true, "p2.json"),
    });
    expect(r2.reattestation).to.equal(true);
    const report = attestReport(r2);
    expect(report.lines[1]).to.match(/^re-attestation: .* active record bound to this card key; it was replaced$/);
    expect(report.summary).to.include({ reattestation: true, identity: true, storeId: r2.storeId });
    expect(r2.keyNullifier).to.equal(r1.keyNullifier);
    expect(r2.claims).to.equal(ALL);
    expect(await f.registry.hasClaims(f.alice.address, ALL)).to.equal(true);
    expect(await f.registry.nonces(f.alice.address)).to.equal(2n);
    const storePath = join(tmp, ".kyc", "operator-31337.sqlite");
    let store = OperatorStore.open(storePath);
    let rows = await store.bySubject(31337n, f.address, f.alice.address);
    expect(rows.map((x) => x.status)).to.deep.equal(["revoked", "active"]);
    expect(rows[0]?.error).to.match(/superseded by attestation #\d+ \(re-attestation\)/);
    expect(rows[1]).to.include({ id: r2.storeId, supersedes: r1.storeId, bindingNonce: 1n, claims: ALL });
    store.close();
    // the first proof (nonce 0) cannot be replayed
    await rejects(attestCommand(ctx(), { ...base, request: firstProof }), "OPERATOR_CHECK_FAILED", /nonce is stale/);
    // the signing certificate is listed (the holder moved): crl-sync drops the signing claims, AUTH stays
    const adult = w.holder("adult");
    const listed = crlsWithRevoked(w, "sign", adult.partition, [adult.sign!.serialHex], await chainNow());
    const sync = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address });
    expect(sync.listed.map((l) => [l.attestationId, l.roles])).to.deep.equal([[r2.storeId, ["sign"]]]);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
    expect(await f.registry.hasClaims(f.alice.address, Claim.IDENTITY)).to.equal(false);
    // a new card for the same subject, with the subject's consent: it replaces the record (card renewal)
    // (the CRL folder is now the newer one: the older numbers would be refused as a rollback)
    const r3 = await attestCommand(ctx(), {
      ...base,
      crl: listed,
      request: await proof("age-19", f.alice.address, Claim.AUTH, false, "p3.json"),
    });
    expect(r3.reattestation).to.equal(false);
    expect(r3.keyNullifier).to.not.equal(r1.keyNullifier);
    expect(await f.registry.isCurrentKey(f.alice.address, r3.keyNullifier)).to.equal(true);
    // the first card's key is free again: not burned, not active
    expect(await f.registry.keyState(r1.keyNullifier)).to.deep.equal([f.alice.address, false, false]);
    store = OperatorStore.open(storePath);
    rows = await store.bySubject(31337n, f.address, f.alice.address);
    expect(rows.map((x) => x.status)).to.deep.equal(["revoked", "revoked", "active"]);
    expect(rows[2]).to.include({ id: r3.storeId, supersedes: r2.storeId });
    store.close();
  });

  it("a relayed re-attestation that is never relayed gives the superseded row back once its deadline passes", async function () {
    const { ethers, networkHelpers, f, ctx, proof, base } = await setup();
    const r1 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, Claim.AUTH, false),
    });
    const r2 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, ALL, true, "p2.json"),
      relayOut: join(tmp, "relay.json"),
      relayMinutes: 5,
    });
    expect([r2.mode, r2.reattestation]).to.deep.equal(["relay", true]);
    expect(attestReport(r2).lines[1]).to.match(/^re-attestation: .*the relayed attestation replaces it$/);
    const storePath = join(tmp, ".kyc", "operator-31337.sqlite");
    const store = OperatorStore.open(storePath);
    const client = await RegistryClient.connect(f.attester, f.address);
    const chainNow = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    try {
      expect((await store.get(r1.storeId))?.status).to.equal("revoked");
      // the key is already bound to alice, but the binding nonce is unspent: not landed, still pending
      expect(await reconcilePending(store, client, await chainNow())).to.deep.equal({
        activated: 0,
        failed: 0,
        stillPending: 1,
      });
      await networkHelpers.time.increase(6 * 60);
      expect(await reconcilePending(store, client, await chainNow())).to.deep.equal({
        activated: 0,
        failed: 1,
        stillPending: 0,
      });
      expect((await store.get(r2.storeId))?.status).to.equal("failed");
      expect(await store.get(r1.storeId)).to.include({ status: "active", error: null });
    } finally {
      store.close();
    }
    expect(await f.registry.hasClaims(f.alice.address, Claim.AUTH)).to.equal(true);
    expect(await f.registry.hasClaims(f.alice.address, Claim.IDENTITY)).to.equal(false);
  });

  it("while a relayed re-attestation is pending, crl-sync still checks the superseded row's certificates", async function () {
    const { ethers, networkHelpers, f, ctx, proof, base, chainNow } = await setup();
    const r1 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, Claim.AUTH, false),
    });
    const r2 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, ALL, true, "p2.json"),
      relayOut: join(tmp, "relay.json"),
      relayMinutes: 5,
    });
    const adult = w.holder("adult");
    const listed = crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], await chainNow());
    const sync = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address });
    expect(sync.listed.map((l) => l.attestationId)).to.deep.equal([r1.storeId]);
    expect(sync.batches.map((b) => b.changed)).to.deep.equal([1]);
    expect((await f.registry.kycStatus(f.alice.address))[0]).to.equal(3n); // Revoked
    // the relay can no longer land (the key is burned); once its deadline passes, both rows are closed
    await networkHelpers.time.increase(6 * 60);
    const store = OperatorStore.open(join(tmp, ".kyc", "operator-31337.sqlite"));
    try {
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      await reconcilePending(store, await RegistryClient.connect(f.attester, f.address), now);
      expect((await store.get(r2.storeId))?.status).to.equal("failed");
      expect((await store.get(r1.storeId))?.status).to.equal("revoked");
      expect(await store.live(31337n, f.address, f.alice.address)).to.equal(undefined);
    } finally {
      store.close();
    }
  });

  it("another operator re-attests the record: the first operator's crl-sync leaves it to the new attester", async function () {
    const { f, ctx, proof, base, chainNow } = await setup();
    const storeB = join(tmp, "operator-b.sqlite");
    const r1 = await attestCommand(ctx(), {
      ...base,
      request: await proof("adult", f.alice.address, Claim.AUTH, false),
    });
    const rB = await attestCommand(ctx(f.attester2), {
      ...base,
      store: storeB,
      request: await proof("adult", f.alice.address, ALL, true, "p2.json", f.attester2.address),
    });
    expect(rB.reattestation).to.equal(true);
    expect((await f.registry.attestationOf(f.alice.address)).attester).to.equal(f.attester2.address);
    const adult = w.holder("adult");
    const listed = crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], await chainNow());
    // operator A: its row is closed as replaced; nothing is sent (A may not revoke B's record); heartbeat recorded
    const a = await crlSyncCommand(ctx(), { crl: listed, caDir: base.caDir, registry: f.address });
    expect(a.replaced).to.deep.equal([{ subject: f.alice.address.toLowerCase(), attestationId: r1.storeId }]);
    expect(a.batches).to.deep.equal([]);
    expect(a.heartbeat).to.not.equal(undefined);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
    // operator B revokes it
    await f.registry.connect(f.attester2).recordCrlSync();
    const b = await crlSyncCommand(ctx(f.attester2), {
      crl: listed,
      caDir: base.caDir,
      registry: f.address,
      store: storeB,
    });
    expect(b.batches.map((x) => x.changed)).to.deep.equal([1]);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
  });

  it("crl-sync revokes the attestation whose certificate a new CRL lists, once, and records the heartbeat", async function () {
    const { ethers, f, ctx, proof, base, chainNow } = await setup();
    await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address, ALL, true) });
    await attestCommand(ctx(), { ...base, request: await proof("age-19", f.bob.address, ALL, true, "p2.json") });
    const adult = w.holder("adult");
    // Dry run against today's CRLs: nothing listed.
    const dry = await crlSyncCommand(ctx(), { crl: base.crl, caDir: base.caDir, registry: f.address, dryRun: true });
    expect(dry.listed).to.deep.equal([]);
    const newCrls = crlsWithRevoked(w, "auth", adult.partition, [adult.auth.serialHex], await chainNow());
    const r = await crlSyncCommand(ctx(), { crl: newCrls, caDir: base.caDir, registry: f.address });
    expect(r.listed.map((l) => l.subject)).to.deep.equal([f.alice.address.toLowerCase()]);
    expect(r.heartbeat).to.not.equal(undefined);
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
    expect(await f.registry.isVerified(f.bob.address)).to.equal(true);
    const again = await crlSyncCommand(ctx(), { crl: newCrls, caDir: base.caDir, registry: f.address });
    expect(again.listed).to.deep.equal([]);
    expect(again.batches).to.deep.equal([]);
    // Privacy: no transaction input and no log of the whole run carries anything from either holder's certificates.
    const materials = ["adult", "age-19"].flatMap((scenario) => {
      const h = w.holder(scenario);
      const a = parseCertificate(readBytes(join(w.dir, h.auth.cert)));
      const s = parseCertificate(readBytes(join(w.dir, h.sign!.cert)));
      return [
        piiFromCertificate(`${scenario} auth`, a),
        piiFromCertificate(`${scenario} sign`, s, readSigningAttributes(s), true),
      ];
    });
    const latest = await ethers.provider.getBlockNumber();
    let scanned = 0;
    for (let n = 0; n <= latest; n++) {
      const block = await ethers.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        expect(findPii(tx.data, materials), `tx ${tx.hash}`).to.deep.equal([]);
        const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
        for (const log of receipt?.logs ?? []) {
          expect(findPii(log.data, materials)).to.deep.equal([]);
          expect(findPii("0x" + log.topics.map((t) => t.slice(2)).join(""), materials)).to.deep.equal([]);
        }
        scanned++;
      }
    }
    expect(scanned).to.be.greaterThan(10);
    // A stale CRL set aborts before anything is sent.
    const nonce = await ethers.provider.getTransactionCount(f.attester.address);
    await rejects(
      crlSyncCommand(ctx(), { crl: join(w.dir, "crl-stale"), caDir: base.caDir, registry: f.address }),
      "OPERATOR_CRL",
    );
    expect(await ethers.provider.getTransactionCount(f.attester.address)).to.equal(nonce);
  });
});

function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
