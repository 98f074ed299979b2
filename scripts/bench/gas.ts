/**
 * Gas and size benchmark of the KycRegistry, protocol v2 (`npm run bench:gas`). Prints a table, writes
 * `reports/gas.json`, and exits non-zero when a target is missed or a contract is over EIP-170's 24,576 bytes.
 *
 * The contracts measured are the PRODUCTION build (`hardhat build --build-profile production`, optimizer runs
 * 10,000), compiled by this script into `cache/bench-production/` (see `production-build.config.ts`) so the
 * default-profile artifacts the tests use are left alone, and deployed from those artifacts on the in-process network
 * (hardfork from the network config: Osaka by default).
 *
 * Figures are total transaction gas (intrinsic + calldata + execution) unless named otherwise:
 * - attestDirect: `attest` by the attester, auth level, first attestation of a fresh random subject WITH the wallet's
 *   consent (65-byte ECDSA signature over the binding), RSA-2048 card key; attestIdentity: the same at identity
 *   level (person tag); attestSmartAccount: the subject is an ERC-1271 smart account;
 * - attestRelayed: `attestBySig` sent by a third party with the attester's relay authorisation;
 * - publishAnonRoot: an attester's first anonymous-proof root (a new entry of its ring); publishAnonRootRingReuse: its
 *   65th, which overwrites the ring's entry 0;
 * - revoke: one `revoke` by the issuing attester; revokeByCard: relayed by a third party;
 * - revokeBatchPerEntry / revokeInvalidKeysPerEntry / dropSigningClaimsPerEntry: marginal gas of one more entry
 *   ((gas of 10 entries - gas of 1 entry) / 9); revokeInvalidKeys / dropSigningClaims: one entry;
 * - isVerifiedCold: gas of a consumer contract's `isVerified` call (registry account and record cold), read with
 *   `gasleft()` around the call in `contracts/mocks/KycProbe.sol`;
 * - rsa2048.*, rsa3072.*, rsa4096.*: execution gas of one verification alone (`scripts/bench/rsa-gas.ts`);
 * - deployedBytes: runtime code size of the production build.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Wallet, id, type Signer } from "ethers";
import { network } from "hardhat";

import { Claims, keyNullifier, createTestCard, revokeSignature, type TestCard } from "../../test/helpers/card-proof.js";
import {
  Reason,
  attestBySigWith,
  attestWith,
  deployRegistryFixture,
  makeRequest,
  type CompiledContract,
} from "../../test/helpers/registry-fixture.js";
import { productionBuild } from "./production-build.js";
import { measureRsaGas } from "./rsa-gas.js";

const EIP170_LIMIT = 24_576;
const TARGETS = {
  attestDirect: 130_000,
  /** the extra gas of an attestation that opts in to anonymous proofs (AnonLeaf event, no storage) */
  anonOptInExtra: 5_000,
  /** runtime bytes of KycRegistry: EIP-170 less a 2,000-byte reserve */
  registryBytes: 22_576,
  isVerifiedCold: 8_000,
  rsaOverModexp: 2_000,
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const artifact = productionBuild();
const production = {
  KycRegistry: artifact("KycRegistry.sol", "KycRegistry"),
  KycRegistryAdmin: artifact("KycRegistryAdmin.sol", "KycRegistryAdmin"),
};
const bytes = (hex: string) => (hex.length - 2) / 2;
const deployedBytes = {
  KycRegistry: bytes(production.KycRegistry.deployedBytecode),
  KycRegistryAdmin: bytes(production.KycRegistryAdmin.deployedBytecode),
};

const connection = await network.create();
const { ethers } = connection;
const hardfork = (connection.networkConfig as { hardfork?: string }).hardfork ?? "unknown";

const cards: TestCard[] = Array.from({ length: 40 }, () => createTestCard(2048));
let nextCard = 0;
const card = () => cards[nextCard++]!;

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

const f = await deployRegistryFixture(ethers, "KycRegistry", {
  registry: production.KycRegistry,
  extension: production.KycRegistryAdmin,
});
const { registry, attester, revoker, stranger } = f;
// realistic (random, non-zero-heavy) holder wallets that sign their bindings
const holders: Signer[] = Array.from({ length: 40 }, () => Wallet.createRandom().connect(ethers.provider));
let nextHolder = 0;
const holder = () => holders[nextHolder++]!;
const addr = (s: Signer) => (s as Wallet).address;
const personTag = (label: string) => id(`bench person tag ${label}`);
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

async function attestFresh(
  claims: number = Claims.AUTH,
  tag?: string,
  anonCommitment: string = ethers.ZeroHash,
): Promise<{ subject: string; gas: number; c: TestCard }> {
  const w = holder();
  const c = card();
  const req = await makeRequest(ethers, addr(w), {
    claims,
    personTag: tag ?? ethers.ZeroHash,
    recordCommitment: id(`record ${addr(w)}`),
    anonCommitment,
  });
  const gas = await gasOf(attestWith(registry, attester, c, req, w));
  return { subject: addr(w), gas, c };
}

