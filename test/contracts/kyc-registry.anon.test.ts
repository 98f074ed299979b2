// The registry's side of anonymous proofs: the binding's opt-in (AnonLeaf) and root publication (anonRoot).
import { expect } from "chai";
import { ZeroHash, id, toBeHex } from "ethers";
import { network } from "hardhat";

import { SNARK_SCALAR_FIELD } from "../../src/anon/field.js";
import { Claims, bindingProof, gridFloor, keyNullifier, testCard } from "../helpers/card-proof.js";
import {
  DAY,
  MAX_AGE,
  MAX_STALENESS,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
/** A commitment below the BN254 scalar field order (what Poseidon(secret) looks like). */
const commitment = (label: string) => toBeHex(BigInt(id(`anon commitment ${label}`)) % SNARK_SCALAR_FIELD, 32);
const root = (label: string) => toBeHex(BigInt(id(`anon root ${label}`)) % SNARK_SCALAR_FIELD, 32);
/** The registry's bound on a root's validUntil after its publication (KycRegistryStorage: 7 days). */
const MAX_ANON_ROOT_VALIDITY = 7n * DAY;

describe("KycRegistry v2: anonymous-proof opt-in and roots", function () {
  describe("opt-in (KycBinding.anonCommitment)", function () {
    it("emits AnonLeaf with the commitment, claims and expiry of the new record; none without the opt-in", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const c = commitment("alice");
      const req = await makeRequest(ethers, alice.address, {
        claims: IDENTITY_CLAIMS,
        personTag: id("person alice"),
        anonCommitment: c,
      });
      const tx = await attestWith(registry, attester, card, req);
      const expiresAt = gridFloor((await latestTime(ethers)) + MAX_AGE);
      await expect(tx)
        .to.emit(registry, "AnonLeaf")
        .withArgs(attester.address, keyNullifier(card.modulus), BigInt(c), IDENTITY_CLAIMS, expiresAt);
      const plain = await makeRequest(ethers, bob.address);
      expect(plain.anonCommitment).to.equal(ZeroHash);
      await expect(attestWith(registry, attester, testCard(1), plain)).to.not.emit(registry, "AnonLeaf");
    });

    it("attacker: an operator cannot put its own commitment in place of the holder's (the card signed it)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const signed = await makeRequest(ethers, alice.address, { anonCommitment: commitment("holder") });
      const proof = await bindingProof(registry, card, alice, signed, attester.address);
      for (const anonCommitment of [commitment("operator"), ZeroHash]) {
        await expect(
          registry
            .connect(attester)
            .attest({ ...signed, anonCommitment }, card.modulus, proof.cardSignature, proof.subjectSignature),
        ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      }
      // and a binding without the opt-in cannot be given one
      const plain = await makeRequest(ethers, alice.address);
      const plainProof = await bindingProof(registry, card, alice, plain, attester.address);
      await expect(
        registry
          .connect(attester)
          .attest(
            { ...plain, anonCommitment: commitment("operator") },
            card.modulus,
            plainProof.cardSignature,
            plainProof.subjectSignature,
          ),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      await expect(
        registry.connect(attester).attest(signed, card.modulus, proof.cardSignature, proof.subjectSignature),
      ).to.emit(registry, "AnonLeaf");
    });

    it("refuses a commitment that is not a field element (InvalidAnonCommitment), even when signed", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      for (const value of [SNARK_SCALAR_FIELD, 2n ** 256n - 1n]) {
        const req = await makeRequest(ethers, alice.address, { anonCommitment: toBeHex(value, 32) });
        await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
          registry,
          "InvalidAnonCommitment",
        );
      }
      const last = await makeRequest(ethers, alice.address, { anonCommitment: toBeHex(SNARK_SCALAR_FIELD - 1n, 32) });
      await expect(attestWith(registry, attester, testCard(0), last)).to.emit(registry, "AnonLeaf");
    });
  });

  describe("publishAnonRoot / anonRoot", function () {
    /** A validUntil `ahead` seconds after the latest block (the publication's block comes one second later). */
    const until = async (ahead: bigint = DAY) => (await latestTime(ethers)) + ahead;

    it("records the publishing attester, time and validUntil; usable while the attester is active, not stale and not past validUntil", async function () {
      const { registry, attester } = await networkHelpers.loadFixture(fixture);
      const r = root("1");
      expect(await registry.anonRoot(r)).to.deep.equal([ethers.ZeroAddress, 0n, 0n, false]);
      const validUntil = await until(MAX_ANON_ROOT_VALIDITY);
      const tx = await registry.connect(attester).publishAnonRoot(r, validUntil, 7);
      const at = await latestTime(ethers);
      await expect(tx).to.emit(registry, "AnonRootPublished").withArgs(attester.address, r, validUntil, 7);
      expect(await registry.anonRoot(r)).to.deep.equal([attester.address, at, validUntil, true]);
      // stale: no heartbeat for longer than maxStaleness
      await networkHelpers.time.increase(MAX_STALENESS + 1n);
      expect((await registry.anonRoot(r))[3]).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.anonRoot(r))[3]).to.equal(true);
      // publishing again refreshes the time; attacker: it cannot change the validUntil the root commits to
      await networkHelpers.time.increase(DAY);
      await expect(registry.connect(attester).publishAnonRoot(r, validUntil - DAY, 8))
        .to.be.revertedWithCustomError(registry, "InvalidAnonRootValidity")
        .withArgs(validUntil - DAY);
      await registry.connect(attester).publishAnonRoot(r, validUntil, 8);
      const [, republishedAt, storedUntil, usable] = await registry.anonRoot(r);
      expect([republishedAt, storedUntil, usable]).to.deep.equal([await latestTime(ethers), validUntil, true]);
      // past its validUntil the root is unusable, though the attester is active and its heartbeat fresh
      await networkHelpers.time.increaseTo(validUntil - 60n);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.anonRoot(r))[3]).to.equal(true);
      await networkHelpers.time.increaseTo(validUntil + 1n);
      await registry.connect(attester).recordCrlSync();
      expect(await registry.anonRoot(r)).to.deep.equal([attester.address, republishedAt, validUntil, false]);
    });

    it("attacker: a validUntil in the past, at now, or more than MAX_ANON_ROOT_VALIDITY ahead is refused (InvalidAnonRootValidity)", async function () {
      const { registry, attester } = await networkHelpers.loadFixture(fixture);
      expect(await registry.MAX_ANON_ROOT_VALIDITY()).to.equal(MAX_ANON_ROOT_VALIDITY);
      const r = root("validity");
      const publishAt = async (t: bigint, validUntil: bigint) => {
        await networkHelpers.time.setNextBlockTimestamp(t);
        return registry.connect(attester).publishAnonRoot(r, validUntil, 1);
      };
      let t = (await latestTime(ethers)) + 100n;
      for (const validUntil of [0n, t - 50n, t, t + MAX_ANON_ROOT_VALIDITY + 1n, 2n ** 64n - 1n]) {
        await expect(publishAt(t, validUntil), `validUntil = t ${validUntil >= t ? "+" : "-"} ${validUntil - t}`)
          .to.be.revertedWithCustomError(registry, "InvalidAnonRootValidity")
          .withArgs(validUntil);
        expect((await registry.anonRoot(r))[0], "nothing recorded").to.equal(ethers.ZeroAddress);
        t = (await latestTime(ethers)) + 100n;
      }
      // the bounds themselves: one second after now, and exactly MAX_ANON_ROOT_VALIDITY ahead (another root)
      await expect(publishAt(t, t + 1n)).to.emit(registry, "AnonRootPublished");
      t = (await latestTime(ethers)) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      const r2 = root("validity 2");
      await expect(registry.connect(attester).publishAnonRoot(r2, t + MAX_ANON_ROOT_VALIDITY, 1))
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester.address, r2, t + MAX_ANON_ROOT_VALIDITY, 1);
      const stored = t + MAX_ANON_ROOT_VALIDITY;
      expect((await registry.anonRoot(r2))[2]).to.equal(stored);
      // republishing its own root with another validUntil is refused, and the refusal leaves it as it was
      t = (await latestTime(ethers)) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(registry.connect(attester).publishAnonRoot(r2, stored + 1n, 1))
        .to.be.revertedWithCustomError(registry, "InvalidAnonRootValidity")
        .withArgs(stored + 1n);
      expect((await registry.anonRoot(r2))[2]).to.equal(stored);
    });

    it("a root of an attester that lost ATTESTER_ROLE is not usable", async function () {
      const { registry, admin, attester } = await networkHelpers.loadFixture(fixture);
      const r = root("2");
      const validUntil = await until();
      await registry.connect(attester).publishAnonRoot(r, validUntil, 1);
      const [, publishedAt] = await registry.anonRoot(r);
      expect((await registry.anonRoot(r))[3]).to.equal(true);
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.anonRoot(r)).to.deep.equal([attester.address, publishedAt, validUntil, false]);
      await expect(registry.connect(attester).publishAnonRoot(root("3"), await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(attester.address);
    });

    it("attacker: a non-attester cannot publish, nor take over another attester's root; zero and out-of-field refused", async function () {
      const { registry, attester, attester2, stranger } = await networkHelpers.loadFixture(fixture);
      const r = root("4");
      await expect(registry.connect(stranger).publishAnonRoot(r, await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(stranger.address);
      const validUntil = await until();
      await registry.connect(attester).publishAnonRoot(r, validUntil, 1);
      await expect(registry.connect(attester2).publishAnonRoot(r, await until(2n * DAY), 1))
        .to.be.revertedWithCustomError(registry, "AnonRootTaken")
        .withArgs(r, attester.address);
      const [owner, , storedUntil] = await registry.anonRoot(r);
      expect([owner, storedUntil]).to.deep.equal([attester.address, validUntil]);
      for (const bad of [ZeroHash, toBeHex(SNARK_SCALAR_FIELD, 32)]) {
        await expect(registry.connect(attester).publishAnonRoot(bad, await until(), 1)).to.be.revertedWithCustomError(
          registry,
          "InvalidAnonRoot",
        );
      }
    });

    it("publication is served only through the registry (the extension called directly reverts NotDelegated)", async function () {
      const { extension, attester } = await networkHelpers.loadFixture(fixture);
      const ext = await ethers.getContractAt("KycRegistryAdmin", extension);
      await expect(ext.connect(attester).publishAnonRoot(root("5"), await until(), 1)).to.be.revertedWithCustomError(
        ext,
        "NotDelegated",
      );
    });
  });
});
