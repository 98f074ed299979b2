/**
 * Where the gas of one auth-level `attest` (with the wallet's consent) goes: runs one attestation on the in-process
 * network (default build profile) and splits its gas (`trace-gas.ts`): intrinsic, calldata, and execution by
 * precompile, call and opcode. `npx hardhat run scripts/bench/attest-gas-profile.ts` (BY_OP=1: PUSH/DUP/SWAP apart).
 */
import { Wallet } from "ethers";
import { network } from "hardhat";

import { createTestCard } from "../../test/helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../../test/helpers/registry-fixture.js";
import { txGasParts } from "./trace-gas.js";

const { ethers, provider } = await network.create();
const f = await deployRegistryFixture(ethers);
const wallet = Wallet.createRandom().connect(ethers.provider);
const tx = await attestWith(
  f.registry,
  f.attester,
  createTestCard(2048),
  await makeRequest(ethers, wallet.address),
  wallet,
);
const receipt = await tx.wait();
const g = await txGasParts(provider, tx, receipt!.gasUsed, { byOp: process.env.BY_OP !== undefined });
console.log(
  `attest total ${g.total} = intrinsic 21000 + calldata ${g.calldata} (${g.calldataBytes} bytes, ${g.zeroBytes} zero) + execution ${g.execution}`,
);
console.table(Object.entries(g.parts).map(([part, gas]) => ({ part, gas })));