// direct, auth level, with the wallet's consent
const direct = await attestFresh();
const attestDirect = direct.gas;
// direct, auth level, opting in to anonymous proofs (a random commitment below the BN254 scalar field order)
const anonCommitment = ethers.toBeHex(BigInt(id(`bench anon commitment`)) >> 8n, 32);
const attestDirectAnon = (await attestFresh(Claims.AUTH, undefined, anonCommitment)).gas;
const anonOptInExtra = attestDirectAnon - attestDirect;
// publishAnonRoot: the attester's first root (a new ring entry), then 63 more fill its ring of 64 and the 65th
// overwrites entry 0 (roots: 176 random-looking bits, as Poseidon(treeRoot, validUntil) mod 2^176 is)
const anonRootValidUntil = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
const anonRoot = (i: number) => ethers.toBeHex(BigInt(id(`bench anon root ${i}`)) >> 80n, 32);
const publishAnonRoot = await gasOf(registry.connect(attester).publishAnonRoot(anonRoot(0), anonRootValidUntil, 1));
const anonRing = Number(await registry.ANON_ROOT_RING());
for (let i = 1; i < anonRing; i++) {
  await gasOf(registry.connect(attester).publishAnonRoot(anonRoot(i), anonRootValidUntil, 1));
}
const publishAnonRootRingReuse = await gasOf(
  registry.connect(attester).publishAnonRoot(anonRoot(anonRing), anonRootValidUntil, 1),
);
// identity level
const identity = await attestFresh(IDENTITY_CLAIMS, personTag("identity"));
const attestIdentity = identity.gas;

// ERC-1271 smart-account subject
const owner = holder();
const account = await ethers.deployContract("SmartAccountMock", [addr(owner)]);
const accountReq = await makeRequest(ethers, await account.getAddress());
const attestSmartAccount = await gasOf(attestWith(registry, attester, card(), accountReq, owner));

// relayed by a third party
const relayWallet = holder();
const relayCard = card();
const relayReq = await makeRequest(ethers, addr(relayWallet));
const attestRelayed = await gasOf(
  attestBySigWith(registry, attester, stranger, relayCard, relayReq, relayReq.deadline, relayWallet),
);

// isVerified, cold, from a consumer contract (eth_call: a fresh transaction, so account and slots are cold)
const probe = await ethers.deployContract("KycProbe");
const isVerifiedCold = Number(await probe.probe.staticCall(f.address, direct.subject));
if (!(await registry.isVerified(direct.subject))) throw new Error("bench: the probed subject is not verified");

// revoke (single, by the issuing attester)
const revoke = await gasOf(registry.connect(attester).revoke(identity.subject, Reason.Operator));

// revokeByCard, relayed by a third party
const byCardDeadline = relayReq.deadline;
const byCardSig = await revokeSignature(registry, relayCard, addr(relayWallet), byCardDeadline);
const revokeByCard = await gasOf(
  registry.connect(stranger).revokeByCard(addr(relayWallet), byCardDeadline, relayCard.modulus, byCardSig),
);

/** Attests `n` fresh identity-level subjects; returns subjects and key nullifiers. */
async function population(n: number, label: string) {
  const out: { subject: string; nullifier: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await attestFresh(IDENTITY_CLAIMS, personTag(`${label} ${i}`));
    out.push({ subject: r.subject, nullifier: keyNullifier(r.c.modulus) });
  }
  return out;
}

// revokeBatch: 1 entry, then 10 entries (by the revoker)
const batchPop = await population(11, "batch");
const batch1 = await gasOf(registry.connect(revoker).revokeBatch([batchPop[0]!.subject], Reason.Operator));
const batch10 = await gasOf(
  registry.connect(revoker).revokeBatch(
    batchPop.slice(1).map((p) => p.subject),
    Reason.Operator,
  ),
);
const revokeBatchPerEntry = Math.round((batch10 - batch1) / 9);

// revokeInvalidKeys (the CRL path, by the issuing attester): 1 key, then 10 keys
const crlPop = await population(11, "crl");
const invalid1 = await gasOf(registry.connect(attester).revokeInvalidKeys([crlPop[0]!.nullifier]));
const invalid10 = await gasOf(registry.connect(attester).revokeInvalidKeys(crlPop.slice(1).map((p) => p.nullifier)));
const revokeInvalidKeysPerEntry = Math.round((invalid10 - invalid1) / 9);

// dropSigningClaims (a move): 1 subject, then 10 subjects
const dropPop = await population(11, "drop");
const drop1 = await gasOf(registry.connect(attester).dropSigningClaims([dropPop[0]!.subject]));
const drop10 = await gasOf(registry.connect(attester).dropSigningClaims(dropPop.slice(1).map((p) => p.subject)));
const dropSigningClaimsPerEntry = Math.round((drop10 - drop1) / 9);

const rsa = await measureRsaGas(ethers);
const rsa3072 = await measureRsaGas(ethers, 3072);
const rsa4096 = await measureRsaGas(ethers, 4096);

