import { chmodSync, closeSync, openSync, readFileSync, writeSync } from "node:fs";

import { getAddress, isAddress, isHexString } from "ethers";

import { OperatorError } from "../operator-error.js";

/** The `format` tag of an exported verification-records file. */
export const RECORDS_FORMAT = "jpki-kyc/verification-records@1";

/**
 * One exported verification record: the committed text, its salt and commitment, and the store row it belongs to.
 * `canonical` is what the commitment covers; `record` is the same text parsed, for reading.
 */
export interface ExportedRecord {
  /** The operator store's attestation id. */
  readonly attestationId: number;
  /** Lower-case 0x address. */
  readonly subject: string;
  /** The store row's status when exported (`active`, `revoked`, ...): informative, not verified. */
  readonly status: string;
  /** The attest transaction, when known. */
  readonly txHash: string | null;
  readonly record: unknown;
  readonly canonical: string;
  /** 0x, 32 bytes. */
  readonly salt: string;
  /** 0x bytes32. */
  readonly commitment: string;
}

/**
 * An auditor's file (`kyc records export`): the operator's verification records of one registry, with their salts
 * (anyone holding the file can re-hash a record and find its commitment on chain: keep it private, mode 0600).
 * It holds no certificate attribute: the records never contain any.
 */
export interface RecordsFile {
  readonly chainId: bigint;
  /** Checksummed registry address. */
  readonly registry: string;
  /** ISO 8601. */
  readonly exportedAt: string;
  readonly records: readonly ExportedRecord[];
}

/** Serialises a records file (pretty JSON). */
export function serializeRecordsFile(file: RecordsFile): string {
  const json = {
    format: RECORDS_FORMAT,
    chainId: file.chainId.toString(),
    registry: getAddress(file.registry),
    exportedAt: file.exportedAt,
    records: file.records,
  };
  return JSON.stringify(json, null, 2) + "\n";
}

/** Writes a records file with mode 0600 (an existing file is overwritten and its mode tightened). */
export function writeRecordsFile(path: string, file: RecordsFile): void {
  let fd: number;
  try {
    fd = openSync(path, "w", 0o600);
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    chmodSync(path, 0o600);
    writeSync(fd, serializeRecordsFile(file));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and checks the shape of a records file.
 * @throws OperatorError `OPERATOR_RECORDS_FILE` when it cannot be read, is not JSON, or is not a records file
 * (wrong format tag, a missing or malformed field).
 */
export function readRecordsFile(path: string): RecordsFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new OperatorError("OPERATOR_RECORDS_FILE", `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseRecordsFile(text);
}

/** Parses a records file's text (see {@link readRecordsFile}). */
export function parseRecordsFile(text: string): RecordsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad("not valid JSON");
  }
  const top = object(json, "the file");
  if (top.format !== RECORDS_FORMAT) throw bad(`format is not ${RECORDS_FORMAT}`);
  if (typeof top.chainId !== "string" || !/^[0-9]{1,78}$/.test(top.chainId)) throw bad("chainId is not a decimal");
  if (typeof top.registry !== "string" || !isAddress(top.registry)) throw bad("registry is not an address");
  if (typeof top.exportedAt !== "string") throw bad("exportedAt is missing");
  if (!Array.isArray(top.records)) throw bad("records is not a list");
  const records = top.records.map((value: unknown, i: number): ExportedRecord => {
    const where = `records[${i}]`;
    const r = object(value, where);
    if (typeof r.attestationId !== "number" || !Number.isSafeInteger(r.attestationId) || r.attestationId < 1) {
      throw bad(`${where}.attestationId is not a positive integer`);
    }
    if (typeof r.subject !== "string" || !isAddress(r.subject)) throw bad(`${where}.subject is not an address`);
    if (typeof r.status !== "string") throw bad(`${where}.status is missing`);
    if (r.txHash !== null && !(typeof r.txHash === "string" && isHexString(r.txHash, 32))) {
      throw bad(`${where}.txHash is not a transaction hash`);
    }
    if (typeof r.canonical !== "string" || r.canonical === "") throw bad(`${where}.canonical is missing`);
    if (typeof r.salt !== "string" || !isHexString(r.salt, 32)) throw bad(`${where}.salt is not 32 bytes of hex`);
    if (typeof r.commitment !== "string" || !isHexString(r.commitment, 32)) {
      throw bad(`${where}.commitment is not 32 bytes of hex`);
    }
    return {
      attestationId: r.attestationId,
      subject: r.subject.toLowerCase(),
      status: r.status,
      txHash: r.txHash === null ? null : String(r.txHash).toLowerCase(),
      record: r.record,
      canonical: r.canonical,
      salt: r.salt.toLowerCase(),
      commitment: r.commitment.toLowerCase(),
    };
  });
  return {
    chainId: BigInt(top.chainId),
    registry: getAddress(top.registry),
    exportedAt: top.exportedAt,
    records,
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function bad(why: string): OperatorError {
  return new OperatorError("OPERATOR_RECORDS_FILE", `records file: ${why}`);
}
