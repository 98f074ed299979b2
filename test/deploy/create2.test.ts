/**
 * One address on every chain: the whole deployment (`deploy/modules/KycDeployment.ts`) through Ignition's create2
 * strategy (CreateX, the salt of hardhat.config.ts) on two in-process chains with different chain ids lands at the
 * same addresses, the ones CreateX's CREATE2 formula predicts. A binding is still bound to one chain: the EIP-712
 * domain has the chain id, so a proof made for chain A is refused on chain B at the very same registry address.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { AbiCoder, ZeroHash, getAddress, getCreate2Address, id, keccak256, solidityPacked } from "ethers";
import hre, { network } from "hardhat";

import { CREATE_X, ensureCreateX } from "../../deploy/createx.js";
import KycDeploymentModule from "../../deploy/modules/KycDeployment.js";
import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import { bindingProof, recordCommitment, testCard } from "../helpers/card-proof.js";
import { makeRequest } from "../helpers/registry-fixture.js";

const CHAIN_B = 80002n; // Polygon Amoy's id, for the second in-process chain
const YEAR = 365n * 24n * 3600n;
/** keccak256(abi.encodePacked("uint32 jpkiKycClaims", address(0), true, uint32(0))): the face's schema, no claims. */
const EAS_SCHEMA_UID_ANY = "0x3ca6cdda56f7e723797d42f7b9e9d074ed3cfa7bbd54872d72cefeb44cac1fd8";

type Connection = Awaited<ReturnType<typeof network.create>>;
type Deployed = Awaited<ReturnType<Connection["ignition"]["deploy"]>>;

async function addresses(deployed: Deployed): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, contract] of Object.entries(deployed)) {
    out[name] = await (contract as { getAddress(): Promise<string> }).getAddress();
  }
  return out;
}

/** CreateX's address for `initCode` under the config salt: 20 zero bytes + 0x00 flag → keccak256(salt), no chain id. */
async function predict(salt: string, contractName: string, types: string[] = [], args: unknown[] = []) {
  const { bytecode } = await hre.artifacts.readArtifact(contractName);
  const initCode = solidityPacked(["bytes", "bytes"], [bytecode, AbiCoder.defaultAbiCoder().encode(types, args)]);
  return getCreate2Address(CREATE_X, keccak256(salt), keccak256(initCode));
}

/** Roles, an authentication trust anchor (caId 1) and a heartbeat: what an operator sets up after deploying. */
async function setUp(ethers: HardhatEthers, registryAddress: string) {
  const [admin, attester] = await ethers.getSigners();
  const alice = (await ethers.getSigners())[6]!;
  const registry = (await ethers.getContractAt("IKycRegistryFull", registryAddress)) as unknown as IKycRegistryFull;
  await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), attester!.address);
  await registry.connect(admin).grantRole(await registry.ANCHOR_MANAGER_ROLE(), admin!.address);
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await registry.connect(admin).addTrustAnchor(0, id("synthetic auth CA gen 1"), now - YEAR, now + 10n * YEAR);
  await registry.connect(attester).recordCrlSync();
  return { registry, attester: attester!, alice };
}

