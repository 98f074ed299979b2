import { getAddress, isAddress, type LogDescription } from "ethers";

import { OperatorError } from "../operator-error.js";
import { readRecordsFile, writeRecordsFile, type ExportedRecord, type RecordsFile } from "../records/records-file.js";
import { canonicalJson, recordCommitment } from "../records/verification-record.js";
import { connectRegistry, openStore, type OperatorContext } from "./context.js";

/** Arguments of `kyc records export`. */
export interface RecordsExportArgs {
  /** Export this subject's records (every attestation of it that reached the chain). */
  readonly subject?: string;
  /** Export every record of the registry that reached the chain. */
  readonly all?: boolean;
  /** The file to write (mode 0600). */
  readonly out: string | undefined;
  readonly registry?: string;
  readonly store?: string;
}

/** What `kyc records export` wrote. */
export interface RecordsExportResult {
  readonly out: string;
  readonly chainId: bigint;
  readonly registry: string;
  readonly count: number;
}

/** Rows whose attestation is not known to be on chain: their records have no commitment to check. */
const NOT_ON_CHAIN = new Set(["pending", "failed"]);

/**
 * `kyc records export --subject <addr> | --all --out <file>`: writes the stored verification records, with their
 * salts, for an auditor (JSON, mode 0600). Only records of attestations that reached the chain are exported (not
 * `pending` or `failed` rows). Needs no account.
 * @throws OperatorError `OPERATOR_BAD_INPUT` (no `--out`, neither or both of `--subject` / `--all`, a bad address, no
 * record for the subject)
 */
export async function recordsExportCommand(
  ctx: OperatorContext,
  args: RecordsExportArgs,
): Promise<RecordsExportResult> {
  if (args.out === undefined || args.out === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--out <file> is required");
  const all = args.all === true;
  if (all === (args.subject !== undefined)) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "give either --subject <address> or --all");
  }
  if (args.subject !== undefined && !isAddress(args.subject)) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--subject ${JSON.stringify(args.subject)} is not an address`);
  }
  const client = await connectRegistry(ctx, args.registry);
  const store = await openStore(ctx, client.chainId, args.store);
  let records: ExportedRecord[];
  try {
    records = (await store.verificationRecords(client.chainId, client.address, args.subject))
      .filter(({ attestation }) => !NOT_ON_CHAIN.has(attestation.status))
      .map(({ attestation, record }) => ({
        attestationId: attestation.id,
        subject: attestation.subject,
        status: attestation.status,
        txHash: attestation.txHash,
        record: JSON.parse(record.canonical) as unknown,
        canonical: record.canonical,
        salt: record.salt,
        commitment: record.commitment,
      }));
  } finally {
    await store.close();
  }
  if (!all && records.length === 0) {
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      `the store has no verification record of an attestation of ${getAddress(args.subject!)} on the registry ${client.address}`,
    );
  }
  writeRecordsFile(args.out, {
    chainId: client.chainId,
    registry: client.address,
    exportedAt: new Date().toISOString(),
    records,
  });
  return { out: args.out, chainId: client.chainId, registry: client.address, count: records.length };
}

/** Arguments of `kyc records verify`. */
export interface RecordsVerifyArgs {
  /** A file from `kyc records export`. */
  readonly in: string | undefined;
  /** The registry to check against (default: the one the file names; it must match). */
  readonly registry?: string;
}

/** The check of one record. */
export interface RecordCheck {
  readonly attestationId: number;
  readonly subject: string;
  /** The commitment recomputed from the file's text and salt. */
  readonly commitment: string;
  readonly match: boolean;
  /** Why it does not match (one line), when it does not. */
  readonly problem?: string;
}

/** What `kyc records verify` found. */
export interface RecordsVerifyResult {
  readonly chainId: bigint;
  readonly registry: string;
  readonly checks: readonly RecordCheck[];
  readonly matched: number;
  readonly mismatched: number;
}

/**
 * `kyc records verify --in <file> [--registry <address>]`: recomputes each record's commitment
 * (`recordCommitment(canonical, salt)`) and looks for it in the subject's `Attested` events on chain. A record
 * matches when an `Attested` event of its subject carries exactly that commitment, the event's attester and card key
 * are the record's, and the file's parsed record, commitment, subject, chain and registry agree with the committed
 * text. Needs no account. The task exits 0 when every record matches, 1 otherwise.
 * @throws OperatorError `OPERATOR_RECORDS_FILE` (unreadable or malformed file, or `--registry` differs from the
 * file's), ChainError `CHAIN_WRONG_NETWORK` (the file is for another chain)
 */
export async function recordsVerifyCommand(
  ctx: OperatorContext,
  args: RecordsVerifyArgs,
): Promise<RecordsVerifyResult> {
  if (args.in === undefined || args.in === "") throw new OperatorError("OPERATOR_BAD_INPUT", "--in <file> is required");
  const file = readRecordsFile(args.in);
  if (args.registry !== undefined && (!isAddress(args.registry) || getAddress(args.registry) !== file.registry)) {
    throw new OperatorError(
      "OPERATOR_RECORDS_FILE",
      `the records file is for the registry ${file.registry}, not ${args.registry}`,
    );
  }
  const client = await connectRegistry(ctx, file.registry);
  client.requireChain(file.chainId, "the records file");
  const events = new Map<string, LogDescription[]>();
  const checks: RecordCheck[] = [];
  for (const entry of file.records) {
    let list = events.get(entry.subject);
    if (list === undefined) {
      list = await client.attestedEvents(entry.subject);
      events.set(entry.subject, list);
    }
    checks.push(checkRecord(file, entry, list));
  }
  const matched = checks.filter((c) => c.match).length;
  return { chainId: file.chainId, registry: file.registry, checks, matched, mismatched: checks.length - matched };
}

/** Checks one exported record against its subject's `Attested` events. */
function checkRecord(file: RecordsFile, entry: ExportedRecord, attested: readonly LogDescription[]): RecordCheck {
  const commitment = recordCommitment(entry.canonical, entry.salt).toLowerCase();
  const base = { attestationId: entry.attestationId, subject: entry.subject, commitment };
  const mismatch = (problem: string): RecordCheck => ({ ...base, match: false, problem });
  if (commitment !== entry.commitment) return mismatch("the commitment does not recompute from the text and the salt");
  let committed: Record<string, unknown>;
  try {
    const parsed = JSON.parse(entry.canonical) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    committed = parsed as Record<string, unknown>;
  } catch {
    return mismatch("the committed text is not a JSON record");
  }
  if (canonicalJson(committed) !== entry.canonical) return mismatch("the committed text is not in canonical form");
  if (entry.record !== undefined && canonicalJson(entry.record) !== entry.canonical) {
    return mismatch("the readable record differs from the committed text");
  }
  const text = (key: string): string =>
    typeof committed[key] === "string" ? String(committed[key]).toLowerCase() : "";
  if (text("subject") !== entry.subject) return mismatch("the committed record names another subject");
  if (text("registry") !== file.registry.toLowerCase() || text("chainId") !== file.chainId.toString()) {
    return mismatch("the committed record names another registry or chain");
  }
  const event = attested.find((e) => String(e.args.recordCommitment).toLowerCase() === commitment);
  if (event === undefined) return mismatch("no Attested event of the subject carries this commitment");
  if (String(event.args.attester).toLowerCase() !== text("attester")) {
    return mismatch("the Attested event was emitted for another attester than the record names");
  }
  if (String(event.args.keyNullifier).toLowerCase() !== text("keyNullifier")) {
    return mismatch("the Attested event names another card key than the record");
  }
  return { ...base, match: true };
}
