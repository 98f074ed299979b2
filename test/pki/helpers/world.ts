import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parseCertificate, type JpkiCertificate } from "../../../src/pki/certificate.js";
import { generateDevPki } from "../../../src/pki/dev-pki/generate.js";
import type { DevPkiHolder, DevPkiManifest } from "../../../src/pki/dev-pki/manifest.js";

/** The reference instant of the test world (fixed, so results do not depend on the day the tests run). */
export const NOW = new Date("2026-06-15T00:00:00Z");

export interface TestWorld {
  dir: string;
  manifest: DevPkiManifest;
  holder(scenario: string): DevPkiHolder;
  read(rel: string): Uint8Array;
  cert(rel: string): JpkiCertificate;
  ca(id: string): JpkiCertificate;
}

let cached: Promise<TestWorld> | undefined;

/** A dev-pki world in a temp folder, generated once per process (seed 11, 10 holders, fixed NOW). */
export function testWorld(): Promise<TestWorld> {
  cached ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "pki-test-"));
    const manifest = await generateDevPki({ out: dir, seed: 11, holders: 10, now: NOW });
    const read = (rel: string) => new Uint8Array(readFileSync(join(dir, rel)));
    return {
      dir,
      manifest,
      read,
      holder(scenario) {
        const h = manifest.holders.find((x) => x.scenario === scenario);
        if (!h) throw new Error(`no holder ${scenario}`);
        return h;
      },
      cert: (rel) => parseCertificate(read(rel)),
      ca: (id) => parseCertificate(read(`ca/${id}.der`)),
    };
  })();
  return cached;
}

/** Folder of the real J-LIS CA certificates (outside the repo), relative to the project root. */
export const REAL_CA_DIR = join(process.cwd(), "..", "shared", "jpki", "ca");
