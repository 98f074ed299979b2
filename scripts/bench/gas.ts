/**
 * Gas benchmark of the KycRegistry (`npm run bench:gas`): every figure in one run on the in-process network
 * (hardfork from the network config: Osaka by default). Prints a table and writes `reports/gas.json`.
 *
 * Figures are total transaction gas (intrinsic + calldata + execution) unless named otherwise:
 * - attestDirect / attestIdentity: `attest` by the attester, first attestation of a fresh subject, RSA-2048 card key;
 * - attestRelayed: `attestBySig` sent by the holder;
 * - revoke: one `revoke` by the issuing attester; revokeBatchPerEntry: marginal gas of one more entry in
 *   `revokeBatch` ((gas of 10 entries - gas of 1 entry) / 9); revokeByCard: relayed by a third party;
 * - isVerifiedCold: gas of a consumer contract's `isVerified` call (registry account and record cold), read with
 *   `gasleft()` around the call in `contracts/mocks/KycProbe.sol`;
 * - rsa2048.*, rsa3072.*, rsa4096.*: execution gas of one verification alone (`scripts/bench/rsa-gas.ts`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Wallet, id, keccak256 } from "ethers";
import { network } from "hardhat";

import {
  Claims,
  bindingSignature,
  createTestCard,
  revokeSignature,
  type TestCard,
} from "../../test/helpers/card-proof.js";
import { Reason, attestWith, deployRegistryFixture, makeRequest } from "../../test/helpers/registry-fixture.js";
import { signAttestation } from "../../src/operator/attestation-request.js";
import { measureRsaGas } from "./rsa-gas.js";

const TARGETS = {
  attestDirect: 140_000,
  attestDirectStretch: 125_000,
  isVerifiedCold: 10_000,
  isVerifiedColdStretch: 8_000,
};

const connection = await network.create();
const { ethers } = connection;
const hardfork = (connection.networkConfig as { hardfork?: string }).hardfork ?? "unknown";

const cards: TestCard[] = Array.from({ length: 16 }, () => createTestCard(2048));
let nextCard = 0;
const card = () => cards[nextCard++]!;

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

const f = await deployRegistryFixture(ethers);
const { registry, attester, revoker, stranger } = f;
const signers = await ethers.getSigners();
// realistic (random, non-zero-heavy) holder addresses
const holders = Array.from({ length: 16 }, () => Wallet.createRandom().address);
const subject = (i: number) => holders[i]!;

// direct, auth level
const attestDirect = await gasOf(attestWith(registry, attester, card(), await makeRequest(ethers, subject(0))));

// identity level
const attestIdentity = await gasOf(
  attestWith(
    registry,
    attester,
    card(),
    await makeRequest(ethers, subject(1), {
      claims: Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20,
      personTag: id("bench person tag"),
    }),
  ),
);

// relayed by the holder
const relayCard = card();
const relayReq = await makeRequest(ethers, subject(2));
const relayCardSig = await bindingSignature(
  registry,
  relayCard,
  relayReq.subject,
  relayReq.disclose,
  relayReq.deadline,
);
const { chainId } = await ethers.provider.getNetwork();
const attesterSig = await signAttestation(attester, chainId, f.address, {
  request: relayReq,
  keyNullifier: keccak256(relayCard.modulus),
  attesterNonce: await registry.attesterNonces(attester.address),
  relayDeadline: relayReq.deadline,
});
const attestRelayed = await gasOf(
  registry
    .connect(signers[10]!)
    .attestBySig(relayReq, relayCard.modulus, relayCardSig, attester.address, relayReq.deadline, attesterSig),
);

// isVerified, cold, from a consumer contract (eth_call: a fresh transaction, so account and slots are cold)
const probe = await ethers.deployContract("KycProbe");
const isVerifiedCold = Number(await probe.probe.staticCall(f.address, subject(0)));
if (!(await probe.probe.staticCall(f.address, subject(0)).then(() => registry.isVerified(subject(0))))) {
  throw new Error("bench: the probed subject is not verified");
}

// revoke (single, by the issuing attester)
const revoke = await gasOf(registry.connect(attester).revoke(subject(1), Reason.CertificateInvalid));

// revokeByCard, relayed by a third party
const byCardDeadline = relayReq.deadline;
const byCardSig = await revokeSignature(registry, relayCard, subject(2), byCardDeadline);
const revokeByCard = await gasOf(
  registry.connect(stranger).revokeByCard(subject(2), byCardDeadline, relayCard.modulus, byCardSig),
);

// revokeBatch: 1 entry, then 10 entries
const batchSubjects: string[] = [];
for (let i = 0; i < 11; i++) {
  const s = subject(3 + i);
  await attestWith(registry, attester, card(), await makeRequest(ethers, s));
  batchSubjects.push(s);
}
const batch1 = await gasOf(registry.connect(revoker).revokeBatch(batchSubjects.slice(0, 1), Reason.CertificateInvalid));
const batch10 = await gasOf(registry.connect(revoker).revokeBatch(batchSubjects.slice(1), Reason.CertificateInvalid));
const revokeBatchPerEntry = Math.round((batch10 - batch1) / 9);

const rsa = await measureRsaGas(ethers);
const rsa3072 = await measureRsaGas(ethers, 3072);
const rsa4096 = await measureRsaGas(ethers, 4096);

const report = {
  hardfork,
  attestDirect,
  attestRelayed,
  attestIdentity,
  revoke,
  revokeBatchPerEntry,
  revokeByCard,
  isVerifiedCold,
  rsa2048: { ours: rsa.ours, openzeppelin: rsa.openzeppelin, modexp: rsa.modexp, oursGeneric: rsa.oursGeneric },
  rsa3072: { ours: rsa3072.ours, modexp: rsa3072.modexp, oursGeneric: rsa3072.oursGeneric },
  rsa4096: { ours: rsa4096.ours, modexp: rsa4096.modexp, oursGeneric: rsa4096.oursGeneric },
  detail: { revokeBatch1: batch1, revokeBatch10: batch10 },
  targets: {
    attestDirect: {
      max: TARGETS.attestDirect,
      stretch: TARGETS.attestDirectStretch,
      met: attestDirect <= TARGETS.attestDirect,
    },
    isVerifiedCold: {
      max: TARGETS.isVerifiedCold,
      stretch: TARGETS.isVerifiedColdStretch,
      met: isVerifiedCold <= TARGETS.isVerifiedCold,
    },
    rsa2048: { maxOverModexp: 2000, met: rsa.ours <= rsa.modexp + 2000 },
  },
};

const rows: [string, number, string][] = [
  ["attest (direct, auth level)", attestDirect, `≤ ${TARGETS.attestDirect} (stretch ${TARGETS.attestDirectStretch})`],
  ["attestBySig (relayed)", attestRelayed, ""],
  ["attest (identity level)", attestIdentity, ""],
  ["revoke", revoke, ""],
  ["revokeBatch, per extra entry", revokeBatchPerEntry, ""],
  ["revokeByCard", revokeByCard, ""],
  [
    "isVerified, cold, from a consumer",
    isVerifiedCold,
    `≤ ${TARGETS.isVerifiedCold} (stretch ${TARGETS.isVerifiedColdStretch})`,
  ],
  ["RSA-2048 verify: ours (calldata, e=65537)", rsa.ours, `≤ MODEXP + 2000 = ${rsa.modexp + 2000}`],
  ["RSA-2048 verify: ours (memory, any e)", rsa.oursGeneric, ""],
  ["RSA-2048 verify: OpenZeppelin RSA.pkcs1Sha256", rsa.openzeppelin, ""],
  ["RSA-2048: bare MODEXP call", rsa.modexp, ""],
  [
    "RSA-3072 verify: ours (calldata, e=65537)",
    rsa3072.ours,
    `MODEXP ${rsa3072.modexp} + ${rsa3072.ours - rsa3072.modexp}`,
  ],
  ["RSA-3072 verify: ours (memory, any e)", rsa3072.oursGeneric, ""],
  [
    "RSA-4096 verify: ours (calldata, e=65537)",
    rsa4096.ours,
    `MODEXP ${rsa4096.modexp} + ${rsa4096.ours - rsa4096.modexp}`,
  ],
  ["RSA-4096 verify: ours (memory, any e)", rsa4096.oursGeneric, ""],
];
console.log(`KycRegistry gas (hardfork ${hardfork})`);
console.table(rows.map(([what, gas, target]) => ({ what, gas, target })));

const out = path.resolve("reports", "gas.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), out)}`);
