/**
 * Where the gas of one auth-level `attest` (with the wallet's consent) goes: runs one attestation on the in-process
 * network (default build profile) and splits its execution gas by opcode family from `debug_traceTransaction`,
 * plus the intrinsic and calldata parts. `npx hardhat run scripts/bench/attest-gas-profile.ts`.
 */
import { Wallet, getBytes } from "ethers";
import { network } from "hardhat";

import { createTestCard } from "../../test/helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../../test/helpers/registry-fixture.js";

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
const data = getBytes(tx.data);
const zeros = data.filter((b) => b === 0).length;
const calldataGas = zeros * 4 + (data.length - zeros) * 16;

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
}
const trace = (await provider.request({
  method: "debug_traceTransaction",
  params: [tx.hash, { disableStorage: true, disableMemory: true }],
})) as { gas: number; structLogs: Step[] };
const logs = trace.structLogs;
const byOp = new Map<string, number>();
for (let i = 0; i < logs.length; i++) {
  const s = logs[i]!;
  let cost = s.gasCost;
  // a call's gasCost includes the gas forwarded; use the gas actually consumed until control returns
  if (["STATICCALL", "CALL", "DELEGATECALL"].includes(s.op)) {
    const next = logs[i + 1];
    if (next !== undefined && next.depth === s.depth)
      cost = s.gas - next.gas; // precompile: returns at once
    else {
      let j = i + 1;
      while (j < logs.length && logs[j]!.depth > s.depth) j++;
      cost = s.gas - (logs[j]?.gas ?? s.gas);
    }
  }
  if (s.depth > 1) continue; // counted in the parent call
  byOp.set(s.op, (byOp.get(s.op) ?? 0) + cost);
}
const family = (op: string) =>
  op.startsWith("PUSH") || op.startsWith("DUP") || op.startsWith("SWAP") ? "stack" : op.startsWith("LOG") ? "LOG" : op;
const fam = new Map<string, number>();
for (const [op, g] of byOp) fam.set(family(op), (fam.get(family(op)) ?? 0) + g);
const rows = [...(process.env.BY_OP ? byOp : fam).entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, process.env.BY_OP ? 40 : 14);
console.log(
  `attest total ${receipt!.gasUsed} = intrinsic 21000 + calldata ${calldataGas} (${data.length} bytes, ${zeros} zero) + execution ${trace.gas - 0 - 21000 - calldataGas}`,
);
console.table(rows.map(([op, gas]) => ({ op, gas })));
