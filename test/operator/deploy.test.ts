import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Interface } from "ethers";
import { network } from "hardhat";

import { REGISTRY_ABI } from "../../src/chain/registry-abi.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import ExamplesModule from "../../deploy/modules/Examples.js";
import KycRegistryModule from "../../deploy/modules/KycRegistry.js";

const localParameters = JSON.parse(readFileSync("deploy/parameters/local.json", "utf8")) as Record<
  string,
  Record<string, number | string>
>;

describe("deployment (Ignition) and the tooling's registry ABI", function () {
  it("the human-readable ABI matches what is callable at a registry's address (KycRegistry + its extension), entry for entry", async function () {
    const abiOf = (name: string, dir = "") =>
      (
        JSON.parse(readFileSync(`artifacts/contracts/${dir}${name}.sol/${name}.json`, "utf8")) as {
          abi: Array<{ type: string }>;
        }
      ).abi;
    // the registry's own ABI first (its events and errors), then the extension's functions it delegates
    const registryAbi = abiOf("KycRegistry").filter((e) => e.type !== "constructor" && e.type !== "fallback");
    const extensionAbi = abiOf("KycRegistryAdmin").filter((e) => e.type === "function" || e.type === "error");
    const compiled = new Interface([...registryAbi, ...extensionAbi] as never);
    const ours = new Interface(REGISTRY_ABI);
    ours.forEachFunction((f) => {
      expect(compiled.getFunction(f.selector)?.format("sighash"), f.format("sighash")).to.equal(f.format("sighash"));
      expect(compiled.getFunction(f.selector)?.outputs.map((o) => o.format())).to.deep.equal(
        f.outputs.map((o) => o.format()),
      );
    });
    ours.forEachEvent((e) => {
      expect(compiled.getEvent(e.topicHash)?.format("sighash"), e.format("sighash")).to.equal(e.format("sighash"));
    });
    ours.forEachError((e) => {
      if (e.name.startsWith("ECDSA")) return; // library errors, not always in the registry's ABI
      expect(compiled.getError(e.selector)?.format("sighash"), e.format("sighash")).to.equal(e.format("sighash"));
    });
    // Every custom error the registry can raise decodes to a name.
    compiled.forEachError((e) => {
      expect(ours.getError(e.selector), `missing error ${e.format("sighash")}`).to.not.equal(null);
    });
  });

  it("deploys the registry and the examples with the local parameters", async function () {
    const { ignition, ethers } = await network.create();
    const [admin] = await ethers.getSigners();
    const { registry, extension, token, ageGatedClaim } = await ignition.deploy(ExamplesModule, {
      parameters: localParameters,
    });
    const client = await RegistryClient.connect(admin!, await registry.getAddress());
    expect(await client.read<bigint>("maxAge")).to.equal(BigInt(localParameters.KycRegistryModule!.maxAge!));
    expect(await client.read<bigint>("maxStaleness")).to.equal(
      BigInt(localParameters.KycRegistryModule!.maxStaleness!),
    );
    expect(await client.hasRole("DEFAULT_ADMIN_ROLE", admin!.address)).to.equal(true);
    expect(await token.getFunction("symbol").staticCall()).to.equal("KGT");
    expect(await ageGatedClaim.getAddress()).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(await registry.getFunction("extension").staticCall()).to.equal(await extension.getAddress());
  });

  it("uses safe defaults without a parameter file (2-day admin delay, deployer as admin)", async function () {
    const { ignition, ethers } = await network.create();
    const [admin] = await ethers.getSigners();
    const { registry } = await ignition.deploy(KycRegistryModule);
    expect(await registry.getFunction("defaultAdminDelay").staticCall()).to.equal(2n * 24n * 3600n);
    expect(await registry.getFunction("defaultAdmin").staticCall()).to.equal(admin!.address);
  });
});
