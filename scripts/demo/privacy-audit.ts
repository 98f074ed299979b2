/**
 * The demo's privacy audit: collects everything a run put on chain (every transaction's calldata, every log, every
 * storage slot a transaction changed) and searches it for the holders' certificate data with the operator's PII
 * guard matcher (`findPii`: DER, TBS, serial as bytes/hex/decimal, notAfter word, subject and CRL distribution point
 * strings, signing attributes, the signing key).
 */
import { readFileSync } from "node:fs";

import type { JsonRpcApiProvider, Provider } from "ethers";

import { findPii, type PiiMaterial } from "../../src/privacy/pii-guard.js";
import { piiFromCertificate } from "../../src/operator/pii-material.js";
import { readSigningAttributes } from "../../src/pki/attributes.js";
import { parseCertificate } from "../../src/pki/certificate.js";

/** One piece of public chain data: where it came from and its bytes as 0x-hex. */
export interface ChainArtifact {
  /** e.g. `tx 0xab… calldata`, `tx 0xab… log 2 data`, `storage 0x5f…[0x05]`. */
  readonly where: string;
  readonly kind: "calldata" | "log" | "storage";
  /** Contract address (logs, storage) or the transaction's `to` (calldata; empty for a deployment). */
  readonly address: string;
  readonly hex: string;
}

/** A hit of the audit (labels only: never the matched value). */
export interface AuditHit {
  readonly where: string;
  readonly labels: readonly string[];
}

/** The audit's outcome. */
export interface AuditReport {
  readonly transactions: number;
  readonly calldata: number;
  readonly logs: number;
  /** Storage slots changed, over all contracts. */
  readonly storageSlots: number;
  /** Storage slots changed in `focus` (the registry). */
  readonly focusSlots: number;
  readonly materials: number;
  readonly hits: readonly AuditHit[];
}

/**
 * Every calldata, log and changed storage slot of blocks `fromBlock..toBlock`. Storage comes from
 * `debug_traceTransaction` with the `prestateTracer` in diff mode (supported by Hardhat's EDR, in process and
 * behind `hardhat node`): the slots each transaction changed, with their new values.
 */
export async function collectChainArtifacts(
  provider: Provider,
  fromBlock: number,
  toBlock: number,
): Promise<{ artifacts: ChainArtifact[]; transactions: number }> {
  const rpc = provider as unknown as Pick<JsonRpcApiProvider, "send">;
  const artifacts: ChainArtifact[] = [];
  let transactions = 0;
  for (let n = fromBlock; n <= toBlock; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      transactions++;
      const short = tx.hash.slice(0, 10);
      artifacts.push({ where: `tx ${short} calldata`, kind: "calldata", address: tx.to ?? "", hex: tx.data });
      const receipt = await provider.getTransactionReceipt(tx.hash);
      for (const log of receipt?.logs ?? []) {
        artifacts.push({
          where: `tx ${short} log ${log.index}`,
          kind: "log",
          address: log.address,
          hex: "0x" + [...log.topics, log.data].map((x) => x.slice(2)).join(""),
        });
      }
      const trace = (await rpc.send("debug_traceTransaction", [
        tx.hash,
        { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
      ])) as { post?: Record<string, { storage?: Record<string, string> }> };
      for (const [address, state] of Object.entries(trace.post ?? {})) {
        const slots = Object.entries(state.storage ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [slot, value] of slots) {
          artifacts.push({
            where: `tx ${short} storage ${address}[${slot}]`,
            kind: "storage",
            address,
            hex: value,
          });
        }
        // Also the contract's changed words side by side (a value spread over consecutive slots).
        if (slots.length > 1) {
          artifacts.push({
            where: `tx ${short} storage ${address} (all changed slots)`,
            kind: "storage",
            address,
            hex: "0x" + slots.map(([, v]) => v.slice(2).padStart(64, "0")).join(""),
          });
        }
      }
    }
  }
  return { artifacts, transactions };
}

