/**
 * Benchmark of the anonymous proofs (`npm run bench:anon`): writes `reports/anon.json` with the keys of issue #10.
 * Contracts are the PRODUCTION build (optimizer runs 10,000; `production-build.ts`) on the in-process network (Osaka).
 * - constraints: of the circuit (development setup, `npm run zk:dev-setup`, made on first use);
 * - proveMs: median wall time of `proveAnon` (witness + Groth16 with snarkjs) over 5 proofs in a child process, after
 *   a first proof that loads the wasm and the curve (`firstProveMs`); proveCpuMs: its CPU time, all threads;
 *   provePeakRssMb: the child's peak RSS (Node itself included);
 * - verifyTxGas: total transaction gas of `AnonAgeGatedAirdrop.claim(proof, rootRef, nullifierSignal)` from a fresh
 *   address, rootRef from the publication's `AnonRootPublished` event: the proof check, the registry's root lookup
 *   (`anonRootAt(rootRef)`, one slot), the nullifier record and the `Claimed` event (the airdrop pays nothing);
 *   verifyTxGasParts: where it goes (intrinsic, calldata, each precompile, the registry call, opcodes: `trace-gas.ts`);
 * - attestExtraGas: gas of an attestation with the anonymous opt-in minus the same attestation without it;
 * - rootPublishGas: `publishAnonRoot` of a new ring entry (the attester's first publication: a slot written the first
 *   time);
 * - rootPublishGasRingReuse: `publishAnonRoot` that overwrites a ring entry: after the ring's 64 entries are written
 *   (the first publication and 63 more), the 65th publication takes entry 0 again;
 * - rootReplaceGasFullRing: `replaceAnonRoots` (what the operator sends for a tree that removes a leaf) right after,
 *   its ring full of 64 usable roots: each is ended (validUntil = the block before) before the new root takes an entry;
 * - checkRoot100kMs: `scripts/bench/anon-tree.ts 100000` (the work of `kyc anon check-root` after reading logs).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { ContractFactory, Wallet, id, toBeHex, type InterfaceAbi, type Signer } from "ethers";
import { network } from "hardhat";

import { ensureDevArtifacts } from "../zk/dev-setup.js";
import { REPO_ROOT } from "../../src/anon/artifacts.js";
import {
  AnonRegistryLeaves,
  anonCalldata,
  anonWitnessInput,
  loadAnonHasher,
  readAnonRegistryEvents,
  signalOfAddress,
  type AnonProof,
} from "../../src/anon/index.js";
import { Claims, createTestCard } from "../../test/helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../../test/helpers/registry-fixture.js";
import { productionBuild } from "./production-build.js";
import { txGasParts } from "./trace-gas.js";

const TARGETS = {
  proveMs: 3_000,
  provePeakRssMb: 500,
  verifyTxGas: 250_000,
  attestExtraGas: 5_000,
  rootPublishGas: 60_000,
  checkRoot100kMs: 10_000,
};
const RUNS = 6;
const ADULT = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

const { artifacts, record } = await ensureDevArtifacts();
const artifact = productionBuild();
const { ethers, networkHelpers, provider } = await network.create();
const f = await deployRegistryFixture(ethers, "KycRegistry", {
  registry: artifact("KycRegistry.sol", "KycRegistry"),
  extension: artifact("KycRegistryAdmin.sol", "KycRegistryAdmin"),
});
const hasher = await loadAnonHasher();
const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
  Number((await (await tx).wait())!.gasUsed);

// attestExtraGas: two fresh holders at auth level, one opting in (random-looking wallets and commitments)
async function attestFresh(claims: number, anonCommitment: string, personTag?: string) {
  const wallet: Signer = Wallet.createRandom().connect(ethers.provider);
  const subject = await wallet.getAddress();
  const req = await makeRequest(ethers, subject, {
    claims,
    personTag: personTag ?? ethers.ZeroHash,
    recordCommitment: id(`record ${subject}`),
    anonCommitment,
  });
  return { subject, gas: await gasOf(attestWith(f.registry, f.attester, createTestCard(2048), req, wallet)) };
}
const plain = await attestFresh(Claims.AUTH, ethers.ZeroHash);
const optedIn = await attestFresh(Claims.AUTH, toBeHex(hasher.commitment(BigInt(id("bench other")) >> 8n), 32));
const attestExtraGas = optedIn.gas - plain.gas;

// the adult holder who proves
const secret = BigInt(id("bench adult secret")) >> 8n;
const adult = await attestFresh(ADULT, toBeHex(hasher.commitment(secret), 32), id("bench adult person"));
const [, claims, expiresAt] = await f.registry.kycStatus(adult.subject);

// rootPublishGas: the operator rebuilds its tree from the events and publishes (its first: a new ring entry)
const leaves = new AnonRegistryLeaves(f.attester.address);
for (const e of await readAnonRegistryEvents(ethers.provider, f.address)) leaves.apply(e);
const tree = leaves.tree(hasher);
const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
const validUntil = now + 86_400n;
const root = toBeHex(hasher.publishedRoot(tree.root, validUntil), 32);
const published = await (await f.registry.connect(f.attester).publishAnonRoot(root, validUntil, leaves.size)).wait();
const rootPublishGas = Number(published!.gasUsed);
const publishedEvent = published!.logs
  .map((l) => f.registry.interface.parseLog(l))
  .find((l) => l?.name === "AnonRootPublished");
if (publishedEvent === undefined || publishedEvent === null) throw new Error("no AnonRootPublished event");
const rootRef = publishedEvent.args.getValue("ref") as bigint;

// proving, in a child process (its peak RSS is the prover's)
const airdropArtifact = artifact("examples/AnonAgeGatedAirdrop.sol", "AnonAgeGatedAirdrop");
const airdrop = await new ContractFactory(
  airdropArtifact.abi as InterfaceAbi,
  airdropArtifact.bytecode,
  f.admin,
).deploy(f.address, 86_400);
await airdrop.waitForDeployment();
const recipient = Wallet.createRandom().address;
const input = anonWitnessInput(
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
);
const inputFile = join(mkdtempSync(join(tmpdir(), "kyc-bench-anon-")), "input.json");
writeFileSync(inputFile, JSON.stringify(input));
const child = spawnSync(
  process.execPath,
  ["--import", "tsx", join(REPO_ROOT, "scripts", "bench", "anon-prove-child.ts"), artifacts.dir, inputFile, `${RUNS}`],
  { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 16 * 2 ** 20 },
);
if (child.status !== 0) throw new Error(`prover child failed:\n${child.stderr}`);
const { proveMs, proveCpuMs, peakRssMb, proof } = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
  proveMs: number[];
  proveCpuMs: number[];
  peakRssMb: number;
  proof: AnonProof;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// verifyTxGas: the claim, sent by a fresh address
const relayer = Wallet.createRandom().connect(ethers.provider);
await networkHelpers.setBalance(relayer.address, 10n ** 18n);
const c = anonCalldata(proof);
const claimFn = (airdrop.connect(relayer) as typeof airdrop).getFunction("claim");
const claimTx = await claimFn(c.proof, rootRef, c.nullifierSignal);
const claimReceipt = await claimTx.wait();
const verifyTxGas = Number(claimReceipt!.gasUsed);
// where it goes (circuits/README.md "Gas"): intrinsic, calldata, each precompile, the registry call, the rest
const verifyTxGasParts = await txGasParts(provider, claimTx, claimReceipt!.gasUsed);

// rootPublishGasRingReuse: fill the ring (63 more after the first), then the 65th publication overwrites entry 0
const ring = Number(await f.registry.ANON_ROOT_RING());
const ringValidUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
// (the same tree with distinct validUntils: distinct roots, as an operator refreshing its root publishes)
const publishAt = (i: number) => {
  const until = ringValidUntil - BigInt(i);
  return f.registry
    .connect(f.attester)
    .publishAnonRoot(toBeHex(hasher.publishedRoot(tree.root, until), 32), until, leaves.size);
};
for (let i = 1; i < ring; i++) await (await publishAt(i)).wait();
const reused = await (await publishAt(ring)).wait();
const reusedRef = f.registry.interface.parseLog(reused!.logs[0]!)!.args.getValue("ref") as bigint;
if (reusedRef !== rootRef) throw new Error(`the ${ring + 1}th publication took ref ${reusedRef}, not ${rootRef}`);
const rootPublishGasRingReuse = Number(reused!.gasUsed);

// rootReplaceGasFullRing: the worst case of a replacement, every entry of the ring usable
const replaceUntil = ringValidUntil - BigInt(ring + 1);
const rootReplaceGasFullRing = await gasOf(
  f.registry
    .connect(f.attester)
    .replaceAnonRoots(toBeHex(hasher.publishedRoot(tree.root, replaceUntil), 32), replaceUntil, leaves.size),
);

// checkRoot100kMs: the tree benchmark in its own process
const treeRun = spawnSync(
  process.execPath,
  ["--import", "tsx", join(REPO_ROOT, "scripts", "bench", "anon-tree.ts"), "100000"],
  { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (treeRun.status !== 0) throw new Error("scripts/bench/anon-tree.ts failed");
const treeReport = join(REPO_ROOT, "reports", "anon-tree.json");
const checkRoot100kMs = existsSync(treeReport)
  ? (JSON.parse(readFileSync(treeReport, "utf8")) as { checkRoot100kMs: number }).checkRoot100kMs
  : Number.NaN;

const figures = {
  proveMs: median(proveMs.slice(1)),
  provePeakRssMb: peakRssMb,
  verifyTxGas,
  attestExtraGas,
  rootPublishGas,
  checkRoot100kMs,
};
const extra = { rootPublishGasRingReuse, rootReplaceGasFullRing };
const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverage1m: loadavg()[0] },
  constraints: record.constraints,
  ptauPower: record.ptauPower,
  zkeyBytes: statSync(artifacts.zkey).size,
  firstProveMs: proveMs[0],
  ...figures,
  rootPublishGasRingReuse,
  rootReplaceGasFullRing,
  verifyTxGasParts,
  proveMsRuns: proveMs.slice(1),
  proveCpuMs: median(proveCpuMs.slice(1)),
  targets: TARGETS,
  withinTargets: Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, v <= TARGETS[k as keyof typeof TARGETS]]),
  ),
};
mkdirSync(join(REPO_ROOT, "reports"), { recursive: true });
writeFileSync(join(REPO_ROOT, "reports", "anon.json"), `${JSON.stringify(report, null, 2)}\n`);
console.table(
  Object.fromEntries([
    ["constraints", { value: report.constraints, target: "" }],
    ["zkeyMiB", { value: (report.zkeyBytes / 2 ** 20).toFixed(2), target: "" }],
    ["firstProveMs", { value: report.firstProveMs, target: "" }],
    ...Object.entries(figures).map(([k, v]) => [k, { value: v, target: `≤ ${TARGETS[k as keyof typeof TARGETS]}` }]),
    ...Object.entries(extra).map(([k, v]) => [k, { value: v, target: "" }]),
    ["proveCpuMs", { value: report.proveCpuMs, target: "" }],
  ]),
);
console.log("wrote reports/anon.json");
