import { KycError } from "../errors.js";

/** Stable codes of the refusals the HTTP layer itself raises (the domain's own codes pass through unchanged). */
export type ServiceErrorCode =
  /** The body is not JSON, or the JSON does not match the route's schema. */
  | "SERVICE_BAD_REQUEST"
  /** The body is larger than the service accepts. */
  | "SERVICE_TOO_LARGE"
  /** The body is not `application/json`. */
  | "SERVICE_UNSUPPORTED_MEDIA_TYPE"
  /** No such route. */
  | "SERVICE_NOT_FOUND"
  /** The client sent too many requests in the rate-limit window. */
  | "SERVICE_RATE_LIMITED"
  /**
   * Another request for the same subject, card key or person is being processed: this one was not started (the
   * holder retries once the first has finished; it cannot produce a second transaction).
   */
  | "SERVICE_BUSY"
  /** The admin route needs `Authorization: Bearer <KYC_ADMIN_TOKEN>`. */
  | "SERVICE_UNAUTHORIZED"
  /** The admin routes are off: no `KYC_ADMIN_TOKEN` is configured. */
  | "SERVICE_ADMIN_DISABLED"
  /** The request took longer than the service's handler timeout (its attestation may still land: ask the status). */
  | "SERVICE_TIMEOUT"
  /** The service cannot serve now (chain unreachable, stale CRL heartbeat, shutting down, queue full). */
  | "SERVICE_UNAVAILABLE"
  /** A bug: the details are in the operator's log, never in the response. */
  | "SERVICE_INTERNAL";

/** An error the HTTP layer raises on purpose, with the HTTP status it maps to. */
export class ServiceError extends KycError {
  declare readonly code: ServiceErrorCode;
  /** The HTTP status of the refusal. */
  readonly status: number;

  constructor(code: ServiceErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}
