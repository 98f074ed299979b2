import { expect } from "chai";
import { network } from "hardhat";

import { ADMIN_DELAY, MAX_AGE, MAX_STALENESS } from "../helpers/registry-fixture.js";

describe("KycRegistry deployment (smoke)", function () {
  it("deploys on the in-process network and runs a transaction", async function () {
    const { ethers } = await network.create();
    const [admin, attester] = await ethers.getSigners();
    const registry = await ethers.deployContract("KycRegistry", [admin!.address, ADMIN_DELAY, MAX_AGE, MAX_STALENESS]);
    expect(await registry.version()).to.equal("1.0.0");
    expect(await registry.maxAge()).to.equal(MAX_AGE);
    expect(await registry.maxStaleness()).to.equal(MAX_STALENESS);
    expect(await registry.defaultAdmin()).to.equal(admin!.address);
    await registry.grantRole(await registry.ATTESTER_ROLE(), attester!.address);
    const tx = await registry.connect(attester!).recordCrlSync();
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await registry.lastCrlSync(attester!.address)).to.equal(
      BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp),
    );
  });
});
