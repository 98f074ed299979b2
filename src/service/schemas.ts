import { PROOF_REQUEST_FORMAT } from "../binding/proof-request.js";

/**
 * JSON schemas of the operator service (Fastify validates bodies, parameters and query strings with them; the OpenAPI
 * document at `/docs` is generated from them). The schema is the first gate only: `parseProofRequestJson` then checks
 * every field as `kyc attest` does (digest recomputed, addresses checksummed, signatures' shape).
 */

const HEX_BYTES = "^0x([0-9a-fA-F]{2})*$";
const ADDRESS = "^0x[0-9a-fA-F]{40}$";
const UINT = "^(0|[1-9][0-9]{0,77})$";
const BASE64 = "^[A-Za-z0-9+/]+={0,2}$";

/** A proof request `jpki-kyc/proof-request@2` (see `src/binding/README.md`). */
export const proofRequestSchema = {
  $id: "ProofRequest",
  type: "object",
  description: "A holder's proof request (jpki-kyc/proof-request@2). Personal data: never logged, never stored.",
  additionalProperties: false,
  required: ["format", "createdAt", "binding", "subjectSignature", "authCertificate", "authSignature"],
  properties: {
    format: { type: "string", const: PROOF_REQUEST_FORMAT },
    createdAt: { type: "string", maxLength: 40 },
    binding: {
      type: "object",
      additionalProperties: false,
      required: ["chainId", "registry", "subject", "attester", "disclose", "nonce", "deadline", "digest"],
      properties: {
        chainId: { type: "string", pattern: UINT },
        registry: { type: "string", pattern: ADDRESS },
        subject: { type: "string", pattern: ADDRESS },
        attester: { type: "string", pattern: ADDRESS },
        disclose: { type: "integer", minimum: 1, maximum: 4294967295 },
        nonce: { type: "string", pattern: UINT },
        deadline: { type: "string", pattern: UINT },
        anonCommitment: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" },
        digest: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" },
      },
    },
    subjectSignature: { type: "string", pattern: HEX_BYTES, minLength: 4, maxLength: 8194 },
    authCertificate: { type: "string", pattern: BASE64, maxLength: 8192 },
    authSignature: { type: "string", pattern: HEX_BYTES, minLength: 4, maxLength: 1026 },
    signCertificate: { type: "string", pattern: BASE64, maxLength: 8192 },
    signSignature: { type: "string", pattern: HEX_BYTES, minLength: 4, maxLength: 1026 },
  },
} as const;

/** The typed refusal every route answers with. */
export const errorSchema = {
  $id: "Error",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        failures: { type: "array", items: { type: "string" } },
        triesLeft: { type: "integer" },
      },
    },
  },
} as const;

/** `?mode=relay&relayMinutes=60`: sign for the holder to relay instead of sending. */
export const attestQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    mode: { type: "string", enum: ["direct", "relay"], default: "direct" },
    relayMinutes: { type: "string", pattern: "^[1-9][0-9]{0,4}$" },
  },
} as const;

export const subjectParamsSchema = {
  type: "object",
  required: ["subject"],
  properties: { subject: { type: "string", pattern: ADDRESS } },
} as const;

export const revokeBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["subject"],
  properties: {
    subject: { type: "string", pattern: ADDRESS },
    reason: { type: "string", enum: ["HolderRequest", "CertificateInvalid", "Superseded", "Operator"] },
  },
} as const;

/** Standard error responses of a route (for the OpenAPI document). */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: "Error#" }]));
}
