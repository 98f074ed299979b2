import { readFileSync, writeFileSync } from "node:fs";

import { ZeroHash, getAddress, isAddress, isHexString } from "ethers";

import { OperatorError } from "./operator-error.js";
import type { AttestationRequest } from "./attestation-request.js";

/** The `format` tag of the relay file (protocol v2). */
export const RELAY_FORMAT = "jpki-kyc/relay@2";

/**
 * An operator-signed attestation that anyone can submit with `attestBySig` (`kyc relay --in <file>`).
 * Holds only what the transaction will publish anyway: no certificate, no personal data. It stands alone: there is
 * no operator nonce, so any number of relay files can be outstanding and relayed in any order.
 */
export interface RelayFile {
  readonly chainId: bigint;
  readonly registry: string;
  readonly attester: string;
  readonly request: AttestationRequest;
  /** The binding digest the card and the subject signed (0x bytes32). */
  readonly binding: string;
  readonly keyNullifier: string;
  readonly relayDeadline: bigint;
  /** The card's authentication key modulus (0x-hex). */
  readonly modulus: string;
  /** The card's signature over the binding digest (0x-hex). */
  readonly cardSignature: string;
  /** The subject's signature over the binding digest (0x-hex). */
  readonly subjectSignature: string;
  /** The attester's EIP-712 `Attestation` signature (0x-hex). */
  readonly attesterSignature: string;
}

/** Serialises a relay file (pretty JSON, integers as decimal strings). */
export function serializeRelayFile(r: RelayFile): string {
  const json = {
    format: RELAY_FORMAT,
    chainId: r.chainId.toString(),
    registry: getAddress(r.registry),
    attester: getAddress(r.attester),
    request: {
      subject: getAddress(r.request.subject),
      disclose: r.request.disclose,
      deadline: r.request.deadline.toString(),
      claims: r.request.claims,
      personTag: r.request.personTag,
      expiryCap: r.request.expiryCap.toString(),
      caId: r.request.caId,
      recordCommitment: r.request.recordCommitment,
      anonCommitment: r.request.anonCommitment,
    },
    binding: r.binding,
    keyNullifier: r.keyNullifier,
    relayDeadline: r.relayDeadline.toString(),
    modulus: r.modulus,
    cardSignature: r.cardSignature,
    subjectSignature: r.subjectSignature,
    attesterSignature: r.attesterSignature,
  };
  return JSON.stringify(json, null, 2) + "\n";
}

/** Writes a relay file (mode 0644: it contains nothing private). */
export function writeRelayFile(path: string, r: RelayFile): void {
  try {
    writeFileSync(path, serializeRelayFile(r));
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `cannot write the relay file ${path}`, { cause });
  }
}

/**
 * Reads and strictly validates a relay file.
 * @throws OperatorError `OPERATOR_BAD_INPUT` (unreadable) or `OPERATOR_RELAY` (malformed).
 */
export function readRelayFile(path: string): RelayFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `cannot read the relay file ${path}`, { cause });
  }
  return parseRelayFile(text);
}

/** Parses a relay file's text. @throws OperatorError `OPERATOR_RELAY` */
export function parseRelayFile(text: string): RelayFile {
  const bad = (what: string): never => {
    throw new OperatorError("OPERATOR_RELAY", `relay file: ${what}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad("not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.format !== RELAY_FORMAT) bad(`"format" must be "${RELAY_FORMAT}"`);
  const uint = (v: unknown, name: string, bits: number): bigint => {
    if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v)) return bad(`"${name}" must be a decimal string`);
    const n = BigInt(v);
    if (n >= 2n ** BigInt(bits)) bad(`"${name}" is out of range`);
    return n;
  };
  const small = (v: unknown, name: string, max: number): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) return bad(`"${name}" must be an integer`);
    return v;
  };
  const address = (v: unknown, name: string): string => {
    if (typeof v !== "string" || !isAddress(v)) return bad(`"${name}" must be an address`);
    return getAddress(v);
  };
  const hex = (v: unknown, name: string, bytes?: number): string => {
    if (typeof v !== "string" || !isHexString(v) || (v.length - 2) % 2 !== 0) return bad(`"${name}" must be 0x-hex`);
    if (bytes !== undefined && v.length !== 2 + 2 * bytes) bad(`"${name}" must be ${bytes} bytes`);
    if (v.length === 2) bad(`"${name}" must not be empty`);
    return v.toLowerCase();
  };
  const req = o.request;
  if (typeof req !== "object" || req === null || Array.isArray(req)) return bad(`"request" must be an object`);
  const q = req as Record<string, unknown>;
  const request: AttestationRequest = {
    subject: address(q.subject, "request.subject"),
    disclose: small(q.disclose, "request.disclose", 0xffffffff),
    deadline: uint(q.deadline, "request.deadline", 64),
    claims: small(q.claims, "request.claims", 0xffffffff),
    personTag: hex(q.personTag, "request.personTag", 32),
    expiryCap: uint(q.expiryCap, "request.expiryCap", 64),
    caId: small(q.caId, "request.caId", 0xffff),
    recordCommitment: hex(q.recordCommitment, "request.recordCommitment", 32),
    anonCommitment: hex(q.anonCommitment ?? ZeroHash, "request.anonCommitment", 32),
  };
  return {
    chainId: uint(o.chainId, "chainId", 256),
    registry: address(o.registry, "registry"),
    attester: address(o.attester, "attester"),
    request,
    binding: hex(o.binding, "binding", 32),
    keyNullifier: hex(o.keyNullifier, "keyNullifier", 32),
    relayDeadline: uint(o.relayDeadline, "relayDeadline", 64),
    modulus: hex(o.modulus, "modulus"),
    cardSignature: hex(o.cardSignature, "cardSignature"),
    subjectSignature: hex(o.subjectSignature, "subjectSignature"),
    attesterSignature: hex(o.attesterSignature, "attesterSignature"),
  };
}
