/**
 * Test helpers for the operator: a synthetic dev-pki world generated once per process, proof requests made with
 * its virtual cards, and CRL re-issuing (a "new CRL" that lists more serials, signed by the world's CA key).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createPrivateKey } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Provider, Signer } from "ethers";
import { network } from "hardhat";

import { createProofRequest } from "../../../src/binding/create-proof-request.js";
import type { ProofRequest } from "../../../src/binding/proof-request.js";
import { writeProofRequest } from "../../../src/binding/proof-request-file.js";
import { readBindingFromRegistry } from "../../../src/binding/registry-binding.js";
import { signBindingWithWallet } from "../../../src/binding/wallet-consent.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { caAddCommand } from "../../../src/operator/commands/admin.js";
import type { OperatorContext } from "../../../src/operator/commands/context.js";
import { generateDevPki } from "../../../src/pki/dev-pki/generate.js";
import type { DevPkiHolder, DevPkiManifest } from "../../../src/pki/dev-pki/manifest.js";
import { issueCrlDer } from "../../../src/pki/dev-pki/profile.js";
import { CA_NAMES, crlDpName } from "../../../src/pki/dev-pki/world.js";
import { deployRegistryFixture } from "../../helpers/registry-fixture.js";

export interface DevWorld {
  readonly dir: string;
  readonly manifest: DevPkiManifest;
  holder(scenario: string): DevPkiHolder;
}

let world: Promise<DevWorld> | undefined;

/** The process-wide synthetic world (10 holders; generated once, ~5 s). */
export function devWorld(): Promise<DevWorld> {
  world ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "kyc-devpki-"));
    const manifest = await generateDevPki({ out: dir, holders: 10 });
    return {
      dir,
      manifest,
      holder(scenario: string): DevPkiHolder {
        const h = manifest.holders.find((x) => x.scenario === scenario);
        if (h === undefined) throw new Error(`no holder for scenario ${scenario}`);
        return h;
      },
    };
  })();
  return world;
}

/**
 * Has `wallet` (the subject) sign its consent and `holder`'s virtual card bind it to `attester`, and writes the proof
 * request to `out`.
 */
export async function makeProofRequest(
  w: DevWorld,
  provider: Provider,
  o: {
    holder: DevPkiHolder;
    registry: string;
    /** The subject's wallet: signs the binding (its address is the subject). */
    wallet: Signer;
    attester: string;
    disclose: number;
    deadline: bigint;
    withSign: boolean;
    out: string;
    /** the anonymous-proof opt-in (default: none) */
    anonCommitment?: string;
  },
): Promise<ProofRequest> {
  const binding = await readBindingFromRegistry(provider, {
    registry: o.registry,
    subject: await o.wallet.getAddress(),
    attester: o.attester,
    disclose: o.disclose,
    deadline: o.deadline,
    ...(o.anonCommitment !== undefined ? { anonCommitment: o.anonCommitment } : {}),
  });
  const subjectSignature = await signBindingWithWallet(o.wallet, binding);
  const card = await openCardSigner(`virtual:${join(w.dir, "holders", o.holder.id)}`);
  const pins = JSON.parse(readFileSync(join(w.dir, o.holder.card), "utf8")) as {
    authPin: string;
    signPassword: string;
  };
  try {
    const request = await createProofRequest({
      card,
      binding,
      subjectSignature,
      pin: pins.authPin,
      ...(o.withSign ? { signPassword: pins.signPassword } : {}),
    });
    writeProofRequest(o.out, request);
    return request;
  } finally {
    await card.close();
  }
}

/**
 * Copies the world's current CRL folder to a new folder and re-issues one partition's CRL of the newest CA
 * generation of `kind` with `serials` added (a new CRL from J-LIS after a revocation), issued a minute before `now`.
 * Pass the chain's time as `now` (crl-sync checks freshness at the latest block's timestamp): an in-process chain
 * starts at the test process's start time, so it lags the wall clock by as long as the test run has lasted.
 */
export function crlsWithRevoked(
  w: DevWorld,
  kind: "auth" | "sign",
  partition: string,
  serialsHex: string[],
  now: Date,
): string {
  const out = mkdtempSync(join(tmpdir(), "kyc-crl-"));
  cpSync(join(w.dir, "crl"), out, { recursive: true });
  const ca = [...w.manifest.cas].filter((c) => c.kind === kind).sort((a, b) => b.generation - a.generation)[0]!;
  const current = w.manifest.crls.find((c) => !c.stale && c.caId === ca.id && c.partition === partition)!;
  const p = w.manifest.partitions.find((x) => x.partition === partition)!;
  const entries = [
    ...current.entries.map((e) => ({
      serial: Buffer.from(e.serialHex, "hex"),
      revokedAt: new Date(e.revokedAt),
      reasonCode: 0,
    })),
    ...serialsHex.map((s) => ({
      serial: Buffer.from(s.length % 2 ? `0${s}` : s, "hex"),
      revokedAt: new Date(now.getTime() - 60_000),
      reasonCode: 1,
    })),
  ];
  const der = issueCrlDer(
    {
      issuer: CA_NAMES[kind],
      thisUpdate: new Date(now.getTime() - 600_000), // ten minutes back: the in-process chain clock may lag under load
      nextUpdate: new Date(now.getTime() + 2 * 86_400_000),
      entries,
      authorityKeyId: Buffer.from(ca.subjectKeyId, "hex"),
      crlNumber: current.crlNumber + 1,
      distributionPoint: crlDpName(kind, p.prefecture, p.city),
    },
    createPrivateKey(readFileSync(join(w.dir, ca.key))),
  );
  const rel = current.path.replace(/^crl\//, "");
  writeFileSync(join(out, rel), der);
  return out;
}

/**
 * A fresh in-process chain with a registry (test/helpers/registry-fixture.ts) that has every CA of the world as a
 * trust anchor; `ctx(signer)` builds an operator context writing under `projectRoot`; `base` holds the `kyc attest`
 * options for the world's CA and CRL folders.
 */
export async function operatorWorld(w: DevWorld, projectRoot: string) {
  const { ethers, networkHelpers } = await network.create();
  const f = await deployRegistryFixture(ethers);
  const ctx = (signer: Signer = f.attester): OperatorContext => ({ provider: ethers.provider, signer, projectRoot });
  for (const file of readdirSync(join(w.dir, "ca")).filter((n) => n.endsWith(".der"))) {
    await caAddCommand(ctx(f.anchorManager), { file: join(w.dir, "ca", file), synthetic: true, registry: f.address });
  }
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const base = { crl: join(w.dir, "crl"), caDir: join(w.dir, "ca"), registry: f.address };
  return { ethers, networkHelpers, f, ctx, now, base };
}

/**
 * Registers the mocha hooks the end-to-end operator suites share: the process-wide world once (`onWorld`), and a fresh
 * temporary project folder per test (`onTmp`, named with `prefix`), removed after it.
 */
export function useDevWorld(prefix: string, onWorld: (w: DevWorld) => void, onTmp: (dir: string) => void): void {
  let dir: string | undefined;
  before(async function () {
    onWorld(await devWorld());
  });
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), prefix));
    onTmp(dir);
  });
  afterEach(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
}
