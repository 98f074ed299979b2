import { expect } from "chai";
import { TypedDataEncoder, concat, id, keccak256, type Signer } from "ethers";
import { network } from "hardhat";

import type { KycRegistry } from "../../types/ethers-contracts/index.js";
import { Claims, bindingSignature, cardSign, testCard, type AttestationRequest } from "../helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { ATTESTATION_TYPES, attestationDigest, signAttestation } from "../../src/operator/attestation-request.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);

/** The attester's relay signature over `req` for `modulus`, through the operator library. */
async function attesterSignature(
  registry: KycRegistry,
  signer: Signer,
  req: AttestationRequest,
  modulus: string,
  attesterNonce: bigint,
  relayDeadline: bigint,
): Promise<string> {
  const { chainId } = await ethers.provider.getNetwork();
  return signAttestation(signer, chainId, await registry.getAddress(), {
    request: req,
    keyNullifier: keccak256(modulus),
    attesterNonce,
    relayDeadline,
  });
}

describe("KycRegistry: relayed attestation (attestBySig)", function () {
  it("the operator library's EIP-712 Attestation type is the contract's ATTESTATION_TYPEHASH", async function () {
    const { registry } = await networkHelpers.loadFixture(fixture);
    const encoded = TypedDataEncoder.from(ATTESTATION_TYPES).encodeType("Attestation");
    expect(await registry.ATTESTATION_TYPEHASH()).to.equal(id(encoded));
  });

  it("anyone relays an attester-signed attestation; the attester nonce is consumed", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const cardSig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    const relayDeadline = req.deadline;
    const attSig = await attesterSignature(registry, attester, req, card.modulus, 0n, relayDeadline);
    expect(await registry.attestationDigest(req, keccak256(card.modulus), 0n, relayDeadline)).to.equal(
      attestationDigest((await ethers.provider.getNetwork()).chainId, await registry.getAddress(), {
        request: req,
        keyNullifier: keccak256(card.modulus),
        attesterNonce: 0n,
        relayDeadline,
      }),
    );
    await expect(
      registry.connect(alice).attestBySig(req, card.modulus, cardSig, attester.address, relayDeadline, attSig),
    )
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, keccak256(card.modulus), Claims.AUTH, (x: bigint) => x > 0n, 1);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect(await registry.attesterNonces(attester.address)).to.equal(1n);
    expect((await registry.attestationOf(alice.address)).attester).to.equal(attester.address);
  });

  it("RelayDeadlineExpired, NotAttester, InvalidAttesterSignature (wrong signer, changed request, replayed nonce)", async function () {
    const { registry, attester, revoker, alice, bob } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const cardSig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const r = registry.connect(bob);
    const late = await attesterSignature(registry, attester, req, card.modulus, 0n, now);
    await expect(r.attestBySig(req, card.modulus, cardSig, attester.address, now, late))
      .to.be.revertedWithCustomError(registry, "RelayDeadlineExpired")
      .withArgs(now);
    const dl = now + 600n;
    const byRevoker = await attesterSignature(registry, revoker, req, card.modulus, 0n, dl);
    await expect(r.attestBySig(req, card.modulus, cardSig, revoker.address, dl, byRevoker))
      .to.be.revertedWithCustomError(registry, "NotAttester")
      .withArgs(revoker.address);
    // signed by someone else but claiming to be the attester
    await expect(
      r.attestBySig(req, card.modulus, cardSig, attester.address, dl, byRevoker),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    const good = await attesterSignature(registry, attester, req, card.modulus, 0n, dl);
    // the relayer changes the published claims
    const changed = { ...req, claims: Claims.AUTH | Claims.AGE_18 };
    await expect(
      r.attestBySig(changed, card.modulus, cardSig, attester.address, dl, good),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    // the relayer changes the relay deadline
    await expect(
      r.attestBySig(req, card.modulus, cardSig, attester.address, dl + 1n, good),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    await r.attestBySig(req, card.modulus, cardSig, attester.address, dl, good);
    // the same attester signature cannot be used twice (nonce consumed), even for a fresh subject state
    await registry.connect(alice).revokeSelf();
    await expect(r.attestBySig(req, card.modulus, cardSig, attester.address, dl, good)).to.be.revertedWithCustomError(
      registry,
      "InvalidAttesterSignature",
    );
  });

  it("the relayed path runs the same card checks (a bad card signature fails after a good attester signature)", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const wrongCardSig = await bindingSignature(registry, testCard(1), alice.address, req.disclose, req.deadline);
    const attSig = await attesterSignature(registry, attester, req, card.modulus, 0n, req.deadline);
    await expect(
      registry.attestBySig(req, card.modulus, wrongCardSig, attester.address, req.deadline, attSig),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    // a failed relay does not consume the attester nonce
    expect(await registry.attesterNonces(attester.address)).to.equal(0n);
  });
});

describe("KycRegistry: card-proof replay", function () {
  it("across nonces: an old binding signature is dead once its nonce is consumed", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address, { deadline: 2n ** 40n });
    const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    await registry.connect(attester).attest(req, card.modulus, sig);
    // wait until the record expires (so the same key could renew the same subject), then replay the old proof
    await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
    await registry.connect(attester).recordCrlSync();
    await expect(registry.connect(attester).attest(req, card.modulus, sig)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
    // a fresh signature over the new nonce renews
    const fresh = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    await registry.connect(attester).attest(req, card.modulus, fresh);
    expect(await registry.isVerified(alice.address)).to.equal(true);
  });

  it("across deadlines: expired, and a changed deadline breaks the card signature", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    await expect(
      registry.connect(attester).attest({ ...req, deadline: req.deadline + 3600n }, card.modulus, sig),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    await networkHelpers.time.increaseTo(req.deadline + 1n);
    await registry.connect(attester).recordCrlSync();
    await expect(registry.connect(attester).attest(req, card.modulus, sig))
      .to.be.revertedWithCustomError(registry, "DeadlineExpired")
      .withArgs(req.deadline);
  });

  it("across registry addresses on the same chain", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const other = await deployRegistryFixture(ethers);
    expect(other.address).to.not.equal(await registry.getAddress());
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
    await expect(other.registry.connect(other.attester).attest(req, card.modulus, sig)).to.be.revertedWithCustomError(
      other.registry,
      "InvalidCardSignature",
    );
    await registry.connect(attester).attest(req, card.modulus, sig);
  });

  it("across chain ids: the same registry address on another chain rejects the proof", async function () {
    const a = await network.create({ override: { chainId: 1111 } });
    const b = await network.create({ override: { chainId: 2222 } });
    const fa = await deployRegistryFixture(a.ethers);
    const fb = await deployRegistryFixture(b.ethers);
    expect(fa.address).to.equal(fb.address); // same deployer, same nonce: same address
    expect((await b.ethers.provider.getNetwork()).chainId).to.equal(2222n);
    const card = testCard(0);
    const req = await makeRequest(a.ethers, fa.alice.address);
    const sig = await bindingSignature(fa.registry, card, fa.alice.address, req.disclose, req.deadline);
    // same subject, nonce, deadline, registry address: only the chain id differs
    expect(await fb.registry.bindingDigest(req.subject, req.disclose, 0n, req.deadline)).to.not.equal(
      await fa.registry.bindingDigest(req.subject, req.disclose, 0n, req.deadline),
    );
    await expect(fb.registry.connect(fb.attester).attest(req, card.modulus, sig)).to.be.revertedWithCustomError(
      fb.registry,
      "InvalidCardSignature",
    );
    await fa.registry.connect(fa.attester).attest(req, card.modulus, sig);
    expect(await fa.registry.isVerified(fa.alice.address)).to.equal(true);
  });

  it("a Revoke signature does not outlive the record it was made for", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 10n ** 9n;
    const revokeSig = cardSign(card, await registry.revokeDigest(alice.address, 1n, deadline));
    // the record expires and is renewed with the same key: the nonce moved on, the old Revoke is dead
    await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
    await registry.connect(attester).recordCrlSync();
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    await expect(registry.revokeByCard(alice.address, deadline, card.modulus, revokeSig)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
  });
});