describe("deploy: one address on every chain (Ignition create2)", function () {
  let salt: string;
  let chainA: Connection;
  let chainB: Connection;
  let onA: Record<string, string>;
  let onB: Record<string, string>;

  before(async function () {
    const configured = hre.config.ignition.strategyConfig?.create2?.salt;
    expect(configured, "ignition.strategyConfig.create2.salt in hardhat.config.ts").to.be.a("string");
    salt = configured!;
    chainA = await network.create();
    chainB = await network.create({ override: { chainId: Number(CHAIN_B) } });
    expect((await chainA.ethers.provider.getNetwork()).chainId).to.equal(31337n);
    expect((await chainB.ethers.provider.getNetwork()).chainId).to.equal(CHAIN_B);
    // chain A: Ignition installs CreateX itself (chain id 31337 only); chain B: as on a public chain that lacks it,
    // with deploy/scripts/install-createx.ts's code path
    expect(await chainB.ethers.provider.getCode(CREATE_X)).to.equal("0x");
    const refused = await chainB.ignition.deploy(KycDeploymentModule, { strategy: "create2" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(refused)).to.match(/CreateX/i);
    expect(await ensureCreateX(chainB.ethers)).to.equal("installed");
    expect(await ensureCreateX(chainB.ethers)).to.equal("present");
    onA = await addresses(await chainA.ignition.deploy(KycDeploymentModule, { strategy: "create2" }));
    onB = await addresses(await chainB.ignition.deploy(KycDeploymentModule, { strategy: "create2" }));
  });

  after(async function () {
    await chainA?.close();
    await chainB?.close();
  });

  it("the salt lets anyone deploy and leaves the chain id out (CreateX: zero-address prefix, flag 0x00)", function () {
    expect(salt).to.match(/^0x0{40}00[0-9a-f]{22}$/);
  });

  it("every contract has the same address on both chains, where CreateX's formula puts it", async function () {
    expect(Object.keys(onA).sort()).to.deep.equal(
      ["ageGatedClaim", "easReadFace", "extension", "registry", "token", "trexAdapter"].sort(),
    );
    expect(onB).to.deep.equal(onA);
    expect(new Set(Object.values(onA)).size).to.equal(6);
    const [deployer] = await chainA.ethers.getSigners();
    expect(onA.extension).to.equal(await predict(salt, "KycRegistryAdmin"));
    expect(onA.registry).to.equal(
      await predict(
        salt,
        "KycRegistry",
        ["address", "uint48", "uint64", "uint64", "address"],
        [deployer!.address, 2n * 24n * 3600n, YEAR, 3n * 24n * 3600n, onA.extension],
      ),
    );
    expect(onA.trexAdapter).to.equal(
      await predict(salt, "KycIdentityRegistryAdapter", ["address", "uint32"], [onA.registry, 2]),
    );
    for (const [chain, at] of [
      [chainA, onA],
      [chainB, onB],
    ] as const) {
      const registry = await chain.ethers.getContractAt("KycRegistry", at.registry!);
      expect(getAddress(await registry.getFunction("extension")())).to.equal(at.extension);
      const face = await chain.ethers.getContractAt("KycEasReadFace", at.easReadFace!);
      expect(await face.getFunction("kycRegistry")()).to.equal(at.registry);
      // EAS readers configure one schema UID for every chain (docs/use-it-from.md): easClaims = 0
      expect(await face.getFunction("schemaUid")()).to.equal(EAS_SCHEMA_UID_ANY);
    }
  });

  it("another admin gives other addresses: the admin is part of the deployment's identity", async function () {
    const other = await network.create();
    try {
      const [, stranger] = await other.ethers.getSigners();
      const deployed = await other.ignition.deploy(KycDeploymentModule, {
        strategy: "create2",
        parameters: { KycRegistryModule: { admin: stranger!.address } },
      });
      const moved = await addresses(deployed);
      expect(moved.extension).to.equal(onA.extension); // no constructor arguments
      expect(moved.registry).to.not.equal(onA.registry);
      expect(moved.trexAdapter).to.not.equal(onA.trexAdapter);
    } finally {
      await other.close();
    }
  });

  it("a binding made for chain A attests on A and is refused on B at the same registry address", async function () {
    const a = await setUp(chainA.ethers, onA.registry!);
    const b = await setUp(chainB.ethers, onB.registry!);
    expect(a.alice.address).to.equal(b.alice.address);
    const card = testCard(0);
    const request = await makeRequest(chainA.ethers, a.alice.address, { recordCommitment: recordCommitment("A") });
    const proofA = await bindingProof(a.registry, card, a.alice, request, a.attester.address);

    // same registry address, subject, attester, claims, nonce (0) and deadline: only the chain id differs
    const fields = [request.subject, a.attester.address, request.disclose, 0n, request.deadline, ZeroHash] as const;
    const digestB = await b.registry.bindingDigest(...fields);
    expect(await a.registry.bindingDigest(...fields)).to.equal(proofA.digest);
    expect(digestB).to.not.equal(proofA.digest);

    await a.registry.connect(a.attester).attest(request, card.modulus, proofA.cardSignature, proofA.subjectSignature);
    expect(await a.registry.isVerified(a.alice.address)).to.equal(true);

    await expect(
      b.registry.connect(b.attester).attest(request, card.modulus, proofA.cardSignature, proofA.subjectSignature),
    ).to.be.revertedWithCustomError(b.registry, "InvalidCardSignature");
    expect(await b.registry.isVerified(b.alice.address)).to.equal(false);
    expect(await b.registry.nonces(b.alice.address)).to.equal(0n);

    // the control: the same holder, card and operator with a binding made for chain B attest there
    const proofB = await bindingProof(b.registry, card, b.alice, request, b.attester.address);
    expect(proofB.digest).to.equal(digestB);
    await b.registry.connect(b.attester).attest(request, card.modulus, proofB.cardSignature, proofB.subjectSignature);
    expect(await b.registry.isVerified(b.alice.address)).to.equal(true);
  });

  it("the testnet parameter files agree on every constructor argument (else the addresses differ)", function () {
    const read = (name: string) => readFileSync(path.resolve("deploy/parameters", `${name}.json`), "utf8");
    const sepolia = read("sepolia");
    for (const name of ["amoy", "baseSepolia", "kairos"]) {
      expect(JSON.parse(read(name)), name).to.deep.equal(JSON.parse(sepolia));
    }
    const parsed = JSON.parse(sepolia) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed).sort()).to.deep.equal(["KycExamplesModule", "KycInteropModule", "KycRegistryModule"]);
  });
});
