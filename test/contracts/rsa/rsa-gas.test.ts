import { expect } from "chai";
import hre, { network } from "hardhat";

import { measureRsaGas } from "../../../scripts/bench/rsa-gas.js";

/**
 * Gas regression: gas is deterministic, so the budget "RSA-2048 verify costs at most 2,000 gas more than the MODEXP
 * call it makes" is asserted here; the figures themselves are reported by `npm run bench:gas`. Nothing is timed.
 * Not under `--coverage` (`npm run coverage`): the instrumented contracts call the coverage recorder before every
 * statement, inside the measured spans, so their gas is not the contracts' gas; the test reports itself pending there.
 */
describe("RsaPkcs1: gas budget (RSA-2048, hardfork Osaka)", function () {
  it("both entry points cost at most MODEXP + 2,000 gas; MODEXP is priced as under Osaka (32,768)", async function () {
    if (hre.globalOptions.coverage) this.skip();
    const { ethers } = await network.create();
    const gas = await measureRsaGas(ethers);
    // The staticcall to the precompile: 32,768 (EIP-7883 price for a 2048-bit modulus and e = 65537) + 100 warm access
    expect(gas.modexp).to.be.within(32_768 + 100, 32_768 + 200);
    expect(gas.ours).to.be.at.most(gas.modexp + 2_000);
    expect(gas.oursGeneric).to.be.at.most(gas.modexp + 2_000);
    expect(gas.ours).to.be.below(gas.openzeppelin);
  });
});
