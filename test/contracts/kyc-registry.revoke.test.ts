import { expect } from "chai";
import { ZeroHash, id } from "ethers";
import { network } from "hardhat";

import { Claims, bindingProof, cardSign, keyNullifier, revokeSignature, testCard } from "../helpers/card-proof.js";
import {
  Reason,
  SkipReason,
  Status,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

/** alice (card 0, identity level) and bob (card 1) by `attester`, carol (card 2) by `attester2`. */
async function attestedFixture() {
  const f = await deployRegistryFixture(ethers);
  await attestWith(
    f.registry,
    f.attester,
    testCard(0),
    await makeRequest(ethers, f.alice.address, { claims: IDENTITY_CLAIMS, personTag: id("alice") }),
  );
  await attestWith(f.registry, f.attester, testCard(1), await makeRequest(ethers, f.bob.address));
  await attestWith(f.registry, f.attester2, testCard(2), await makeRequest(ethers, f.carol.address));
  return f;
}

async function deadlineIn(seconds: bigint): Promise<bigint> {
  return (await latestTime(ethers)) + seconds;
}

describe("KycRegistry v2: revocation", function () {
  describe("revoke", function () {
    it("the issuing attester revokes; the record keeps its data with status, time and reason; the key stays usable", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(attester).revoke(alice.address, Reason.Superseded))
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, attester.address, Reason.Superseded);
      const ts = await latestTime(ethers);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      const rec = await registry.attestationOf(alice.address);
      expect(rec.status).to.equal(BigInt(Status.Revoked));
      expect(rec.revokedAt).to.equal(ts);
      expect(rec.reason).to.equal(BigInt(Reason.Superseded));
      expect(rec.claims).to.equal(BigInt(IDENTITY_CLAIMS));
      expect(await registry.keyState(keyNullifier(testCard(0).modulus))).to.deep.equal([alice.address, false, false]);
    });

    it("a revoker revokes any record; another attester and a stranger cannot (NotAuthorizedToRevoke before NotActive)", async function () {
      const { registry, revoker, attester2, stranger, alice, carol } =
        await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(attester2).revoke(alice.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
        .withArgs(attester2.address, alice.address);
      await expect(registry.connect(stranger).revoke(carol.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
        .withArgs(stranger.address, carol.address);
      // a subject without a record: the authority check comes first
      await expect(registry.connect(stranger).revoke(stranger.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
        .withArgs(stranger.address, stranger.address);
      await registry.connect(revoker).revoke(alice.address, Reason.Operator);
      await registry.connect(attester2).revoke(carol.address, Reason.Superseded);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      expect(await registry.isVerified(carol.address)).to.equal(false);
    });

    it("InvalidRevocationReason (before the authority check), NotActive for a revoked or absent record", async function () {
      const { registry, revoker, stranger, alice } = await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(stranger).revoke(alice.address, Reason.CertificateInvalid))
        .to.be.revertedWithCustomError(registry, "InvalidRevocationReason")
        .withArgs(Reason.CertificateInvalid);
      await registry.connect(revoker).revoke(alice.address, Reason.Operator);
      await expect(registry.connect(revoker).revoke(alice.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(alice.address);
      await expect(registry.connect(revoker).revoke(stranger.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(stranger.address);
      await expect(registry.connect(stranger).revokeSelf())
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(stranger.address);
    });
  });

  describe("revokeBatch", function () {
    it("revokes per entry and skips, with a reason, entries that are not active or not the caller's", async function () {
      const { registry, attester, revoker, alice, bob, carol, stranger } =
        await networkHelpers.loadFixture(attestedFixture);
      await registry.connect(revoker).revoke(bob.address, Reason.Operator);
      const subjects = [alice.address, bob.address, stranger.address, carol.address, alice.address];
      expect(await registry.connect(attester).revokeBatch.staticCall(subjects, Reason.Operator)).to.equal(1n);
      const tx = registry.connect(attester).revokeBatch(subjects, Reason.Operator);
      await expect(tx)
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, attester.address, Reason.Operator)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(bob.address, SkipReason.NotActive)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(stranger.address, SkipReason.NotActive)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(carol.address, SkipReason.NotAuthorized);
      const receipt = await (await tx).wait();
      // one Revoked, four SubjectSkipped (alice's second entry is now inactive)
      expect(receipt!.logs.length).to.equal(5);
      expect(await registry.isVerified(carol.address)).to.equal(true);
      expect(await registry.connect(revoker).revokeBatch.staticCall([carol.address], Reason.Superseded)).to.equal(1n);
    });
  });

  describe("revokeSelf", function () {
    it("the subject withdraws its attestation; the card can bind again", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(alice).revokeSelf())
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, alice.address, Reason.HolderRequest);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("withdrawn consent: a binding the holder signed before revokeSelf (never submitted) cannot attest after it", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      const req = await makeRequest(ethers, alice.address);
      const early = await bindingProof(registry, testCard(0), alice, req, attester.address);
      await registry.connect(alice).revokeSelf();
      await expect(
        registry.connect(attester).attest(req, testCard(0).modulus, early.cardSignature, early.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      expect(await registry.isVerified(alice.address)).to.equal(false);
    });
  });

  describe("revokeByCard", function () {
    it("anyone relays a card-signed Revoke; the nonce is consumed; the key is free again", async function () {
      const { registry, stranger, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      const card = testCard(0);
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, card, alice.address, deadline);
      await expect(registry.connect(stranger).revokeByCard(alice.address, deadline, card.modulus, sig))
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, stranger.address, Reason.HolderRequest);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      // replay is dead (NotActive, then the nonce moved)
      await expect(registry.connect(stranger).revokeByCard(alice.address, deadline, card.modulus, sig))
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(alice.address);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await expect(
        registry.connect(stranger).revokeByCard(alice.address, deadline, card.modulus, sig),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    });

    it("DeadlineExpired, InvalidModulus, NotActive, KeyNotBound, InvalidCardSignature, in that order", async function () {
      const { registry, attester, stranger, alice, bob } = await networkHelpers.loadFixture(attestedFixture);
      const card = testCard(0);
      const past = await deadlineIn(0n);
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, card, alice.address, deadline);
      const r = registry.connect(stranger);
      // every defect at once: the deadline is reported first
      await expect(r.revokeByCard(stranger.address, past, "0x", "0x"))
        .to.be.revertedWithCustomError(registry, "DeadlineExpired")
        .withArgs(past);
      await expect(r.revokeByCard(stranger.address, deadline, "0x00" + card.modulus.slice(2), sig))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(257);
      await expect(r.revokeByCard(stranger.address, deadline, card.modulus, "0x"))
        .to.be.revertedWithCustomError(registry, "NotActive")
        .withArgs(stranger.address);
      // bob's card cannot revoke alice, even with a valid signature of its own
      const bobSig = await revokeSignature(registry, testCard(1), alice.address, deadline);
      await expect(r.revokeByCard(alice.address, deadline, testCard(1).modulus, bobSig)).to.be.revertedWithCustomError(
        registry,
        "KeyNotBound",
      );
      // a signature over another deadline, another subject, or a binding digest fails
      await expect(r.revokeByCard(alice.address, deadline + 1n, card.modulus, sig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      const forBob = cardSign(card, await registry.revokeDigest(bob.address, 1n, deadline));
      await expect(r.revokeByCard(alice.address, deadline, card.modulus, forBob)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      const bindingSig = cardSign(
        card,
        await registry.bindingDigest(alice.address, attester.address, 15, 1n, deadline, ZeroHash),
      );
      await expect(r.revokeByCard(alice.address, deadline, card.modulus, bindingSig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
    });

    it("an old card of the same subject is not the current key (KeyNotBound)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      // alice replaces her card while her record is active
      await attestWith(registry, attester, testCard(3), await makeRequest(ethers, alice.address));
      const deadline = await deadlineIn(600n);
      const oldSig = await revokeSignature(registry, testCard(0), alice.address, deadline);
      await expect(
        registry.revokeByCard(alice.address, deadline, testCard(0).modulus, oldSig),
      ).to.be.revertedWithCustomError(registry, "KeyNotBound");
      expect(await registry.isCurrentKey(alice.address, keyNullifier(testCard(0).modulus))).to.equal(false);
      expect(await registry.isCurrentKey(alice.address, keyNullifier(testCard(3).modulus))).to.equal(true);
    });
  });

  describe("revokeInvalidKeys (the CRL path)", function () {
    it("the revoker burns keys and revokes their active records; unknown keys are skipped; returns the count", async function () {
      const { registry, revoker, alice, carol } = await networkHelpers.loadFixture(attestedFixture);
      const nA = keyNullifier(testCard(0).modulus);
      const nC = keyNullifier(testCard(2).modulus);
      const unknown = keyNullifier(testCard(5).modulus);
      const keys = [nA, unknown, nC, nA];
      expect(await registry.connect(revoker).revokeInvalidKeys.staticCall(keys)).to.equal(2n);
      await expect(registry.connect(revoker).revokeInvalidKeys(keys))
        .to.emit(registry, "CardKeyBurned")
        .withArgs(nA, revoker.address)
        .and.to.emit(registry, "Revoked")
        .withArgs(alice.address, revoker.address, Reason.CertificateInvalid)
        .and.to.emit(registry, "KeySkipped")
        .withArgs(unknown, SkipReason.NotActive)
        .and.to.emit(registry, "Revoked")
        .withArgs(carol.address, revoker.address, Reason.CertificateInvalid)
        .and.to.emit(registry, "KeySkipped")
        .withArgs(nA, SkipReason.AlreadyBurned);
      expect((await registry.attestationOf(alice.address)).reason).to.equal(BigInt(Reason.CertificateInvalid));
      expect(await registry.keyState(nA)).to.deep.equal([alice.address, false, true]);
    });

    it("the issuing attester burns its own records' keys; another attester's are skipped", async function () {
      const { registry, attester, bob, carol } = await networkHelpers.loadFixture(attestedFixture);
      const nB = keyNullifier(testCard(1).modulus);
      const nC = keyNullifier(testCard(2).modulus);
      await expect(registry.connect(attester).revokeInvalidKeys([nB, nC]))
        .to.emit(registry, "Revoked")
        .withArgs(bob.address, attester.address, Reason.CertificateInvalid)
        .and.to.emit(registry, "KeySkipped")
        .withArgs(nC, SkipReason.NotAuthorized);
      expect(await registry.isVerified(carol.address)).to.equal(true);
      expect((await registry.keyState(nC))[2]).to.equal(false);
    });

    it("a key without an active record is burned too (revoked count 0): it can never bind again", async function () {
      const { registry, attester, revoker, alice } = await networkHelpers.loadFixture(attestedFixture);
      const n = keyNullifier(testCard(0).modulus);
      await registry.connect(alice).revokeSelf();
      expect(await registry.connect(revoker).revokeInvalidKeys.staticCall([n])).to.equal(0n);
      await expect(registry.connect(revoker).revokeInvalidKeys([n]))
        .to.emit(registry, "CardKeyBurned")
        .withArgs(n, revoker.address)
        .and.not.to.emit(registry, "Revoked");
      await expect(attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "KeyBurned")
        .withArgs(n);
      // alice's record keeps its HolderRequest reason
      expect((await registry.attestationOf(alice.address)).reason).to.equal(BigInt(Reason.HolderRequest));
    });

    it("burning an old card of a subject that moved to a new card leaves the new record alone", async function () {
      const { registry, attester, revoker, alice } = await networkHelpers.loadFixture(attestedFixture);
      await attestWith(registry, attester, testCard(3), await makeRequest(ethers, alice.address));
      const old = keyNullifier(testCard(0).modulus);
      // the attester of alice's records may not burn the old card: its last record is no longer that key's
      await expect(registry.connect(attester).revokeInvalidKeys([old]))
        .to.emit(registry, "KeySkipped")
        .withArgs(old, SkipReason.NotAuthorized);
      await expect(registry.connect(revoker).revokeInvalidKeys([old]))
        .to.emit(registry, "CardKeyBurned")
        .and.not.to.emit(registry, "Revoked");
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(await registry.keyState(old)).to.deep.equal([alice.address, false, true]);
    });
  });

  describe("dropSigningClaims", function () {
    it("drops IDENTITY and AGE, keeps AUTH; skips records without signing claims, inactive or other attesters' records", async function () {
      const { registry, attester, attester2, alice, bob, carol, stranger } =
        await networkHelpers.loadFixture(attestedFixture);
      await attestWith(
        registry,
        attester2,
        testCard(2),
        await makeRequest(ethers, carol.address, { claims: Claims.AUTH | Claims.AGE_18, personTag: id("carol") }),
      );
      const list = [alice.address, bob.address, carol.address, stranger.address];
      expect(await registry.connect(attester).dropSigningClaims.staticCall(list)).to.equal(1n);
      await expect(registry.connect(attester).dropSigningClaims(list))
        .to.emit(registry, "SigningClaimsDropped")
        .withArgs(alice.address, attester.address, Claims.AUTH)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(bob.address, SkipReason.NoSigningClaims)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(carol.address, SkipReason.NotAuthorized)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(stranger.address, SkipReason.NotActive);
      expect(await registry.hasClaims(carol.address, Claims.AGE_18)).to.equal(true);
      expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(true);
      expect(await registry.hasClaims(alice.address, Claims.IDENTITY)).to.equal(false);
      // the revoker role does not drop claims
      const [, , , revoker] = await ethers.getSigners();
      await expect(registry.connect(revoker!).dropSigningClaims([carol.address]))
        .to.emit(registry, "SubjectSkipped")
        .withArgs(carol.address, SkipReason.NotAuthorized);
    });

    it("an expired record is skipped as NotActive", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(attestedFixture);
      await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
      await expect(registry.connect(attester).dropSigningClaims([alice.address]))
        .to.emit(registry, "SubjectSkipped")
        .withArgs(alice.address, SkipReason.NotActive);
      expect((await registry.attestationOf(alice.address)).claims).to.equal(BigInt(IDENTITY_CLAIMS));
    });
  });

  describe("pause blocks new attestations only", function () {
    it("revoke, revokeBatch, revokeSelf, revokeByCard, revokeInvalidKeys, dropSigningClaims and reads work while paused", async function () {
      const { registry, pauser, attester, revoker, alice, bob, carol, stranger } =
        await networkHelpers.loadFixture(attestedFixture);
      await expect(registry.connect(pauser).pause()).to.emit(registry, "Paused").withArgs(pauser.address);
      expect(await registry.paused()).to.equal(true);
      await expect(registry.connect(pauser).pause()).to.be.revertedWithCustomError(registry, "AlreadyPaused");
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await expect(
        attestWith(registry, attester, testCard(3), await makeRequest(ethers, stranger.address)),
      ).to.be.revertedWithCustomError(registry, "RegistryPaused");
      await expect(registry.connect(attester).dropSigningClaims([alice.address])).to.emit(
        registry,
        "SigningClaimsDropped",
      );
      const deadline = await deadlineIn(600n);
      const sig = await revokeSignature(registry, testCard(0), alice.address, deadline);
      await registry.connect(stranger).revokeByCard(alice.address, deadline, testCard(0).modulus, sig);
      await registry.connect(bob).revokeSelf();
      await registry.connect(revoker).revokeBatch([carol.address], Reason.Operator);
      await expect(registry.connect(revoker).revokeInvalidKeys([keyNullifier(testCard(1).modulus)])).to.emit(
        registry,
        "CardKeyBurned",
      );
      for (const s of [alice, bob, carol]) expect(await registry.isVerified(s.address)).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      await expect(registry.connect(pauser).unpause()).to.emit(registry, "Unpaused").withArgs(pauser.address);
      await expect(registry.connect(pauser).unpause()).to.be.revertedWithCustomError(registry, "NotPaused");
      await attestWith(registry, attester, testCard(3), await makeRequest(ethers, stranger.address));
      expect(await registry.isVerified(stranger.address)).to.equal(true);
    });
  });
});
