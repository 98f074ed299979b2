import { createPublicKey, verify, X509Certificate } from "node:crypto";

import { getAddress, hexlify, isAddress } from "ethers";

import { Claim } from "../claims.js";
import { BindingError } from "./binding-error.js";
import { SNARK_SCALAR_FIELD } from "../anon/field.js";
import { NO_ANON_COMMITMENT, computeBindingDigest, type KycBinding } from "./kyc-binding.js";

/** The `format` tag of the proof-request file (protocol v2). */
export const PROOF_REQUEST_FORMAT = "jpki-kyc/proof-request@2";

/** A binding together with its digest. */
export interface SignedBinding extends KycBinding {
  /** `0x`-hex EIP-712 digest (32 bytes). */
  digest: string;
}

/**
 * A holder's proof request (in memory). See `src/card/README.md` / the main README for the JSON layout.
 * The signing certificate and its signature are present together or not at all.
 */
export interface ProofRequest {
  binding: SignedBinding;
  /**
   * The subject's own signature over `binding.digest` (its consent): EIP-712 (eth_signTypedData_v4) by an EOA, or
   * whatever the subject's ERC-1271 `isValidSignature` accepts for a smart account.
   */
  subjectSignature: Uint8Array;
  /** The user authentication certificate (DER). Not free of personal data (see FACTS.md). */
  authCertificate: Uint8Array;
  /** RSASSA-PKCS1-v1_5/SHA-256 signature of `binding.digest` (32 bytes) by the authentication key. */
  authSignature: Uint8Array;
  /** The digital signature certificate (DER): holds name, address, date of birth and gender. */
  signCertificate?: Uint8Array;
  /** Signature of the same digest by the signing key. */
  signSignature?: Uint8Array;
  /** When the request was made (ISO 8601), informational. */
  createdAt: string;
}

/** The JSON form (version 2). Integers that may exceed 2^53 are decimal strings. */
export interface ProofRequestJson {
  format: typeof PROOF_REQUEST_FORMAT;
  createdAt: string;
  binding: {
    chainId: string;
    registry: string;
    subject: string;
    attester: string;
    disclose: number;
    nonce: string;
    deadline: string;
    /** 0x bytes32, the anonymous-proof opt-in (zero: none). Absent on input reads as zero. */
    anonCommitment: string;
    digest: string;
  };
  subjectSignature: string;
  authCertificate: string;
  authSignature: string;
  signCertificate?: string;
  signSignature?: string;
}

/** Whether the request holds personal data that needs owner-only storage (the signing certificate). */
export function holdsSigningCertificate(request: ProofRequest): boolean {
  return request.signCertificate !== undefined;
}

/** Converts a request to its JSON form. */
export function proofRequestToJson(r: ProofRequest): ProofRequestJson {
  const b = r.binding;
  const json: ProofRequestJson = {
    format: PROOF_REQUEST_FORMAT,
    createdAt: r.createdAt,
    binding: {
      chainId: b.chainId.toString(),
      registry: getAddress(b.registry),
      subject: getAddress(b.subject),
      attester: getAddress(b.attester),
      disclose: b.disclose,
      nonce: b.nonce.toString(),
      deadline: b.deadline.toString(),
      anonCommitment: (b.anonCommitment ?? NO_ANON_COMMITMENT).toLowerCase(),
      digest: b.digest.toLowerCase(),
    },
    subjectSignature: hexlify(r.subjectSignature),
    authCertificate: Buffer.from(r.authCertificate).toString("base64"),
    authSignature: "0x" + Buffer.from(r.authSignature).toString("hex"),
  };
  if (r.signCertificate !== undefined && r.signSignature !== undefined) {
    json.signCertificate = Buffer.from(r.signCertificate).toString("base64");
    json.signSignature = "0x" + Buffer.from(r.signSignature).toString("hex");
  }
  return json;
}

/** Serialises a request (pretty JSON with a trailing newline). Validates it first. */
export function serializeProofRequest(r: ProofRequest): string {
  const json = proofRequestToJson(r);
  parseProofRequestJson(json); // never write what we would not read back
  return JSON.stringify(json, null, 2) + "\n";
}

/**
 * Parses and strictly validates a proof-request file's text.
 * @throws BindingError `BINDING_MALFORMED`, `BINDING_UNSUPPORTED_FORMAT` or `BINDING_DIGEST_MISMATCH`.
 */
export function parseProofRequest(text: string): ProofRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new BindingError("BINDING_MALFORMED", "the proof request is not valid JSON", { cause });
  }
  return parseProofRequestJson(value);
}

