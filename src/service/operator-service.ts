import { timingSafeEqual, createHash } from "node:crypto";

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { getAddress } from "ethers";

import { parseProofRequestJson } from "../binding/proof-request.js";
import { claimNames } from "../claims.js";
import { KycError } from "../errors.js";
import type { AnonPublishOutcome } from "../operator/anon-publish.js";
import { attestProofRequest, checkProofRequest, type AttestResult } from "../operator/attest.js";
import { chainTime } from "../operator/commands/context.js";
import type { CrlSyncResult } from "../operator/crl-sync.js";
import { admitCrlNumbers, selectCrls } from "../operator/crl-selection.js";
import { OperatorError } from "../operator/operator-error.js";
import { reconcilePending, type ReconcileResult } from "../operator/reconcile.js";
import { serializeRelayFile } from "../operator/relay-file.js";
import { checkReason } from "./check-reason.js";
import { CrlCache } from "./crl-cache.js";
import { failedChecks, toHttpRefusal } from "./http-error.js";
import { KeyedLock } from "./keyed-lock.js";
import { requestLockKeys } from "./request-keys.js";
import {
  attestQuerySchema,
  errorResponses,
  errorSchema,
  proofRequestSchema,
  revokeBodySchema,
  subjectParamsSchema,
} from "./schemas.js";
import { ServiceError } from "./service-error.js";
import { ServiceMetrics } from "./service-metrics.js";
import type { OperatorServiceOptions } from "./service-options.js";
import { SubmissionLane } from "./submission-lane.js";

/** A running (or ready to listen) operator service. */
export interface OperatorService {
  readonly app: FastifyInstance;
  readonly metrics: ServiceMetrics;
  readonly lane: SubmissionLane;
  /** What the start-up `reconcilePending` settled. */
  readonly reconciled: ReconcileResult;
  /** Listens on `host:port` (port 0: any free port); returns the base URL. */
  listen(host: string, port: number): Promise<string>;
  /** Runs one crl-sync now (the schedule's job; refused with `SERVICE_BUSY` while one runs). */
  crlSyncNow(): Promise<CrlSyncResult>;
  /** Stops the schedule, waits for running requests and closes the server (not the store). */
  close(): Promise<void>;
}

const JSON_BIGINT = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

/** Plain JSON (bigints as decimal strings). */
function plain<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, JSON_BIGINT)) as unknown;
}

