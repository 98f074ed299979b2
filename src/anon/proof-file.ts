import { existsSync, readFileSync, writeFileSync } from "node:fs";

import type { Groth16Proof } from "snarkjs";

import { claimNames } from "../claims.js";
import { AnonError } from "./anon-error.js";
import type { AnonHolderProof } from "./anon-holder-proof.js";
import type { AnonProofFile } from "./anon-proof-file.js";
import type { AnonProof } from "./anon-proof.js";
import type { AnonClaimArguments } from "./anon-claim-arguments.js";

/**
 * The `format` of a proof file, version 2: the root is the 176-bit one and the consumer takes its `rootRef`
 * (version 1 files were made for the earlier circuit and `claim(proof, root, nullifierSignal)`: refused).
 */
export const ANON_PROOF_FILE_FORMAT = "jpki-kyc/anon-proof@2";

const MAX_FILE_CHARS = 64 * 1024;
const KEYS = [
  "format",
  "chainId",
  "registry",
  "attester",
  "root",
  "rootRef",
  "validUntil",
  "scope",
  "signal",
  "claimsMask",
  "claims",
  "nullifier",
  "proof",
  "publicSignals",
  "calldata",
] as const;
const CALLDATA_KEYS = ["proof", "rootRef", "nullifierSignal"] as const;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The proof file of a holder's proof: every field is public (the public signals and where to check them). */
export function anonProofFile(p: AnonHolderProof): AnonProofFile {
  return {
    format: ANON_PROOF_FILE_FORMAT,
    chainId: p.chainId.toString(),
    registry: p.registry,
    attester: p.attester,
    root: p.root,
    rootRef: p.rootRef.toString(),
    validUntil: Number(p.validUntil),
    scope: p.scope.toString(),
    signal: p.signal.toString(),
    claimsMask: Number(p.claimsMask),
    claims: claimNames(Number(p.claimsMask)),
    nullifier: p.nullifier.toString(),
    proof: p.proof.proof,
    publicSignals: [...p.proof.publicSignals],
    calldata: {
      proof: p.calldata.proof.map(String),
      rootRef: p.rootRef.toString(),
      nullifierSignal: p.calldata.nullifierSignal.toString(),
    },
  };
}

/** The proof of a file, as `verifyAnonProof` and `anonCalldata` take it. */
export function proofOfFile(file: AnonProofFile): AnonProof {
  return { proof: file.proof, publicSignals: file.publicSignals };
}

/**
 * The file's calldata as numbers: the arguments of `claim(proof, rootRef, nullifierSignal)`. Taken as written (a
 * relayer that does not trust the file runs `verifyAnonProofFile` first).
 */
export function calldataOfFile(file: AnonProofFile): AnonClaimArguments {
  return {
    proof: file.calldata.proof.map((x) => BigInt(x)),
    rootRef: BigInt(file.calldata.rootRef),
    nullifierSignal: BigInt(file.calldata.nullifierSignal),
  };
}

/** The file's JSON (two-space indented, one trailing newline). */
export function serializeAnonProofFile(file: AnonProofFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function malformed(what: string): never {
  throw new AnonError("ANON_PROOF_FILE", `not a ${ANON_PROOF_FILE_FORMAT} file: ${what}`);
}

function decimalString(value: unknown, name: string): string {
  if (typeof value !== "string" || !DECIMAL.test(value)) malformed(`${name} is not a decimal string`);
  return value;
}

function uint256String(value: unknown, name: string): string {
  const text = decimalString(value, name);
  if (BigInt(text) >= 2n ** 256n) malformed(`${name} is not a uint256`);
  return text;
}

function hexString(value: unknown, name: string, pattern: RegExp): string {
  if (typeof value !== "string" || !pattern.test(value)) malformed(`${name} is malformed`);
  return value;
}

/**
 * Parses a proof file's JSON. Checks the format and every field's type; the proof itself (shape, curve points,
 * pairing) and the agreement of the fields with the public signals are checked by `verifyAnonProofFile`.
 * @throws AnonError `ANON_PROOF_FILE`.
 */
export function parseAnonProofFile(text: string): AnonProofFile {
  if (text.length > MAX_FILE_CHARS) malformed(`longer than ${MAX_FILE_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    malformed("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) malformed("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.format !== ANON_PROOF_FILE_FORMAT) malformed(`format is ${JSON.stringify(o.format)}`);
  for (const key of KEYS) if (!(key in o)) malformed(`${key} is missing`);
  for (const key of Object.keys(o)) if (!(KEYS as readonly string[]).includes(key)) malformed(`unknown field ${key}`);
  const address = /^0x[0-9a-fA-F]{40}$/;
  const bytes32 = /^0x[0-9a-fA-F]{64}$/;
  const number = (v: unknown, name: string): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) malformed(`${name} is not a non-negative integer`);
    return v;
  };
  const strings = (v: unknown, name: string, length?: number): string[] => {
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) malformed(`${name} is not a list`);
    return v.map((x, i) => decimalString(x, `${name}[${i}]`));
  };
  if (!Array.isArray(o.claims) || o.claims.some((c) => typeof c !== "string")) malformed("claims is not a list");
  if (typeof o.proof !== "object" || o.proof === null || Array.isArray(o.proof)) malformed("proof is not an object");
  const c = o.calldata as Record<string, unknown> | null;
  if (typeof c !== "object" || c === null || Array.isArray(c)) malformed("calldata is not an object");
  for (const key of Object.keys(c)) {
    if (!(CALLDATA_KEYS as readonly string[]).includes(key)) malformed(`unknown field calldata.${key}`);
  }
  return {
    format: ANON_PROOF_FILE_FORMAT,
    chainId: decimalString(o.chainId, "chainId"),
    registry: hexString(o.registry, "registry", address),
    attester: hexString(o.attester, "attester", address),
    root: hexString(o.root, "root", bytes32),
    rootRef: uint256String(o.rootRef, "rootRef"),
    validUntil: number(o.validUntil, "validUntil"),
    scope: decimalString(o.scope, "scope"),
    signal: decimalString(o.signal, "signal"),
    claimsMask: number(o.claimsMask, "claimsMask"),
    claims: o.claims as string[],
    nullifier: decimalString(o.nullifier, "nullifier"),
    proof: o.proof as Groth16Proof,
    publicSignals: strings(o.publicSignals, "publicSignals"),
    calldata: {
      proof: strings(c.proof, "calldata.proof", 8),
      rootRef: uint256String(c.rootRef, "calldata.rootRef"),
      nullifierSignal: decimalString(c.nullifierSignal, "calldata.nullifierSignal"),
    },
  };
}

/**
 * Writes a proof file (an existing file is not overwritten: a proof may be the only copy of a claim).
 * @throws AnonError `ANON_PROOF_FILE` when the file exists or cannot be written.
 */
export function writeAnonProofFile(path: string, file: AnonProofFile): void {
  if (existsSync(path)) throw new AnonError("ANON_PROOF_FILE", `${path} exists: choose another file`);
  try {
    writeFileSync(path, serializeAnonProofFile(file), { flag: "wx" });
  } catch (cause) {
    throw new AnonError("ANON_PROOF_FILE", `cannot write ${path}`, { cause });
  }
}

/**
 * Reads and parses a proof file.
 * @throws AnonError `ANON_PROOF_FILE`.
 */
export function readAnonProofFile(path: string): AnonProofFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new AnonError("ANON_PROOF_FILE", `cannot read ${path}`, { cause });
  }
  return parseAnonProofFile(text);
}