const UINT_DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Validates an already-parsed JSON value (see `parseProofRequest`). */
export function parseProofRequestJson(value: unknown): ProofRequest {
  const bad = (msg: string): never => {
    throw new BindingError("BINDING_MALFORMED", `proof request: ${msg}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) bad("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.format !== PROOF_REQUEST_FORMAT) {
    if (typeof o.format === "string" && o.format.startsWith("jpki-kyc/proof-request@")) {
      throw new BindingError(
        "BINDING_UNSUPPORTED_FORMAT",
        `proof request format ${o.format} is not supported (expected ${PROOF_REQUEST_FORMAT})`,
      );
    }
    bad(`"format" must be "${PROOF_REQUEST_FORMAT}"`);
  }
  const allowed = new Set([
    "format",
    "createdAt",
    "binding",
    "subjectSignature",
    "authCertificate",
    "authSignature",
    "signCertificate",
    "signSignature",
  ]);
  for (const k of Object.keys(o)) if (!allowed.has(k)) bad(`unknown field "${k}"`);
  if (typeof o.createdAt !== "string" || Number.isNaN(Date.parse(o.createdAt))) bad(`"createdAt" must be an ISO date`);
  if (!isObject(o.binding)) bad(`"binding" must be an object`);
  const b = o.binding as Record<string, unknown>;
  const bindingKeys = [
    "chainId",
    "registry",
    "subject",
    "attester",
    "disclose",
    "nonce",
    "deadline",
    "anonCommitment",
    "digest",
  ];
  for (const k of Object.keys(b)) if (!bindingKeys.includes(k)) bad(`unknown field "binding.${k}"`);

  const uint = (name: string, max: bigint): bigint => {
    const v = b[name];
    if (typeof v !== "string" || !UINT_DECIMAL.test(v)) return bad(`"binding.${name}" must be a decimal string`);
    const n = BigInt(v);
    if (n > max) bad(`"binding.${name}" is out of range`);
    return n;
  };
  const address = (name: string): string => {
    const v = b[name];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) return bad(`"binding.${name}" must be a 0x address`);
    if (!isAddress(v)) bad(`"binding.${name}" has a wrong checksum`);
    return getAddress(v);
  };
  const chainId = uint("chainId", 2n ** 256n - 1n);
  if (chainId === 0n) bad(`"binding.chainId" must not be 0`);
  const registry = address("registry");
  const subject = address("subject");
  if (subject === "0x0000000000000000000000000000000000000000") bad(`"binding.subject" must not be the zero address`);
  const attester = address("attester");
  if (attester === "0x0000000000000000000000000000000000000000") bad(`"binding.attester" must not be the zero address`);
  const disclose = b.disclose;
  if (typeof disclose !== "number" || !Number.isInteger(disclose) || disclose < 0 || disclose > 0xffffffff) {
    bad(`"binding.disclose" must be a uint32`);
  }
  if (((disclose as number) & Claim.AUTH) === 0) bad(`"binding.disclose" must include AUTH`);
  const nonce = uint("nonce", 2n ** 256n - 1n);
  const deadline = uint("deadline", 2n ** 64n - 1n);
  const anonCommitment = b.anonCommitment ?? NO_ANON_COMMITMENT;
  if (typeof anonCommitment !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(anonCommitment)) {
    bad(`"binding.anonCommitment" must be 32 bytes of 0x-hex`);
  }
  if (BigInt(anonCommitment as string) >= SNARK_SCALAR_FIELD) {
    bad(`"binding.anonCommitment" must be below the BN254 scalar field order`);
  }
  const digest = b.digest;
  if (typeof digest !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(digest))
    bad(`"binding.digest" must be 32 bytes of 0x-hex`);
  const binding: SignedBinding = {
    chainId,
    registry,
    subject,
    attester,
    disclose: disclose as number,
    nonce,
    deadline,
    anonCommitment: (anonCommitment as string).toLowerCase(),
    digest: (digest as string).toLowerCase(),
  };
  if (computeBindingDigest(binding) !== binding.digest) {
    throw new BindingError(
      "BINDING_DIGEST_MISMATCH",
      "proof request: binding.digest is not the EIP-712 digest of the binding fields",
    );
  }

  const base64 = (name: string): Uint8Array => {
    const v = o[name];
    if (typeof v !== "string" || v.length % 4 !== 0 || !BASE64.test(v)) return bad(`"${name}" must be base64`);
    const bytes = Buffer.from(v, "base64");
    if (bytes.toString("base64") !== v) bad(`"${name}" is not canonical base64`);
    if (bytes.length < 64 || bytes[0] !== 0x30) bad(`"${name}" is not a DER certificate`);
    return new Uint8Array(bytes);
  };
  const signature = (name: string): Uint8Array => {
    const v = o[name];
    if (typeof v !== "string" || !HEX.test(v)) return bad(`"${name}" must be 0x-hex`);
    const bytes = Buffer.from(v.slice(2), "hex");
    if (bytes.length < 128 || bytes.length > 512) bad(`"${name}" must be 128..512 bytes`);
    return new Uint8Array(bytes);
  };
  const subjectSignature = o.subjectSignature;
  if (typeof subjectSignature !== "string" || !HEX.test(subjectSignature) || subjectSignature.length < 4) {
    bad(`"subjectSignature" must be 0x-hex`);
  }
  if ((subjectSignature as string).length > 2 + 2 * 4096) bad(`"subjectSignature" is longer than 4096 bytes`);
  const request: ProofRequest = {
    binding,
    subjectSignature: new Uint8Array(Buffer.from((subjectSignature as string).slice(2), "hex")),
    authCertificate: base64("authCertificate"),
    authSignature: signature("authSignature"),
    createdAt: o.createdAt as string,
  };
  const hasCert = o.signCertificate !== undefined;
  const hasSig = o.signSignature !== undefined;
  if (hasCert !== hasSig) bad(`"signCertificate" and "signSignature" come together`);
  if (hasCert) {
    request.signCertificate = base64("signCertificate");
    request.signSignature = signature("signSignature");
  }
  return request;
}

/**
 * Checks a card signature over the binding digest against a certificate's RSA key (node:crypto): a result,
 * not an exception (false for a wrong signature or a certificate node cannot read).
 */
export function verifyCardSignature(certificate: Uint8Array, digest: string, signature: Uint8Array): boolean {
  try {
    const key = createPublicKey(new X509Certificate(certificate).publicKey.export({ format: "pem", type: "spki" }));
    return verify("sha256", Buffer.from(digest.slice(2), "hex"), key, signature);
  } catch {
    return false;
  }
}
