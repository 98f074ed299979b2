import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { Claims, keyNullifier, testCard } from "../helpers/card-proof.js";
import { Reason, attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();

async function fixture() {
  const f = await deployRegistryFixture(ethers);
  const all = Claims.AUTH | Claims.AGE_18 | Claims.AGE_20;
  // alice: 20+, bob: 18+ only, carol: not attested yet
  await attestWith(
    f.registry,
    f.attester,
    testCard(0),
    await makeRequest(ethers, f.alice.address, { claims: all, personTag: id("alice") }),
  );
  await attestWith(
    f.registry,
    f.attester,
    testCard(1),
    await makeRequest(ethers, f.bob.address, { claims: Claims.AUTH | Claims.AGE_18, personTag: id("bob") }),
  );
  const token = await ethers.deployContract("KycGatedToken", ["Gated", "GTD", f.address, 0, f.admin.address]);
  const claim = await ethers.deployContract("AgeGatedClaim", [f.address]);
  const probe = await ethers.deployContract("KycProbe");
  return { ...f, token, claim, probe };
}

describe("consumers", function () {
  describe("KycGatedToken", function () {
    it("mints only to verified accounts", async function () {
      const { token, admin, alice, carol } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).mint(alice.address, 100n);
      expect(await token.balanceOf(alice.address)).to.equal(100n);
      await expect(token.connect(admin).mint(carol.address, 1n))
        .to.be.revertedWithCustomError(token, "KycRequired")
        .withArgs(carol.address);
      await expect(token.connect(alice).mint(alice.address, 1n)).to.be.revertedWithCustomError(
        token,
        "OwnableUnauthorizedAccount",
      );
    });

    it("transfers only between verified accounts, both ends checked, transferFrom too", async function () {
      const { token, registry, admin, alice, bob, carol, attester } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).mint(alice.address, 100n);
      await token.connect(alice).transfer(bob.address, 10n);
      await expect(token.connect(alice).transfer(carol.address, 1n))
        .to.be.revertedWithCustomError(token, "KycRequired")
        .withArgs(carol.address);
      await token.connect(alice).approve(carol.address, 5n);
      await expect(token.connect(carol).transferFrom(alice.address, carol.address, 5n))
        .to.be.revertedWithCustomError(token, "KycRequired")
        .withArgs(carol.address);
      await token.connect(carol).transferFrom(alice.address, bob.address, 5n);
      // once alice is revoked she can neither send nor receive
      await registry.connect(attester).revoke(alice.address, Reason.Operator);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "KycRequired")
        .withArgs(alice.address);
      await expect(token.connect(bob).transfer(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "KycRequired")
        .withArgs(alice.address);
      await expect(token.connect(alice).burn(1n)).to.be.revertedWithCustomError(token, "KycRequired");
      await token.connect(bob).burn(1n);
      expect(await token.balanceOf(bob.address)).to.equal(14n);
      expect(await token.balanceOf(alice.address)).to.equal(85n);
    });

    it("a claim mask narrows who may hold it; a claim drop (a move) closes it; a zero registry is rejected", async function () {
      const { address, registry, token, admin, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const adultsOnly = await ethers.deployContract("KycGatedToken", [
        "Adult",
        "ADT",
        address,
        Claims.AGE_20,
        admin.address,
      ]);
      expect(await adultsOnly.requiredClaims()).to.equal(BigInt(Claims.AGE_20));
      await adultsOnly.connect(admin).mint(alice.address, 1n);
      await expect(adultsOnly.connect(admin).mint(bob.address, 1n)).to.be.revertedWithCustomError(
        adultsOnly,
        "KycRequired",
      );
      // alice moved: her signing certificate is revoked, the operator drops the claims that came from it
      await registry.connect(attester).dropSigningClaims([alice.address]);
      await expect(adultsOnly.connect(admin).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(adultsOnly, "KycRequired")
        .withArgs(alice.address);
      await token.connect(admin).mint(alice.address, 1n); // AUTH level still verified
      const factory = await ethers.getContractFactory("KycGatedToken");
      await expect(factory.deploy("X", "X", ethers.ZeroAddress, 0, admin.address)).to.be.revertedWithCustomError(
        factory,
        "ZeroRegistry",
      );
    });
  });

  describe("AgeGatedClaim", function () {
    it("one claim per holder with AGE_20, keyed by the card key", async function () {
      const { claim, alice, bob } = await networkHelpers.loadFixture(fixture);
      const aliceKey = keyNullifier(testCard(0).modulus);
      await expect(claim.connect(alice).claim(keyNullifier(testCard(1).modulus)))
        .to.be.revertedWithCustomError(claim, "NotCurrentKey")
        .withArgs(keyNullifier(testCard(1).modulus));
      await expect(claim.connect(alice).claim(aliceKey)).to.emit(claim, "Claimed").withArgs(alice.address, aliceKey);
      expect(await claim.keyClaimed(aliceKey)).to.equal(true);
      expect(await claim.claimCount()).to.equal(1n);
      await expect(claim.connect(alice).claim(aliceKey)).to.be.revertedWithCustomError(claim, "AlreadyClaimed");
      // bob is verified but only AGE_18
      await expect(claim.connect(bob).claim(keyNullifier(testCard(1).modulus)))
        .to.be.revertedWithCustomError(claim, "KycRequired")
        .withArgs(bob.address);
    });

    it("moving the card to a new address cannot claim twice; nor can a new card on the same address", async function () {
      const { claim, registry, attester, alice, carol } = await networkHelpers.loadFixture(fixture);
      const all = Claims.AUTH | Claims.AGE_18 | Claims.AGE_20;
      await claim.connect(alice).claim(keyNullifier(testCard(0).modulus));
      await registry.connect(alice).revokeSelf();
      // v2: the card binds carol's wallet (a non-compromise end frees the key), but the key already claimed
      await attestWith(
        registry,
        attester,
        testCard(0),
        await makeRequest(ethers, carol.address, { claims: all, personTag: id("alice") }),
      );
      expect(await registry.hasClaims(carol.address, Claims.AGE_20)).to.equal(true);
      await expect(claim.connect(carol).claim(keyNullifier(testCard(0).modulus))).to.be.revertedWithCustomError(
        claim,
        "AlreadyClaimed",
      );
      await registry.connect(carol).revokeSelf();
      // alice with a new card: the address already claimed
      await attestWith(
        registry,
        attester,
        testCard(2),
        await makeRequest(ethers, alice.address, { claims: all, personTag: id("alice") }),
      );
      await expect(claim.connect(alice).claim(keyNullifier(testCard(2).modulus))).to.be.revertedWithCustomError(
        claim,
        "AlreadyClaimed",
      );
    });
  });

  describe("isVerified from a consumer contract", function () {
    it("the probe consumer sees the registry's answer", async function () {
      const { probe, address, alice, carol } = await networkHelpers.loadFixture(fixture);
      await probe.probe(address, alice.address);
      expect(await probe.lastResult()).to.equal(true);
      expect(await probe.lastGas()).to.be.greaterThan(0n);
      await probe.probe(address, carol.address);
      expect(await probe.lastResult()).to.equal(false);
    });
  });
});
