import { expect } from "chai";
import { Interface, Signature, ZeroHash, concat, getBytes, id, toBeHex } from "ethers";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import {
  Claims,
  EXPIRY_GRID,
  bindingProof,
  cardSign,
  createTestCard,
  gridFloor,
  keyNullifier,
  recordCommitment,
  subjectSignature,
  testCard,
  type AttestationRequest,
} from "../helpers/card-proof.js";
import {
  AnchorKind,
  MAX_AGE,
  Reason,
  Status,
  YEAR,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

describe("KycRegistry v2: attest", function () {
  it("records an auth-level attestation with the wallet's consent; Attested carries the record commitment", async function () {
    const { registry, attester, alice, authCa } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const tx = await attestWith(registry, attester, card, req);
    const ts = await latestTime(ethers);
    const expiresAt = gridFloor(ts + MAX_AGE);
    const nullifier = keyNullifier(card.modulus);
    await expect(tx)
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, nullifier, Claims.AUTH, expiresAt, authCa, req.recordCommitment);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(true);
    expect(await registry.hasClaims(alice.address, Claims.AUTH | Claims.AGE_20)).to.equal(false);
    expect(await registry.hasClaims(alice.address, 0)).to.equal(true);
    const [status, claims, exp] = await registry.kycStatus(alice.address);
    expect([status, claims, exp]).to.deep.equal([BigInt(Status.Active), BigInt(Claims.AUTH), expiresAt]);
    expect(await registry.nonces(alice.address)).to.equal(1n);
    expect(await registry.keyState(nullifier)).to.deep.equal([alice.address, true, false]);
    expect(await registry.isCurrentKey(alice.address, nullifier)).to.equal(true);
    expect(await registry.isCurrentKey(alice.address, keyNullifier(testCard(1).modulus))).to.equal(false);
    const rec = await registry.attestationOf(alice.address);
    expect(rec.attester).to.equal(attester.address);
    expect(rec.status).to.equal(BigInt(Status.Active));
    expect(rec.caId).to.equal(BigInt(authCa));
    expect(rec.attestedAt).to.equal(ts);
    expect(rec.revokedAt).to.equal(0n);
    expect(rec.personTag).to.equal(ZeroHash);
    expect(await registry.version()).to.equal("2.0.0");
  });

  it("records an identity-level attestation with its person tag", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const tag = id("person tag 1");
    await attestWith(
      registry,
      attester,
      testCard(0),
      await makeRequest(ethers, alice.address, { claims: IDENTITY_CLAIMS, personTag: tag }),
    );
    expect(await registry.hasClaims(alice.address, Claims.IDENTITY | Claims.AGE_20)).to.equal(true);
    expect((await registry.attestationOf(alice.address)).personTag).to.equal(tag);
  });

  it("accepts a 3072-bit card key", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = createTestCard(3072);
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    expect(await registry.isCurrentKey(alice.address, keyNullifier(card.modulus))).to.equal(true);
  });

  it("reports None for an account never attested, and an unknown key as never bound", async function () {
    const { registry, bob } = await networkHelpers.loadFixture(fixture);
    expect(await registry.isVerified(bob.address)).to.equal(false);
    const [status, claims, exp] = await registry.kycStatus(bob.address);
    expect([status, claims, exp]).to.deep.equal([BigInt(Status.None), 0n, 0n]);
    expect(await registry.keyState(keyNullifier(testCard(0).modulus))).to.deep.equal([
      ethers.ZeroAddress,
      false,
      false,
    ]);
    expect((await registry.attestationOf(bob.address)).attester).to.equal(ethers.ZeroAddress);
  });

  it("the registry's binding digest is the project's computeBindingDigest (domain version 2, attester included)", async function () {
    const { registry, attester, alice, address } = await networkHelpers.loadFixture(fixture);
    const req = await makeRequest(ethers, alice.address);
    const { chainId } = await ethers.provider.getNetwork();
    const b = {
      chainId,
      registry: address,
      subject: alice.address,
      attester: attester.address,
      disclose: req.disclose,
      nonce: 0n,
      deadline: req.deadline,
    };
    const digest = computeBindingDigest(b);
    expect(
      await registry.bindingDigest(alice.address, attester.address, req.disclose, 0n, req.deadline, ZeroHash),
    ).to.equal(digest);
    // the wallet's eth_signTypedData_v4 signature over the same typed data, and the card over sha256(digest)
    const walletSig = await subjectSignature(registry, alice, { ...b, nonce: 0n });
    expect(ethers.recoverAddress(digest, walletSig)).to.equal(alice.address);
    await registry.connect(attester).attest(req, testCard(0).modulus, cardSign(testCard(0), digest), walletSig);
    expect(await registry.isVerified(alice.address)).to.equal(true);
  });

  describe("expiry on the half-year grid", function () {
    it("EXPIRY_GRID is half a mean Gregorian year", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      expect(await registry.EXPIRY_GRID()).to.equal(EXPIRY_GRID);
      expect(EXPIRY_GRID * 2n).to.equal((3652425n * 24n * 3600n) / 10000n);
    });

    it("expiresAt = min(cap, floorGrid(now + maxAge))", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const now = await latestTime(ethers);
      // a cap below floorGrid(now + maxAge) wins (the certificate's notAfter, rounded down by the operator)
      const cap = gridFloor(now + MAX_AGE) - EXPIRY_GRID;
      if (cap <= now + 10n) throw new Error("test setup: cap must be in the future");
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address, { expiryCap: cap }));
      expect((await registry.kycStatus(alice.address))[2]).to.equal(cap);
      // a far cap: maxAge wins, rounded down to the grid
      await attestWith(registry, attester, testCard(1), await makeRequest(ethers, bob.address));
      const ts = await latestTime(ethers);
      const exp = (await registry.kycStatus(bob.address))[2];
      expect(exp).to.equal(gridFloor(ts + MAX_AGE));
      expect(exp % EXPIRY_GRID).to.equal(0n);
      expect(exp <= ts + MAX_AGE).to.equal(true);
    });

    it("ExpiryCapNotOnGrid for a cap on the old 30-day grid or a day off (it could carry the birthday)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      for (const cap of [req.expiryCap + 86_400n, 30n * 86_400n * 1000n]) {
        await expect(attestWith(registry, attester, testCard(0), { ...req, expiryCap: cap }))
          .to.be.revertedWithCustomError(registry, "ExpiryCapNotOnGrid")
          .withArgs(cap);
      }
    });

    it("ExpiryNotInFuture when the cap is the current grid period's start", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const now = await latestTime(ethers);
      const req = await makeRequest(ethers, alice.address, { expiryCap: gridFloor(now) });
      await expect(attestWith(registry, attester, testCard(0), req))
        .to.be.revertedWithCustomError(registry, "ExpiryNotInFuture")
        .withArgs(gridFloor(now));
    });

    it("maxAge below the grid: InvalidMaxAge at construction and in setMaxAge", async function () {
      const { registry, admin, extension } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("KycRegistry");
      await expect(factory.deploy(admin.address, 0, EXPIRY_GRID - 1n, 0, extension))
        .to.be.revertedWithCustomError(factory, "InvalidMaxAge")
        .withArgs(EXPIRY_GRID - 1n);
      await expect(registry.connect(admin).setMaxAge(EXPIRY_GRID - 1n))
        .to.be.revertedWithCustomError(registry, "InvalidMaxAge")
        .withArgs(EXPIRY_GRID - 1n);
      await expect(registry.connect(admin).setMaxAge(1n << 40n)).to.be.revertedWithCustomError(
        registry,
        "InvalidMaxAge",
      );
      await expect(registry.connect(admin).setMaxAge(EXPIRY_GRID))
        .to.emit(registry, "MaxAgeChanged")
        .withArgs(EXPIRY_GRID);
      expect(await registry.maxAge()).to.equal(EXPIRY_GRID);
    });

    it("maxAge is bounded so that now + maxAge fits the 40-bit expiry (no attestation that lands already expired)", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      const tooLong = (1n << 40n) - 1n; // now + maxAge would wrap the stored 40-bit expiry into the past
      await expect(registry.connect(admin).setMaxAge(tooLong))
        .to.be.revertedWithCustomError(registry, "InvalidMaxAge")
        .withArgs(tooLong);
      const longest = (1n << 32n) - 1n; // 136 years
      await registry.connect(admin).setMaxAge(longest);
      const far = EXPIRY_GRID * (1n << 30n); // a cap far beyond now + maxAge, on the grid
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address, { expiryCap: far }));
      const ts = await latestTime(ethers);
      expect((await registry.kycStatus(alice.address))[2]).to.equal(gridFloor(ts + longest));
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("reads Expired once expiresAt passes; the same key renews the same subject and frees nothing early", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      const exp = (await registry.kycStatus(alice.address))[2];
      await networkHelpers.time.increaseTo(exp);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.Expired));
      expect(await registry.isVerified(alice.address)).to.equal(false);
      expect(await registry.keyState(keyNullifier(card.modulus))).to.deep.equal([alice.address, false, false]);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      expect(await registry.isVerified(alice.address)).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
    });
  });

  describe("checks run in the documented order, one custom error each", function () {
    it("a request failing every check reports each error in turn as the earlier ones are fixed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, attester, pauser, stranger, anchorManager, revoker, alice, bob, carol } = f;
      const burnedCard = testCard(1);
      const boundCard = testCard(2);
      const card = testCard(0);
      const tag = id("order tag");
      // carol's card is burned (its authentication certificate is listed); bob holds boundCard and the person tag
      await attestWith(registry, attester, burnedCard, await makeRequest(ethers, carol.address));
      await registry.connect(revoker).revokeInvalidKeys([keyNullifier(burnedCard.modulus)]);
      await attestWith(
        registry,
        attester,
        boundCard,
        await makeRequest(ethers, bob.address, { claims: IDENTITY_CLAIMS, personTag: tag }),
      );
      const now0 = await latestTime(ethers);
      await registry
        .connect(anchorManager)
        .addTrustAnchor(AnchorKind.Authentication, id("disabled auth CA"), now0 - YEAR, now0 + YEAR);
      await registry.connect(anchorManager).setTrustAnchorEnabled(3, false);
      await registry.connect(pauser).pause();
      await networkHelpers.time.increase(3 * 24 * 3600 + 1); // the attester's heartbeat is now stale
      const now = await latestTime(ethers);

      const good: AttestationRequest = await makeRequest(ethers, alice.address, {
        claims: Claims.AUTH | Claims.AGE_20,
        personTag: tag,
        deadline: now + 10n * 86_400n,
      });
      const proof = await bindingProof(registry, card, alice, good, attester.address);
      const sigOver = (c: typeof card) => cardSign(c, proof.digest);

      let caller = stranger;
      let req: AttestationRequest = {
        ...good,
        subject: ethers.ZeroAddress,
        deadline: now - 1n,
        claims: Claims.AGE_20,
        disclose: Claims.AUTH,
        personTag: ZeroHash,
        recordCommitment: ZeroHash,
        expiryCap: good.expiryCap + 1n,
        caId: 9,
      };
      let modulus = "0x";
      let cardSig = sigOver(testCard(3));
      let walletSig = await subjectSignature(registry, bob, {
        subject: alice.address,
        attester: attester.address,
        disclose: good.disclose,
        deadline: good.deadline,
      });
      const send = () => registry.connect(caller).attest(req, modulus, cardSig, walletSig);
      const steps: [string, unknown[] | null, () => Promise<unknown> | void][] = [
        ["RegistryPaused", [], () => registry.connect(pauser).unpause()],
        ["NotAttester", [stranger.address], () => void (caller = attester)],
        ["StaleCrlSync", [attester.address, anyValue], () => registry.connect(attester).recordCrlSync()],
        ["DeadlineExpired", [now - 1n], () => void (req = { ...req, deadline: good.deadline })],
        ["InvalidSubject", [], () => void (req = { ...req, subject: alice.address })],
        ["InvalidClaims", [Claims.AGE_20], () => void (req = { ...req, claims: good.claims })],
        ["ClaimsNotDisclosed", [good.claims, Claims.AUTH], () => void (req = { ...req, disclose: good.disclose })],
        ["PersonTagMismatch", [], () => void (req = { ...req, personTag: tag })],
        ["MissingRecordCommitment", [], () => void (req = { ...req, recordCommitment: good.recordCommitment })],
        ["ExpiryCapNotOnGrid", [good.expiryCap + 1n], () => void (req = { ...req, expiryCap: gridFloor(now) })],
        ["ExpiryNotInFuture", [gridFloor(now)], () => void (req = { ...req, expiryCap: good.expiryCap })],
        ["UnknownTrustAnchor", [9], () => void (req = { ...req, caId: 3 })],
        ["TrustAnchorDisabled", [3], () => void (req = { ...req, caId: 2 })],
        ["WrongAnchorKind", [2], () => void (req = { ...req, caId: 1 })],
        ["InvalidModulus", [0], () => void (modulus = card.modulus)],
        ["InvalidCardSignature", [], () => void (cardSig = proof.cardSignature)],
        [
          "InvalidSubjectSignature",
          [],
          () => {
            modulus = burnedCard.modulus;
            cardSig = sigOver(burnedCard);
            walletSig = proof.subjectSignature;
          },
        ],
        [
          "KeyBurned",
          [keyNullifier(burnedCard.modulus)],
          () => {
            modulus = boundCard.modulus;
            cardSig = sigOver(boundCard);
          },
        ],
        [
          "KeyAlreadyBound",
          [keyNullifier(boundCard.modulus)],
          () => {
            modulus = card.modulus;
            cardSig = proof.cardSignature;
          },
        ],
        ["PersonTagInUse", [tag], () => registry.connect(revoker).revoke(bob.address, Reason.Operator)],
      ];
      for (const [error, args, fix] of steps) {
        const assertion = expect(send(), error).to.be.revertedWithCustomError(registry, error);
        if (args !== null && args.length > 0) await assertion.withArgs(...args);
        else await assertion;
        await fix();
      }
      await expect(send()).to.emit(registry, "Attested");
      expect(await registry.hasClaims(alice.address, Claims.AGE_20)).to.equal(true);
    });

    it("InvalidModulus: under 2048 bits, a 2047-bit 256-byte modulus, a leading zero byte, over 4096 bits", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const proof = await bindingProof(registry, testCard(0), alice, req, attester.address);
      const m = testCard(0).modulus;
      const small = createTestCard(1024);
      for (const [modulus, len] of [
        [small.modulus, 128],
        ["0x00" + m.slice(2), 257],
        ["0x7f" + m.slice(4), 256],
        ["0x" + "ff".repeat(513), 513],
      ] as const) {
        await expect(registry.connect(attester).attest(req, modulus, proof.cardSignature, proof.subjectSignature))
          .to.be.revertedWithCustomError(registry, "InvalidModulus")
          .withArgs(len);
      }
    });

    it("InvalidCardSignature: another key, a tampered signature, a binding naming another subject or attester", async function () {
      const { registry, attester, attester2, alice, bob } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const card = testCard(0);
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      const a = registry.connect(attester);
      await expect(
        a.attest(req, card.modulus, cardSign(testCard(1), proof.digest), proof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      const sig = proof.cardSignature;
      const tampered = sig.slice(0, -2) + (sig.endsWith("00") ? "01" : "00");
      await expect(a.attest(req, card.modulus, tampered, proof.subjectSignature)).to.be.revertedWithCustomError(
        registry,
        "InvalidCardSignature",
      );
      await expect(
        a.attest({ ...req, subject: bob.address }, card.modulus, sig, proof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      // attester2 cannot use a binding that names attester
      await expect(
        registry.connect(attester2).attest(req, card.modulus, sig, proof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      // the operator cannot widen the disclose mask the card and the wallet signed
      await expect(
        a.attest({ ...req, disclose: req.disclose | 0x10 }, card.modulus, sig, proof.subjectSignature),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    });

    it("InvalidSubjectSignature: none, another wallet's, a signature over another nonce", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const card = testCard(0);
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      const a = registry.connect(attester);
      const byBob = await subjectSignature(registry, bob, { ...req, attester: attester.address });
      const otherNonce = await subjectSignature(registry, alice, { ...req, attester: attester.address, nonce: 1n });
      for (const walletSig of ["0x", byBob, otherNonce, "0x" + "11".repeat(65)]) {
        await expect(a.attest(req, card.modulus, proof.cardSignature, walletSig)).to.be.revertedWithCustomError(
          registry,
          "InvalidSubjectSignature",
        );
      }
      await a.attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
    });

    it("the wallet's ECDSA signature: 65-byte and 64-byte EIP-2098 forms are accepted, a high-s twin and a bad v are not", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address);
      const card = testCard(0);
      const full = await subjectSignature(registry, alice, { ...req, attester: attester.address });
      const proof = await bindingProof(registry, card, alice, req, attester.address);
      expect(getBytes(proof.subjectSignature)).to.have.length(64); // the helper sends the compact form
      const sig = Signature.from(full);
      // the malleable twin (s' = n - s, v flipped): the same signer by plain ecrecover, refused here (EIP-2)
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = concat([sig.r, toBeHex(n - BigInt(sig.s), 32), toBeHex(sig.v === 27 ? 28 : 27, 1)]);
      const badV = concat([sig.r, sig.s, toBeHex(29, 1)]);
      const a = registry.connect(attester);
      for (const bad of [highS, badV, full.slice(0, -4)]) {
        await expect(a.attest(req, card.modulus, proof.cardSignature, bad)).to.be.revertedWithCustomError(
          registry,
          "InvalidSubjectSignature",
        );
      }
      const snapshot = await networkHelpers.takeSnapshot();
      await a.attest(req, card.modulus, proof.cardSignature, full);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await snapshot.restore();
      await a.attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("ClaimsNotDisclosed: the operator publishes more than the holder disclosed; a subset is fine", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const tag = id("t");
      const over = await makeRequest(ethers, alice.address, {
        disclose: Claims.AUTH | Claims.AGE_18,
        claims: Claims.AUTH | Claims.AGE_20,
        personTag: tag,
      });
      await expect(attestWith(registry, attester, testCard(0), over))
        .to.be.revertedWithCustomError(registry, "ClaimsNotDisclosed")
        .withArgs(Claims.AUTH | Claims.AGE_20, Claims.AUTH | Claims.AGE_18);
      await attestWith(
        registry,
        attester,
        testCard(0),
        await makeRequest(ethers, bob.address, {
          disclose: Claims.AUTH | Claims.AGE_18 | Claims.AGE_20,
          claims: Claims.AUTH | Claims.AGE_18,
          personTag: tag,
        }),
      );
      expect(await registry.hasClaims(bob.address, Claims.AGE_18)).to.equal(true);
      expect(await registry.hasClaims(bob.address, Claims.AGE_20)).to.equal(false);
    });

    it("PersonTagMismatch: each signing-certificate claim without a tag, and a tag with AUTH only", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      for (const claim of [Claims.IDENTITY, Claims.AGE_18, Claims.AGE_20]) {
        const req = await makeRequest(ethers, alice.address, { claims: Claims.AUTH | claim });
        await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
          registry,
          "PersonTagMismatch",
        );
      }
      const strayTag = await makeRequest(ethers, alice.address, { personTag: id("tag") });
      await expect(attestWith(registry, attester, testCard(0), strayTag)).to.be.revertedWithCustomError(
        registry,
        "PersonTagMismatch",
      );
    });

    it("MissingRecordCommitment", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const req = await makeRequest(ethers, alice.address, { recordCommitment: ZeroHash });
      await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
        registry,
        "MissingRecordCommitment",
      );
    });

    it("UnknownTrustAnchor for id 0 and ids past the count", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      for (const caId of [0, 3]) {
        await expect(attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address, { caId })))
          .to.be.revertedWithCustomError(registry, "UnknownTrustAnchor")
          .withArgs(caId);
      }
    });
  });

  describe("one active record per key; replacement with the subject's consent", function () {
    it("KeyAlreadyBound while the key's record is active; the key is free after revokeSelf, revoke, expiry", async function () {
      const { registry, attester, revoker, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const n = keyNullifier(card.modulus);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      await expect(attestWith(registry, attester, card, await makeRequest(ethers, bob.address)))
        .to.be.revertedWithCustomError(registry, "KeyAlreadyBound")
        .withArgs(n);
      await registry.connect(alice).revokeSelf();
      expect(await registry.keyState(n)).to.deep.equal([alice.address, false, false]);
      await attestWith(registry, attester, card, await makeRequest(ethers, bob.address));
      expect(await registry.keyState(n)).to.deep.equal([bob.address, true, false]);
      expect(await registry.isCurrentKey(alice.address, n)).to.equal(false);
      // revoked by the operator (Superseded): free again, back to alice
      await registry.connect(revoker).revoke(bob.address, Reason.Superseded);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      expect(await registry.isCurrentKey(alice.address, n)).to.equal(true);
      // expired: free again
      await networkHelpers.time.increaseTo((await registry.kycStatus(alice.address))[2]);
      await registry.connect(attester).recordCrlSync();
      await attestWith(registry, attester, card, await makeRequest(ethers, bob.address));
      expect(await registry.keyState(n)).to.deep.equal([bob.address, true, false]);
    });

    it("a new card replaces an active record (the subject consents); the old card is free for another wallet", async function () {
      const { registry, attester, attester2, alice, bob } = await networkHelpers.loadFixture(fixture);
      const oldCard = testCard(0);
      const newCard = testCard(1);
      await attestWith(registry, attester, oldCard, await makeRequest(ethers, alice.address));
      const tx = await attestWith(registry, attester2, newCard, await makeRequest(ethers, alice.address));
      await expect(tx)
        .to.emit(registry, "Attested")
        .withArgs(alice.address, attester2.address, keyNullifier(newCard.modulus), Claims.AUTH, anyValue, 1, anyValue);
      expect(await registry.isCurrentKey(alice.address, keyNullifier(newCard.modulus))).to.equal(true);
      expect(await registry.isCurrentKey(alice.address, keyNullifier(oldCard.modulus))).to.equal(false);
      expect((await registry.attestationOf(alice.address)).attester).to.equal(attester2.address);
      expect(await registry.keyState(keyNullifier(oldCard.modulus))).to.deep.equal([alice.address, false, false]);
      await attestWith(registry, attester, oldCard, await makeRequest(ethers, bob.address));
      expect(await registry.isVerified(bob.address)).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
    });

    it("re-attestation with the same card upgrades AUTH to IDENTITY + AGE: record replaced in place", async function () {
      const { registry, attester, alice, authCa } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const nullifier = keyNullifier(card.modulus);
      await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
      const first = await registry.attestationOf(alice.address);
      await networkHelpers.time.increase(10 * 24 * 3600);
      await registry.connect(attester).recordCrlSync();
      const req = await makeRequest(ethers, alice.address, { claims: IDENTITY_CLAIMS, personTag: id("A") });
      const tx = await attestWith(registry, attester, card, req);
      const ts = await latestTime(ethers);
      await expect(tx)
        .to.emit(registry, "Attested")
        .withArgs(
          alice.address,
          attester.address,
          nullifier,
          IDENTITY_CLAIMS,
          gridFloor(ts + MAX_AGE),
          authCa,
          req.recordCommitment,
        );
      const rec = await registry.attestationOf(alice.address);
      expect(rec.claims).to.equal(BigInt(IDENTITY_CLAIMS));
      expect(rec.personTag).to.equal(id("A"));
      expect(rec.attestedAt > first.attestedAt).to.equal(true);
      expect(await registry.nonces(alice.address)).to.equal(2n);
      expect(await registry.keyState(nullifier)).to.deep.equal([alice.address, true, false]);
    });
  });

  describe("person tags", function () {
    const ident = (subject: string, personTag: string) =>
      makeRequest(ethers, subject, { claims: IDENTITY_CLAIMS, personTag });

    it("PersonTagInUse among one attester's active records; other attesters' tag spaces are separate", async function () {
      const { registry, attester, attester2, alice, bob } = await networkHelpers.loadFixture(fixture);
      const tag = id("same person");
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tag));
      await expect(attestWith(registry, attester, testCard(1), await ident(bob.address, tag)))
        .to.be.revertedWithCustomError(registry, "PersonTagInUse")
        .withArgs(tag);
      await attestWith(registry, attester2, testCard(1), await ident(bob.address, tag));
      expect(await registry.hasClaims(bob.address, Claims.IDENTITY)).to.equal(true);
    });

    it("a tag is freed by revocation, expiry, a claim drop, and a replacement at AUTH level", async function () {
      const { registry, attester, revoker, alice, bob, carol, stranger } = await networkHelpers.loadFixture(fixture);
      const tag = id("same person");
      const wallets = [alice, bob, carol, stranger];
      let holder = 0;
      const takeOver = async (cardIndex: number) => {
        const next = (holder + 1) % wallets.length;
        await expect(
          attestWith(registry, attester, testCard(cardIndex), await ident(wallets[next]!.address, tag)),
        ).to.be.revertedWithCustomError(registry, "PersonTagInUse");
        return next;
      };
      await attestWith(registry, attester, testCard(0), await ident(alice.address, tag));
      // revocation
      let next = await takeOver(1);
      await registry.connect(revoker).revoke(wallets[holder]!.address, Reason.Operator);
      await attestWith(registry, attester, testCard(1), await ident(wallets[next]!.address, tag));
      holder = next;
      // claim drop
      next = await takeOver(2);
      await registry.connect(attester).dropSigningClaims([wallets[holder]!.address]);
      await attestWith(registry, attester, testCard(2), await ident(wallets[next]!.address, tag));
      holder = next;
      // replacement of the holder's record at AUTH level (same card)
      next = await takeOver(3);
      await attestWith(registry, attester, testCard(2), await makeRequest(ethers, wallets[holder]!.address));
      expect((await registry.attestationOf(wallets[holder]!.address)).personTag).to.equal(ZeroHash);
      await attestWith(registry, attester, testCard(3), await ident(wallets[next]!.address, tag));
      holder = next;
      // expiry
      next = (holder + 1) % wallets.length;
      await networkHelpers.time.increaseTo((await registry.kycStatus(wallets[holder]!.address))[2]);
      await registry.connect(attester).recordCrlSync();
      await attestWith(registry, attester, testCard(4), await ident(wallets[next]!.address, tag));
      expect(await registry.hasClaims(wallets[next]!.address, Claims.IDENTITY)).to.equal(true);
    });
  });

  describe("heartbeat, anchors, parameters", function () {
    it("reads StaleOperator once the heartbeat is older than maxStaleness; a sync restores; 0 disables", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await networkHelpers.time.increase(3 * 24 * 3600 + 1);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      expect(await registry.isVerified(alice.address)).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await expect(registry.connect(admin).setMaxStaleness(0)).to.emit(registry, "MaxStalenessChanged").withArgs(0);
      await networkHelpers.time.increase(100 * 24 * 3600);
      expect(await registry.isVerified(alice.address)).to.equal(true);
      await expect(registry.connect(admin).setMaxStaleness(1n << 40n))
        .to.be.revertedWithCustomError(registry, "InvalidMaxStaleness")
        .withArgs(1n << 40n);
    });

    it("an attester that loses its role reads StaleOperator; re-granted, it keeps its id", async function () {
      const { registry, admin, attester, alice } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.StaleOperator));
      await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("disabling an anchor reads DisabledTrustAnchor; re-enabling restores", async function () {
      const { registry, attester, anchorManager, alice, authCa } = await networkHelpers.loadFixture(fixture);
      await attestWith(registry, attester, testCard(0), await makeRequest(ethers, alice.address));
      await expect(registry.connect(anchorManager).setTrustAnchorEnabled(authCa, false))
        .to.emit(registry, "TrustAnchorStatusChanged")
        .withArgs(authCa, false);
      expect((await registry.kycStatus(alice.address))[0]).to.equal(BigInt(Status.DisabledTrustAnchor));
      expect(await registry.hasClaims(alice.address, Claims.AUTH)).to.equal(false);
      expect((await registry.trustAnchor(authCa)).enabled).to.equal(false);
      await registry.connect(anchorManager).setTrustAnchorEnabled(authCa, true);
      expect(await registry.isVerified(alice.address)).to.equal(true);
    });

    it("trust anchors: kind, key hash, validity; duplicates, bad input, unknown ids, a 65th anchor", async function () {
      const { registry, anchorManager } = await networkHelpers.loadFixture(fixture);
      const a = await registry.trustAnchor(2);
      expect(a.kind).to.equal(BigInt(AnchorKind.Signing));
      expect(a.keyHash).to.equal(id("synthetic sign CA gen 1"));
      expect(a.enabled).to.equal(true);
      const m = registry.connect(anchorManager);
      await expect(m.addTrustAnchor(0, id("synthetic auth CA gen 1"), 1, 2))
        .to.be.revertedWithCustomError(registry, "DuplicateTrustAnchor")
        .withArgs(id("synthetic auth CA gen 1"));
      await expect(m.addTrustAnchor(0, ZeroHash, 1, 2)).to.be.revertedWithCustomError(registry, "InvalidTrustAnchor");
      await expect(m.addTrustAnchor(0, id("x"), 2, 2)).to.be.revertedWithCustomError(registry, "InvalidTrustAnchor");
      await expect(registry.trustAnchor(3)).to.be.revertedWithCustomError(registry, "UnknownTrustAnchor").withArgs(3);
      await expect(m.setTrustAnchorEnabled(0, false)).to.be.revertedWithCustomError(registry, "UnknownTrustAnchor");
      for (let i = 3; i <= 64; i++) await m.addTrustAnchor(i % 2, id(`ca ${i}`), 1, 2);
      expect(await registry.trustAnchorCount()).to.equal(64n);
      await expect(m.addTrustAnchor(0, id("ca 65"), 1, 2)).to.be.revertedWithCustomError(
        registry,
        "TooManyTrustAnchors",
      );
      await m.setTrustAnchorEnabled(64, false);
      expect((await registry.trustAnchor(64)).enabled).to.equal(false);
      expect((await registry.trustAnchor(63)).enabled).to.equal(true);
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
    });
  });

  describe("the extension", function () {
    it("serves the admin surface through the registry; called directly it reverts NotDelegated", async function () {
      const { registry, extension, address } = await networkHelpers.loadFixture(fixture);
      expect(await registry.extension()).to.equal(extension);
      expect(await registry.maxAge()).to.equal(MAX_AGE);
      const direct = await ethers.getContractAt("IKycRegistryFull", extension);
      await expect(direct.maxAge()).to.be.revertedWithCustomError(registry, "NotDelegated");
      await expect(direct.dropSigningClaims([address])).to.be.revertedWithCustomError(registry, "NotDelegated");
    });

    it("InvalidExtension: the constructor refuses an extension without code", async function () {
      const { admin, stranger } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("KycRegistry");
      await expect(factory.deploy(admin.address, 0, MAX_AGE, 0, stranger.address))
        .to.be.revertedWithCustomError(factory, "InvalidExtension")
        .withArgs(stranger.address);
    });

    it("a call to an unknown selector reverts (the extension has no fallback)", async function () {
      const { registry, stranger, address } = await networkHelpers.loadFixture(fixture);
      await expect(stranger.sendTransaction({ to: address, data: "0xdeadbeef" })).to.be.revert(ethers);
      expect(await registry.isVerified(stranger.address)).to.equal(false);
    });

    it("ERC-165: the consumer interface and the admin interface served by the extension", async function () {
      const { address } = await networkHelpers.loadFixture(fixture);
      const registry = await ethers.getContractAt("KycRegistry", address);
      const interfaceId = (abi: ReadonlyArray<string> | Interface) => {
        const iface = abi instanceof Interface ? abi : new Interface(abi);
        let x = 0n;
        iface.forEachFunction((f) => (x ^= BigInt(f.selector)));
        return "0x" + x.toString(16).padStart(8, "0");
      };
      const read = interfaceId([
        "function isVerified(address) view returns (bool)",
        "function hasClaims(address,uint32) view returns (bool)",
        "function kycStatus(address) view returns (uint8,uint32,uint64)",
      ]);
      const adminArtifact = await ethers.getContractAt("IKycRegistryAdmin", address);
      expect(await registry.supportsInterface(read)).to.equal(true);
      expect(await registry.supportsInterface(interfaceId(adminArtifact.interface))).to.equal(true);
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  it("record commitments are per attestation: a re-attestation emits its own", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const c1 = recordCommitment("first");
    const c2 = recordCommitment("second");
    await expect(
      attestWith(registry, attester, card, await makeRequest(ethers, alice.address, { recordCommitment: c1 })),
    )
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, anyValue, anyValue, anyValue, anyValue, c1);
    await expect(
      attestWith(registry, attester, card, await makeRequest(ethers, alice.address, { recordCommitment: c2 })),
    )
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, anyValue, anyValue, anyValue, anyValue, c2);
  });
});
