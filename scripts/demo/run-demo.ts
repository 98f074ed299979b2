/**
 * The end-to-end demo flow (`npm run demo`; `test/demo.test.ts` runs the same function and checks its outcome).
 *
 * Synthetic PKI → Ignition deployment → operator setup and first CRL-sync heartbeat → two holders bind wallets with
 * virtual cards (each wallet signs its consent, then the card) → one attested directly, one relayed by the holder →
 * KycGatedToken moves → a new CRL revokes one holder's certificate → crl-sync → a transfer to that holder reverts →
 * the other holder, having lost its wallet, revokes with the card and binds a new wallet with the same card → final
 * status → verification records → anonymous proofs (scripts/demo/anon-demo.ts: opt-in, root, AnonAgeGatedAirdrop
 * claimed once from a fresh address, refused twice, refused after revocation) → privacy audit of everything the run
 * put on chain, and of every proof's public signals and claim calldata against holder A's identifiers.
 *
 * Nothing personal is logged: holders are "A" and "B", only wallet and contract addresses, claim names, statuses,
 * transaction hashes and gas appear.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { formatUnits, parseUnits, type Interface, type Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { bindHolder } from "../../src/binding/bind-holder.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { revertData } from "../../src/chain/registry-client.js";
import { Claim } from "../../src/claims.js";
import { KycError } from "../../src/errors.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { statusCommand, type StatusReport } from "../../src/operator/commands/admin.js";
import { OPERATOR_SECRET_VARIABLE, type OperatorContext } from "../../src/operator/commands/context.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { devSetupCommand } from "../../src/operator/commands/dev-setup.js";
import { recordsExportCommand, recordsVerifyCommand } from "../../src/operator/commands/records.js";
import { relayCommand } from "../../src/operator/commands/relay.js";
import { revokeByCardCommand } from "../../src/operator/commands/revoke-by-card.js";
import { generateDevPki } from "../../src/pki/dev-pki/generate.js";
import { issueCrl } from "../../src/pki/dev-pki/issue-crl.js";
import type { DevPkiHolder } from "../../src/pki/dev-pki/manifest.js";
import ExamplesModule from "../../deploy/modules/Examples.js";
import { runAnonDemo, type AnonDemoResult } from "./anon-demo.js";
import {
  auditAnonProofs,
  auditArtifacts,
  collectChainArtifacts,
  holderMaterialsFromFiles,
  type AnonAuditReport,
  type AuditReport,
  type ChainArtifact,
} from "./privacy-audit.js";

/** Inputs of {@link runDemo}. */
export interface DemoOptions {
  /** A Hardhat network connection (`await network.create()`): the in-process chain or `--network localhost`. */
  readonly connection: NetworkConnection;
  /** Receives the step log, one line per call. */
  readonly log: (line: string) => void;
  /** An empty, writable folder for the synthetic PKI, proof requests, relay file and operator store. */
  readonly workDir: string;
  /** dev-pki seed (default 1). */
  readonly seed?: number;
}

/** One row of the final table. */
export interface DemoTx {
  readonly step: number;
  readonly what: string;
  readonly hash: string;
  readonly gasUsed: bigint;
}

/** What a holder looked like at one point of the run (read from the chain). */
export interface HolderSnapshot {
  readonly status: string;
  readonly verified: boolean;
  readonly claims: string[];
}

/** The outcome of a demo run. */
export interface DemoResult {
  readonly chainId: bigint;
  readonly registry: string;
  readonly token: string;
  readonly holders: { readonly A: string; readonly B: string };
  /** Both holders right after the attestations. */
  readonly afterAttest: { readonly A: HolderSnapshot; readonly B: HolderSnapshot };
  /** Token balances (whole tokens) after the mints and the first transfer. */
  readonly balances: { readonly A: string; readonly B: string };
  /** Subjects crl-sync found listed in the new CRL. */
  readonly crlListed: string[];
  readonly afterCrlSync: { readonly A: HolderSnapshot; readonly B: HolderSnapshot };
  /** The custom error of the transfer to the revoked holder, e.g. `KycRequired(0x…)`. */
  readonly blockedTransfer: { readonly error: string; readonly name: string; readonly account: string };
  readonly final: { readonly A: StatusReport; readonly A2: StatusReport; readonly B: StatusReport };
  /** `kyc records export --all` then `kyc records verify` over the run's attestations. */
  readonly records: { readonly exported: number; readonly matched: number; readonly mismatched: number };
  readonly transactions: readonly DemoTx[];
  /** Blocks of the run (for audits). */
  readonly blocks: { readonly from: number; readonly to: number };
  readonly artifacts: readonly ChainArtifact[];
  readonly audit: AuditReport;
  /** The anonymous-proof part, and the audit of its proofs and claims against holder A's identifiers. */
  readonly anon: AnonDemoResult & { readonly audit: AnonAuditReport };
  readonly seconds: number;
}

