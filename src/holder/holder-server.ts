import { readFileSync } from "node:fs";

import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { getAddress, getBytes, isAddress, recoverAddress, type Provider } from "ethers";

import { bindingTypedData, NO_ANON_COMMITMENT } from "../binding/kyc-binding.js";
import { BindingError } from "../binding/binding-error.js";
import { createProofRequest } from "../binding/create-proof-request.js";
import { proofRequestToJson, type SignedBinding } from "../binding/proof-request.js";
import { readBindingFromRegistry } from "../binding/registry-binding.js";
import { CardError } from "../card/card-error.js";
import type { CardSigner } from "../card/card-signer.js";
import { openCardSigner } from "../card/open-card-signer.js";
import { Claim, claimNames, FROM_SIGNING } from "../claims.js";
import { KycError } from "../errors.js";
import { chainTime } from "../operator/commands/context.js";
import { revokeByCardCommand } from "../operator/commands/revoke-by-card.js";
import { toHttpRefusal } from "../service/http-error.js";
import { ServiceError } from "../service/service-error.js";
import { anonCommitmentWithCard, anonLeafEmitted, anonLockOf } from "./anon-opt-in.js";
import { CLAIM_TEXTS, PRIVACY_TEXT } from "./disclosure.js";
import type { HolderServerOptions } from "./holder-options.js";

/** The page's static files (plain HTML, CSS and one script; no build step). */
const PAGE_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/holder.js": "holder.js",
  "/holder.css": "holder.css",
};
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** The operator's public parameters (`GET /v1/info`). */
interface OperatorInfo {
  readonly chainId: string;
  readonly registry: string;
  readonly attester: string;
}

/** A binding waiting for the wallet's and the card's signatures. */
interface PendingBinding {
  readonly binding: SignedBinding;
  readonly deadline: number;
}

const PIN = /^[0-9]{4}$/;

function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

/**
 * The holder page's local process (Fastify on loopback): reads the card here (never in the browser), hands the
 * binding to the browser wallet (EIP-1193 `eth_signTypedData_v4`), has the card sign it with the PIN the holder types
 * (never stored or logged), sends the proof request to the operator service and relays its answer. With the
 * anonymous-proof opt-in the card first derives the holder's secret here (one more signature with the same PIN; see
 * `anonCommitmentWithCard`) and the binding carries only its commitment: the secret and the signature it comes from
 * never leave this process. Only requests for `localhost`/`127.0.0.1` hosts are served (no DNS rebinding), only JSON
 * bodies are parsed (a page of another site cannot post a form here), and the PIN never leaves this process.
 */
