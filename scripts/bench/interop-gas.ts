/**
 * Interop gas benchmark (`npm run bench:interop-gas`): merges into `reports/gas.json` (written by `bench:gas`; run
 * after it) the keys
 * - `trex.transferWithAdapter`: total gas of a T-REX `Token.transfer` (published artifacts: Token +
 *   ModularCompliance without modules) whose identity registry is `KycIdentityRegistryAdapter` (claims: IDENTITY);
 * - `trex.transferWithOnchainId`: the same transfer with T-REX's own IdentityRegistry (storage, one claim topic, one
 *   trusted ClaimIssuer) and the receiver's ONCHAINID Identity holding one claim (all from the T-REX package);
 * - `eas.read`: gas of an EAS reader's check (`EasGatedExample.requireAttested`: indexer lookup, `getAttestation`,
 *   field checks) against `KycEasReadFace`, measured with `gasleft()` in a cold `eth_call`;
 *   `eas.readRealEas`: the same reader against the published EAS with `ExampleAttestationIndexer`.
 * Both transfers: sender and receiver already hold tokens, 1 token moved, measured in one run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { AbiCoder, id } from "ethers";
import { network } from "hardhat";

import { Claims } from "../../test/helpers/card-proof.js";
import { attestInEas, deployEas, registerSchema } from "../../test/interop/helpers/eas.js";
import { kycHolders } from "../../test/interop/helpers/holders.js";
import { deployTrexIdentityStack, deployTrexToken, onboardOnchainId } from "../../test/interop/helpers/trex.js";

const connection = await network.create();
const { ethers } = connection;
const hardfork = (connection.networkConfig as { hardfork?: string }).hardfork ?? "unknown";

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

const h = await kycHolders(ethers);
const [, , , , , , , , , , , , , , , , , issuerKey] = await ethers.getSigners();
if (issuerKey === undefined) throw new Error("bench: need 18 signers");
const from = h.verified;
const to = h.verified2;

/** Mints to both ends, then measures one transfer of 1 token (both balances non-zero before). */
async function measureTransfer(token: Awaited<ReturnType<typeof deployTrexToken>>["token"]): Promise<number> {
  await (await token.connect(h.deployer).getFunction("mint")(from.address, 1000n)).wait();
  await (await token.connect(h.deployer).getFunction("mint")(to.address, 1n)).wait();
  const gas = await gasOf(token.connect(from).getFunction("transfer")(to.address, 1n));
  if ((await token.getFunction("balanceOf")(to.address)) !== 2n) throw new Error("bench: transfer did not happen");
  return gas;
}

// T-REX token with the adapter
const adapter = await ethers.deployContract("KycIdentityRegistryAdapter", [h.registry, Claims.IDENTITY], h.deployer);
const withAdapter = await deployTrexToken(h.deployer, await adapter.getAddress(), "JPA");
const transferWithAdapter = await measureTransfer(withAdapter.token);

// the same token with T-REX's own ONCHAINID-based IdentityRegistry, one claim topic
const TOPIC = BigInt(id("jpki-kyc bench KYC topic"));
const stack = await deployTrexIdentityStack(h.deployer, issuerKey, TOPIC);
for (const holder of [from, to]) await onboardOnchainId(ethers, stack, h.deployer, issuerKey, holder, TOPIC);
const withOnchainId = await deployTrexToken(h.deployer, await stack.registry.getAddress(), "JPO");
const transferWithOnchainId = await measureTransfer(withOnchainId.token);

// EAS: the same reader on the read face and on the published EAS
const probe = await ethers.deployContract("EasReadProbe");
const face = await ethers.deployContract("KycEasReadFace", [h.registry, Claims.IDENTITY]);
const faceAddress = await face.getAddress();
const readerOnFace = await ethers.deployContract("EasGatedExample", [faceAddress, faceAddress, await face.schemaUid()]);
const easRead = Number(await probe.probe(await readerOnFace.getAddress(), from.address));

const { schemaRegistry, eas } = await deployEas(h.deployer);
const schema = await registerSchema(schemaRegistry, "bool verifiedAccount");
const indexer = await ethers.deployContract("ExampleAttestationIndexer", [await eas.getAddress()]);
const uid = await attestInEas(
  eas,
  issuerKey,
  schema,
  from.address,
  AbiCoder.defaultAbiCoder().encode(["bool"], [true]),
);
await (await indexer.index(uid)).wait();
const readerOnEas = await ethers.deployContract("EasGatedExample", [
  await eas.getAddress(),
  await indexer.getAddress(),
  schema,
]);
const easReadRealEas = Number(await probe.probe(await readerOnEas.getAddress(), from.address));

const interop = {
  trex: { transferWithAdapter, transferWithOnchainId },
  eas: { read: easRead, readRealEas: easReadRealEas },
};
console.log(`Interop gas (hardfork ${hardfork})`);
console.table([
  { what: "T-REX transfer, KycIdentityRegistryAdapter", gas: transferWithAdapter },
  { what: "T-REX transfer, T-REX IdentityRegistry + ONCHAINID (1 claim)", gas: transferWithOnchainId },
  { what: "EAS reader check on KycEasReadFace", gas: easRead },
  { what: "EAS reader check on EAS + indexer", gas: easReadRealEas },
]);

const out = path.resolve("reports", "gas.json");
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
if (previous["hardfork"] !== undefined && previous["hardfork"] !== hardfork) {
  console.warn(`reports/gas.json was written for hardfork ${String(previous["hardfork"])}; interop keys: ${hardfork}`);
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ hardfork, ...previous, ...interop }, null, 2) + "\n");
console.log(`merged trex.* and eas.* into ${path.relative(process.cwd(), out)}`);
