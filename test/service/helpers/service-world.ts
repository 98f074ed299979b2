/**
 * Test world of the operator service: the shared dev-pki world (virtual cards), an in-process chain with a v2
 * registry and the world's CAs as trust anchors, an operator store in a temporary folder, and the service on a free
 * loopback port with its log lines captured.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";
import { network } from "hardhat";

import { proofRequestToJson, type ProofRequestJson } from "../../../src/binding/proof-request.js";
import { RegistryClient } from "../../../src/chain/registry-client.js";
import { caAddCommand } from "../../../src/operator/commands/admin.js";
import type { OperatorContext } from "../../../src/operator/commands/context.js";
import { DEV_OPERATOR_SECRET } from "../../../src/operator/derive.js";
import { OperatorStore } from "../../../src/operator/store/operator-store.js";
import { commandActions } from "../../../src/service/command-actions.js";
import { createOperatorService, type OperatorService } from "../../../src/service/operator-service.js";
import type { OperatorServiceOptions } from "../../../src/service/service-options.js";
import { deployRegistryFixture, type RegistryFixture } from "../../helpers/registry-fixture.js";
import { devWorld, makeProofRequest, type DevWorld } from "../../operator/helpers/dev-world.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

/** Collects every log line the service writes. */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.lines.push(
      ...chunk
        .toString("utf8")
        .split("\n")
        .filter((l) => l !== ""),
    );
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

export interface ServiceWorld {
  readonly w: DevWorld;
  readonly ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  readonly networkHelpers: Awaited<ReturnType<typeof network.create>>["networkHelpers"];
  readonly f: RegistryFixture;
  readonly tmp: string;
  readonly store: OperatorStore;
  readonly client: RegistryClient;
  readonly ctx: (signer?: Signer) => OperatorContext;
  readonly paths: { caDir: string; crl: string; storePath: string };
  /** A proof request (JSON body) of a world holder, signed by `wallet` (default: a fresh random wallet). */
  proof(
    scenario: string,
    wallet: Signer,
    disclose: number,
    withSign: boolean,
    attester?: string,
  ): Promise<ProofRequestJson>;
  /** Starts a service on this world (options override the defaults) and returns it with its base URL and logs. */
  start(options?: Partial<OperatorServiceOptions>): Promise<{ service: OperatorService; url: string; logs: LogSink }>;
  close(): Promise<void>;
}

/** Builds the world (the dev-pki world is shared by the process; the chain and store are new). */
export async function serviceWorld(): Promise<ServiceWorld> {
  const w = await devWorld();
  const { ethers, networkHelpers } = await network.create();
  const f = await deployRegistryFixture(ethers);
  const tmp = mkdtempSync(join(tmpdir(), "kyc-service-"));
  const ctx = (signer: Signer = f.attester): OperatorContext => ({
    provider: ethers.provider,
    signer,
    projectRoot: tmp,
  });
  for (const file of readdirSync(join(w.dir, "ca")).filter((n) => n.endsWith(".der"))) {
    await caAddCommand(ctx(f.anchorManager), { file: join(w.dir, "ca", file), synthetic: true, registry: f.address });
  }
  const storePath = join(tmp, "operator.sqlite");
  const store = OperatorStore.open(storePath);
  const client = await RegistryClient.connect(f.attester, f.address);
  const paths = { caDir: join(w.dir, "ca"), crl: join(w.dir, "crl"), storePath };
  const services: OperatorService[] = [];
  let n = 0;
  return {
    w,
    ethers,
    networkHelpers,
    f,
    tmp,
    store,
    client,
    ctx,
    paths,
    async proof(scenario, wallet, disclose, withSign, attester = f.attester.address) {
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const request = await makeProofRequest(w, ethers.provider, {
        holder: w.holder(scenario),
        registry: f.address,
        wallet,
        attester,
        disclose,
        deadline: now + 3600n,
        withSign,
        out: join(tmp, `proof-${n++}.json`),
      });
      return proofRequestToJson(request);
    },
    async start(options = {}) {
      const logs = new LogSink();
      const service = await createOperatorService({
        client,
        store,
        secret: DEV_OPERATOR_SECRET,
        caDir: paths.caDir,
        crl: paths.crl,
        actions: commandActions(ctx(), { registry: f.address, storePath, crl: paths.crl, caDir: paths.caDir }),
        adminToken: ADMIN_TOKEN,
        logStream: logs,
        rateLimitPerMinute: 10_000,
        crlSyncIntervalMs: 0,
        defaultMetrics: false,
        ...options,
      });
      services.push(service);
      const url = await service.listen("127.0.0.1", 0);
      return { service, url, logs };
    },
    async close() {
      for (const s of services) await s.close();
      store.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The node's signer at index `i` (the fixture uses 0..9; 10.. are free subjects). */
export async function spareSigner(ethers: ServiceWorld["ethers"], i: number): Promise<HardhatEthersSigner> {
  const signers = await ethers.getSigners();
  const s = signers[i];
  if (s === undefined) throw new Error(`no signer ${i}`);
  return s;
}

/** POSTs JSON (or raw text) and returns status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as any, text };
}
