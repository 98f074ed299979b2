import "../../src/cli/silence-sqlite-warning.js";
/**
 * `npm run bench:crl-sync`: the operator's daily job at scale. Builds (in memory) a 1,000,000-entry CRL signed by a
 * throwaway CA and a temporary operator store with 100,000 active attestations, then times `crlSync` in dry-run mode
 * (open + index the CRL, scan the store, list the revoked ones). Target: under a minute. Writes
 * `reports/crl-sync.json`.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { crlSync } from "../../src/operator/crl-sync.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { openCrl } from "../../src/pki/crl.js";
import { int, seq, time, tlv } from "../../src/pki/der-writer.js";
import { encodeName, SHA256_RSA, signedStructure } from "../../src/pki/dev-pki/profile.js";
import { CA_NAMES } from "../../src/pki/dev-pki/world.js";

const CRL_ENTRIES = 1_000_000;
const STORED = 100_000;
const REGISTRY = "0x" + "11".repeat(20);
const ISSUER_KEY_ID = "01".repeat(20);
const serial = (i: number): Buffer => {
  const b = Buffer.alloc(5);
  b[0] = 0x40;
  b.writeUInt32BE(i, 1);
  return b;
};
const elapsed = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const revokedAt = time(new Date(1.7e12));
const entries: Uint8Array[] = [];
for (let i = 0; i < CRL_ENTRIES; i++) entries.push(seq(int(serial(i * 3)), revokedAt));
const now = Date.now();
const tbs = tlv(0x30, [
  int(1),
  SHA256_RSA(),
  encodeName(CA_NAMES.auth),
  time(new Date(now - 1000)),
  time(new Date(now + 86_400_000)),
  tlv(0x30, entries),
]);
const der = signedStructure(tbs, privateKey);

const dir = mkdtempSync(join(tmpdir(), "jpki-kyc-bench-"));
try {
  const store = OperatorStore.open(join(dir, "store.sqlite"));
  await store.transaction(async () => {
    for (let i = 0; i < STORED; i++) {
      const id = await store.insertPending({
        chainId: 31337n,
        registry: REGISTRY,
        subject: "0x" + i.toString(16).padStart(40, "0"),
        keyNullifier: "0x" + i.toString(16).padStart(64, "0"),
        personTag: null,
        claims: 1,
        caId: 1,
        expiryCap: 0,
        mode: "direct",
        certificates: [
          {
            role: "auth",
            issuerKeyId: ISSUER_KEY_ID,
            partition: "p",
            serialHex: serial(i * 10 + 1).toString("hex"),
            notAfter: 2e9,
          },
        ],
      });
      await store.markActive(id, null);
    }
  });

  const start = process.hrtime.bigint();
  const crl = openCrl(der);
  const openMs = elapsed(start);
  const refuse = async (): Promise<never> => {
    throw new Error("dry run: nothing is sent");
  };
  const result = await crlSync({
    store,
    chain: {
      chainId: 31337n,
      registry: REGISTRY,
      now: refuse,
      revokeInvalidKeys: refuse,
      dropSigningClaims: refuse,
      recordCrlSync: refuse,
      keyState: refuse,
      nonces: refuse,
      recordOf: refuse,
      receiptStatus: refuse,
      isOwnRecord: async () => true,
    },
    crls: [{ issuerKeyId: ISSUER_KEY_ID, partition: "p", lookup: (s: string) => crl.lookup(s) }],
    dryRun: true,
  });
  const totalMs = elapsed(start);
  await store.close();

  const report = {
    crlEntries: crl.entryCount,
    crlBytes: der.length,
    storedAttestations: STORED,
    checkedCertificates: result.checkedCertificates,
    listed: result.listed.length,
    openAndIndexMs: Math.round(openMs),
    totalMs: Math.round(totalMs),
    targetMs: 60_000,
    meetsTarget: totalMs < 60_000,
  };
  console.log(
    `crl-sync: ${report.checkedCertificates} stored attestations against a ${report.crlEntries}-entry CRL: ` +
      `${report.listed} listed in ${report.totalMs} ms (open + index ${report.openAndIndexMs} ms; target < 60 s)`,
  );
  mkdirSync("reports", { recursive: true });
  writeFileSync("reports/crl-sync.json", JSON.stringify(report, null, 2) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