describe("KycRegistry: pluggable card key verifiers", function () {
  async function verifierFixture() {
    const f = await deployRegistryFixture(ethers);
    const verifier = await ethers.deployContract("MockCardKeyVerifier");
    await f.registry.connect(f.admin).setKeyVerifier(1, await verifier.getAddress());
    return { ...f, verifier };
  }
  const publicKey = "0x04" + "ab".repeat(96); // stands in for an uncompressed P-384 point

  async function mockSig(registry: KycRegistry, subject: string, disclose: number, deadline: bigint) {
    const digest = await registry.bindingDigest(subject, disclose, await registry.nonces(subject), deadline);
    return keccak256(concat([publicKey, digest]));
  }

  it("attestWithVerifier binds keccak256(publicKey) and revokeByCardWithVerifier revokes", async function () {
    const { registry, attester, alice, stranger, verifier } = await networkHelpers.loadFixture(verifierFixture);
    expect(await registry.keyVerifier(1)).to.equal(await verifier.getAddress());
    const req = await makeRequest(ethers, alice.address);
    const sig = await mockSig(registry, alice.address, req.disclose, req.deadline);
    await expect(registry.connect(attester).attestWithVerifier(req, 1, publicKey, sig))
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, keccak256(publicKey), Claims.AUTH, (x: bigint) => x > 0n, 1);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    const deadline = req.deadline;
    const revokeDigest = await registry.revokeDigest(alice.address, await registry.nonces(alice.address), deadline);
    const rsig = keccak256(concat([publicKey, revokeDigest]));
    await registry.connect(stranger).revokeByCardWithVerifier(alice.address, deadline, 1, publicKey, rsig);
    expect(await registry.isVerified(alice.address)).to.equal(false);
  });

  it("InvalidKeyType, UnknownKeyType, InvalidCardSignature (bad signature, reverting verifier)", async function () {
    const { registry, admin, attester, alice, verifier } = await networkHelpers.loadFixture(verifierFixture);
    await expect(registry.connect(admin).setKeyVerifier(0, await verifier.getAddress()))
      .to.be.revertedWithCustomError(registry, "InvalidKeyType")
      .withArgs(0);
    const req = await makeRequest(ethers, alice.address);
    const sig = await mockSig(registry, alice.address, req.disclose, req.deadline);
    await expect(registry.connect(attester).attestWithVerifier(req, 2, publicKey, sig))
      .to.be.revertedWithCustomError(registry, "UnknownKeyType")
      .withArgs(2);
    await expect(
      registry.connect(attester).attestWithVerifier(req, 1, publicKey, keccak256("0x01")),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    await expect(registry.connect(attester).attestWithVerifier(req, 1, "0x", sig)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
    await expect(registry.connect(admin).setKeyVerifier(3, alice.address))
      .to.be.revertedWithCustomError(registry, "InvalidKeyVerifier")
      .withArgs(alice.address);
    await expect(registry.connect(admin).setKeyVerifier(1, ethers.ZeroAddress))
      .to.emit(registry, "KeyVerifierSet")
      .withArgs(1, ethers.ZeroAddress);
    await expect(registry.connect(attester).attestWithVerifier(req, 1, publicKey, sig)).to.be.revertedWithCustomError(
      registry,
      "UnknownKeyType",
    );
  });

  it("the generic path enforces the same request checks and uniqueness", async function () {
    const { registry, attester, pauser, alice, bob } = await networkHelpers.loadFixture(verifierFixture);
    const req = await makeRequest(ethers, alice.address, { claims: Claims.AUTH | Claims.AGE_20, disclose: 1 });
    await expect(registry.connect(attester).attestWithVerifier(req, 1, publicKey, "0x")).to.be.revertedWithCustomError(
      registry,
      "ClaimsNotDisclosed",
    );
    const ok = await makeRequest(ethers, alice.address);
    await registry
      .connect(attester)
      .attestWithVerifier(ok, 1, publicKey, await mockSig(registry, alice.address, ok.disclose, ok.deadline));
    const forBob = await makeRequest(ethers, bob.address);
    await expect(
      registry
        .connect(attester)
        .attestWithVerifier(
          forBob,
          1,
          publicKey,
          await mockSig(registry, bob.address, forBob.disclose, forBob.deadline),
        ),
    ).to.be.revertedWithCustomError(registry, "KeyAlreadyBound");
    await registry.connect(pauser).pause();
    await expect(
      registry.connect(attester).attestWithVerifier(forBob, 1, publicKey, "0x"),
    ).to.be.revertedWithCustomError(registry, "RegistryPaused");
  });
});