const met = {
  attestDirect: attestDirect <= TARGETS.attestDirect,
  anonOptInExtra: anonOptInExtra <= TARGETS.anonOptInExtra,
  KycRegistryBytes: deployedBytes.KycRegistry <= TARGETS.registryBytes,
  isVerifiedCold: isVerifiedCold <= TARGETS.isVerifiedCold,
  rsa2048: rsa.ours <= rsa.modexp + TARGETS.rsaOverModexp,
  KycRegistrySize: deployedBytes.KycRegistry <= EIP170_LIMIT,
  KycRegistryAdminSize: deployedBytes.KycRegistryAdmin <= EIP170_LIMIT,
};

const report = {
  protocol: 2,
  hardfork,
  buildProfile: "production",
  attestDirect,
  attestDirectAnon,
  anonOptInExtra,
  publishAnonRoot,
  publishAnonRootRingReuse,
  attestIdentity,
  attestSmartAccount,
  attestRelayed,
  revoke,
  revokeByCard,
  revokeBatchPerEntry,
  revokeInvalidKeys: invalid1,
  revokeInvalidKeysPerEntry,
  dropSigningClaims: drop1,
  dropSigningClaimsPerEntry,
  isVerifiedCold,
  rsa2048: { ours: rsa.ours, openzeppelin: rsa.openzeppelin, modexp: rsa.modexp, oursGeneric: rsa.oursGeneric },
  rsa3072: { ours: rsa3072.ours, modexp: rsa3072.modexp, oursGeneric: rsa3072.oursGeneric },
  rsa4096: { ours: rsa4096.ours, modexp: rsa4096.modexp, oursGeneric: rsa4096.oursGeneric },
  deployedBytes,
  detail: {
    revokeBatch1: batch1,
    revokeBatch10: batch10,
    revokeInvalidKeys10: invalid10,
    dropSigningClaims10: drop10,
  },
  targets: {
    attestDirect: { max: TARGETS.attestDirect, met: met.attestDirect },
    anonOptInExtra: { max: TARGETS.anonOptInExtra, met: met.anonOptInExtra },
    KycRegistryBytes: { max: TARGETS.registryBytes, met: met.KycRegistryBytes },
    isVerifiedCold: { max: TARGETS.isVerifiedCold, met: met.isVerifiedCold },
    rsa2048: { maxOverModexp: TARGETS.rsaOverModexp, met: met.rsa2048 },
    deployedBytes: {
      max: EIP170_LIMIT,
      met: met.KycRegistrySize && met.KycRegistryAdminSize,
    },
  },
};

const rows: [string, number, string][] = [
  ["attest (direct, auth level, wallet consent)", attestDirect, `≤ ${TARGETS.attestDirect}`],
  ["attest (direct, auth level, anonymous-proof opt-in)", attestDirectAnon, ""],
  ["  extra gas of the opt-in (AnonLeaf)", anonOptInExtra, `≤ ${TARGETS.anonOptInExtra}`],
  ["publishAnonRoot (new ring entry)", publishAnonRoot, ""],
  ["publishAnonRoot (ring entry overwritten: 65th root)", publishAnonRootRingReuse, ""],
  ["attest (identity level)", attestIdentity, ""],
  ["attest (ERC-1271 smart-account subject)", attestSmartAccount, ""],
  ["attestBySig (relayed by a third party)", attestRelayed, ""],
  ["revoke", revoke, ""],
  ["revokeByCard", revokeByCard, ""],
  ["revokeBatch, per extra entry", revokeBatchPerEntry, ""],
  ["revokeInvalidKeys, 1 key", invalid1, ""],
  ["revokeInvalidKeys, per extra key", revokeInvalidKeysPerEntry, ""],
  ["dropSigningClaims, 1 subject", drop1, ""],
  ["dropSigningClaims, per extra subject", dropSigningClaimsPerEntry, ""],
  ["isVerified, cold, from a consumer", isVerifiedCold, `≤ ${TARGETS.isVerifiedCold}`],
  ["RSA-2048 verify: ours (calldata, e=65537)", rsa.ours, `≤ MODEXP + ${TARGETS.rsaOverModexp} = ${rsa.modexp + 2000}`],
  ["RSA-2048 verify: ours (memory, any e)", rsa.oursGeneric, ""],
  ["RSA-2048 verify: OpenZeppelin RSA.pkcs1Sha256", rsa.openzeppelin, ""],
  ["RSA-2048: bare MODEXP call", rsa.modexp, ""],
  ["KycRegistry deployed bytes (production)", deployedBytes.KycRegistry, `≤ ${TARGETS.registryBytes}`],
  ["KycRegistryAdmin deployed bytes (production)", deployedBytes.KycRegistryAdmin, `≤ ${EIP170_LIMIT}`],
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
console.log(`KycRegistry v2 gas (hardfork ${hardfork}, production build)`);
console.table(rows.map(([what, value, target]) => ({ what, value, target })));

const out = path.resolve(root, "reports", "gas.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), out)}`);

const missed = Object.entries(met)
  .filter(([, ok]) => !ok)
  .map(([name]) => name);
if (missed.length > 0) {
  console.error(`bench: targets missed: ${missed.join(", ")}`);
  process.exitCode = 1;
}
