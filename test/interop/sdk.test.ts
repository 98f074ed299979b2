/**
 * The SDK used the way a front end uses it: `import … from "jpki-kyc/sdk"` (the package's exports) and an ethers
 * JsonRpcProvider over HTTP to a node (Hardhat's in-process JSON-RPC server on a free loopback port).
 */
import { expect } from "chai";
import { Interface, JsonRpcProvider } from "ethers";
import hre, { network } from "hardhat";
import {
  CLAIMS,
  KYC_EAS_READ_FACE_ABI,
  KYC_IDENTITY_REGISTRY_ADAPTER_ABI,
  KYC_REGISTRY_READ_ABI,
  KycError,
  KycReader,
  SdkError,
  claimMask,
  claimNames,
} from "jpki-kyc/sdk";

import { kycHolders, type KycHolders } from "./helpers/holders.js";
import { runtimeImports } from "./helpers/module-graph.js";

async function expectSdkError(promise: Promise<unknown> | (() => unknown), code: string) {
  let caught: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected SdkError ${code}`).to.be.instanceOf(SdkError);
  expect(caught).to.be.instanceOf(KycError);
  expect((caught as SdkError).code).to.equal(code);
  expect((caught as SdkError).message).to.not.include("\n");
}

describe("interop: SDK (jpki-kyc/sdk) over HTTP", function () {
  let server: Awaited<ReturnType<typeof network.createServer>>;
  let url: string;
  let holders: KycHolders;
  let provider: JsonRpcProvider;
  let reader: KycReader;
  let closeSetup: () => Promise<void>;

  before(async function () {
    server = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    // the chain is set up over the same HTTP endpoint, as a deployment script would
    const setup = await network.create({ network: "localhost", override: { url } });
    closeSetup = () => setup.close();
    holders = await kycHolders(setup.ethers);
    provider = new JsonRpcProvider(url);
    reader = new KycReader(holders.registry, provider);
  });

  after(async function () {
    provider?.destroy();
    await closeSetup?.();
    await server?.close();
  });

  it("isVerified and hasClaims with claim names", async function () {
    expect(await reader.isVerified(holders.verified.address)).to.equal(true);
    for (const who of [holders.revoked, holders.expired, holders.stale, holders.unverified]) {
      expect(await reader.isVerified(who.address), who.address).to.equal(false);
    }
    expect(await reader.hasClaims(holders.verified2.address, ["age18"])).to.equal(true);
    expect(await reader.hasClaims(holders.verified2.address, ["AGE20"])).to.equal(false);
    expect(await reader.hasClaims(holders.verified.address, CLAIMS.age20 | CLAIMS.identity)).to.equal(true);
    expect(await reader.hasClaims(holders.authOnly.address, ["identity"])).to.equal(false);
  });

  it("kycStatus with status and claim names", async function () {
    const v = await reader.kycStatus(holders.verified.address.toLowerCase());
    expect(v.account).to.equal(holders.verified.address);
    expect([v.status, v.statusName, v.verified, v.claims]).to.deep.equal([1, "Active", true, 15]);
    expect(v.claimNames).to.deep.equal(["auth", "identity", "age18", "age20"]);
    expect(v.expiresAtDate?.getTime()).to.equal(Number(v.expiresAt) * 1000);
    const names = async (who: { address: string }) => (await reader.kycStatus(who.address)).statusName;
    expect(await names(holders.revoked)).to.equal("Revoked");
    expect(await names(holders.expired)).to.equal("Expired");
    expect(await names(holders.stale)).to.equal("StaleOperator");
    const none = await reader.kycStatus(holders.unverified.address);
    expect([none.statusName, none.verified, none.claims, none.expiresAt, none.expiresAtDate]).to.deep.equal([
      "None",
      false,
      0,
      0n,
      null,
    ]);
    expect((await reader.kycStatus(holders.verified2.address)).claimNames).to.deep.equal(["auth", "identity", "age18"]);
  });

  it("sees a revocation on the next read", async function () {
    await holders.revoke(holders.verified2.address);
    expect(await reader.isVerified(holders.verified2.address)).to.equal(false);
    expect((await reader.kycStatus(holders.verified2.address)).statusName).to.equal("Revoked");
  });

  it("claims decode to names, unknown bits included; names and masks are validated", async function () {
    expect(claimNames(0b10101)).to.deep.equal(["auth", "age18", "bit4"]);
    expect(claimMask(["auth", " Age20 "])).to.equal(9);
    expect(claimMask(6)).to.equal(6);
    await expectSdkError(() => claimMask(["age21"]), "SDK_INVALID_CLAIMS");
    await expectSdkError(() => claimMask(-1), "SDK_INVALID_CLAIMS");
    await expectSdkError(() => claimMask(2 ** 32), "SDK_INVALID_CLAIMS");
    await expectSdkError(reader.hasClaims(holders.verified.address, ["admin"]), "SDK_INVALID_CLAIMS");
  });

  it("typed errors: bad address, no contract, not a registry, node unreachable", async function () {
    await expectSdkError(() => new KycReader("0x1234", provider), "SDK_INVALID_ADDRESS");
    await expectSdkError(reader.isVerified("alice"), "SDK_INVALID_ADDRESS");
    await expectSdkError(
      new KycReader(holders.unverified.address, provider).isVerified(holders.verified.address),
      "SDK_NOT_A_REGISTRY",
    );
    // a contract that is not a registry: the EAS read face has no kycStatus
    const setup = await network.create({ network: "localhost", override: { url } });
    const face = await setup.ethers.deployContract("KycEasReadFace", [holders.registry, 0]);
    await expectSdkError(
      new KycReader(await face.getAddress(), provider).kycStatus(holders.verified.address),
      "SDK_NOT_A_REGISTRY",
    );
    await setup.close();
    const down = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
    await expectSdkError(new KycReader(holders.registry, down).isVerified(holders.verified.address), "SDK_UNAVAILABLE");
    down.destroy();
  });

  it("the ABIs match the compiled contracts; the read ABI is the registry's consumer interface", async function () {
    const check = async (name: string, abi: readonly string[]) => {
      const compiled = new Interface((await hre.artifacts.readArtifact(name)).abi);
      for (const fragment of new Interface(abi).fragments) {
        const sighash = fragment.format("sighash");
        const match = compiled.fragments.find((f) => f.type !== "constructor" && f.format("sighash") === sighash);
        expect(match, `${name}: ${sighash}`).to.not.equal(undefined);
        expect(match!.format("full"), `${name}: ${sighash}`).to.equal(fragment.format("full"));
      }
    };
    await check("KycIdentityRegistryAdapter", KYC_IDENTITY_REGISTRY_ADAPTER_ABI);
    await check("KycEasReadFace", KYC_EAS_READ_FACE_ABI);
    const readIface = new Interface(KYC_REGISTRY_READ_ABI);
    expect(readIface.fragments.map((f) => f.format("sighash")).sort()).to.deep.equal(
      new Interface((await hre.artifacts.readArtifact("IKycRegistry")).abi).fragments
        .filter((f) => f.type === "function")
        .map((f) => f.format("sighash"))
        .sort(),
    );
  });

  it("imports nothing but ethers at run time (no Hardhat, no Node built-ins)", function () {
    const { external, files } = runtimeImports("src/sdk/index.ts");
    expect(external).to.deep.equal(["ethers"]);
    expect(files).to.be.greaterThan(5);
  });
});
