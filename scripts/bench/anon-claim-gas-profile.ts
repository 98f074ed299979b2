/**
 * Where the gas of one `AnonAgeGatedAirdrop.claim` goes: the production build on the in-process network (Osaka),
 * one adult holder, a published root, a proof, the claim from a fresh address; its execution gas split by opcode
 * family and by callee from `debug_traceTransaction`, plus the intrinsic and calldata parts.
 * `npx hardhat run scripts/bench/anon-claim-gas-profile.ts` (BY_OP=1 for single opcodes).
 */
import { ContractFactory, Wallet, getBytes, id, toBeHex, type InterfaceAbi } from "ethers";
import { network } from "hardhat";

import { ensureDevArtifacts } from "../zk/dev-setup.js";
import {
  AnonRegistryLeaves,
  anonCalldata,
  anonWitnessInput,
  loadAnonHasher,
  proveAnon,
  readAnonRegistryEvents,
  releaseCurve,
  signalOfAddress,
} from "../../src/anon/index.js";
import { Claims, createTestCard } from "../../test/helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../../test/helpers/registry-fixture.js";
import { productionBuild } from "./production-build.js";

const { artifacts } = await ensureDevArtifacts();
const artifact = productionBuild();
const { ethers, provider, networkHelpers } = await network.create();
const f = await deployRegistryFixture(ethers, "KycRegistry", {
  registry: artifact("KycRegistry.sol", "KycRegistry"),
  extension: artifact("KycRegistryAdmin.sol", "KycRegistryAdmin"),
});
const hasher = await loadAnonHasher();
const secret = BigInt(id("profile adult secret")) >> 8n;
const wallet = Wallet.createRandom().connect(ethers.provider);
const req = await makeRequest(ethers, wallet.address, {
  claims: Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20,
  personTag: id("profile adult person"),
  anonCommitment: toBeHex(hasher.commitment(secret), 32),
});
await (await attestWith(f.registry, f.attester, createTestCard(2048), req, wallet)).wait();
const [, claims, expiresAt] = await f.registry.kycStatus(wallet.address);
const leaves = new AnonRegistryLeaves(f.attester.address);
for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
const tree = leaves.tree(hasher);
const validUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
const root = toBeHex(hasher.publishedRoot(tree.root, validUntil), 32);
const published = await (await f.registry.connect(f.attester).publishAnonRoot(root, validUntil, leaves.size)).wait();
const rootRef = f.registry.interface.parseLog(published!.logs[0]!)!.args.getValue("ref") as bigint;

const a = artifact("examples/AnonAgeGatedAirdrop.sol", "AnonAgeGatedAirdrop");
const airdrop = await new ContractFactory(a.abi as InterfaceAbi, a.bytecode, f.admin).deploy(f.address, 86_400);
await airdrop.waitForDeployment();
const recipient = Wallet.createRandom().address;
const proof = await proveAnon(
  anonWitnessInput(
    hasher,
    tree,
    { secret, claims, expiresAt },
    {
      treeRoot: tree.root,
      validUntil,
      claimsMask: BigInt(Claims.AGE_20),
      scope: (await airdrop.getFunction("ANON_SCOPE")()) as bigint,
      signal: signalOfAddress(recipient),
    },
  ),
  artifacts,
);
await releaseCurve();
const relayer = Wallet.createRandom().connect(ethers.provider);
await networkHelpers.setBalance(relayer.address, 10n ** 18n);
const c = anonCalldata(proof);
const tx = await (airdrop.connect(relayer) as typeof airdrop).getFunction("claim")(c.proof, rootRef, c.nullifierSignal);
const receipt = await tx.wait();
const data = getBytes(tx.data);
const zeros = data.filter((b) => b === 0).length;
const calldataGas = zeros * 4 + (data.length - zeros) * 16;

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}
const trace = (await provider.request({
  method: "debug_traceTransaction",
  params: [tx.hash, { disableStorage: true, disableMemory: true }],
})) as { gas: number; structLogs: Step[] };
const logs = trace.structLogs;
const rows = new Map<string, number>();
const add = (k: string, g: number) => rows.set(k, (rows.get(k) ?? 0) + g);
for (let i = 0; i < logs.length; i++) {
  const s = logs[i]!;
  let cost = s.gasCost;
  let key = s.op;
  if (["STATICCALL", "CALL", "DELEGATECALL"].includes(s.op)) {
    const next = logs[i + 1];
    const target = s.stack ? BigInt(s.stack[s.stack.length - 2]!) : -1n;
    if (next !== undefined && next.depth === s.depth) {
      cost = s.gas - next.gas;
      key = `precompile 0x0${target.toString(16)}`;
    } else {
      let j = i + 1;
      while (j < logs.length && logs[j]!.depth > s.depth) j++;
      cost = s.gas - (logs[j]?.gas ?? s.gas);
      key = `${s.op} (whole call)`;
    }
  }
  if (s.depth > 1) {
    add(
      `  in call: ${s.op.startsWith("PUSH") || s.op.startsWith("DUP") || s.op.startsWith("SWAP") ? "stack" : s.op}`,
      s.gasCost,
    );
    continue;
  }
  if (!process.env.BY_OP && (key.startsWith("PUSH") || key.startsWith("DUP") || key.startsWith("SWAP"))) key = "stack";
  add(key, cost);
}
console.log(
  `claim total ${receipt!.gasUsed} = intrinsic 21000 + calldata ${calldataGas} (${data.length} bytes, ${zeros} zero) + execution ${Number(receipt!.gasUsed) - 21000 - calldataGas}`,
);
console.table([...rows.entries()].sort((x, y) => y[1] - x[1]).map(([op, gas]) => ({ op, gas })));
