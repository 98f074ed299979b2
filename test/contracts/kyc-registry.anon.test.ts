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
    it("records the publishing attester and time, usable while the attester is active and not stale", async function () {
      const { registry, attester } = await networkHelpers.loadFixture(fixture);
      const r = root("1");
      expect(await registry.anonRoot(r)).to.deep.equal([ethers.ZeroAddress, 0n, false]);
      const tx = await registry.connect(attester).publishAnonRoot(r, 7);
      const at = await latestTime(ethers);
      await expect(tx).to.emit(registry, "AnonRootPublished").withArgs(attester.address, r, 7);
      expect(await registry.anonRoot(r)).to.deep.equal([attester.address, at, true]);
      // stale: no heartbeat for longer than maxStaleness
      await networkHelpers.time.increase(MAX_STALENESS + 1n);
      expect((await registry.anonRoot(r))[2]).to.equal(false);
      await registry.connect(attester).recordCrlSync();
      expect((await registry.anonRoot(r))[2]).to.equal(true);
      // publishing again refreshes the time
      await networkHelpers.time.increase(DAY);
      await registry.connect(attester).publishAnonRoot(r, 7);
      expect((await registry.anonRoot(r))[1]).to.equal(await latestTime(ethers));
    });

    it("a root of an attester that lost ATTESTER_ROLE is not usable", async function () {
      const { registry, admin, attester } = await networkHelpers.loadFixture(fixture);
      const r = root("2");
      await registry.connect(attester).publishAnonRoot(r, 1);
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      expect(await registry.anonRoot(r)).to.deep.equal([attester.address, (await registry.anonRoot(r))[1], false]);
      await expect(registry.connect(attester).publishAnonRoot(root("3"), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(attester.address);
    });

    it("attacker: a non-attester cannot publish, nor take over another attester's root; zero and out-of-field refused", async function () {
      const { registry, attester, attester2, stranger } = await networkHelpers.loadFixture(fixture);
      const r = root("4");
      await expect(registry.connect(stranger).publishAnonRoot(r, 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(stranger.address);
      await registry.connect(attester).publishAnonRoot(r, 1);
      await expect(registry.connect(attester2).publishAnonRoot(r, 1))
        .to.be.revertedWithCustomError(registry, "AnonRootTaken")
        .withArgs(r, attester.address);
      expect((await registry.anonRoot(r))[0]).to.equal(attester.address);
      for (const bad of [ZeroHash, toBeHex(SNARK_SCALAR_FIELD, 32)]) {
        await expect(registry.connect(attester).publishAnonRoot(bad, 1)).to.be.revertedWithCustomError(
          registry,
          "InvalidAnonRoot",
        );
      }
    });

    it("publication is served only through the registry (the extension called directly reverts NotDelegated)", async function () {
      const { extension, attester } = await networkHelpers.loadFixture(fixture);
      const ext = await ethers.getContractAt("KycRegistryAdmin", extension);
      await expect(ext.connect(attester).publishAnonRoot(root("5"), 1)).to.be.revertedWithCustomError(
        ext,
        "NotDelegated",
      );
    });
  });
});