/** An error of the demo flow itself (an expected outcome did not happen). */
export class DemoError extends KycError {
  constructor(message: string) {
    super("DEMO_FAILED", message);
    this.name = "DemoError";
  }
}

const PARAMETERS = fileURLToPath(new URL("../../deploy/parameters/local.json", import.meta.url));
const DEPLOYMENTS = fileURLToPath(new URL("../../deploy/deployments", import.meta.url));
const ALL_CLAIMS = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
const TOKEN = (n: number) => parseUnits(String(n), 18);

/** Runs the whole demo against `connection`; throws a KycError (or DemoError) on the first failure. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { connection, log, workDir } = options;
  const { ethers } = connection;
  const provider = ethers.provider;
  const started = Date.now();
  const transactions: DemoTx[] = [];
  let step = 0;
  let stepStarted = Date.now();
  const begin = (title: string) => {
    step++;
    stepStarted = Date.now();
    log("");
    log(`[${step}] ${title}`);
  };
  const say = (line: string) => log(`    ${line}`);
  const done = () => say(`(${Date.now() - stepStarted} ms)`);
  const record = (what: string, tx: { hash: string; gasUsed: bigint } | undefined) => {
    if (tx === undefined) return;
    transactions.push({ step, what, hash: tx.hash, gasUsed: tx.gasUsed });
    say(`${what.padEnd(34)} tx ${short(tx.hash)}  gas ${fmtGas(tx.gasUsed)}`);
  };

  const { chainId } = await provider.getNetwork();
  const signers = await ethers.getSigners();
  if (signers.length < 5) throw new DemoError(`the network has ${signers.length} accounts; the demo needs 5`);
  const [admin, operator, walletA, walletB, walletA2] = signers as unknown as [Signer, Signer, Signer, Signer, Signer];
  const [adminAddr, operatorAddr, A, B, A2] = (await Promise.all(
    [admin, operator, walletA, walletB, walletA2].map((s) => s.getAddress()),
  )) as [string, string, string, string, string];
  const fromBlock = (await provider.getBlockNumber()) + 1;
  log(`jpki-kyc demo on network "${connection.networkName}" (chain ${chainId}); every certificate is synthetic.`);
  log(`Accounts: admin ${adminAddr}, operator ${operatorAddr}, holder A ${A}, holder B ${B}`);

  mkdirSync(workDir, { recursive: true });
  const pkiDir = join(workDir, "pki");
  const caDir = join(pkiDir, "ca");
  const crlDir = join(pkiDir, "crl");
  const store = join(workDir, "operator.sqlite");
  // An ephemeral person-tag secret for this run (a real operator keeps it in the Hardhat keystore).
  const secret = process.env[OPERATOR_SECRET_VARIABLE] ?? "0x" + randomBytes(32).toString("hex");
  const ctx = (signer: Signer): OperatorContext => ({
    provider,
    signer,
    projectRoot: workDir,
    readConfigVariable: async (name) => (name === OPERATOR_SECRET_VARIABLE ? secret : undefined),
    log: (line) => say(`operator: ${line}`),
  });

  // 1. Synthetic PKI.
  begin("Synthetic JPKI PKI (dev-pki): CA generations, two holders with virtual cards, CRLs");
  const manifest = await generateDevPki({ out: pkiDir, holders: 2, seed: options.seed ?? 1 });
  const holderA = pick(manifest.holders, "adult");
  const holderB = manifest.holders.find((h) => h !== holderA && h.sign !== undefined && !h.minor);
  if (holderB === undefined) throw new DemoError("dev-pki produced no second holder");
  say(
    `${manifest.cas.length} CA certificates (auth/sign, two generations each), ${manifest.holders.length} holders, ${manifest.crls.length} CRLs in ${pkiDir}`,
  );
  done();

  // 2. Deployment.
  begin("Deploy KycRegistry and the examples with Ignition (deploy/parameters/local.json)");
  const parameters = JSON.parse(readFileSync(PARAMETERS, "utf8")) as Record<string, Record<string, unknown>>;
  const before = await provider.getBlockNumber();
  const simulated = connection.networkConfig.type === "edr-simulated";
  // On a real node Ignition journals to deploy/deployments/<id>: a fresh id per run, removed once deployed, so
  // every run gets its own registry and a restarted node never meets a stale journal.
  const deploymentId = simulated ? undefined : `demo-${Date.now()}-${randomBytes(3).toString("hex")}`;
  const hadDeployments = existsSync(DEPLOYMENTS);
  let deployed;
  try {
    deployed = await connection.ignition.deploy(ExamplesModule, {
      parameters: parameters as never,
      ...(deploymentId === undefined ? {} : { deploymentId }),
    });
  } finally {
    if (deploymentId !== undefined) {
      rmSync(join(DEPLOYMENTS, deploymentId), { recursive: true, force: true });
      if (!hadDeployments && readdirSync(DEPLOYMENTS).length === 0) rmSync(DEPLOYMENTS, { recursive: true });
    }
  }
  const registry = await deployed.registry.getAddress();
  const extension = await deployed.extension.getAddress();
  const token = await deployed.token.getAddress();
  const ageGatedClaim = await deployed.ageGatedClaim.getAddress();
  const names = new Map([
    [extension.toLowerCase(), "deploy KycRegistryAdmin (extension)"],
    [registry.toLowerCase(), "deploy KycRegistry"],
    [token.toLowerCase(), "deploy KycGatedToken"],
    [ageGatedClaim.toLowerCase(), "deploy AgeGatedClaim"],
  ]);
  for (let n = before + 1; n <= (await provider.getBlockNumber()); n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      const what = names.get(receipt?.contractAddress?.toLowerCase() ?? "");
      if (receipt !== null && what !== undefined) record(what, receipt);
    }
  }
  say(`KycRegistry ${registry} (admin extension ${extension}, reached through the registry)`);
  say(`KycGatedToken ${token} (both ends of a transfer need the AUTH claim)`);
  say(`AgeGatedClaim ${ageGatedClaim}`);
  done();

  // 3. Operator setup.
  begin("Admin: trust anchors and attester role (kyc dev-setup); operator: first crl-sync heartbeat");
  const setup = await devSetupCommand(ctx(admin), { caDir, attester: operatorAddr, registry });
  for (const t of setup.transactions) record(t.what, t);
  const firstSync = await crlSyncCommand(ctx(operator), { crl: crlDir, caDir, registry, store });
  record("crl-sync heartbeat", firstSync.heartbeat);
  if (firstSync.heartbeat === undefined) throw new DemoError("the first crl-sync recorded no heartbeat");
  done();

  // 4-5. Binding.
  const bind = async (
    holder: DevPkiHolder,
    wallet: Signer,
    subject: string,
    disclose: number,
    withSignCert: boolean,
    tag = holder.id,
    anon = false,
  ) => {
    const dir = join(pkiDir, "holders", holder.id);
    const pins = JSON.parse(readFileSync(join(pkiDir, holder.card), "utf8")) as {
      authPin: string;
      signPassword: string;
    };
    const card = await openCardSigner(`virtual:${dir}`);
    const out = join(workDir, `proof-${tag}.json`);
    try {
      await bindHolder({
        provider,
        card,
        registry,
        subject,
        attester: operatorAddr,
        wallet: { signer: wallet },
        disclose,
        deadlineMinutes: 60,
        withSignCert,
        anon,
        out,
        askPin: async (key) => (key === "auth" ? pins.authPin : pins.signPassword),
        print: (line) => {
          if (/^(Binding|Wallet|NOTE|\s)/.test(line)) say(line.trim());
        },
      });
    } finally {
      await card.close();
    }
    return out;
  };
  begin("Holder A binds wallet A: the wallet signs its consent, then the virtual card (auth + signing certificate)");
  say(
    "disclose: auth, identity, age18, age20; the binding names the operator. Wallet A and both card keys sign the same EIP-712 digest (PINs from the virtual card's card.json, never printed)",
  );
  const requestA = await bind(holderA, walletA, A, ALL_CLAIMS, true);
  done();
  begin("Holder B binds wallet B: the wallet signs, then the virtual card (authentication certificate only)");
  const requestB = await bind(holderB, walletB, B, Claim.AUTH, false);
  done();

  // 6-7. Attestations.
  begin("Operator checks holder A's proof off-chain and attests directly (kyc attest)");
  const attA = await attestCommand(ctx(operator), { request: requestA, crl: crlDir, caDir, registry, store });
  record("attest (holder A, direct)", attA.tx);
  say(`claims ${attA.claimNames.join(", ")}; person tag ${attA.identity ? "set (an HMAC, never printed)" : "none"}`);
  done();
  begin("Operator signs holder B's attestation for relay; holder B relays it and pays the gas (kyc relay)");
  const relayFile = join(workDir, "relay-B.json");
  const attB = await attestCommand(ctx(operator), {
    request: requestB,
    crl: crlDir,
    caDir,
    registry,
    store,
    relayOut: relayFile,
  });
  say(`operator signed for relay (claims ${attB.claimNames.join(", ")}); no transaction from the operator`);
  const relayed = await relayCommand(ctx(walletB), { in: relayFile, registry });
  record("attestBySig (relayed by holder B)", relayed);
  const afterAttest = { A: await snapshot(ctx(admin), registry, A), B: await snapshot(ctx(admin), registry, B) };
  say(`holder A: ${describe(afterAttest.A)}`);
  say(`holder B: ${describe(afterAttest.B)}`);
  if (!afterAttest.A.verified || !afterAttest.B.verified) throw new DemoError("a holder is not verified after attest");
  done();

  // 8. Token.
  begin("KycGatedToken: the owner mints to both holders; A transfers to B");
  const asOwner = await ethers.getContractAt("KycGatedToken", token, admin);
  const asA = await ethers.getContractAt("KycGatedToken", token, walletA);
  record("mint 100 KGT to A", await mined(asOwner.mint(A, TOKEN(100))));
  record("mint 100 KGT to B", await mined(asOwner.mint(B, TOKEN(100))));
  record("transfer 10 KGT A → B", await mined(asA.transfer(B, TOKEN(10))));
  const balances = {
    A: formatUnits(await asOwner.balanceOf(A), 18),
    B: formatUnits(await asOwner.balanceOf(B), 18),
  };
  say(`balances: A ${balances.A} KGT, B ${balances.B} KGT`);
  done();

  // 9. New CRL.
  begin("A new CRL (synthetic J-LIS) lists holder B's authentication certificate (keyCompromise)");
  const chainNow = Number((await provider.getBlock("latest"))!.timestamp);
  const caB = manifest.cas.find((c) => c.id === holderB.auth.caId);
  const crl = issueCrl({
    dir: pkiDir,
    kind: "auth",
    partition: holderB.partition,
    ...(caB === undefined ? {} : { generation: caB.generation }),
    revoked: [{ serialHex: holderB.auth.serialHex, reason: "keyCompromise", at: new Date((chainNow - 120) * 1000) }],
    thisUpdate: new Date((chainNow - 60) * 1000),
  });
  say(
    `CRL number ${crl.crlNumber} of holder B's partition, ${crl.entries.length} entr${crl.entries.length === 1 ? "y" : "ies"}`,
  );
  done();

  // 10. crl-sync.
  begin(
    "Operator runs crl-sync: newest CRL per partition, burns listed card keys (revokeInvalidKeys), records the heartbeat",
  );
  const sync = await crlSyncCommand(ctx(operator), { crl: crlDir, caDir, registry, store });
  for (const b of sync.batches) record(`${b.kind} (${b.changed} of ${b.size})`, b);
  record("crl-sync heartbeat", sync.heartbeat);
  const crlListed = sync.listed.map((l) => l.subject.toLowerCase());
  say(
    `checked ${sync.checkedCertificates} certificates in ${sync.checkedPartitions} partitions; listed: ${crlListed.join(", ") || "none"}`,
  );
  const afterCrlSync = { A: await snapshot(ctx(admin), registry, A), B: await snapshot(ctx(admin), registry, B) };
  say(`holder A: ${describe(afterCrlSync.A)}`);
  say(`holder B: ${describe(afterCrlSync.B)}`);
  if (afterCrlSync.B.status !== "Revoked") throw new DemoError("crl-sync did not revoke holder B");
  done();

  // 11. Blocked transfer.
  begin("A transfers to B again: the token refuses (B is no longer verified)");
  let blockedTransfer: DemoResult["blockedTransfer"] | undefined;
  try {
    await mined(asA.transfer(B, TOKEN(1)));
  } catch (error) {
    const decoded = decodeRevert(asA.interface, error);
    if (decoded === undefined) throw error;
    blockedTransfer = decoded;
  }
  if (blockedTransfer === undefined) throw new DemoError("the transfer to the revoked holder succeeded");
  say(`reverted with ${blockedTransfer.error}`);
  done();

  // 12. revokeByCard.
  begin("Holder A lost wallet A: revokes with the card; another funded account relays (kyc revoke-by-card)");
  const cardA = await openCardSigner(`virtual:${join(pkiDir, "holders", holderA.id)}`);
  const pinA = (JSON.parse(readFileSync(join(pkiDir, holderA.card), "utf8")) as { authPin: string }).authPin;
  try {
    const outcome = await revokeByCardCommand(ctx(walletA2), {
      card: cardA,
      subject: A,
      askPin: async () => pinA,
      registry,
    });
    record("revokeByCard (holder A's card)", outcome);
    say(`sent and paid for by ${A2}`);
  } finally {
    await cardA.close();
  }
  done();

  // 13. The same card binds a new wallet.
  begin("Holder A binds a NEW wallet A2 with the SAME card (a lost wallet never costs the card) and is attested again");
  const requestA2 = await bind(holderA, walletA2, A2, ALL_CLAIMS, true, `${holderA.id}-A2`);
  const attA2 = await attestCommand(ctx(operator), { request: requestA2, crl: crlDir, caDir, registry, store });
  record("attest (holder A, new wallet A2)", attA2.tx);
  say(`wallet A2: claims ${attA2.claimNames.join(", ")}`);
  done();

  // 14. Final status.
  begin("Final status (kyc status)");
  const final = {
    A: await statusCommand(ctx(admin), { address: A, registry }),
    A2: await statusCommand(ctx(admin), { address: A2, registry }),
    B: await statusCommand(ctx(admin), { address: B, registry }),
  };
  for (const [name, s] of Object.entries(final)) {
    say(
      `holder ${name} ${s.account}: ${s.status}, verified ${s.verified}, claims ${s.claims.join("+") || "-"}, reason ${s.revocationReason ?? "-"}`,
    );
  }
  done();

  // 15. Verification records.
  begin("Operator: the verification records (kept 7 years) checked against their on-chain commitments");
  const recordsFile = join(workDir, "records.json");
  const exported = await recordsExportCommand(ctx(operator), { all: true, out: recordsFile, registry, store });
  const verified = await recordsVerifyCommand(ctx(admin), { in: recordsFile, registry });
  say(
    `${exported.count} records exported with their salts (owner-only file); ${verified.matched} match the Attested events, ${verified.mismatched} do not`,
  );
  if (verified.mismatched > 0 || verified.matched === 0)
    throw new DemoError("a verification record does not match the chain");
  done();

  // 16-22. Anonymous proofs.
  const anon = await runAnonDemo({
    connection,
    registry,
    admin,
    operator,
    walletA2,
    subjectA: A,
    holderA,
    pkiDir,
    crlDir,
    caDir,
    store,
    ctx,
    bind: (wallet, subject, tag, optIn) => bind(holderA, wallet, subject, ALL_CLAIMS, true, tag, optIn),
    begin,
    say,
    done,
    record,
    fail: (message) => new DemoError(message),
  });

  // 23. Privacy audit.
  begin(
    "Privacy audit: every calldata, log and changed storage slot of the run vs. both holders' certificates; every anonymous proof and claim vs. holder A's identifiers",
  );
  const toBlock = await provider.getBlockNumber();
  const { artifacts, transactions: txCount } = await collectChainArtifacts(provider, fromBlock, toBlock);
  const materials = [holderA, holderB].flatMap((h, i) =>
    holderMaterialsFromFiles(
      `holder ${i === 0 ? "A" : "B"}`,
      join(pkiDir, h.auth.cert),
      h.sign === undefined ? undefined : join(pkiDir, h.sign.cert),
    ),
  );
  const audit = auditArtifacts(artifacts, txCount, materials, registry);
  say(
    `${audit.transactions} transactions, ${audit.calldata} calldata, ${audit.logs} logs, ${audit.storageSlots} storage slots (${audit.focusSlots} in the registry)`,
  );
  say(
    `searched for ${audit.materials} certificates' DER, TBS, serial, notAfter, subject and CRL distribution point names, signing attributes and key`,
  );
  say(`hits: ${audit.hits.length}`);
  for (const h of audit.hits) say(`  HIT ${h.where}: ${h.labels.join(", ")}`);
  if (audit.hits.length > 0)
    throw new DemoError(`privacy audit: ${audit.hits.length} hit(s) of certificate data on chain`);
  const anonAudit = auditAnonProofs(
    [
      ...anon.proofs.map((p, i) => ({ where: `proof ${i + 1} public signals`, publicSignals: p.publicSignals })),
      ...anon.claimCalldata,
    ],
    anon.identifiers,
  );
  say(
    `${anon.proofs.length} proofs' public signals and ${anon.claimCalldata.length} claims' calldata searched for holder A's ${anonAudit.identifiers} identifiers (${anon.identifiers.map((i) => i.label).join(", ")}): hits ${anonAudit.hits.length}`,
  );
  for (const h of anonAudit.hits) say(`  HIT ${h.where}: ${h.labels.join(", ")}`);
  if (anonAudit.hits.length > 0)
    throw new DemoError(`privacy audit: ${anonAudit.hits.length} anonymous proof(s) link to holder A`);
  // Control: the same search finds every identifier in the registry's own calldata and logs (attest, AnonLeaf).
  const control = auditAnonProofs(
    artifacts.filter((a) => a.kind !== "storage" && a.address.toLowerCase() === registry.toLowerCase()),
    anon.identifiers,
  );
  const found = new Set(control.hits.flatMap((h) => h.labels));
  if (found.size !== anon.identifiers.length) throw new DemoError("privacy audit: the identifier search is vacuous");
  say(
    `control: the same search finds all ${found.size} in the registry's own calldata and logs (${control.hits.length} places)`,
  );
  done();

  // Summary table.
  log("");
  log(table(transactions));
  const seconds = (Date.now() - started) / 1000;
  log(`Done in ${seconds.toFixed(1)} s. Registry ${registry}.`);
  if (simulated) {
    log(
      "The in-process chain ends with this script; against a node: `npx hardhat run scripts/demo.ts --network localhost`.",
    );
  } else {
    log(`Try: npx hardhat kyc status ${A} --registry ${registry} --network ${connection.networkName}`);
  }

  return {
    chainId,
    registry,
    token,
    holders: { A, B },
    afterAttest,
    balances,
    crlListed,
    afterCrlSync,
    blockedTransfer,
    final,
    records: { exported: exported.count, matched: verified.matched, mismatched: verified.mismatched },
    transactions,
    blocks: { from: fromBlock, to: toBlock },
    artifacts,
    audit,
    anon: { ...anon, audit: anonAudit },
    seconds,
  };
}

function pick(holders: readonly DevPkiHolder[], scenario: string): DevPkiHolder {
  const h = holders.find((x) => x.scenario === scenario);
  if (h === undefined) throw new DemoError(`dev-pki produced no "${scenario}" holder`);
  return h;
}

async function snapshot(ctx: OperatorContext, registry: string, address: string): Promise<HolderSnapshot> {
  const s = await statusCommand(ctx, { address, registry });
  return { status: s.status, verified: s.verified, claims: s.claims };
}

function describe(s: HolderSnapshot): string {
  return `${s.status}, verified ${s.verified}, claims ${s.claims.join("+") || "-"}`;
}

async function mined(
  sent: Promise<{ wait(): Promise<{ hash: string; gasUsed: bigint; status: number | null } | null> }>,
): Promise<{ hash: string; gasUsed: bigint }> {
  const receipt = await (await sent).wait();
  if (receipt === null || receipt.status !== 1) throw new DemoError("a token transaction was not mined");
  return receipt;
}

/** The custom error of a reverted call, decoded with the contract's ABI. */
function decodeRevert(iface: Interface, error: unknown): { error: string; name: string; account: string } | undefined {
  const data = revertData(error);
  const parsed = data === undefined ? null : iface.parseError(data);
  if (parsed === null) return undefined;
  const args = parsed.args.map((a) => String(a));
  return { error: `${parsed.name}(${args.join(", ")})`, name: parsed.name, account: args[0] ?? "" };
}

function short(hash: string): string {
  return `${hash.slice(0, 10)}…${hash.slice(-4)}`;
}

function fmtGas(gas: bigint): string {
  return gas.toLocaleString("en-US");
}

/** The final table: step, what, transaction, gas. */
export function table(rows: readonly DemoTx[]): string {
  const head = ["step", "transaction", "tx", "gas used"];
  const body = rows.map((r) => [String(r.step), r.what, short(r.hash), fmtGas(r.gasUsed)]);
  const total = rows.reduce((s, r) => s + r.gasUsed, 0n);
  body.push(["", "total", "", fmtGas(total)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 3 || i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(head), rule, ...body.slice(0, -1).map(line), rule, line(body[body.length - 1]!)].join("\n");
}