/** The public answer to an attested proof request: only what went on chain (or into the relay authorisation). */
function attestBody(r: AttestResult): Record<string, unknown> {
  return {
    mode: r.mode,
    subject: r.subject,
    claims: r.claims,
    claimNames: r.claimNames,
    caId: r.caId,
    expiresAtMost: new Date(Number(r.expiryCap) * 1000).toISOString(),
    identity: r.identity,
    reattestation: r.reattestation,
    recordCommitment: r.recordCommitment,
    ...(r.tx !== undefined ? { tx: { hash: r.tx.hash, gasUsed: r.tx.gasUsed.toString() } } : {}),
    ...(r.relay !== undefined ? { relay: JSON.parse(serializeRelayFile(r.relay)) as unknown } : {}),
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Runs `promise`, answering `SERVICE_TIMEOUT` after `ms` (the work itself goes on). */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceError(
            "SERVICE_TIMEOUT",
            503,
            "the attestation is taking longer than expected; it may still land: ask GET /v1/attestations/<subject>",
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the operator's HTTP service (Fastify): the proof-request route applies exactly `kyc attest`'s pipeline
 * (`attestProofRequest`: the same checks, the same PII guard, the same store protocol) to a JSON body. Start-up settles
 * the store's pending rows (`reconcilePending`); crl-sync runs on a schedule. See `docs/operator-service.md`.
 */
export async function createOperatorService(options: OperatorServiceOptions): Promise<OperatorService> {
  const { client, store } = options;
  const attester = getAddress(await client.signer().getAddress());
  const lane = new SubmissionLane(options.submissionConcurrency ?? 1);
  const locks = new KeyedLock();
  // A request's keys are taken in this process first, then in the store (PostgreSQL: advisory locks that every
  // instance on the database sees; SQLite: one process). Released in the reverse order, once the work settled.
  const acquire = async (keys: readonly string[]): Promise<(() => void) | undefined> => {
    const local = locks.tryAcquire(keys);
    if (local === undefined) return undefined;
    let shared: (() => Promise<void>) | undefined;
    try {
      shared = await store.tryLockKeys(keys);
    } catch (error) {
      local();
      throw error;
    }
    if (shared === undefined) {
      local();
      return undefined;
    }
    const unlock = shared;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void unlock()
        .catch((error: unknown) => app.log.warn({ message: String(error) }, "cannot release store key locks"))
        .finally(local);
    };
  };
  // As `kyc attest`: a CRL older than one already seen for its issuer and scope is refused (rollback), and the
  // numbers of the CRLs used are remembered.
  const crls = new CrlCache(
    options.caDir,
    options.crl,
    options.crlReloadMs ?? 300_000,
    async (snapshot) => await admitCrlNumbers(store, client.chainId, client.address, selectCrls(snapshot.crls), true),
  );
  let inFlight = 0;
  const metrics = new ServiceMetrics(
    async () => {
      try {
        return (await store.counts(client.chainId, client.address)).pending;
      } catch {
        return inFlight;
      }
    },
    { defaultMetrics: options.defaultMetrics ?? true },
  );
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 60_000;
  const rateMax = options.rateLimitPerMinute ?? 60;
  const adminDigest = options.adminToken === undefined ? undefined : sha256(options.adminToken);

  // Settle what a previous run left pending before taking new requests.
  const reconciled = await reconcilePending(store, client, await chainTime(client.provider));

  const app = Fastify({
    logger: {
      level: options.logLevel ?? "info",
      ...(options.logStream !== undefined ? { stream: options.logStream } : {}),
      // A proof request is personal data: no body, header or query value is ever logged.
      serializers: {
        req: (req) => ({ method: req.method, url: (req.url ?? "").split("?")[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
        err: (err) => ({ type: err.name, code: err.code, message: err.message, stack: err.stack ?? "" }),
      },
    },
    bodyLimit: options.bodyLimit ?? 32 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 15_000,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } },
    // Malformed HTTP, or a request not received in time, is answered in the same typed form before routing.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      const timeout = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
      const body = JSON.stringify({
        error: timeout
          ? { code: "SERVICE_TIMEOUT", message: "the request was not received in time" }
          : { code: "SERVICE_BAD_REQUEST", message: "malformed HTTP request" },
      });
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${timeout ? "408 Request Timeout" : "400 Bad Request"}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy(error);
      }
    },
  });
  // JSON only: a text body is refused as an unsupported media type, not parsed.
  app.removeContentTypeParser("text/plain");
  app.addSchema(errorSchema);
  app.addSchema(proofRequestSchema);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "jpki-kyc operator service",
        description:
          "Verifies a My Number Card holder's proof request (jpki-kyc/proof-request@2) and records a zero-PII KYC " +
          "attestation on chain. Every refusal is `{error:{code,message}}`.",
        version: "2",
      },
      components: {
        securitySchemes: { adminToken: { type: "http", scheme: "bearer", description: "KYC_ADMIN_TOKEN" } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () =>
      Object.assign(new Error("too many requests"), { statusCode: 429, code: "SERVICE_RATE_LIMITED" }),
  });

  app.setErrorHandler((error, request, reply) => {
    const refusal = toHttpRefusal(error);
    if (refusal.status >= 500 && refusal.body.error.code === "SERVICE_INTERNAL") {
      request.log.error({ err: error }, "internal error");
    } else {
      request.log.info({ code: refusal.body.error.code, status: refusal.status }, "refused");
    }
    void reply.code(refusal.status).type("application/json").send(refusal.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error: { code: "SERVICE_NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` },
    });
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.requests.inc({
      method: request.method,
      route: request.routeOptions?.url ?? "unknown",
      status: reply.statusCode,
    });
  });

  const requireAdmin = async (request: FastifyRequest): Promise<void> => {
    if (adminDigest === undefined) {
      throw new ServiceError("SERVICE_ADMIN_DISABLED", 403, "the admin routes are off: KYC_ADMIN_TOKEN is not set");
    }
    const header = request.headers.authorization ?? "";
    const m = /^Bearer (.+)$/.exec(header);
    // Compare fixed-length digests in constant time (no early exit on the first differing byte, no length leak).
    if (m === null || !timingSafeEqual(sha256(m[1]!), adminDigest)) {
      throw new ServiceError("SERVICE_UNAUTHORIZED", 401, "a valid admin bearer token is required");
    }
  };
  const holderRateLimit = { rateLimit: { max: rateMax, timeWindow: 60_000 } };

  app.get("/healthz", { schema: { tags: ["health"], summary: "The process is up" } }, async () => ({ status: "ok" }));

  app.get(
    "/readyz",
    { schema: { tags: ["health"], summary: "The chain answers and this operator's CRL heartbeat is fresh" } },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      let ready = true;
      try {
        const now = await withTimeout(chainTime(client.provider), 5_000);
        checks.chain = "ok";
        const [maxStaleness, last] = await Promise.all([
          client.read<bigint>("maxStaleness"),
          client.lastCrlSync(attester),
        ]);
        if (maxStaleness > 0n && last + maxStaleness < now) {
          ready = false;
          checks.crlHeartbeat = `stale: the last crl-sync heartbeat is ${now - last} s old (maxStaleness ${maxStaleness} s)`;
        } else {
          checks.crlHeartbeat = "ok";
        }
        if (await client.read<boolean>("paused")) {
          ready = false;
          checks.registry = "paused";
        }
      } catch {
        ready = false;
        checks.chain = "unreachable";
      }
      if (!ready) {
        const why = Object.entries(checks)
          .filter(([, v]) => v !== "ok")
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ");
        return reply.code(503).send({ error: { code: "SERVICE_UNAVAILABLE", message: `not ready (${why})` }, checks });
      }
      return { status: "ready", checks };
    },
  );

  app.get("/metrics", { schema: { tags: ["health"], summary: "Prometheus metrics" } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get(
    "/v1/info",
    { schema: { tags: ["holder"], summary: "Which chain, registry and attester this operator uses" } },
    async () => ({
      chainId: client.chainId.toString(),
      registry: client.address,
      attester,
      claims: { AUTH: 1, IDENTITY: 2, AGE_18: 4, AGE_20: 8 },
    }),
  );

  app.post(
    "/v1/attestations",
    {
      config: holderRateLimit,
      schema: {
        tags: ["holder"],
        summary: "Verify a proof request and attest it (or sign it for relay with ?mode=relay)",
        body: { $ref: "ProofRequest#" },
        querystring: attestQuerySchema,
        response: errorResponses(400, 409, 413, 415, 422, 429, 503),
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const query = request.query as { mode?: "direct" | "relay"; relayMinutes?: string };
      let outcome = "refused";
      try {
        const proof = parseProofRequestJson(request.body);
        const release = await acquire(requestLockKeys(proof));
        if (release === undefined) {
          throw new ServiceError(
            "SERVICE_BUSY",
            409,
            "another request for this subject, card or person is being processed: wait for it to finish",
          );
        }
        const work = (async () => {
          // The checks run once before the lane too (read-only, the same `checkProofRequest`): a request that fails
          // them is refused at once instead of waiting behind transactions in flight. The pipeline repeats them.
          if (options.precheck ?? true) {
            try {
              const nowSeconds = await chainTime(client.provider);
              const now = new Date(Number(nowSeconds) * 1000);
              const snapshot = await crls.get(now);
              const check = await checkProofRequest({
                request: proof,
                caCertificates: snapshot.caCertificates,
                crls: snapshot.crls,
                client,
                attester,
                now,
              });
              if (!check.ok) {
                throw new OperatorError(
                  "OPERATOR_CHECK_FAILED",
                  `the proof request fails ${check.failures.length} check(s): ${check.failures.join("; ")}`,
                );
              }
            } catch (error) {
              release();
              throw error;
            }
          }
          return (
            lane
              .run(async () => {
                inFlight++;
                try {
                  const nowSeconds = await chainTime(client.provider);
                  const now = new Date(Number(nowSeconds) * 1000);
                  const snapshot = await crls.get(now);
                  const minutes = BigInt(query.relayMinutes ?? options.relayMinutes ?? 1440);
                  return await attestProofRequest({
                    request: proof,
                    caCertificates: snapshot.caCertificates,
                    crls: snapshot.crls,
                    client,
                    now,
                    store,
                    secret: options.secret,
                    submission:
                      query.mode === "relay"
                        ? { mode: "relay", relayDeadline: nowSeconds + minutes * 60n }
                        : { mode: "direct" },
                  });
                } finally {
                  inFlight--;
                }
              })
              // The keys stay locked until the attestation is settled, even when the answer timed out.
              .finally(release)
          );
        })();
        // The answer limit covers the checks and the transaction; the work itself goes on after a timeout.
        const result = await withTimeout(work, handlerTimeoutMs);
        outcome = result.mode === "relay" ? "relay" : "attested";
        if (result.mode === "direct" && BigInt(proof.binding.anonCommitment ?? 0) !== 0n) scheduleAnonPublish();
        return await reply.code(result.mode === "relay" ? 200 : 201).send(attestBody(result));
      } catch (error) {
        if (error instanceof KycError) {
          const failures = failedChecks(error);
          if (failures.length > 0) for (const f of failures) metrics.checksFailed.inc({ reason: checkReason(f) });
          else metrics.checksFailed.inc({ reason: error.code });
        } else {
          outcome = "error";
        }
        throw error;
      } finally {
        metrics.attestLatency.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },
  );

  app.get(
    "/v1/attestations/:subject",
    {
      config: holderRateLimit,
      schema: {
        tags: ["holder"],
        summary: "The subject's record on chain and this operator's row for it",
        params: subjectParamsSchema,
        response: errorResponses(400, 429, 503),
      },
    },
    async (request) => {
      const subject = getAddress((request.params as { subject: string }).subject);
      const [record, verified] = await Promise.all([client.attestationOf(subject), client.isVerified(subject)]);
      const rows = await store.bySubject(client.chainId, client.address, subject);
      const row = rows[rows.length - 1];
      return {
        subject,
        verified,
        chain: {
          status: record.statusName,
          claims: record.claims,
          claimNames: claimNames(record.claims),
          attester: record.attester,
          attestedAt: record.attestedAt.toString(),
          expiresAt: record.expiresAt.toString(),
          revokedAt: record.revokedAt.toString(),
        },
        operator:
          row === undefined
            ? null
            : {
                status: row.status,
                mode: row.mode,
                claims: row.claims,
                txHash: row.txHash,
                updatedAt: new Date(row.updatedAt * 1000).toISOString(),
              },
      };
    },
  );

  let syncing: Promise<CrlSyncResult> | undefined;
  const crlSyncNow = (): Promise<CrlSyncResult> => {
    if (syncing !== undefined) {
      return Promise.reject(new ServiceError("SERVICE_BUSY", 409, "a crl-sync is already running"));
    }
    syncing = lane
      .run(async () => {
        // One crl-sync at a time across the instances sharing the store.
        const shared = await store.tryLockKeys(["crl-sync"]);
        if (shared === undefined) {
          throw new ServiceError("SERVICE_BUSY", 409, "a crl-sync is already running in another instance");
        }
        try {
          crls.invalidate();
          const result = await options.actions.crlSync();
          crls.invalidate();
          if (result.missingPartitions.length === 0) metrics.lastCrlSync.set(Math.floor(Date.now() / 1000));
          if (result.anonRoot?.published === true) logAnonRoot(result.anonRoot);
          if (result.anonRootRefused !== undefined) {
            const { code, message } = result.anonRootRefused;
            app.log.warn({ code, message }, "root publication failed");
          }
          return result;
        } finally {
          await shared();
        }
      }, true)
      .finally(() => {
        syncing = undefined;
      });
    return syncing;
  };

  app.post(
    "/v1/admin/crl-sync",
    {
      preHandler: requireAdmin,
      schema: {
        tags: ["admin"],
        summary: "Run crl-sync now",
        security: [{ adminToken: [] }],
        response: errorResponses(401, 403, 409, 503),
      },
    },
    async () => {
      const r = await crlSyncNow();
      return {
        checkedCertificates: r.checkedCertificates,
        checkedPartitions: r.checkedPartitions,
        missingPartitions: r.missingPartitions.length,
        listed: r.listed.length,
        batches: plain(r.batches.map((b) => ({ hash: b.hash, size: b.size }))),
      };
    },
  );

  app.post(
    "/v1/admin/revoke",
    {
      preHandler: requireAdmin,
      schema: {
        tags: ["admin"],
        summary: "Revoke a subject's attestation (kyc revoke)",
        security: [{ adminToken: [] }],
        body: revokeBodySchema,
        response: errorResponses(400, 401, 403, 409, 503),
      },
    },
    async (request) => {
      const body = request.body as { subject: string; reason?: string };
      const subject = getAddress(body.subject);
      const release = await acquire([`subject:${subject.toLowerCase()}`]);
      if (release === undefined) {
        throw new ServiceError("SERVICE_BUSY", 409, "a request for this subject is being processed: try again");
      }
      try {
        const outcome = await lane.run(() => options.actions.revoke(subject, body.reason ?? "Operator"), true);
        return { subject, tx: { hash: outcome.hash, gasUsed: outcome.gasUsed.toString() } };
      } finally {
        release();
      }
    },
  );

  let timer: NodeJS.Timeout | undefined;
  const interval = options.crlSyncIntervalMs ?? 86_400_000;
  // an attestation that opted in to anonymous proofs: publish the new root once for every such attestation within
  // `anonPublishDelayMs` (one root per batch), through the lane so it never races an attestation's nonce
  let anonTimer: NodeJS.Timeout | undefined;
  let anonPublishing: Promise<unknown> | undefined;
  function logAnonRoot(o: AnonPublishOutcome): void {
    const { root, ref, validUntil, reason, leafCount } = o;
    app.log.info({ root, ref: ref?.toString(), validUntil, reason, leafCount }, "anonymous-proof root");
  }
  function scheduleAnonPublish(): void {
    const publish = options.actions.publishAnonRoot;
    if (publish === undefined || anonTimer !== undefined) return;
    anonTimer = setTimeout(() => {
      anonTimer = undefined;
      anonPublishing = lane
        .run(() => publish(), true)
        .then(logAnonRoot)
        .catch((error: unknown) => {
          const e = error as { code?: string; message?: string };
          app.log.warn({ code: e.code ?? "error", message: e.message?.split("\n")[0] }, "root publication failed");
        });
    }, options.anonPublishDelayMs ?? 30_000);
    anonTimer.unref();
  }
  if (interval > 0) {
    timer = setInterval(() => {
      crlSyncNow().catch((error: unknown) => {
        const e = error as { code?: string; message?: string };
        app.log.warn({ code: e.code ?? "error", message: e.message?.split("\n")[0] }, "scheduled crl-sync failed");
      });
    }, interval);
    timer.unref();
  }

  await app.ready();
  return {
    app,
    metrics,
    lane,
    reconciled,
    async listen(host: string, port: number): Promise<string> {
      return app.listen({ host, port });
    },
    crlSyncNow,
    async close(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      if (anonTimer !== undefined) clearTimeout(anonTimer);
      await app.close();
      await anonPublishing;
      await syncing?.catch(() => undefined);
    },
  };
}
