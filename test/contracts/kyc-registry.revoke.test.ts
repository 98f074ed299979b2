import { expect } from "chai";
import { keccak256 } from "ethers";
import { network } from "hardhat";

import { Claims, cardSign, revokeSignature, testCard } from "../helpers/card-proof.js";
import { Reason, Status, attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();

async function attestedFixture() {
  const f = await deployRegistryFixture(ethers);
  await attestWith(f.registry, f.attester, testCard(0), await makeRequest(ethers, f.alice.address));
  await attestWith(f.registry, f.attester, testCard(1), await makeRequest(ethers, f.bob.address));
  await attestWith(f.registry, f.attester2, testCard(2), await makeRequest(ethers, f.carol.address));
  return f;
}

async function deadlineIn(seconds: bigint): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + seconds;
}

describe("KycRegistry: revocation", function () {
  it("the issuing attester revokes; the record keeps its data with status, time and reason", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
    await expect(registry.connect(attester).revoke(alice.address, Reason.CertificateInvalid))
      .to.emit(registry, "Revoked")
      .withArgs(alice.address, attester.address, Reason.CertificateInvalid);
    const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    expect(await registry.isVerified(alice.address)).to.equal(false);
    const rec = await registry.attestationOf(alice.address);
    expect(rec.status).to.equal(BigInt(Status.Revoked));
    expect(rec.revokedAt).to.equal(ts);
    expect(rec.reason).to.equal(BigInt(Reason.CertificateInvalid));
    expect(rec.claims).to.equal(BigInt(Claims.AUTH));
    expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Revoked));
  });

  it("a revoker revokes any record; another attester cannot; a stranger cannot", async function () {
    const { registry, revoker, attester2, stranger, alice, carol } = await networkHelpers.loadFixture(attestedFixture);
    await expect(registry.connect(attester2).revoke(alice.address, Reason.Operator))
      .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
      .withArgs(attester2.address, alice.address);
    await expect(registry.connect(stranger).revoke(carol.address, Reason.Operator)).to.be.revertedWithCustomError(
      registry,
      "NotAuthorizedToRevoke",
    );
    await registry.connect(revoker).revoke(alice.address, Reason.Operator);
    await registry.connect(attester2).revoke(carol.address, Reason.Superseded);
    expect(await registry.isVerified(alice.address)).to.equal(false);
    expect(await registry.isVerified(carol.address)).to.equal(false);
  });

  it("NotActive for a record that is revoked or absent", async function () {
    const { registry, revoker, alice, stranger } = await networkHelpers.loadFixture(attestedFixture);
    await registry.connect(revoker).revoke(alice.address, Reason.Operator);
    await expect(registry.connect(revoker).revoke(alice.address, Reason.Operator))
      .to.be.revertedWithCustomError(registry, "NotActive")
      .withArgs(alice.address);
    await expect(registry.connect(revoker).revoke(stranger.address, Reason.Operator)).to.be.revertedWithCustomError(
      registry,
      "NotActive",
    );
    await expect(registry.connect(stranger).revokeSelf())
      .to.be.revertedWithCustomError(registry, "NotActive")
      .withArgs(stranger.address);
  });

  it("a removed attester can still revoke its own records", async function () {
    const { registry, admin, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
    await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
    await registry.connect(attester).revoke(alice.address, Reason.Operator);
    expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Revoked));
  });

  it("revokeBatch revokes per entry, skips inactive entries and rejects entries outside the caller's authority", async function () {
    const { registry, attester, revoker, alice, bob, carol, stranger } =
      await networkHelpers.loadFixture(attestedFixture);
    await registry.connect(revoker).revoke(bob.address, Reason.Operator);
    const subjects = [alice.address, bob.address, stranger.address, alice.address];
    expect(await registry.connect(attester).revokeBatch.staticCall(subjects, Reason.CertificateInvalid)).to.equal(1n);
    const tx = registry.connect(attester).revokeBatch(subjects, Reason.CertificateInvalid);
    await expect(tx).to.emit(registry, "Revoked").withArgs(alice.address, attester.address, Reason.CertificateInvalid);
    const receipt = await (await tx).wait();
    expect(receipt!.logs.length).to.equal(1);
    // re-running is harmless
    expect(await registry.connect(attester).revokeBatch.staticCall(subjects, Reason.CertificateInvalid)).to.equal(0n);
    await expect(
      registry.connect(attester).revokeBatch([carol.address], Reason.CertificateInvalid),
    ).to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke");
    expect(await registry.connect(revoker).revokeBatch.staticCall([carol.address], Reason.Operator)).to.equal(1n);
  });

  it("revokeSelf: the subject withdraws consent", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(attestedFixture);
    await expect(registry.connect(alice).revokeSelf())
      .to.emit(registry, "Revoked")
      .withArgs(alice.address, alice.address, Reason.HolderRequest);
    expect(await registry.isVerified(alice.address)).to.equal(false);
  });

  describe("revokeByCard", function () {
    it("anyone relays a card-signed Revoke; the nonce is consumed and the key stays burned", async function () {
      const { registry, stranger, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      const card = testCard(0);
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, card, alice.address, deadline);
      await expect(registry.connect(stranger).revokeByCard(alice.address, deadline, card.modulus, sig))
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, stranger.address, Reason.HolderRequest);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      await expect(
        attestWith(registry, attester, card, await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "KeyAlreadyBound");
    });

    it("DeadlineExpired, InvalidModulus, NotActive, KeyNotBound, InvalidCardSignature", async function () {
      const { registry, stranger, alice, bob } = await networkHelpers.loadFixture(attestedFixture);
      const card = testCard(0);
      const past = await deadlineIn(0n);
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, card, alice.address, deadline);
      const r = registry.connect(stranger);
      await expect(r.revokeByCard(alice.address, past, card.modulus, sig))
        .to.be.revertedWithCustomError(registry, "DeadlineExpired")
        .withArgs(past);
      await expect(r.revokeByCard(alice.address, deadline, "0x00" + card.modulus.slice(2), sig))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(257);
      await expect(r.revokeByCard(stranger.address, deadline, card.modulus, sig))
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(stranger.address);
      // bob's card cannot revoke alice, even with a valid signature of its own
      const bobSig = await revokeSignature(registry, testCard(1), alice.address, deadline);
      await expect(r.revokeByCard(alice.address, deadline, testCard(1).modulus, bobSig)).to.be.revertedWithCustomError(
        registry,
        "KeyNotBound",
      );
      // a signature over another deadline, another subject, or by another key fails
      await expect(r.revokeByCard(alice.address, deadline + 1n, card.modulus, sig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      const forBob = cardSign(card, await registry.revokeDigest(bob.address, 1n, deadline));
      await expect(r.revokeByCard(alice.address, deadline, card.modulus, forBob)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      // the KycBinding signature is not a Revoke signature
      const bindingSig = cardSign(card, await registry.bindingDigest(alice.address, 15, 1n, deadline));
      await expect(r.revokeByCard(alice.address, deadline, card.modulus, bindingSig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
    });

    it("an old key of the same subject is not the current key", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      // alice's record expires, she re-attests with a new card; the old card cannot revoke the new record
      await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
      await registry.connect(attester).recordCrlSync();
      await attestWith(registry, attester, testCard(3), await makeRequest(ethers, alice.address));
      const deadline = await deadlineIn(600n);
      const oldSig = await revokeSignature(registry, testCard(0), alice.address, deadline);
      await expect(
        registry.revokeByCard(alice.address, deadline, testCard(0).modulus, oldSig),
      ).to.be.revertedWithCustomError(registry, "KeyNotBound");
      expect(await registry.isCurrentKey(alice.address, keccak256(testCard(0).modulus))).to.equal(false);
      expect(await registry.isCurrentKey(alice.address, keccak256(testCard(3).modulus))).to.equal(true);
    });
  });

  describe("pause blocks new attestations only", function () {
    it("revoke, revokeBatch, revokeSelf, revokeByCard and reads work while paused", async function () {
      const { registry, pauser, attester, revoker, alice, bob, carol, stranger } =
        await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(pauser).pause()).to.emit(registry, "Paused").withArgs(pauser.address);
      expect(await registry.paused()).to.equal(true);
      await expect(registry.connect(pauser).pause()).to.be.revertedWithCustomError(registry, "AlreadyPaused");
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await expect(
        attestWith(registry, attester, testCard(3), await makeRequest(ethers, stranger.address)),
      ).to.be.revertedWithCustomError(registry, "RegistryPaused");
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, testCard(0), alice.address, deadline);
      await registry.connect(stranger).revokeByCard(alice.address, deadline, testCard(0).modulus, sig);
      await registry.connect(bob).revokeSelf();
      await registry.connect(revoker).revokeBatch([carol.address], Reason.Operator);
      for (const s of [alice, bob, carol]) expect(await registry.isVerified(s.address)).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      await expect(registry.connect(pauser).unpause()).to.emit(registry, "Unpaused").withArgs(pauser.address);
      await expect(registry.connect(pauser).unpause()).to.be.revertedWithCustomError(registry, "NotPaused");
      await attestWith(registry, attester, testCard(3), await makeRequest(ethers, stranger.address));
      expect(await registry.isVerified(stranger.address)).to.equal(true);
    });
  });
});
