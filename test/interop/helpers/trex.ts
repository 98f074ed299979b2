/**
 * Deploys T-REX (ERC-3643) contracts from the compiled artifacts published in `@tokenysolutions/t-rex` (ABI and
 * bytecode as shipped, nothing recompiled), for the interop tests and the interop gas bench.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { AbiCoder, Contract, ContractFactory, keccak256, type InterfaceAbi } from "ethers";

const require = createRequire(import.meta.url);

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** Reads a published artifact, e.g. `("@tokenysolutions/t-rex", "contracts/token/Token.sol/Token.json")`. */
export function publishedArtifact(pkg: string, file: string): Artifact {
  const json = JSON.parse(readFileSync(require.resolve(`${pkg}/artifacts/${file}`), "utf8")) as Artifact;
  if (!json.bytecode || json.bytecode === "0x") throw new Error(`${pkg}/${file} has no bytecode`);
  return json;
}

const TREX = "@tokenysolutions/t-rex";
const TREX_FILES = {
  Token: "contracts/token/Token.sol/Token.json",
  ModularCompliance: "contracts/compliance/modular/ModularCompliance.sol/ModularCompliance.json",
  IdentityRegistry: "contracts/registry/implementation/IdentityRegistry.sol/IdentityRegistry.json",
  IdentityRegistryStorage: "contracts/registry/implementation/IdentityRegistryStorage.sol/IdentityRegistryStorage.json",
  ClaimTopicsRegistry: "contracts/registry/implementation/ClaimTopicsRegistry.sol/ClaimTopicsRegistry.json",
  TrustedIssuersRegistry: "contracts/registry/implementation/TrustedIssuersRegistry.sol/TrustedIssuersRegistry.json",
  CountryAllowModule: "contracts/compliance/modular/modules/CountryAllowModule.sol/CountryAllowModule.json",
  MaxBalanceModule: "contracts/compliance/modular/modules/MaxBalanceModule.sol/MaxBalanceModule.json",
  // ONCHAINID, as bundled (and compiled) by the T-REX package
  Identity: "@onchain-id/solidity/contracts/Identity.sol/Identity.json",
  ClaimIssuer: "@onchain-id/solidity/contracts/ClaimIssuer.sol/ClaimIssuer.json",
} as const;
export type TrexContract = keyof typeof TREX_FILES;

/** Deploys the published T-REX artifact `name` from `signer`. */
export async function deployTrex(signer: HardhatEthersSigner, name: TrexContract, args: unknown[] = []) {
  const { abi, bytecode } = publishedArtifact(TREX, TREX_FILES[name]);
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

/** A T-REX `Token` bound to a fresh `ModularCompliance` (no modules), `owner` being its owner and agent, unpaused. */
export async function deployTrexToken(owner: HardhatEthersSigner, identityRegistry: string, symbol = "JPS") {
  const compliance = await deployTrex(owner, "ModularCompliance");
  await (await compliance.getFunction("init")()).wait();
  const token = await deployTrex(owner, "Token");
  await (
    await token.getFunction("init")(
      identityRegistry,
      await compliance.getAddress(),
      "JP Security",
      symbol,
      0,
      "0x0000000000000000000000000000000000000000",
    )
  ).wait();
  await (await token.getFunction("addAgent")(owner.address)).wait();
  await (await token.getFunction("unpause")()).wait();
  return { token, compliance };
}

/** ONCHAINID claim-signer key purpose and the ECDSA key type. */
const CLAIM_SIGNER = 3;
const ECDSA = 1;
const keyOf = (address: string) => keccak256(AbiCoder.defaultAbiCoder().encode(["address"], [address]));

/**
 * T-REX's own stack: IdentityRegistry + storage + claim topics (`topic`) + trusted issuers, one ClaimIssuer whose
 * signing key is `issuerKey`, and `owner` as the registry's agent.
 */
export async function deployTrexIdentityStack(
  owner: HardhatEthersSigner,
  issuerKey: HardhatEthersSigner,
  topic: bigint,
) {
  const storage = await deployTrex(owner, "IdentityRegistryStorage");
  await (await storage.getFunction("init")()).wait();
  const topics = await deployTrex(owner, "ClaimTopicsRegistry");
  await (await topics.getFunction("init")()).wait();
  await (await topics.getFunction("addClaimTopic")(topic)).wait();
  const issuers = await deployTrex(owner, "TrustedIssuersRegistry");
  await (await issuers.getFunction("init")()).wait();
  const claimIssuer = await deployTrex(owner, "ClaimIssuer", [owner.address]);
  await (await claimIssuer.getFunction("addKey")(keyOf(issuerKey.address), CLAIM_SIGNER, ECDSA)).wait();
  await (await issuers.getFunction("addTrustedIssuer")(await claimIssuer.getAddress(), [topic])).wait();
  const registry = await deployTrex(owner, "IdentityRegistry");
  await (
    await registry.getFunction("init")(
      await issuers.getAddress(),
      await topics.getAddress(),
      await storage.getAddress(),
    )
  ).wait();
  await (await storage.getFunction("bindIdentityRegistry")(await registry.getAddress())).wait();
  await (await registry.getFunction("addAgent")(owner.address)).wait();
  return { registry, storage, topics, issuers, claimIssuer };
}

/**
 * Deploys an ONCHAINID `Identity` managed by `holder`, adds a claim of `topic` signed by `issuerKey` for
 * `claimIssuer`, and registers `holder` → identity (country 392) in T-REX's IdentityRegistry through its agent.
 */
export async function onboardOnchainId(
  ethers: HardhatEthers,
  stack: { registry: Contract; claimIssuer: Contract },
  agent: HardhatEthersSigner,
  issuerKey: HardhatEthersSigner,
  holder: HardhatEthersSigner,
  topic: bigint,
) {
  const identity = await deployTrex(holder, "Identity", [holder.address, false]);
  const identityAddress = await identity.getAddress();
  const data = AbiCoder.defaultAbiCoder().encode(["string"], ["jpki-kyc synthetic claim"]);
  const digest = keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "uint256", "bytes"], [identityAddress, topic, data]),
  );
  const signature = await issuerKey.signMessage(ethers.getBytes(digest));
  await (
    await identity.getFunction("addClaim")(topic, ECDSA, await stack.claimIssuer.getAddress(), signature, data, "")
  ).wait();
  await (
    await stack.registry.connect(agent).getFunction("registerIdentity")(holder.address, identityAddress, 392)
  ).wait();
  return identity;
}
