import { expect } from "chai";
import { ZeroHash, id, keccak256 } from "ethers";
import { network } from "hardhat";
import { anyUint, anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import {
  Claims,
  EXPIRY_GRID,
  bindingSignature,
  cardSign,
  createTestCard,
  gridFloor,
  testCard,
} from "../helpers/card-proof.js";
import {
  MAX_AGE,
  Reason,
  Status,
  YEAR,
  AnchorKind,
  attestWith,
  deployRegistryFixture,
  makeRequest,
} from "../helpers/registry-fixture.js";
import { signAttestation } from "../../src/operator/attestation-request.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

describe("KycRegistry: attest", function () {
  it("records an auth-level attestation and emits Attested without certificate data", async function () {
    const { registry, attester, alice, authCa } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const tx = await attestWith(registry, attester, card, req);
    const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const expiresAt = gridFloor(ts + MAX_AGE);
    const nullifier = keccak256(card.modulus);
    await expect(tx)
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, nullifier, Claims.AUTH, expiresAt, authCa);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(true);
    expect(await registry.hasClaims(alice.address, Claims.AUTH | Claims.AGE_20)).to.equal(false);
    expect(await registry.hasClaims(alice.address, 0)).to.equal(true);
    const [status, claims, exp] = await registry.kycStatus(alice.address);
    expect([status, claims, exp]).to.deep.equal([BigInt(Status.Active), BigInt(Claims.AUTH), expiresAt]);
    expect(await registry.nonces(alice.address)).to.equal(1n);
    expect(await registry.keyNullifierOwner(nullifier)).to.equal(alice.address);
    expect(await registry.isCurrentKey(alice.address, nullifier)).to.equal(true);
    expect(await registry.isCurrentKey(alice.address, keccak256(testCard(1).modulus))).to.equal(false);
    const rec = await registry.attestationOf(alice.address);
    expect(rec.attester).to.equal(attester.address);
    expect(rec.status).to.equal(BigInt(Status.Active));
    expect(rec.caId).to.equal(BigInt(authCa));
    expect(rec.attestedAt).to.equal(ts);
    expect(rec.revokedAt).to.equal(0n);
    expect(rec.personTag).to.equal(ZeroHash);
  });

  it("records an identity-level attestation with its person tag", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const tag = id("person tag 1");
    const req = await makeRequest(ethers, alice.address, { claims: IDENTITY_CLAIMS, personTag: tag });
    await attestWith(registry, attester, testCard(0), req);
    expect(await registry.hasClaims(alice.address, Claims.IDENTITY | Claims.AGE_20)).to.equal(true);
    expect((await registry.attestationOf(alice.address)).personTag).to.equal(tag);
  });

  it("accepts a 3072-bit card key (moduli of 2048 to 4096 bits, e = 65537)", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = createTestCard(3072);
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    expect(await registry.isCurrentKey(alice.address, keccak256(card.modulus))).to.equal(true);
  });

  it("reports None for an account never attested", async function () {
    const { registry, bob } = await networkHelpers.loadFixture(fixture);
    expect(await registry.isVerified(bob.address)).to.equal(false);
    const [status, claims, exp] = await registry.kycStatus(bob.address);
    expect([status, claims, exp]).to.deep.equal([BigInt(Status.None), 0n, 0n]);
  });

  describe("expiry rounding", function () {
    it("rounds min(now + maxAge, expiryCap) down to the 30-day grid", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      // a cap below now + maxAge wins
      const cap = gridFloor(now + MAX_AGE) - 2n * EXPIRY_GRID;
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address, { expiryCap: cap }));
      expect((await registry.kycStatus(alice.address))[2]).to.equal(cap);
      // a far cap: maxAge wins, rounded down
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, bob.address));
      const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const exp = (await registry.kycStatus(bob.address))[2];
      expect(exp).to.equal(gridFloor(ts + MAX_AGE));
      expect(exp % EXPIRY_GRID).to.equal(0n);
      expect(exp <= ts + MAX_AGE).to.equal(true);
    });

    it("rejects an expiryCap off the grid (it could carry the birthday)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      req.expiryCap += 86399n;
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "ExpiryCapNotOnGrid")
        .withArgs(req.expiryCap);
    });

    it("rejects an expiry that is not in the future", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const req = await makeRequest(ethers, alice.address, { expiryCap: gridFloor(now) });
      await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
        registry,
        "ExpiryNotInFuture",
      );
    });

    it("reads Expired once expiresAt passes, and the same key may renew the same subject", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      const exp = (await registry.kycStatus(alice.address))[2];
      await networkHelpers.time.increaseTo(exp);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Expired));
      expect(await registry.isVerified(alice.address)).to.equal(false);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
    });
  });

  describe("checks, in order, one custom error each", function () {
    it("RegistryPaused comes first (even before the role check)", async function () {
      const { registry, pauser, stranger, alice } = await networkHelpers.loadFixture(fixture);
      await registry.connect(pauser).pause();
      await expect(
        attestWith(registry, stranger, testCard(0), await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "RegistryPaused");
    });

    it("NotAttester", async function () {
      const { registry, revoker, alice } = await networkHelpers.loadFixture(fixture);
      await expect(attestWith(registry, revoker, testCard(0), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(revoker.address);
    });

    it("StaleCrlSync when the attester's heartbeat is older than maxStaleness", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      await networkHelpers.time.increase(3 * 24 * 3600 + 1);
      await expect(
        attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "StaleCrlSync");
      await registry.connect(attester).recordCrlSync();
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
    });

    it("DeadlineExpired", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const req = await makeRequest(ethers, alice.address, { deadline: now });
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "DeadlineExpired")
        .withArgs(now);
    });

    it("InvalidSubject for the zero address", async function () {
      const { registry, attester } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, ethers.ZeroAddress);
      await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
        registry,
        "InvalidSubject",
      );
    });

    it("InvalidClaims without AUTH", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address, { claims: Claims.AGE_18 });
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "InvalidClaims")
        .withArgs(Claims.AGE_18);
    });

    it("ClaimsNotDisclosed when the operator publishes more than the holder disclosed", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address, {
        disclose: Claims.AUTH | Claims.AGE_18,
        claims: Claims.AUTH | Claims.AGE_20,
      });
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "ClaimsNotDisclosed")
        .withArgs(Claims.AUTH | Claims.AGE_20, Claims.AUTH | Claims.AGE_18);
    });

    it("the disclose mask bounds the claims; a subset is fine", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address, {
        disclose: Claims.AUTH | Claims.AGE_18 | Claims.AGE_20,
        claims: Claims.AUTH | Claims.AGE_18,
      });
      await attestWith(registry, attester, testCard(0), req);
      expect(await registry.hasClaims(alice.address, Claims.AGE_18)).to.equal(true);
      expect(await registry.hasClaims(alice.address, Claims.AGE_20)).to.equal(false);
    });

    it("the operator cannot widen the disclose mask the card signed", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const req = await makeRequest(ethers, alice.address, { disclose: Claims.AUTH, claims: Claims.AUTH });
      const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      const widened = { ...req, disclose: Claims.AUTH | Claims.AGE_20, claims: Claims.AUTH | Claims.AGE_20 };
      await expect(registry.connect(attester).attest(widened, card.modulus, sig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
    });

    it("PersonTagMismatch: IDENTITY without a tag, and a tag without IDENTITY", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const noTag = await makeRequest(ethers, alice.address, { claims: IDENTITY_CLAIMS });
      await expect(attestWith(registry, attester, testCard(0), noTag)).to.be.revertedWithCustomError(
        registry,
        "PersonTagMismatch",
      );
      const strayTag = await makeRequest(ethers, alice.address, { personTag: id("tag") });
      await expect(attestWith(registry, attester, testCard(0), strayTag)).to.be.revertedWithCustomError(
        registry,
        "PersonTagMismatch",
      );
    });

    it("UnknownTrustAnchor for id 0 and ids past the count", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      for (const caId of [0, 3]) {
        const req = await makeRequest(ethers, alice.address, { caId });
        await expect(attestWith(registry, attester, testCard(0), req))
          .to.be.revertedWithCustomError(registry, "UnknownTrustAnchor")
          .withArgs(caId);
      }
    });

    it("TrustAnchorDisabled", async function () {
      const { registry, attester, anchorManager, alice, authCa } = await networkHelpers.loadFixture(fixture);
      await registry.connect(anchorManager).setTrustAnchorEnabled(authCa, false);
      await expect(attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "TrustAnchorDisabled")
        .withArgs(authCa);
    });

    it("WrongAnchorKind for a signing-CA anchor", async function () {
      const { registry, attester, alice, signCa } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address, { caId: signCa });
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "WrongAnchorKind")
        .withArgs(signCa);
    });

    it("InvalidModulus: under 2048 bits, a 2047-bit 256-byte modulus, a leading zero byte, over 4096 bits", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const small = createTestCard(1024);
      const sigSmall = await bindingSignature(registry, small, alice.address, req.disclose, req.deadline);
      await expect(registry.connect(attester).attest(req, small.modulus, sigSmall))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(128);
      const card = testCard(0);
      const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      await expect(registry.connect(attester).attest(req, "0x00" + card.modulus.slice(2), sig))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(257);
      await expect(registry.connect(attester).attest(req, "0x7f" + card.modulus.slice(4), sig))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(256);
      await expect(registry.connect(attester).attest(req, "0x" + "ff".repeat(513), sig))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(513);
    });

    it("InvalidCardSignature: another key, a tampered signature, a signature over another subject", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const card = testCard(0);
      const otherSig = await bindingSignature(registry, testCard(1), alice.address, req.disclose, req.deadline);
      await expect(registry.connect(attester).attest(req, card.modulus, otherSig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      const tampered = sig.slice(0, -2) + (sig.endsWith("00") ? "01" : "00");
      await expect(registry.connect(attester).attest(req, card.modulus, tampered)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      await expect(
        registry.connect(attester).attest({ ...req, subject: bob.address }, card.modulus, sig),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    });

    it("KeyAlreadyBound: a key bound to another address", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await expect(attestWith(registry, attester, card, await makeRequest(ethers, bob.address)))
        .to.be.revertedWithCustomError(registry, "KeyAlreadyBound")
        .withArgs(keccak256(card.modulus));
    });

    it("KeyAlreadyBound: a revoked key stays burned, even for the same subject", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await registry.connect(alice).revokeSelf();
      await expect(
        attestWith(registry, attester, card, await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "KeyAlreadyBound");
      // a new card works for the same subject
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("KeyAlreadyBound: a key replaced by another key on the same subject cannot come back", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      const exp = (await registry.kycStatus(alice.address))[2];
      await networkHelpers.time.increaseTo(exp);
      await registry.connect(attester).recordCrlSync();
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, alice.address));
      const exp2 = (await registry.kycStatus(alice.address))[2];
      await networkHelpers.time.increaseTo(exp2);
      await registry.connect(attester).recordCrlSync();
      await expect(
        attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "KeyAlreadyBound");
    });

    it("SubjectAlreadyAttested: another key needs the active record revoked first (or superseded)", async function () {
      const { registry, attester, attester2, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await expect(attestWith(registry, attester, testCard(1), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "SubjectAlreadyAttested")
        .withArgs(alice.address);
      // another attester with another key: the same
      await expect(attestWith(registry, attester2, testCard(1), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "SubjectAlreadyAttested")
        .withArgs(alice.address);
      // a key bound to someone else is still KeyAlreadyBound (check 12 runs before 13)
      await attestWith(
        registry,
        attester,
        testCard(2),
        await makeRequest(ethers, ethers.Wallet.createRandom().address),
      );
      await expect(attestWith(registry, attester, testCard(2), await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "KeyAlreadyBound")
        .withArgs(keccak256(testCard(2).modulus));
      await registry.connect(attester).revoke(alice.address, Reason.Superseded);
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(await registry.isCurrentKey(alice.address, keccak256(testCard(1).modulus))).to.equal(true);
    });

    it("PersonTagInUse among one attester's active attestations; freed by revocation; other attesters independent", async function () {
      const { registry, attester, attester2, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
      const tag = id("same person");
      const ident = (subject: string) => makeRequest(ethers, subject, { claims: IDENTITY_CLAIMS, personTag: tag });
      await attestWith(registry, attester, testCard(0), await ident(alice.address));
      await expect(attestWith(registry, attester, testCard(1), await ident(bob.address)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tag);
      // another attester's tag space is separate (its HMAC secret differs in practice)
      await attestWith(registry, attester2, testCard(1), await ident(bob.address));
      await registry.connect(attester).revoke(alice.address, Reason.CertificateInvalid);
      await attestWith(registry, attester, testCard(2), await ident(carol.address));
      expect(await registry.hasClaims(carol.address, Claims.IDENTITY)).to.equal(true);
    });

    it("a person tag is freed when its attestation expires", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const tag = id("same person");
      await attestWith(
        registry,
        attester,
        testCard(0),
        await makeRequest(ethers, alice.address, { claims: IDENTITY_CLAIMS, personTag: tag }),
      );
      await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
      await registry.connect(attester).recordCrlSync();
      await attestWith(
        registry,
        attester,
        testCard(1),
        await makeRequest(ethers, bob.address, { claims: IDENTITY_CLAIMS, personTag: tag }),
      );
      expect(await registry.isVerified(bob.address)).to.equal(true);
    });
  });

  describe("re-attestation (same card key, active record)", function () {
    const tagA = id("person tag A");
    const tagB = id("person tag B");
    const ident = (subject: string, personTag: string, extra: Partial<Parameters<typeof makeRequest>[2]> = {}) =>
      makeRequest(ethers, subject, { claims: IDENTITY_CLAIMS, personTag, ...extra });

    it("upgrades AUTH to IDENTITY + AGE with the same card: record replaced in place, Attested again", async function () {
      const { registry, attester, alice, authCa } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const nullifier = keccak256(card.modulus);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      const first = await registry.attestationOf(alice.address);
      await networkHelpers.time.increase(10 * 24 * 3600);
      await registry.connect(attester).recordCrlSync();
      const tx = await attestWith(registry, attester, card, await ident(alice.address, tagA));
      const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      await expect(tx)
        .to.emit(registry, "Attested")
        .withArgs(alice.address, attester.address, nullifier, IDENTITY_CLAIMS, gridFloor(ts + MAX_AGE), authCa);
      const rec = await registry.attestationOf(alice.address);
      expect(rec.status).to.equal(BigInt(Status.Active));
      expect(rec.claims).to.equal(BigInt(IDENTITY_CLAIMS));
      expect(rec.personTag).to.equal(tagA);
      expect(rec.attestedAt).to.equal(ts);
      expect(rec.attestedAt > first.attestedAt).to.equal(true);
      expect(rec.expiresAt).to.equal(gridFloor(ts + MAX_AGE));
      expect(await registry.hasClaims(alice.address, Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20)).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      expect(await registry.keyNullifierOwner(nullifier)).to.equal(alice.address);
      expect(await registry.isCurrentKey(alice.address, nullifier)).to.equal(true);
    });

    it("renews before expiry: a later expiry, a new anchor, and the holder nonce consumed", async function () {
      const { registry, attester, anchorManager, alice, authCa } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const shortCap = gridFloor(now) + 3n * EXPIRY_GRID;
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address, { expiryCap: shortCap }));
      expect((await registry.kycStatus(alice.address))[2]).to.equal(shortCap);
      // a new CA generation (the renewed certificate chains to it); the old record is still active
      const t = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      await registry
        .connect(anchorManager)
        .addTrustAnchor(AnchorKind.Authentication, id("auth CA gen 2"), t, t + 10n * YEAR);
      const gen2 = authCa + 2;
      await networkHelpers.time.increase(Number(EXPIRY_GRID));
      await registry.connect(attester).recordCrlSync();
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Active));
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address, { caId: gen2 }));
      const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const rec = await registry.attestationOf(alice.address);
      expect(rec.expiresAt).to.equal(gridFloor(ts + MAX_AGE));
      expect(rec.expiresAt > shortCap).to.equal(true);
      expect(rec.caId).to.equal(BigInt(gen2));
      expect(await registry.nonces(alice.address)).to.equal(2n);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("another attester may re-attest: it becomes the record's attester (revoke authority moves with it)", async function () {
      const { registry, admin, attester, attester2, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await expect(attestWith(registry, attester2, card, await makeRequest(ethers, alice.address)))
        .to.emit(registry, "Attested")
        .withArgs(alice.address, attester2.address, keccak256(card.modulus), Claims.AUTH, anyUint, 1);
      expect((await registry.attestationOf(alice.address)).attester).to.equal(attester2.address);
      // the record now reads the new attester's heartbeat and role
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await expect(registry.connect(attester).revoke(alice.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
        .withArgs(attester.address, alice.address);
      await registry.connect(attester2).revoke(alice.address, Reason.Operator);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Revoked));
    });

    it("the nonce is consumed: the proof of the first attestation cannot be replayed, a fresh one is needed", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const req = await makeRequest(ethers, alice.address);
      const oldSig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      await registry.connect(attester).attest(req, card.modulus, oldSig);
      // replaying the very same proof (nonce 0) no longer verifies
      await expect(registry.connect(attester).attest(req, card.modulus, oldSig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      // nor with different published claims under the old signature
      const upgraded = { ...req, claims: IDENTITY_CLAIMS, personTag: tagA };
      await expect(registry.connect(attester).attest(upgraded, card.modulus, oldSig)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      expect(await registry.nonces(alice.address)).to.equal(1n);
      // a fresh card signature over nonce 1 works, and consumes it
      const sig1 = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      await registry.connect(attester).attest(upgraded, card.modulus, sig1);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      await expect(registry.connect(attester).attest(upgraded, card.modulus, sig1)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
    });

    it("keeps the subject's own person tag (no self-collision) and still refuses another subject's tag", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tagA));
      await attestWith(registry, attester, testCard(1), await ident(bob.address, tagB));
      // same tag again: no PersonTagInUse against itself
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tagA));
      expect((await registry.attestationOf(alice.address)).personTag).to.equal(tagA);
      // bob's tag is held by bob's active record
      await expect(attestWith(registry, attester, testCard(0), await ident(alice.address, tagB)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tagB);
      // the failed attempt changed nothing
      expect((await registry.attestationOf(alice.address)).personTag).to.equal(tagA);
      expect(await registry.nonces(alice.address)).to.equal(2n);
    });

    it("frees the old person tag when the new one differs, and when IDENTITY is dropped", async function () {
      const { registry, attester, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tagA));
      await expect(attestWith(registry, attester, testCard(1), await ident(bob.address, tagA)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tagA);
      // alice re-attests with another tag: tagA is free for bob, tagB is now alice's
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tagB));
      expect((await registry.attestationOf(alice.address)).personTag).to.equal(tagB);
      await attestWith(registry, attester, testCard(1), await ident(bob.address, tagA));
      expect((await registry.attestationOf(bob.address)).personTag).to.equal(tagA);
      await expect(attestWith(registry, attester, testCard(2), await ident(carol.address, tagB)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tagB);
      // alice drops to AUTH only: her tag is freed and no longer published
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      const rec = await registry.attestationOf(alice.address);
      expect(rec.claims).to.equal(BigInt(Claims.AUTH));
      expect(rec.personTag).to.equal(ZeroHash);
      await attestWith(registry, attester, testCard(2), await ident(carol.address, tagB));
      expect(await registry.hasClaims(carol.address, Claims.IDENTITY)).to.equal(true);
      // and alice cannot take tagB back while carol holds it
      await expect(attestWith(registry, attester, testCard(0), await ident(alice.address, tagB)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tagB);
    });

    it("a re-attestation by another attester frees the tag in the first attester's tag space", async function () {
      const { registry, attester, attester2, alice, bob } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tagA));
      await attestWith(registry, attester2, testCard(0), await ident(alice.address, tagB));
      await attestWith(registry, attester, testCard(1), await ident(bob.address, tagA));
      expect((await registry.attestationOf(bob.address)).personTag).to.equal(tagA);
    });

    it("still refuses: a revoked key, a key replaced on the subject, a paused registry, a stale operator", async function () {
      const { registry, attester, attester2, pauser, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await registry.connect(pauser).pause();
      await expect(
        attestWith(registry, attester, card, await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "RegistryPaused");
      await registry.connect(pauser).unpause();
      await networkHelpers.time.increase(3 * 24 * 3600 + 1);
      await expect(attestWith(registry, attester, card, await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "StaleCrlSync")
        .withArgs(attester.address, anyValue);
      // a live operator may take over the record of a stale one (same key, fresh card signature)
      await registry.connect(attester2).recordCrlSync();
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      await attestWith(registry, attester2, card, await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
      // revoked: the key stays burned, re-attestation included
      await registry.connect(alice).revokeSelf();
      await expect(attestWith(registry, attester2, card, await makeRequest(ethers, alice.address)))
        .to.be.revertedWithCustomError(registry, "KeyAlreadyBound")
        .withArgs(keccak256(card.modulus));
      // a key replaced on its subject cannot re-attest the new record
      await attestWith(registry, attester2, testCard(1), await makeRequest(ethers, bob.address));
      await expect(
        attestWith(registry, attester2, testCard(0), await makeRequest(ethers, bob.address)),
      ).to.be.revertedWithCustomError(registry, "KeyAlreadyBound");
    });

    it("works through attestBySig (the holder relays)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      const req = await ident(alice.address, tagA);
      const sig = await bindingSignature(registry, card, alice.address, req.disclose, req.deadline);
      const nullifier = keccak256(card.modulus);
      const relayDeadline = req.deadline;
      const attesterNonce = await registry.attesterNonces(attester.address);
      const { chainId } = await ethers.provider.getNetwork();
      const attesterSig = await signAttestation(attester, chainId, await registry.getAddress(), {
        request: req,
        keyNullifier: nullifier,
        attesterNonce,
        relayDeadline,
      });
      await expect(
        registry.connect(alice).attestBySig(req, card.modulus, sig, attester.address, relayDeadline, attesterSig),
      ).to.emit(registry, "Attested");
      expect(await registry.hasClaims(alice.address, Claims.IDENTITY)).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
    });
  });

  describe("heartbeat staleness", function () {
    it("reads StaleOperator once the attester's heartbeat is older than maxStaleness; a sync restores it", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await networkHelpers.time.increase(3 * 24 * 3600 + 1);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      expect(await registry.isVerified(alice.address)).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("maxStaleness 0 disables the heartbeat check", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await expect(registry.connect(admin).setMaxStaleness(0)).to.emit(registry, "MaxStalenessChanged").withArgs(0);
      await networkHelpers.time.increase(100 * 24 * 3600);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("an attester that loses its role reads StaleOperator", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await registry.connect(attester).renounceRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.isVerified(alice.address)).to.equal(false);
    });
  });

  describe("trust anchors", function () {
    it("disabling an anchor makes its attestations read DisabledTrustAnchor; re-enabling restores them", async function () {
      const { registry, attester, anchorManager, alice, authCa } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await expect(registry.connect(anchorManager).setTrustAnchorEnabled(authCa, false))
        .to.emit(registry, "TrustAnchorStatusChanged")
        .withArgs(authCa, false);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.DisabledTrustAnchor));
      expect(await registry.isVerified(alice.address)).to.equal(false);
      expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(false);
      expect((await registry.trustAnchor(authCa)).enabled).to.equal(false);
      await registry.connect(anchorManager).setTrustAnchorEnabled(authCa, true);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("attesters granted after a parameter change see the current anchor bitmap and maxStaleness", async function () {
      const { registry, admin, anchorManager, stranger, alice, authCa } = await networkHelpers.loadFixture(fixture);
      await registry.connect(anchorManager).setTrustAnchorEnabled(authCa, false);
      await registry.connect(admin).setMaxStaleness(3600);
      await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), stranger.address);
      await registry.connect(stranger).recordCrlSync();
      await expect(
        attestWith(registry, stranger, testCard(0), await makeRequest(ethers, alice.address)),
      ).to.be.revertedWithCustomError(registry, "TrustAnchorDisabled");
      await registry.connect(anchorManager).setTrustAnchorEnabled(authCa, true);
      await attestWith(registry, stranger, testCard(0), await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await networkHelpers.time.increase(3601);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      expect(await registry.isVerified(alice.address)).to.equal(false);
    });

    it("stores kind, key hash and validity; rejects duplicates, bad input, unknown ids and a 65th anchor", async function () {
      const { registry, anchorManager } = await networkHelpers.loadFixture(fixture);
      const a = await registry.trustAnchor(2);
      expect(a.kind).to.equal(BigInt(AnchorKind.Signing));
      expect(a.keyHash).to.equal(id("synthetic sign CA gen 1"));
      expect(a.notBefore < a.notAfter).to.equal(true);
      expect(a.enabled).to.equal(true);
      expect(await registry.trustAnchorCount()).to.equal(2n);
      const m = registry.connect(anchorManager);
      await expect(m.addTrustAnchor(0, id("synthetic auth CA gen 1"), 1, 2))
        .to.be.revertedWithCustomError(registry, "DuplicateTrustAnchor")
        .withArgs(id("synthetic auth CA gen 1"));
      await expect(m.addTrustAnchor(0, ZeroHash, 1, 2)).to.be.revertedWithCustomError(registry, "InvalidTrustAnchor");
      await expect(m.addTrustAnchor(0, id("x"), 2, 2)).to.be.revertedWithCustomError(registry, "InvalidTrustAnchor");
      await expect(registry.trustAnchor(3)).to.be.revertedWithCustomError(registry, "UnknownTrustAnchor");
      await expect(m.setTrustAnchorEnabled(0, false)).to.be.revertedWithCustomError(registry, "UnknownTrustAnchor");
      await expect(m.addTrustAnchor(0, id("ca 3"), 1, 2))
        .to.emit(registry, "TrustAnchorAdded")
        .withArgs(3, 0, id("ca 3"), 1, 2);
      for (let i = 4; i <= 64; i++) await m.addTrustAnchor(i % 2, id(`ca ${i}`), 1, 2);
      expect(await registry.trustAnchorCount()).to.equal(64n);
      await expect(m.addTrustAnchor(0, id("ca 65"), 1, 2)).to.be.revertedWithCustomError(
        registry,
        "TooManyTrustAnchors",
      );
      // anchor 64 (the last bitmap bit) works
      await m.setTrustAnchorEnabled(64, false);
      expect((await registry.trustAnchor(64)).enabled).to.equal(false);
      expect((await registry.trustAnchor(63)).enabled).to.equal(true);
    });
  });

  describe("parameters", function () {
    it("setMaxAge validates and emits; new attestations use it", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMaxAge(EXPIRY_GRID - 1n))
        .to.be.revertedWithCustomError(registry, "InvalidMaxAge")
        .withArgs(EXPIRY_GRID - 1n);
      await expect(registry.connect(admin).setMaxAge(1n << 40n)).to.be.revertedWithCustomError(
        registry,
        "InvalidMaxAge",
      );
      await expect(registry.connect(admin).setMaxAge(3n * EXPIRY_GRID))
        .to.emit(registry, "MaxAgeChanged")
        .withArgs(3n * EXPIRY_GRID);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect((await registry.kycStatus(alice.address))[2]).to.equal(gridFloor(ts + 3n * EXPIRY_GRID));
    });

    it("setMaxStaleness rejects values over 40 bits", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMaxStaleness(1n << 40n)).to.be.revertedWithCustomError(
        registry,
        "InvalidMaxStaleness",
      );
    });

    it("the constructor validates maxAge", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("KycRegistry");
      await expect(factory.deploy(admin!.address, 0, 0, 0)).to.be.revertedWithCustomError(factory, "InvalidMaxAge");
    });

    it("supports ERC-165 for the read and operations interfaces", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      const readIface = new ethers.Interface([
        "function isVerified(address) view returns (bool)",
        "function hasClaims(address,uint32) view returns (bool)",
        "function kycStatus(address) view returns (uint8,uint32,uint64)",
      ]);
      let x = 0n;
      readIface.forEachFunction((f) => (x ^= BigInt(f.selector)));
      expect(await registry.supportsInterface("0x" + x.toString(16).padStart(8, "0"))).to.equal(true);
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("direct signature check (no registry helper)", function () {
    it("the card signs sha256 of the EIP-712 digest computed off-chain with ethers", async function () {
      const { registry, attester, alice, address } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "JPKI KYC Registry", version: "1", chainId, verifyingContract: address },
        {
          KycBinding: [
            { name: "subject", type: "address" },
            { name: "disclose", type: "uint32" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint64" },
          ],
        },
        { subject: alice.address, disclose: req.disclose, nonce: 0n, deadline: req.deadline },
      );
      expect(await registry.bindingDigest(alice.address, req.disclose, 0n, req.deadline)).to.equal(digest);
      await registry.connect(attester).attest(req, testCard(0).modulus, cardSign(testCard(0), digest));
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });
  });

  it("attest gas (informative; the target lives in npm run bench:gas)", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const tx = await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
    const receipt = await tx.wait();
    expect(receipt!.gasUsed > 21000n).to.equal(true);
    if (process.env.KYC_PRINT_GAS) console.log("attest gas", receipt!.gasUsed);
  });
});

export { YEAR };
