import { readFileSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";

import KycRegistryModule from "../../deploy/modules/KycRegistry.js";
import { EXPIRY_GRID } from "../helpers/card-proof.js";
import { ADMIN_DELAY, MAX_AGE, MAX_STALENESS, deployRegistry } from "../helpers/registry-fixture.js";

const localParameters = JSON.parse(readFileSync("deploy/parameters/local.json", "utf8")) as Record<
  string,
  Record<string, number | string>
>;

describe("KycRegistry v2 deployment", function () {
  it("deploys the extension, then the registry naming it, and runs a transaction (helper path)", async function () {
    const { ethers } = await network.create();
    const [admin, attester] = await ethers.getSigners();
    const { registry, extension } = await deployRegistry(ethers, admin!.address);
    expect(await registry.version()).to.equal("2.0.0");
    expect(await registry.extension()).to.equal(extension);
    expect(await registry.maxAge()).to.equal(MAX_AGE);
    expect(await registry.maxStaleness()).to.equal(MAX_STALENESS);
    expect(await registry.defaultAdmin()).to.equal(admin!.address);
    expect(await registry.defaultAdminDelay()).to.equal(ADMIN_DELAY);
    await registry.grantRole(await registry.ATTESTER_ROLE(), attester!.address);
    const receipt = await (await registry.connect(attester!).recordCrlSync()).wait();
    expect(receipt?.status).to.equal(1);
    expect(await registry.lastCrlSync(attester!.address)).to.equal(
      BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp),
    );
  });

  it("the Ignition module deploys KycRegistryAdmin and KycRegistry(admin, delay, maxAge, maxStaleness, extension)", async function () {
    const { ignition, ethers } = await network.create();
    const [admin] = await ethers.getSigners();
    const { registry, extension } = await ignition.deploy(KycRegistryModule, { parameters: localParameters });
    const full = await ethers.getContractAt("IKycRegistryFull", await registry.getAddress());
    expect(await full.extension()).to.equal(await extension.getAddress());
    expect(await full.version()).to.equal("2.0.0");
    const p = localParameters.KycRegistryModule!;
    expect(await full.maxAge()).to.equal(BigInt(p.maxAge!));
    expect(BigInt(p.maxAge!) >= EXPIRY_GRID).to.equal(true);
    expect(await full.maxStaleness()).to.equal(BigInt(p.maxStaleness!));
    expect(await full.defaultAdminDelay()).to.equal(BigInt(p.adminDelay!));
    expect(await full.defaultAdmin()).to.equal(admin!.address);
    expect(await full.EXPIRY_GRID()).to.equal(EXPIRY_GRID);
    // the extension is not usable on its own
    const direct = await ethers.getContractAt("IKycRegistryFull", await extension.getAddress());
    await expect(direct.maxAge()).to.be.revertedWithCustomError(full, "NotDelegated");
  });

  it("the module's defaults: 365-day maxAge (on or above the grid), 2-day admin delay, deployer as admin", async function () {
    const { ignition, ethers } = await network.create();
    const [admin] = await ethers.getSigners();
    const { registry } = await ignition.deploy(KycRegistryModule);
    const full = await ethers.getContractAt("IKycRegistryFull", await registry.getAddress());
    expect(await full.maxAge()).to.equal(365n * 24n * 3600n);
    expect(await full.defaultAdminDelay()).to.equal(2n * 24n * 3600n);
    expect(await full.defaultAdmin()).to.equal(admin!.address);
  });

  it("every parameter file keeps maxAge on or above the expiry grid", function () {
    for (const file of ["local", "sepolia"]) {
      const p = JSON.parse(readFileSync(`deploy/parameters/${file}.json`, "utf8")) as Record<
        string,
        Record<string, number>
      >;
      expect(BigInt(p.KycRegistryModule!.maxAge!) >= EXPIRY_GRID, file).to.equal(true);
    }
  });
});