export async function createHolderServer(options: HolderServerOptions): Promise<FastifyInstance> {
  const operatorUrl = options.operatorUrl.replace(/\/+$/, "");
  const deadlineMinutes = options.deadlineMinutes ?? 30;
  const pending = new Map<string, PendingBinding>();
  let info: OperatorInfo | undefined;

  const app = Fastify({
    logger:
      options.logStream === undefined
        ? false
        : {
            level: "info",
            stream: options.logStream,
            serializers: {
              req: (req) => ({ method: req.method, url: (req.url ?? "").split("?")[0] }),
              res: (res) => ({ statusCode: res.statusCode }),
            },
          },
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  app.removeContentTypeParser("text/plain");

  app.addHook("onRequest", async (request) => {
    const host = (request.headers.host ?? "").replace(/:\d+$/, "");
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) {
      throw new ServiceError("SERVICE_UNAUTHORIZED", 403, "the holder page answers on localhost only");
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const refusal = toHttpRefusal(error);
    if (refusal.body.error.code === "SERVICE_INTERNAL") request.log.error({ err: error }, "internal error");
    void reply.code(refusal.status).send(refusal.body);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: { code: "SERVICE_NOT_FOUND", message: "no such page" } });
  });

  const pageDir = new URL("./page/", import.meta.url);
  for (const [route, file] of Object.entries(PAGE_FILES)) {
    app.get(route, async (_request, reply) => {
      const body = readFileSync(new URL(file, pageDir), "utf8");
      return reply
        .type(CONTENT_TYPES[file.split(".").pop()!]!)
        .header("cache-control", "no-store")
        .header("content-security-policy", "default-src 'self'; img-src 'self' data:; object-src 'none'")
        .send(body);
    });
  }

  const operatorInfo = async (): Promise<OperatorInfo> => {
    if (info !== undefined) return info;
    const r = await callOperator("GET", "/v1/info");
    if (r.status !== 200) throw new ServiceError("SERVICE_UNAVAILABLE", 503, "the operator service is not ready");
    info = r.body as OperatorInfo;
    return info;
  };

  async function callOperator(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${operatorUrl}${path}`, {
        method,
        ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(90_000),
      });
    } catch (cause) {
      throw new ServiceError("SERVICE_UNAVAILABLE", 503, `the operator service at ${operatorUrl} does not answer`, {
        cause,
      });
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return {
        status: 502,
        body: { error: { code: "SERVICE_UNAVAILABLE", message: "the operator service answered something unexpected" } },
      };
    }
  }

  async function withCard<T>(fn: (card: CardSigner) => Promise<T>): Promise<T> {
    const card = await (options.openCard ?? (() => openCardSigner(options.card)))();
    try {
      return await fn(card);
    } finally {
      await card.close();
    }
  }

  app.get("/api/setup", async () => {
    const operator = await operatorInfo();
    let card: Record<string, unknown>;
    try {
      card = await withCard(async (c) => {
        await c.readAuthCertificate();
        return { ready: true, description: c.description, triesLeft: (await c.pinTriesLeft("auth")) ?? null };
      });
    } catch (error) {
      if (!(error instanceof KycError)) throw error;
      card = { ready: false, error: toHttpRefusal(error).body.error };
    }
    return {
      operator: { url: operatorUrl, ...operator },
      card,
      claims: CLAIM_TEXTS,
      privacy: PRIVACY_TEXT,
      revokeByCard: options.relayer !== undefined,
    };
  });

  app.post(
    "/api/binding",
    {
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["subject", "disclose"],
          properties: {
            subject: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" },
            disclose: { type: "integer", minimum: 1, maximum: 15 },
            anon: { type: "boolean" },
            pin: { type: "string", maxLength: 16 },
          },
        },
      },
    },
    async (request: FastifyRequest) => {
      const body = request.body as { subject: string; disclose: number; anon?: boolean; pin?: string };
      const operator = await operatorInfo();
      // The anonymous-proof opt-in: the commitment is part of what the wallet signs, so the card comes first here.
      let anonCommitment: string | undefined;
      if (body.anon === true) {
        const pin = requirePin(body.pin);
        anonCommitment = await withCard(async (card) => {
          await requirePinNotLocked(card);
          return anonCommitmentWithCard(card, pin);
        });
      }
      const now = await chainTime(options.provider);
      const binding = await readBindingFromRegistry(options.provider, {
        registry: operator.registry,
        subject: body.subject,
        attester: operator.attester,
        disclose: body.disclose | Claim.AUTH,
        deadline: now + BigInt(deadlineMinutes) * 60n,
        ...(anonCommitment !== undefined ? { anonCommitment } : {}),
      });
      if (binding.chainId.toString() !== operator.chainId) {
        throw new KycError(
          "CHAIN_WRONG_NETWORK",
          `this page reads chain ${binding.chainId} but the operator serves chain ${operator.chainId}`,
        );
      }
      for (const [digest, p] of pending) if (p.deadline < Date.now()) pending.delete(digest);
      pending.set(binding.digest, { binding, deadline: Date.now() + deadlineMinutes * 60_000 });
      const typed = bindingTypedData(binding);
      return {
        digest: binding.digest,
        anonCommitment: anonCommitment ?? null,
        claimNames: claimNames(binding.disclose),
        needsSigningPassword: (binding.disclose & FROM_SIGNING) !== 0,
        typedData: json({
          types: {
            EIP712Domain: [
              { name: "name", type: "string" },
              { name: "version", type: "string" },
              { name: "chainId", type: "uint256" },
              { name: "verifyingContract", type: "address" },
            ],
            ...typed.types,
          },
          primaryType: typed.primaryType,
          domain: { ...typed.domain, chainId: Number(typed.domain.chainId) },
          message: typed.message,
        }),
      };
    },
  );

  app.post(
    "/api/attest",
    {
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["digest", "subjectSignature", "pin"],
          properties: {
            digest: { type: "string", pattern: "^0x[0-9a-f]{64}$" },
            subjectSignature: { type: "string", pattern: "^0x([0-9a-fA-F]{2})+$", maxLength: 8194 },
            pin: { type: "string", maxLength: 16 },
            signPassword: { type: "string", maxLength: 16 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { digest: string; subjectSignature: string; pin: string; signPassword?: string };
      const p = pending.get(body.digest);
      if (p === undefined) {
        throw new BindingError("BINDING_BAD_ARGUMENT", "this binding is unknown or expired: start again");
      }
      const { binding } = p;
      await requireConsent(options.provider, binding, body.subjectSignature);
      const pin = requirePin(body.pin);
      const withSign = (binding.disclose & FROM_SIGNING) !== 0;
      if (withSign && (body.signPassword === undefined || body.signPassword === "")) {
        throw new CardError("CARD_BAD_ARGUMENT", "the claims chosen need the signing password");
      }
      const proof = await withCard(async (card) => {
        await requirePinNotLocked(card);
        return createProofRequest({
          card,
          binding,
          subjectSignature: getBytes(body.subjectSignature),
          pin,
          ...(withSign ? { signPassword: body.signPassword! } : {}),
        });
      });
      const answer = await callOperator("POST", "/v1/attestations", proofRequestToJson(proof));
      if (answer.status < 300) pending.delete(body.digest);
      const commitment = binding.anonCommitment ?? NO_ANON_COMMITMENT;
      if (commitment === NO_ANON_COMMITMENT) return reply.code(answer.status).send(answer.body);
      if (answer.status >= 300) {
        // The operator's commitment lock, named so that the page can explain it.
        const lock = anonLockOf(answer.body);
        const refusal = answer.body as { error: Record<string, unknown> };
        return reply
          .code(answer.status)
          .send(lock === undefined ? answer.body : { error: { ...refusal.error, anonLock: lock } });
      }
      // Attested: a chain read that fails now shows "not confirmed" rather than an error for a recorded attestation.
      const txHash = (answer.body as { tx?: { hash?: unknown } }).tx?.hash;
      const leaf =
        typeof txHash === "string" &&
        (await anonLeafEmitted(options.provider, binding.registry, txHash, commitment).catch(() => false));
      return reply.code(answer.status).send({ ...(answer.body as object), anon: { commitment, leaf } });
    },
  );

  app.get("/api/status/:subject", async (request) => {
    const subject = (request.params as { subject: string }).subject;
    if (!isAddress(subject)) throw new BindingError("BINDING_BAD_ARGUMENT", "not an address");
    const r = await callOperator("GET", `/v1/attestations/${getAddress(subject)}`);
    if (r.status !== 200) throw new ServiceError("SERVICE_UNAVAILABLE", 503, "the operator cannot tell the status now");
    return r.body;
  });

  app.post(
    "/api/revoke-by-card",
    {
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["subject", "pin"],
          properties: {
            subject: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" },
            pin: { type: "string", maxLength: 16 },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { subject: string; pin: string };
      if (options.relayer === undefined) {
        throw new ServiceError("SERVICE_UNAVAILABLE", 503, "no account is configured to send the revocation");
      }
      requirePin(body.pin);
      const operator = await operatorInfo();
      const outcome = await withCard((card) =>
        revokeByCardCommand(
          { provider: options.provider, signer: options.relayer!, projectRoot: options.projectRoot },
          { card, subject: body.subject, askPin: async () => body.pin, registry: operator.registry },
        ),
      );
      return { subject: getAddress(body.subject), tx: { hash: outcome.hash, gasUsed: outcome.gasUsed.toString() } };
    },
  );

  await app.ready();
  return app;
}

/** The authentication PIN as typed, checked before anything reaches the card. */
function requirePin(pin: string | undefined): string {
  if (pin === undefined || !PIN.test(pin)) {
    throw new CardError("CARD_BAD_ARGUMENT", "the PIN is 4 digits (nothing was sent to the card)");
  }
  return pin;
}

/** A locked authentication PIN is told before a signature is tried. */
async function requirePinNotLocked(card: CardSigner): Promise<void> {
  if ((await card.pinTriesLeft("auth")) === 0) {
    throw new CardError("CARD_PIN_LOCKED", "the authentication PIN is locked", { triesLeft: 0 });
  }
}

/**
 * The wallet's signature must be the subject's (an EOA signature that recovers to it); a smart account's signature is
 * left to the operator's ERC-1271 check.
 */
async function requireConsent(provider: Provider, binding: SignedBinding, signature: string): Promise<void> {
  let recovered: string | undefined;
  try {
    recovered = recoverAddress(binding.digest, signature);
  } catch {
    recovered = undefined;
  }
  if (recovered === getAddress(binding.subject)) return;
  if ((await provider.getCode(binding.subject)) === "0x") {
    throw new BindingError("BINDING_WALLET_REFUSED", "the wallet's signature is not the subject's over this binding");
  }
}
