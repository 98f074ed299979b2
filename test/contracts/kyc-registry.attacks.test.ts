/**
 * Attacker-side scenarios of protocol v2. Each test is named after its scenario and fails on the v1 rules (no wallet
 * consent, a binding that does not name the attester, a sequential attester nonce, AGE claims without a person
 * tag, every revocation burning the key, a removed attester keeping its revocation power, nullifiers without a key
 * type).
 */
import { expect } from "chai";
import { concat, id, keccak256 } from "ethers";
import { network } from "hardhat";

import {
  Claims,
  bindingProof,
  cardSign,
  keyNullifier,
  revokeSignature,
  subjectSignature,
  testCard,
} from "../helpers/card-proof.js";
import {
  Reason,
  SkipReason,
  Status,
  attestBySigWith,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
  relayAuthorization,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);

describe("KycRegistry v2: attacker-side scenarios", function () {
  describe("wallet squatting", function () {
    it("a card holder cannot bind a stranger's address: refused without the stranger's own signature", async function () {
      const { registry, attester, alice, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0); // alice's card
      const req = await makeRequest(ethers, stranger.address);
      // the card signs a binding naming the stranger; alice's wallet (not the stranger's) adds a "consent"
      const squat = await bindingProof(registry, card, alice, req, attester.address);
      await expect(
        registry.connect(attester).attest(req, card.modulus, squat.cardSignature, squat.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidSubjectSignature");
      // no consent at all
      await expect(
        registry.connect(attester).attest(req, card.modulus, squat.cardSignature, "0x"),
      ).to.be.revertedWithCustomError(registry, "InvalidSubjectSignature");
      // a consent the stranger gave for another attester does not transfer
      const forOther = await subjectSignature(registry, stranger, { ...req, attester: alice.address });
      await expect(
        registry.connect(attester).attest(req, card.modulus, squat.cardSignature, forOther),
      ).to.be.revertedWithCustomError(registry, "InvalidSubjectSignature");
      expect(await registry.isVerified(stranger.address)).to.equal(false);
      expect(await registry.nonces(stranger.address)).to.equal(0n);
      // control: with the stranger's own signature the same binding lands
      const consent = await subjectSignature(registry, stranger, { ...req, attester: attester.address });
      await registry.connect(attester).attest(req, card.modulus, squat.cardSignature, consent);
      expect(await registry.isVerified(stranger.address)).to.equal(true);
    });

    it("a contract subject: a pool without ERC-1271 consent is refused; an approving ERC-1271 smart account is accepted", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const pool = await ethers.deployContract("PoolMock");
      const poolAddress = await pool.getAddress();
      const card = testCard(0);
      const poolReq = await makeRequest(ethers, poolAddress);
      // the card holder signs "for" the pool with their own wallet: the pool has no key and no ERC-1271
      const poolProof = await bindingProof(registry, card, alice, poolReq, attester.address);
      await expect(
        registry.connect(attester).attest(poolReq, card.modulus, poolProof.cardSignature, poolProof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidSubjectSignature");
      expect(await registry.isVerified(poolAddress)).to.equal(false);

      // a smart account owned by alice, approving what alice signs (ERC-1271)
      const account = await ethers.deployContract("SmartAccountMock", [alice.address]);
      const accountAddress = await account.getAddress();
      const req = await makeRequest(ethers, accountAddress);
      const byStranger = await bindingProof(registry, card, bob, req, attester.address);
      await expect(
        registry.connect(attester).attest(req, card.modulus, byStranger.cardSignature, byStranger.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidSubjectSignature");
      await attestWith(registry, attester, card, req, alice);
      expect(await registry.isVerified(accountAddress)).to.equal(true);
      // the account withdraws its own attestation through the owner
      await account
        .connect(alice)
        .execute(await registry.getAddress(), registry.interface.encodeFunctionData("revokeSelf"));
      expect((await registry.kycStatus(accountAddress))[0]).to.equal(BigInt(Status.Revoked));
    });
  });

  describe("one signing certificate for two cards", function () {
    it("the same person tag lends AGE_20 to one card only (PersonTagInUse); AGE claims without a tag are refused", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      // one adult's signing certificate gives one person tag
      const tag = id("HMAC(operator secret, adult's signing certificate)");
      await attestWith(
        registry,
        attester,
        testCard(0),
        await makeRequest(ethers, alice.address, { claims: Claims.AUTH | Claims.AGE_20, personTag: tag }),
      );
      // a second card (another person's authentication key) presents the same signing certificate: AGE_20 only
      await expect(
        attestWith(
          registry,
          attester,
          testCard(1),
          await makeRequest(ethers, bob.address, { claims: Claims.AUTH | Claims.AGE_20, personTag: tag }),
        ),
      )
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tag);
      // dropping the tag does not help: AGE claims need one
      for (const age of [Claims.AGE_18, Claims.AGE_20]) {
        await expect(
          attestWith(
            registry,
            attester,
            testCard(1),
            await makeRequest(ethers, bob.address, { claims: Claims.AUTH | age }),
          ),
        ).to.be.revertedWithCustomError(registry, "PersonTagMismatch");
      }
      expect(await registry.hasClaims(bob.address, Claims.AGE_20)).to.equal(false);
      expect(await registry.hasClaims(alice.address, Claims.AGE_20)).to.equal(true);
    });
  });

  describe("a move (the signing certificate is revoked)", function () {
    it("dropSigningClaims keeps the record active at AUTH; the same card re-attests with new signing claims", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const all = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
      await attestWith(
        registry,
        attester,
        card,
        await makeRequest(ethers, alice.address, { claims: all, personTag: id("old") }),
      );
      const before = await registry.attestationOf(alice.address);
      await expect(registry.connect(attester).dropSigningClaims([alice.address]))
        .to.emit(registry, "SigningClaimsDropped")
        .withArgs(alice.address, attester.address, Claims.AUTH);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(true);
      expect(await registry.hasClaims(alice.address, Claims.IDENTITY)).to.equal(false);
      expect(await registry.hasClaims(alice.address, Claims.AGE_18)).to.equal(false);
      const after = await registry.attestationOf(alice.address);
      expect(after.status).to.equal(BigInt(Status.Active));
      expect(after.expiresAt).to.equal(before.expiresAt);
      expect(after.personTag).to.equal(ethers.ZeroHash);
      expect(await registry.keyState(keyNullifier(card.modulus))).to.deep.equal([alice.address, true, false]);
      // a second drop is skipped and reported
      await expect(registry.connect(attester).dropSigningClaims([alice.address]))
        .to.emit(registry, "SubjectSkipped")
        .withArgs(alice.address, SkipReason.NoSigningClaims);
      // the new signing certificate: same card, new person tag
      await attestWith(
        registry,
        attester,
        card,
        await makeRequest(ethers, alice.address, { claims: all, personTag: id("new") }),
      );
      expect(await registry.hasClaims(alice.address, all)).to.equal(true);
      expect((await registry.attestationOf(alice.address)).personTag).to.equal(id("new"));
    });
  });

  describe("lost wallet", function () {
    it("revokeByCard, then the same card binds a new wallet", async function () {
      const { registry, attester, alice, bob, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      // alice's wallet key is lost; the card signs a Revoke, anyone relays it
      const deadline = (await latestTime(ethers)) + 600n;
      const sig = await revokeSignature(registry, card, alice.address, deadline);
      await expect(registry.connect(stranger).revokeByCard(alice.address, deadline, card.modulus, sig))
        .to.emit(registry, "Revoked")
        .withArgs(alice.address, stranger.address, Reason.HolderRequest);
      expect(await registry.keyState(keyNullifier(card.modulus))).to.deep.equal([alice.address, false, false]);
      // the holder's new wallet (bob's address here) with the same card
      await attestWith(registry, attester, card, await makeRequest(ethers, bob.address));
      expect(await registry.isVerified(bob.address)).to.equal(true);
      expect(await registry.isVerified(alice.address)).to.equal(false);
      expect(await registry.keyState(keyNullifier(card.modulus))).to.deep.equal([bob.address, true, false]);
    });
  });

  describe("a removed attester", function () {
    it("cannot revoke (revoke refused, revokeBatch and revokeInvalidKeys skip) nor drop claims", async function () {
      const { registry, admin, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const tag = id("tag");
      await attestWith(
        registry,
        attester,
        card,
        await makeRequest(ethers, alice.address, { claims: Claims.AUTH | Claims.IDENTITY, personTag: tag }),
      );
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, bob.address));
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      const a = registry.connect(attester);
      await expect(a.revoke(alice.address, Reason.Operator))
        .to.be.revertedWithCustomError(registry, "NotAuthorizedToRevoke")
        .withArgs(attester.address, alice.address);
      await expect(a.revokeBatch([alice.address, bob.address], Reason.Operator))
        .to.emit(registry, "SubjectSkipped")
        .withArgs(alice.address, SkipReason.NotAuthorized)
        .and.to.emit(registry, "SubjectSkipped")
        .withArgs(bob.address, SkipReason.NotAuthorized)
        .and.not.to.emit(registry, "Revoked");
      const n = keyNullifier(card.modulus);
      await expect(a.revokeInvalidKeys([n]))
        .to.emit(registry, "KeySkipped")
        .withArgs(n, SkipReason.NotAuthorized)
        .and.not.to.emit(registry, "CardKeyBurned");
      await expect(a.dropSigningClaims([alice.address]))
        .to.emit(registry, "SubjectSkipped")
        .withArgs(alice.address, SkipReason.NotAuthorized)
        .and.not.to.emit(registry, "SigningClaimsDropped");
      // nothing changed (the records read StaleOperator because their attester lost its role, but stay Active)
      expect((await registry.attestationOf(alice.address)).status).to.equal(BigInt(Status.Active));
      expect((await registry.attestationOf(alice.address)).claims).to.equal(BigInt(Claims.AUTH | Claims.IDENTITY));
      expect((await registry.attestationOf(bob.address)).status).to.equal(BigInt(Status.Active));
      expect(await registry.keyState(n)).to.deep.equal([alice.address, true, false]);
      // re-granted, the same attester may act again
      await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), attester.address);
      await expect(a.revoke(bob.address, Reason.Operator)).to.emit(registry, "Revoked");
    });
  });

  describe("relay authorisations without an attester nonce", function () {
    for (const order of ["in signing order", "in reverse order"] as const) {
      it(`two relay authorisations handed out at once both land, relayed ${order}`, async function () {
        const { registry, attester, alice, bob, stranger } = await networkHelpers.loadFixture(fixture);
        const now = await latestTime(ethers);
        const holders = [
          { wallet: alice, card: testCard(0) },
          { wallet: bob, card: testCard(1) },
        ];
        // the attester signs both before either is relayed
        const prepared = [];
        for (const h of holders) {
          const req = await makeRequest(ethers, h.wallet.address);
          const proof = await bindingProof(registry, h.card, h.wallet, req, attester.address);
          const relay = await relayAuthorization(registry, attester, req, h.card.modulus, now + 3600n);
          prepared.push({ req, proof, relay, card: h.card });
        }
        if (order === "in reverse order") prepared.reverse();
        for (const p of prepared) {
          await expect(
            registry
              .connect(stranger)
              .attestBySig(p.req, p.card.modulus, p.proof.cardSignature, p.proof.subjectSignature, p.relay),
          ).to.emit(registry, "Attested");
        }
        expect(await registry.isVerified(alice.address)).to.equal(true);
        expect(await registry.isVerified(bob.address)).to.equal(true);
      });
    }

    it("each authorisation is single-use: the holder nonce it covers is consumed", async function () {
      const { registry, attester, alice, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const req = await makeRequest(ethers, alice.address);
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      const relay = await relayAuthorization(registry, attester, req, card.modulus, req.deadline);
      const send = () =>
        registry.connect(stranger).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, relay);
      await send();
      await registry.connect(alice).revokeSelf();
      await expect(send()).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    });
  });

  describe("front-running by another attester", function () {
    it("another attester cannot use a binding that names a different attester, directly or relayed", async function () {
      const { registry, attester, attester2, alice, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const req = await makeRequest(ethers, alice.address);
      // alice chose `attester`; `attester2` sees her proof in the mempool
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      await expect(
        registry.connect(attester2).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      const relay2 = await relayAuthorization(registry, attester2, req, card.modulus, req.deadline);
      await expect(
        registry.connect(stranger).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, relay2),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      // attester2's authorisation cannot be passed off as attester's
      await expect(
        registry.connect(stranger).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, {
          ...relay2,
          attester: attester.address,
        }),
      ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
      expect(await registry.nonces(alice.address)).to.equal(0n);
      // the chosen attester still can
      await registry.connect(attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
      expect((await registry.attestationOf(alice.address)).attester).to.equal(attester.address);
    });
  });

  describe("key burning", function () {
    it("only revokeInvalidKeys burns a key (KeyBurned afterwards); revokeSelf, revokeByCard and expiry do not", async function () {
      const { registry, attester, revoker, alice, bob, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const n = keyNullifier(card.modulus);
      const bindTo = async (w: typeof alice) =>
        attestWith(registry, attester, card, await makeRequest(ethers, w.address));
      await bindTo(alice);
      await registry.connect(alice).revokeSelf();
      expect((await registry.keyState(n))[2]).to.equal(false);
      await bindTo(bob);
      const deadline = (await latestTime(ethers)) + 600n;
      await registry
        .connect(stranger)
        .revokeByCard(
          bob.address,
          deadline,
          card.modulus,
          await revokeSignature(registry, card, bob.address, deadline),
        );
      expect((await registry.keyState(n))[2]).to.equal(false);
      await bindTo(alice);
      await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.keyState(n))[2]).to.equal(false);
      await bindTo(bob);
      // the authentication certificate is listed in the CRL
      await expect(registry.connect(revoker).revokeInvalidKeys([n]))
        .to.emit(registry, "CardKeyBurned")
        .withArgs(n, revoker.address)
        .and.to.emit(registry, "Revoked")
        .withArgs(bob.address, revoker.address, Reason.CertificateInvalid);
      expect(await registry.keyState(n)).to.deep.equal([bob.address, false, true]);
      for (const w of [alice, bob]) {
        await expect(bindTo(w)).to.be.revertedWithCustomError(registry, "KeyBurned").withArgs(n);
      }
      // a second burn is skipped and reported
      await expect(registry.connect(revoker).revokeInvalidKeys([n]))
        .to.emit(registry, "KeySkipped")
        .withArgs(n, SkipReason.AlreadyBurned);
    });

    it("revoke and revokeBatch cannot burn: CertificateInvalid and HolderRequest are refused", async function () {
      const { registry, revoker, alice } = await networkHelpers.loadFixture(fixture);
      for (const reason of [Reason.CertificateInvalid, Reason.HolderRequest]) {
        await expect(registry.connect(revoker).revoke(alice.address, reason))
          .to.be.revertedWithCustomError(registry, "InvalidRevocationReason")
          .withArgs(reason);
        await expect(registry.connect(revoker).revokeBatch([alice.address], reason))
          .to.be.revertedWithCustomError(registry, "InvalidRevocationReason")
          .withArgs(reason);
      }
    });
  });

  describe("malformed keys", function () {
    it("an empty modulus is InvalidModulus(0), not a panic (attest, attestBySig, revokeByCard)", async function () {
      const { registry, attester, alice, stranger } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const req = await makeRequest(ethers, alice.address);
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      await expect(registry.connect(attester).attest(req, "0x", proof.cardSignature, proof.subjectSignature))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(0);
      const relay = await relayAuthorization(registry, attester, req, "0x", req.deadline);
      await expect(
        registry.connect(stranger).attestBySig(req, "0x", proof.cardSignature, proof.subjectSignature, relay),
      )
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(0);
      await expect(registry.connect(stranger).revokeByCard(alice.address, req.deadline, "0x", proof.cardSignature))
        .to.be.revertedWithCustomError(registry, "InvalidModulus")
        .withArgs(0);
    });
  });

  describe("pluggable verifiers", function () {
    it("nullifiers are namespaced by key type: the same bytes under type 0 and type 1 are different keys", async function () {
      const { registry, admin, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const verifier = await ethers.deployContract("MockCardKeyVerifier");
      await registry.connect(admin).setKeyVerifier(1, await verifier.getAddress());
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      // the same bytes presented as a type-1 public key (the mock verifier accepts keccak256(publicKey ‖ digest))
      const req = await makeRequest(ethers, bob.address);
      const proof = await bindingProof(registry, card, bob, req, attester.address);
      const mockSig = keccak256(concat([card.modulus, proof.digest]));
      const n0 = keyNullifier(card.modulus, 0);
      const n1 = keyNullifier(card.modulus, 1);
      expect(n0).to.not.equal(n1);
      expect(n1).to.not.equal(keccak256(card.modulus));
      await expect(registry.connect(attester).attestWithVerifier(req, 1, card.modulus, mockSig, proof.subjectSignature))
        .to.emit(registry, "Attested")
        .withArgs(bob.address, attester.address, n1, Claims.AUTH, (x: bigint) => x > 0n, 1, req.recordCommitment);
      expect(await registry.keyState(n0)).to.deep.equal([alice.address, true, false]);
      expect(await registry.keyState(n1)).to.deep.equal([bob.address, true, false]);
      // and burning one does not burn the other
      await registry.connect(attester).revokeInvalidKeys([n1]);
      expect((await registry.keyState(n0))[2]).to.equal(false);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(cardSign(card, proof.digest)).to.not.equal(mockSig);
    });
  });
});
