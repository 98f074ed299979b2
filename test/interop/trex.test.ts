import { expect } from "chai";
import { network } from "hardhat";

import { Claims } from "../helpers/card-proof.js";
import { kycHolders } from "./helpers/holders.js";
import { id } from "ethers";

import { deployTrex, deployTrexIdentityStack, deployTrexToken, onboardOnchainId } from "./helpers/trex.js";

const { ethers, networkHelpers } = await network.create();

const JAPAN = 392n;

async function fixture() {
  const h = await kycHolders(ethers);
  const adapter = await ethers.deployContract("KycIdentityRegistryAdapter", [h.registry, Claims.IDENTITY], h.deployer);
  const { token, compliance } = await deployTrexToken(h.deployer, await adapter.getAddress());
  return { ...h, adapter, token, compliance };
}

describe("interop: ERC-3643 (T-REX) identity registry adapter", function () {
  describe("read surface", function () {
    it("answers isVerified from the KYC registry with the adapter's required claims", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      expect(await h.adapter.isVerified(h.verified.address)).to.equal(true);
      expect(await h.adapter.isVerified(h.verified2.address)).to.equal(true);
      for (const bad of [h.authOnly, h.revoked, h.expired, h.stale, h.unverified]) {
        expect(await h.adapter.isVerified(bad.address), bad.address).to.equal(false);
      }
      const adults20 = await ethers.deployContract("KycIdentityRegistryAdapter", [h.registry, Claims.AGE_20]);
      expect(await adults20.isVerified(h.verified.address)).to.equal(true);
      expect(await adults20.isVerified(h.verified2.address)).to.equal(false);
      const anyone = await ethers.deployContract("KycIdentityRegistryAdapter", [h.registry, 0]);
      expect(await anyone.isVerified(h.authOnly.address)).to.equal(true);
      expect(await anyone.isVerified(h.stale.address)).to.equal(false);
      expect(await anyone.requiredClaims()).to.equal(0n);
      expect(await h.adapter.requiredClaims()).to.equal(BigInt(Claims.IDENTITY));
      expect(await h.adapter.kycRegistry()).to.equal(h.registry);
    });

    it("contains / identity / investorCountry follow the record's existence; the sub-registries are zero", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      for (const known of [h.verified, h.authOnly, h.revoked, h.expired, h.stale]) {
        expect(await h.adapter.contains(known.address)).to.equal(true);
        expect(await h.adapter.identity(known.address)).to.equal(known.address);
        expect(await h.adapter.investorCountry(known.address)).to.equal(JAPAN);
      }
      expect(await h.adapter.contains(h.unverified.address)).to.equal(false);
      expect(await h.adapter.identity(h.unverified.address)).to.equal(ethers.ZeroAddress);
      expect(await h.adapter.investorCountry(h.unverified.address)).to.equal(0n);
      expect(await h.adapter.identityStorage()).to.equal(ethers.ZeroAddress);
      expect(await h.adapter.issuersRegistry()).to.equal(ethers.ZeroAddress);
      expect(await h.adapter.topicsRegistry()).to.equal(ethers.ZeroAddress);
      expect(await h.token.getFunction("identityRegistry")()).to.equal(await h.adapter.getAddress());
    });

    it("refuses a zero registry", async function () {
      const factory = await ethers.getContractFactory("KycIdentityRegistryAdapter");
      await expect(factory.deploy(ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(factory, "ZeroRegistry");
    });
  });

  describe("agent writes", function () {
    it("every ERC-3643 registry write reverts: attestations come from the KYC registry (attacker and owner alike)", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      const a = h.adapter;
      const who = h.unverified.address;
      for (const caller of [h.unverified, h.deployer]) {
        const c = a.connect(caller);
        const writes = [
          c.registerIdentity(who, who, JAPAN),
          c.deleteIdentity(h.verified.address),
          c.updateCountry(h.verified.address, 0),
          c.updateIdentity(h.verified.address, who),
          c.batchRegisterIdentity([who], [who], [JAPAN]),
          c.setIdentityRegistryStorage(who),
          c.setClaimTopicsRegistry(who),
          c.setTrustedIssuersRegistry(who),
          c.addAgent(caller.address),
          c.removeAgent(h.deployer.address),
        ];
        for (const w of writes) {
          await expect(w).to.be.revertedWithCustomError(a, "AttestationsComeFromKycRegistry").withArgs(h.registry);
        }
      }
      // the attempted self-registration changed nothing; nobody is an agent
      expect(await a.isAgent(h.deployer.address)).to.equal(false);
      expect(await a.isVerified(who)).to.equal(false);
      expect(await a.contains(who)).to.equal(false);
    });
  });

  describe("a published T-REX Token using the adapter", function () {
    it("mints to verified holders only", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      const token = h.token.connect(h.deployer);
      await token.getFunction("mint")(h.verified.address, 100n);
      expect(await token.getFunction("balanceOf")(h.verified.address)).to.equal(100n);
      for (const bad of [h.authOnly, h.revoked, h.expired, h.stale, h.unverified]) {
        await expect(token.getFunction("mint")(bad.address, 1n), bad.address).to.be.revertedWith(
          "Identity is not verified.",
        );
      }
    });

    it("transfers to verified holders; to unverified, revoked, expired, stale or claim-lacking ones it reverts", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      await h.token.connect(h.deployer).getFunction("mint")(h.verified.address, 100n);
      const fromVerified = h.token.connect(h.verified);
      await fromVerified.getFunction("transfer")(h.verified2.address, 10n);
      expect(await h.token.getFunction("balanceOf")(h.verified2.address)).to.equal(10n);
      for (const bad of [h.authOnly, h.revoked, h.expired, h.stale, h.unverified]) {
        await expect(fromVerified.getFunction("transfer")(bad.address, 1n), bad.address).to.be.revertedWith(
          "Transfer not possible",
        );
        await fromVerified.getFunction("approve")(h.deployer.address, 1n);
        await expect(
          h.token.connect(h.deployer).getFunction("transferFrom")(h.verified.address, bad.address, 1n),
          bad.address,
        ).to.be.revertedWith("Transfer not possible");
        // even the token's agent cannot force tokens to a holder the KYC registry does not verify
        await expect(
          h.token.connect(h.deployer).getFunction("forcedTransfer")(h.verified.address, bad.address, 1n),
        ).to.be.revertedWith("Transfer not possible");
      }
      expect(await h.token.getFunction("balanceOf")(h.verified.address)).to.equal(90n);
    });

    it("a revocation in the KYC registry stops the next transfer", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      await h.token.connect(h.deployer).getFunction("mint")(h.verified.address, 100n);
      const send = h.token.connect(h.verified).getFunction("transfer");
      await send(h.verified2.address, 1n);
      await h.revoke(h.verified2.address);
      await expect(send(h.verified2.address, 1n)).to.be.revertedWith("Transfer not possible");
      expect(await h.adapter.isVerified(h.verified2.address)).to.equal(false);
      expect(await h.token.getFunction("balanceOf")(h.verified2.address)).to.equal(1n);
    });

    it("a token agent's recovery cannot register a wallet through the adapter", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      await h.token.connect(h.deployer).getFunction("mint")(h.verified.address, 5n);
      // T-REX recovery needs an ONCHAINID holding the new wallet as a management key: the holder's own Identity
      const oid = await deployTrex(h.unverified, "Identity", [h.unverified.address, false]);
      await expect(
        h.token.connect(h.deployer).getFunction("recoveryAddress")(
          h.verified.address,
          h.unverified.address,
          await oid.getAddress(),
        ),
      )
        .to.be.revertedWithCustomError(h.adapter, "AttestationsComeFromKycRegistry")
        .withArgs(h.registry);
      expect(await h.token.getFunction("balanceOf")(h.verified.address)).to.equal(5n);
    });
  });
  describe("published T-REX compliance modules reading the adapter", function () {
    it("CountryAllowModule reads investorCountry (392 for every JPKI holder)", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      const module = await deployTrex(h.deployer, "CountryAllowModule");
      await module.getFunction("initialize")();
      const compliance = h.compliance.connect(h.deployer);
      await compliance.getFunction("addModule")(await module.getAddress());
      const call = (fn: string, country: bigint) =>
        compliance.getFunction("callModuleFunction")(
          module.interface.encodeFunctionData(fn, [country]),
          module.getAddress(),
        );
      // only the US allowed: a Japanese holder is refused by compliance
      await call("addAllowedCountry", 840n);
      await expect(h.token.connect(h.deployer).getFunction("mint")(h.verified.address, 1n)).to.be.revertedWith(
        "Compliance not followed",
      );
      await call("addAllowedCountry", JAPAN);
      await h.token.connect(h.deployer).getFunction("mint")(h.verified.address, 1n);
      await h.token.connect(h.verified).getFunction("transfer")(h.verified2.address, 1n);
      expect(await h.token.getFunction("balanceOf")(h.verified2.address)).to.equal(1n);
    });

    it("MaxBalanceModule keys balances by identity(wallet): per wallet", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      const module = await deployTrex(h.deployer, "MaxBalanceModule");
      await module.getFunction("initialize")();
      const compliance = h.compliance.connect(h.deployer);
      await compliance.getFunction("addModule")(await module.getAddress());
      await compliance.getFunction("callModuleFunction")(
        module.interface.encodeFunctionData("setMaxBalance", [100n]),
        module.getAddress(),
      );
      const mint = h.token.connect(h.deployer).getFunction("mint");
      await mint(h.verified.address, 100n);
      await expect(mint(h.verified.address, 1n)).to.be.revertedWith("Compliance not followed");
      await mint(h.verified2.address, 60n);
      await expect(h.token.connect(h.verified).getFunction("transfer")(h.verified2.address, 41n)).to.be.revertedWith(
        "Transfer not possible",
      );
      await h.token.connect(h.verified).getFunction("transfer")(h.verified2.address, 40n);
      const idBalance = module.getFunction("getIDBalance");
      const complianceAddress = await h.compliance.getAddress();
      expect(await idBalance(complianceAddress, h.verified2.address)).to.equal(100n);
      expect(await idBalance(complianceAddress, h.verified.address)).to.equal(60n);
    });
  });

  describe("the bench's reference: T-REX's own IdentityRegistry with ONCHAINID", function () {
    it("verifies a holder whose Identity holds the trusted issuer's claim, and only that holder", async function () {
      const h = await networkHelpers.loadFixture(fixture);
      const issuerKey = (await ethers.getSigners())[17]!;
      const topic = BigInt(id("jpki-kyc bench KYC topic"));
      const stack = await deployTrexIdentityStack(h.deployer, issuerKey, topic);
      await onboardOnchainId(ethers, stack, h.deployer, issuerKey, h.verified, topic);
      // a registered Identity without the claim is not verified
      const bare = await deployTrex(h.authOnly, "Identity", [h.authOnly.address, false]);
      await stack.registry.connect(h.deployer).getFunction("registerIdentity")(
        h.authOnly.address,
        await bare.getAddress(),
        JAPAN,
      );
      // nor can a claim signed by a key the trusted ClaimIssuer does not hold be added to an Identity
      await expect(onboardOnchainId(ethers, stack, h.deployer, h.unverified, h.stale, topic)).to.be.revertedWith(
        "invalid claim",
      );
      const { token } = await deployTrexToken(h.deployer, await stack.registry.getAddress(), "REF");
      expect(await stack.registry.getFunction("isVerified")(h.verified.address)).to.equal(true);
      expect(await stack.registry.getFunction("isVerified")(h.authOnly.address)).to.equal(false);
      await token.connect(h.deployer).getFunction("mint")(h.verified.address, 2n);
      await expect(token.connect(h.deployer).getFunction("mint")(h.authOnly.address, 1n)).to.be.revertedWith(
        "Identity is not verified.",
      );
    });
  });
});
