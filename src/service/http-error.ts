import { KycError } from "../errors.js";
import { ServiceError } from "./service-error.js";

/** The body of every refusal: `{ error: { code, message } }` (plus the failed checks of a proof request). */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** For `OPERATOR_CHECK_FAILED`: every failed check (no certificate data). */
    readonly failures?: readonly string[];
    /** For `CARD_WRONG_PIN` (holder page): tries left. */
    readonly triesLeft?: number;
    /** For the card's PIN errors (holder page): which secret, the authentication PIN or the signing password. */
    readonly pin?: "auth" | "sign";
  };
}

/** A refusal ready to send: HTTP status and body. */
export interface HttpRefusal {
  readonly status: number;
  readonly body: ErrorBody;
}

/** HTTP status of the project's error codes (anything not listed: 400 for a `KycError`). */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BINDING_DIGEST_MISMATCH: 422,
  BINDING_WRONG_WALLET: 422,
  BINDING_WALLET_REFUSED: 422,
  BINDING_NO_REGISTRY: 503,
  CHAIN_WRONG_NETWORK: 422,
  CHAIN_REVERTED: 409,
  CHAIN_DROPPED: 503,
  CHAIN_UNAVAILABLE: 503,
  CHAIN_INSUFFICIENT_FUNDS: 503,
  CHAIN_MISSING_ROLE: 503,
  CHAIN_REGISTRY_NOT_DEPLOYED: 503,
  CHAIN_NO_SIGNER: 503,
  OPERATOR_CHECK_FAILED: 422,
  OPERATOR_STORE_CONFLICT: 409,
  OPERATOR_SIGN_CERT_IN_USE: 409,
  OPERATOR_CRL: 503,
  OPERATOR_CRL_ROLLBACK: 503,
  OPERATOR_STORE: 503,
  OPERATOR_SECRET: 503,
  PII_GUARD_REFUSED: 422,
  CARD_WRONG_PIN: 401,
  CARD_PIN_LOCKED: 423,
  CARD_NO_READER: 503,
  CARD_NO_CARD: 503,
  CARD_REMOVED: 503,
  CARD_UNAVAILABLE: 503,
};

/** Fastify's own client-error codes, mapped to the service's. */
const FASTIFY_CODES: Readonly<Record<string, ServiceError["code"]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "SERVICE_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "SERVICE_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "SERVICE_BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "SERVICE_BAD_REQUEST",
  FST_ERR_CTP_INVALID_JSON_BODY: "SERVICE_BAD_REQUEST",
  FST_ERR_VALIDATION: "SERVICE_BAD_REQUEST",
};

/** One line, bounded: no stack, no multi-line RPC dumps. */
function oneLine(message: string): string {
  const line = (message.split("\n")[0] ?? "").trim();
  return line.length > 600 ? `${line.slice(0, 600)}…` : line;
}

/** The failed checks listed in an `OPERATOR_CHECK_FAILED` message (`... fails N check(s): a; b; c`). */
export function failedChecks(error: KycError): string[] {
  if (error.code !== "OPERATOR_CHECK_FAILED") return [];
  const m = /fails \d+ check\(s\): (.*)$/.exec(error.message);
  return m === null ? [error.message] : m[1]!.split("; ");
}

/**
 * Maps anything thrown while serving a request to a typed refusal. `KycError`s keep their code and one-line message;
 * Fastify's client errors (bad JSON, schema, size, media type) and the rate limiter's become `SERVICE_*` codes;
 * anything else is a bug: `SERVICE_INTERNAL` with a fixed message (the caller logs the error itself).
 */
export function toHttpRefusal(error: unknown): HttpRefusal {
  if (error instanceof ServiceError) return refusal(error.status, error.code, error.message);
  if (error instanceof KycError) {
    const revertName = (error as { revertName?: string }).revertName;
    const status = revertName === "RegistryPaused" ? 503 : (STATUS_BY_CODE[error.code] ?? 400);
    const failures = failedChecks(error);
    const triesLeft = (error as { triesLeft?: number }).triesLeft;
    const pin = error.code.startsWith("CARD_") ? (/signing password/.test(error.message) ? "sign" : "auth") : undefined;
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: oneLine(error.message),
          ...(failures.length > 0 ? { failures } : {}),
          ...(typeof triesLeft === "number" ? { triesLeft } : {}),
          ...(pin !== undefined && (error.code === "CARD_WRONG_PIN" || error.code === "CARD_PIN_LOCKED")
            ? { pin }
            : {}),
        },
      },
    };
  }
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown; validation?: unknown } | null;
  const statusCode = typeof e?.statusCode === "number" ? e.statusCode : undefined;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (statusCode === 429 || code === "SERVICE_RATE_LIMITED") {
    return refusal(429, "SERVICE_RATE_LIMITED", "too many requests from this client: wait a minute and try again");
  }
  if (code !== undefined && FASTIFY_CODES[code] !== undefined) {
    const mapped = FASTIFY_CODES[code]!;
    const status = mapped === "SERVICE_TOO_LARGE" ? 413 : mapped === "SERVICE_UNSUPPORTED_MEDIA_TYPE" ? 415 : 400;
    return refusal(status, mapped, oneLine(typeof e?.message === "string" ? e.message : mapped));
  }
  if (error instanceof SyntaxError || (statusCode !== undefined && statusCode >= 400 && statusCode < 500)) {
    const message = statusCode === 413 ? "the body is too large" : "the request is malformed";
    return refusal(statusCode ?? 400, statusCode === 413 ? "SERVICE_TOO_LARGE" : "SERVICE_BAD_REQUEST", message);
  }
  return refusal(500, "SERVICE_INTERNAL", "internal error: the operator has been notified");
}

function refusal(status: number, code: string, message: string): HttpRefusal {
  return { status, body: { error: { code, message: oneLine(message) } } };
}
