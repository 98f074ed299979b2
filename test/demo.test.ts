import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import type { PiiMaterial } from "../src/privacy/pii-guard.js";
import { findPii } from "../src/privacy/pii-guard.js";
import { readSigningAttributes } from "../src/pki/attributes.js";
import { parseCertificate } from "../src/pki/certificate.js";
import { loadDevPkiManifest } from "../src/pki/dev-pki/issue-crl.js";
import {
  auditArtifacts,
  collectChainArtifacts,
  holderMaterialsFromFiles,
  type ChainArtifact,
} from "../scripts/demo/privacy-audit.js";
import { runDemo, type DemoResult } from "../scripts/demo/run-demo.js";

describe("the demo flow (npm run demo)", function () {
  this.timeout(300_000);
  let workDir: string;
  let connection: NetworkConnection;
  let result: DemoResult;
  const lines: string[] = [];

  before(async function () {
    workDir = mkdtempSync(join(tmpdir(), "kyc-demo-test-"));
    connection = await network.create();
    result = await runDemo({ connection, log: (line) => lines.push(line), workDir });
  });
  after(function () {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  /** Both holders' certificates (authentication and signing), as the dev-pki world wrote them. */
  function holderMaterials(): PiiMaterial[] {
    const pki = join(workDir, "pki");
    const manifest = loadDevPkiManifest(pki);
    expect(manifest.holders).to.have.length(2);
    return manifest.holders.flatMap((h) =>
      holderMaterialsFromFiles(h.id, join(pki, h.auth.cert), h.sign === undefined ? undefined : join(pki, h.sign.cert)),
    );
  }

  it("attests both holders: A directly with identity and age claims, B by relay with AUTH only", async function () {
    expect(result.afterAttest.A).to.deep.equal({
      status: "Active",
      verified: true,
      claims: ["auth", "identity", "age18", "age20"],
    });
    expect(result.afterAttest.B).to.deep.equal({ status: "Active", verified: true, claims: ["auth"] });
    const whats = result.transactions.map((t) => t.what);
    expect(whats).to.include("attest (holder A, direct)");
    expect(whats).to.include("attestBySig (relayed by holder B)");
    // The relayed attestation was sent and paid for by holder B's own wallet.
    const relay = result.transactions.find((t) => t.what.startsWith("attestBySig"))!;
    const tx = await connection.ethers.provider.getTransaction(relay.hash);
    expect(tx?.from).to.equal(result.holders.B);
  });

  it("moves KycGatedToken between the verified holders", async function () {
    expect(result.balances).to.deep.equal({ A: "90.0", B: "110.0" });
    const token = await connection.ethers.getContractAt("KycGatedToken", result.token);
    expect(await token.balanceOf(result.holders.A)).to.equal(90n * 10n ** 18n);
  });

  it("after the new CRL and crl-sync, B is revoked and a transfer to B reverts with KycRequired(B)", async function () {
    expect(result.crlListed).to.deep.equal([result.holders.B.toLowerCase()]);
    expect(result.afterCrlSync.B).to.include({ status: "Revoked", verified: false });
    expect(result.afterCrlSync.A).to.include({ status: "Active", verified: true });
    expect(result.blockedTransfer.name).to.equal("KycRequired");
    expect(result.blockedTransfer.account).to.equal(result.holders.B);
    expect(result.final.B).to.include({ status: "Revoked", revocationReason: "CertificateInvalid" });
  });

  it("after revokeByCard, A is revoked too (HolderRequest); the chain agrees", async function () {
    expect(result.final.A).to.include({ status: "Revoked", verified: false, revocationReason: "HolderRequest" });
    const registry = await connection.ethers.getContractAt("KycRegistry", result.registry);
    expect(await registry.isVerified(result.holders.A)).to.equal(false);
    expect(await registry.isVerified(result.holders.B)).to.equal(false);
    const byCard = result.transactions.find((t) => t.what.startsWith("revokeByCard"))!;
    const tx = await connection.ethers.provider.getTransaction(byCard.hash);
    expect(tx?.from).to.not.equal(result.holders.A); // wallet A is "lost": another account relays
  });

  it("the lost wallet's card binds a new wallet A2: the same card key, active again, with every claim", async function () {
    expect(result.final.A2).to.include({ status: "Active", verified: true });
    expect(result.final.A2.claims).to.deep.equal(["auth", "identity", "age18", "age20"]);
    const registry = await connection.ethers.getContractAt("IKycRegistryFull", result.registry);
    const lastKey = async (subject: string): Promise<string> =>
      String((await registry.queryFilter(registry.filters.Attested(subject))).at(-1)!.args.keyNullifier);
    const attestedA = await lastKey(result.holders.A);
    const attestedA2 = await lastKey(result.final.A2.account);
    expect(attestedA2).to.equal(attestedA);
    // as of step 13 (the anonymous-proof steps re-bind the card later, then a CRL burns its key)
    const rebound = result.transactions.find((t) => t.what === "attest (holder A, new wallet A2)")!;
    const blockTag = (await connection.ethers.provider.getTransactionReceipt(rebound.hash))!.blockNumber;
    const [subject, active, burned] = await registry.keyState(attestedA, { blockTag });
    expect([subject, active, burned]).to.deep.equal([result.final.A2.account, true, false]);
  });

  it("every verification record of the run matches its on-chain commitment", function () {
    expect(result.records.exported).to.equal(3);
    expect(result.records).to.include({ matched: 3, mismatched: 0 });
  });

  it("logs numbered steps and a table with every transaction's gas", function () {
    const text = lines.join("\n");
    for (let n = 1; n <= 23; n++) expect(text).to.include(`[${n}] `);
    const whats = result.transactions.map((t) => t.what);
    for (const expected of [
      "deploy KycRegistry",
      "deploy KycGatedToken",
      "grant attester",
      "crl-sync heartbeat",
      "attest (holder A, direct)",
      "attestBySig (relayed by holder B)",
      "transfer 10 KGT A → B",
      "revokeInvalidKeys (1 of 1)",
      "attest (holder A, new wallet A2)",
      "revokeByCard (holder A's card)",
      "attest (holder A, A2, opt-in)",
      "deploy AnonAgeGatedAirdrop",
      "AnonAgeGatedAirdrop.claim",
    ])
      expect(whats).to.include(expected);
    for (const t of result.transactions) {
      expect(t.gasUsed > 21_000n, t.what).to.equal(true);
      expect(text).to.include(`${t.hash.slice(0, 10)}…${t.hash.slice(-4)}`);
    }
    expect(text).to.match(/total\s+[\d,]+/);
  });

  it("anonymous proofs: an adult claims once from a fresh address; refused again (also after re-binding) and once revoked", async function () {
    const a = result.anon;
    const { ethers } = connection;
    const airdrop = await ethers.getContractAt("AnonAgeGatedAirdrop", a.airdrop);
    expect(await airdrop.anonNullifierUsed(BigInt(a.nullifier))).to.equal(true);
    const claimTx = result.transactions.find((t) => t.what === "AnonAgeGatedAirdrop.claim")!;
    const sent = await ethers.provider.getTransaction(claimTx.hash);
    expect(sent?.from).to.equal(a.claimed.sender);
    expect(sent?.nonce).to.equal(0); // a fresh address
    // the claim names the ring entry of the root the proof is against, and pays the proof's recipient
    const [, rootRef, nullifierSignal] = airdrop.interface.decodeFunctionData("claim", sent!.data);
    expect(rootRef).to.equal(a.claimed.rootRef);
    expect(nullifierSignal >> 160n).to.equal(BigInt(a.nullifier));
    const registry = await ethers.getContractAt("IKycRegistryFull", result.registry);
    expect((await registry.anonRootAt(rootRef))[0]).to.equal(a.proofs[0]!.root);
    const receipt = await ethers.provider.getTransactionReceipt(claimTx.hash);
    const claimed = receipt!.logs.map((l) => airdrop.interface.parseLog(l)).find((l) => l?.name === "Claimed");
    expect(claimed?.args.toArray()).to.deep.equal([a.claimed.recipient]);
    expect(a.claimed.gasUsed).to.equal(receipt!.gasUsed);
    const subjects = a.identifiers.filter((i) => i.label.startsWith("subject")).map((i) => i.value);
    expect(subjects).to.have.length(3);
    expect(subjects).to.not.include(a.claimed.recipient);
    expect(subjects).to.not.include(a.claimed.sender);
    expect(a.secondClaim.name).to.equal("NullifierUsed");
    expect(a.afterRebind).to.include({
      name: "NullifierUsed",
      sameNullifier: true,
      rootChanged: true,
      rootRefChanged: true,
    });
    expect(a.revoked.proveError).to.equal("ANON_NOT_A_MEMBER");
    // crl-sync's root removed holder A's leaf and ended the earlier roots: the old one is refused at once, not
    // only once older than the airdrop's one-hour bound
    expect(a.revoked.acceptedBeforeBound).to.equal(false);
    expect(a.revoked.atOnce.name).to.equal("UnusableRoot");
    expect(a.revoked.claim.name).to.equal("UnusableRoot");
    expect(a.revoked.rootRef).to.not.equal(a.claimed.rootRef);
    const round2 = await ethers.getContractAt("AnonAgeGatedAirdrop", a.airdrop2);
    expect(await round2.anonNullifierUsed(BigInt(a.proofs.at(-1)!.nullifier))).to.equal(false);
    expect(a.proofs).to.have.length(4);
    expect(a.audit).to.deep.include({ searched: 8, identifiers: 6, hits: [] });
  });

  it("prints no personal data: no name, birth date, address, serial, subject or municipality", function () {
    const text = Buffer.from(lines.join("\n"), "utf8");
    const materials = holderMaterials();
    expect(findPii(text, materials)).to.deep.equal([]);
    for (const m of materials) {
      expect(lines.join("\n").toLowerCase()).to.not.include(m.serialHex!.toLowerCase());
    }
  });

  it("privacy audit: no calldata, log or changed storage slot of the run holds any of the holders' certificate data", async function () {
    expect(result.audit.hits).to.deep.equal([]);
    // Independently: collect again and search for every holder certificate of the world.
    const { artifacts, transactions } = await collectChainArtifacts(
      connection.ethers.provider,
      result.blocks.from,
      result.blocks.to,
    );
    const materials = holderMaterials();
    expect(materials).to.have.length(4);
    const audit = auditArtifacts(artifacts, transactions, materials, result.registry);
    expect(audit.transactions).to.equal(result.transactions.length);
    expect(audit.calldata).to.equal(result.transactions.length);
    expect(audit.logs).to.be.greaterThan(10);
    expect(audit.focusSlots).to.be.greaterThan(20);
    expect(audit.hits).to.deep.equal([]);
  });

  it("the audit is not vacuous: certificate bytes placed in calldata, a log or storage are found", function () {
    const pki = join(workDir, "pki");
    const manifest = loadDevPkiManifest(pki);
    const materials = holderMaterials();
    const [a, b] = manifest.holders as [(typeof manifest.holders)[0], (typeof manifest.holders)[0]];
    const authB = parseCertificate(readFileSync(join(pki, b.auth.cert)));
    const signA = parseCertificate(readFileSync(join(pki, a.sign!.cert)));
    const attributes = readSigningAttributes(signA);
    const cn = authB.subject.attributes.find((x) => x.name === "CN")!.value;
    const leaks: Array<[ChainArtifact["kind"], string, Uint8Array]> = [
      ["calldata", "auth TBS", authB.tbs],
      ["log", "auth serial", Buffer.from(authB.serialHex, "hex")],
      ["storage", "subject CN", Buffer.from(cn, "utf8")],
      ["calldata", "CRL distribution point city", Buffer.from(authB.crlDistributionPoint!.city!, "utf8")],
      ["log", "holder name", Buffer.from(attributes.name, "utf8")],
      ["storage", "holder address", Buffer.from(attributes.address, "utf8")],
      ["calldata", "date of birth", Buffer.from(attributes.dateOfBirthRaw, "utf8")],
    ];
    for (const [kind, what, bytes] of leaks) {
      const planted: ChainArtifact[] = [
        ...result.artifacts,
        {
          where: `planted ${what}`,
          kind,
          address: result.registry,
          hex: "0x" + "00".repeat(7) + Buffer.from(bytes).toString("hex") + "ff".repeat(5),
        },
      ];
      const audit = auditArtifacts(planted, result.audit.transactions, materials, result.registry);
      expect(
        audit.hits.map((h) => h.where),
        what,
      ).to.deep.equal([`planted ${what}`]);
    }
  });
});
