import { expect } from "chai";
import { network } from "hardhat";

import InteropModule from "../../deploy/modules/Interop.js";

describe("interop: deployment (Ignition)", function () {
  it("deploys the adapter and the EAS face against the module's registry, with the claim parameters", async function () {
    const { ignition } = await network.create();
    const { registry, trexAdapter, easReadFace } = await ignition.deploy(InteropModule, {
      parameters: { KycInteropModule: { trexClaims: 8, easClaims: 4 } },
    });
    const registryAddress = await registry.getAddress();
    expect(await trexAdapter.getFunction("kycRegistry")()).to.equal(registryAddress);
    expect(await trexAdapter.getFunction("requiredClaims")()).to.equal(8n);
    expect(await easReadFace.getFunction("kycRegistry")()).to.equal(registryAddress);
    expect(await easReadFace.getFunction("requiredClaims")()).to.equal(4n);
    const defaults = await (await network.create()).ignition.deploy(InteropModule);
    expect(await defaults.trexAdapter.getFunction("requiredClaims")()).to.equal(2n);
    expect(await defaults.easReadFace.getFunction("requiredClaims")()).to.equal(0n);
  });
});
