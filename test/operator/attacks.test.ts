/**
 * Protocol v2 scenarios from the attacker's side, end to end through the operator tooling (dev-pki world, virtual
 * cards, in-process chain). Each one succeeded against protocol v1 (no wallet consent, no person tag for age claims,
 * burned keys, the sequential operator nonce) and must fail now.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { getBytes, Wallet } from "ethers";

import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { writeProofRequest } from "../../src/binding/proof-request-file.js";
import { readBindingFromRegistry } from "../../src/binding/registry-binding.js";
import { signBindingWithWallet } from "../../src/binding/wallet-consent.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Claim } from "../../src/claims.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { relayCommand } from "../../src/operator/commands/relay.js";
import { revokeByCardCommand } from "../../src/operator/commands/revoke-by-card.js";
import { makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
const AGE_ONLY = Claim.AUTH | Claim.AGE_18 | Claim.AGE_20;

describe("protocol v2 attacks, end to end through the operator (dev-pki world, virtual cards)", function () {
  this.timeout(120_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-attacks-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );

  async function setup() {
    const { ethers, f, ctx, now, base } = await operatorWorld(w, tmp);
    let n = 0;
    const proof = async (scenario: string, subject: string, disclose: number, withSign: boolean, attester?: string) => {
      const out = join(tmp, `proof-${++n}.json`);
      await makeProofRequest(w, ethers.provider, {
        holder: w.holder(scenario),
        registry: f.address,
        wallet: await ethers.getSigner(subject),
        attester: attester ?? f.attester.address,
        disclose,
        deadline: now + 3600n,
        withSign,
        out,
      });
      return out;
    };
    const pins = (scenario: string) =>
      JSON.parse(readFileSync(join(w.dir, w.holder(scenario).card), "utf8")) as {
        authPin: string;
        signPassword: string;
      };
    const card = (scenario: string) => openCardSigner(`virtual:${join(w.dir, "holders", w.holder(scenario).id)}`);
    return { ethers, f, ctx, base, now, proof, pins, card };
  }

  it("wallet squatting: a card holder cannot bind a stranger's address (its wallet did not sign)", async function () {
    const { ethers, f, ctx, base, now, pins, card } = await setup();
    // The attacker holds the adult's card and signs the binding for Bob's address with its own wallet.
    const binding = await readBindingFromRegistry(ethers.provider, {
      registry: f.address,
      subject: f.bob.address,
      attester: f.attester.address,
      disclose: Claim.AUTH,
      deadline: now + 3600n,
    });
    const attackerWallet = Wallet.createRandom();
    const forged = getBytes(await attackerWallet.signingKey.sign(binding.digest).serialized);
    const c = await card("adult");
    const request = await createProofRequest({
      card: c,
      binding,
      subjectSignature: forged,
      pin: pins("adult").authPin,
    });
    await c.close();
    const file = join(tmp, "squat.json");
    writeProofRequest(file, request);
    await rejects(attestCommand(ctx(), { ...base, request: file }), "OPERATOR_CHECK_FAILED", /did not consent/);
    expect(await f.registry.nonces(f.bob.address)).to.equal(0n);
    // Nor can it get the wallet helper to sign for Bob with its own key.
    await rejects(signBindingWithWallet(attackerWallet, binding), "BINDING_WRONG_WALLET");
  });

  it("front-running: a binding naming one operator cannot be attested by another", async function () {
    const { f, ctx, base, proof } = await setup();
    const request = await proof("adult", f.alice.address, ALL, true, f.attester.address);
    await rejects(
      attestCommand(ctx(f.attester2), { ...base, request, store: join(tmp, "b.sqlite") }),
      "OPERATOR_CHECK_FAILED",
      /names another operator/,
    );
    const r = await attestCommand(ctx(), { ...base, request });
    expect(r.claims).to.equal(ALL);
  });

  it("age lending: one adult's signing certificate cannot give AGE_20 to a second card", async function () {
    const { ethers, f, ctx, base, now, proof, pins, card } = await setup();
    // The adult attests its own wallet with its signing certificate (AGE_20 from it, so a person tag).
    const own = await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address, AGE_ONLY, true) });
    expect(own.claims).to.equal(AGE_ONLY);
    expect((await f.registry.attestationOf(f.alice.address)).personTag).to.not.equal(`0x${"00".repeat(32)}`);
    // A 17-year-old's card binds Bob; the adult lends its signing certificate and signature over the same digest.
    const binding = await readBindingFromRegistry(ethers.provider, {
      registry: f.address,
      subject: f.bob.address,
      attester: f.attester.address,
      disclose: AGE_ONLY,
      deadline: now + 3600n,
    });
    const subjectSignature = await signBindingWithWallet(f.bob, binding);
    const minor = await card("age-17");
    const request = await createProofRequest({ card: minor, binding, subjectSignature, pin: pins("age-17").authPin });
    await minor.close();
    const lender = await card("adult");
    request.signCertificate = await lender.readSignCertificate(pins("adult").signPassword);
    request.signSignature = await lender.sign("sign", getBytes(binding.digest), pins("adult").signPassword);
    await lender.close();
    const file = join(tmp, "lent.json");
    writeProofRequest(file, request);
    await rejects(attestCommand(ctx(), { ...base, request: file }), "OPERATOR_SIGN_CERT_IN_USE");
    expect(await f.registry.hasClaims(f.bob.address, Claim.AGE_20)).to.equal(false);
  });

  it("lost wallet: revoke-by-card, then the same card binds a new wallet (the key is not burned)", async function () {
    const { f, ctx, base, proof, pins, card } = await setup();
    const first = await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address, ALL, true) });
    const c = await card("adult");
    try {
      await revokeByCardCommand(ctx(f.stranger), {
        card: c,
        subject: f.alice.address,
        askPin: async () => pins("adult").authPin,
        registry: f.address,
      });
    } finally {
      await c.close();
    }
    expect(await f.registry.isVerified(f.alice.address)).to.equal(false);
    expect(await f.registry.keyState(first.keyNullifier)).to.deep.equal([f.alice.address, false, false]);
    const again = await attestCommand(ctx(), { ...base, request: await proof("adult", f.carol.address, ALL, true) });
    expect(again.keyNullifier).to.equal(first.keyNullifier);
    expect(await f.registry.hasClaims(f.carol.address, ALL)).to.equal(true);
    expect(await f.registry.keyState(first.keyNullifier)).to.deep.equal([f.carol.address, true, false]);
  });

  it("a card cannot back two wallets at once: the second binding is refused while the first is active", async function () {
    const { f, ctx, base, proof } = await setup();
    await attestCommand(ctx(), { ...base, request: await proof("adult", f.alice.address, Claim.AUTH, false) });
    await rejects(
      attestCommand(ctx(), { ...base, request: await proof("adult", f.bob.address, Claim.AUTH, false) }),
      "OPERATOR_CHECK_FAILED",
      /already backs an active attestation/,
    );
  });

  for (const order of ["in order", "in reverse order"] as const) {
    it(`relay files stand alone: two relay files relayed ${order} both land`, async function () {
      const { f, ctx, base, proof } = await setup();
      const files = [join(tmp, "relay-1.json"), join(tmp, "relay-2.json")];
      await attestCommand(ctx(), {
        ...base,
        request: await proof("adult", f.alice.address, Claim.AUTH, false),
        relayOut: files[0]!,
      });
      await attestCommand(ctx(), {
        ...base,
        request: await proof("age-19", f.bob.address, Claim.AUTH, false),
        relayOut: files[1]!,
        store: join(tmp, "second.sqlite"),
      });
      for (const file of order === "in order" ? files : [...files].reverse()) {
        await relayCommand(ctx(f.stranger), { in: file, registry: f.address });
      }
      expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
      expect(await f.registry.isVerified(f.bob.address)).to.equal(true);
    });
  }
});
