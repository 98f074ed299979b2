/**
 * Deploys the real EAS (SchemaRegistry + EAS) from the compiled artifacts published in
 * `@ethereum-attestation-service/eas-contracts`, and attests through it, for the interop tests and bench.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ContractFactory, ZeroAddress, ZeroHash, solidityPackedKeccak256, type Contract } from "ethers";

import { publishedArtifact } from "./trex.js";

const EAS_PKG = "@ethereum-attestation-service/eas-contracts";

async function deployPublished(signer: HardhatEthersSigner, file: string, args: unknown[]) {
  const { abi, bytecode } = publishedArtifact(EAS_PKG, file);
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

/** The published SchemaRegistry and EAS, EAS bound to that registry. */
export async function deployEas(signer: HardhatEthersSigner) {
  const schemaRegistry = await deployPublished(signer, "contracts/SchemaRegistry.sol/SchemaRegistry.json", []);
  const eas = await deployPublished(signer, "contracts/EAS.sol/EAS.json", [await schemaRegistry.getAddress()]);
  return { schemaRegistry, eas };
}

/** Registers `schema` (no resolver, revocable) and returns its UID, checked against EAS's formula. */
export async function registerSchema(schemaRegistry: Contract, schema: string): Promise<string> {
  await (await schemaRegistry.getFunction("register")(schema, ZeroAddress, true)).wait();
  const uid = solidityPackedKeccak256(["string", "address", "bool"], [schema, ZeroAddress, true]);
  const record = await schemaRegistry.getFunction("getSchema")(uid);
  if (record.uid !== uid) throw new Error("schema UID differs from EAS's formula");
  return uid;
}

/** Attests `data` about `recipient` in `eas` from `attester`; returns the new attestation UID. */
export async function attestInEas(
  eas: Contract,
  attester: HardhatEthersSigner,
  schema: string,
  recipient: string,
  data: string,
  expirationTime = 0n,
): Promise<string> {
  const receipt = await (
    await eas.connect(attester).getFunction("attest")({
      schema,
      data: { recipient, expirationTime, revocable: true, refUID: ZeroHash, data, value: 0n },
    })
  ).wait();
  for (const log of receipt!.logs) {
    const parsed = eas.interface.parseLog(log);
    if (parsed?.name === "Attested") return parsed.args.getValue("uid") as string;
  }
  throw new Error("EAS emitted no Attested event");
}