/** The PII materials of a dev-pki holder: the authentication certificate, and the signing one with its attributes. */
export function holderMaterials(label: string, authDer: Uint8Array, signDer?: Uint8Array): PiiMaterial[] {
  const materials = [piiFromCertificate(`${label} auth`, parseCertificate(authDer))];
  if (signDer !== undefined) {
    const sign = parseCertificate(signDer);
    materials.push(piiFromCertificate(`${label} sign`, sign, readSigningAttributes(sign), true));
  }
  return materials;
}

/** {@link holderMaterials} from certificate files. */
export function holderMaterialsFromFiles(label: string, authFile: string, signFile?: string): PiiMaterial[] {
  return holderMaterials(
    label,
    new Uint8Array(readFileSync(authFile)),
    signFile === undefined ? undefined : new Uint8Array(readFileSync(signFile)),
  );
}

/** Searches every artifact for every material. */
export function auditArtifacts(
  artifacts: readonly ChainArtifact[],
  transactions: number,
  materials: readonly PiiMaterial[],
  focus?: string,
): AuditReport {
  const hits: AuditHit[] = [];
  for (const a of artifacts) {
    const labels = findPii(a.hex, materials);
    if (labels.length > 0) hits.push({ where: a.where, labels });
  }
  const single = artifacts.filter((a) => a.kind === "storage" && !a.where.endsWith("(all changed slots)"));
  return {
    transactions,
    calldata: artifacts.filter((a) => a.kind === "calldata").length,
    logs: artifacts.filter((a) => a.kind === "log").length,
    storageSlots: single.length,
    focusSlots: focus === undefined ? 0 : single.filter((a) => a.address.toLowerCase() === focus.toLowerCase()).length,
    materials: materials.length,
    hits,
  };
}

/** A value of the holder that no anonymous proof or claim may contain (reported by label only). */
export interface AnonIdentifier {
  readonly label: string;
  /** 0x-hex: an address (20 bytes) or a bytes32 / field element. */
  readonly value: string;
}

/** Anonymous-proof data: a proof's public signals (decimal strings), or a transaction's calldata (0x-hex). */
export interface AnonProofArtifact {
  readonly where: string;
  readonly publicSignals?: readonly string[];
  readonly hex?: string;
}

/** The outcome of {@link auditAnonProofs}. */
export interface AnonAuditReport {
  /** Public signals and calldata searched. */
  readonly searched: number;
  readonly identifiers: number;
  readonly hits: readonly AuditHit[];
}

/** The ways a value can be written: its hex digits (bare, and padded to a word) and its decimal digits. */
function anonForms(value: string): string[] {
  const n = BigInt(value);
  const hex = n.toString(16);
  const forms = [hex, hex.padStart(64, "0"), n.toString(10)];
  return [...new Set(forms.filter((f) => f.length >= 16))];
}

/** An artifact as text: its calldata's hex digits, and each public signal in decimal and as a 32-byte word. */
function anonHaystack(a: AnonProofArtifact): string {
  const parts = (a.publicSignals ?? []).flatMap((s) => [s, BigInt(s).toString(16).padStart(64, "0")]);
  if (a.hex !== undefined) parts.push(a.hex.replace(/^0x/, ""));
  return parts.join(" ").toLowerCase();
}

/**
 * Searches proofs' public signals and claim calldata for the holder's identifiers (subject addresses, key nullifier,
 * person tag, commitment), in hex (bare or word-padded) and decimal.
 */
export function auditAnonProofs(
  artifacts: readonly AnonProofArtifact[],
  identifiers: readonly AnonIdentifier[],
): AnonAuditReport {
  const hits: AuditHit[] = [];
  for (const a of artifacts) {
    const text = anonHaystack(a);
    const labels = identifiers.filter((id) => anonForms(id.value).some((f) => text.includes(f))).map((id) => id.label);
    if (labels.length > 0) hits.push({ where: a.where, labels });
  }
  return { searched: artifacts.length, identifiers: identifiers.length, hits };
}
