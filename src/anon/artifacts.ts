import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import type { AnonArtifacts } from "./anon-artifacts-type.js";
import { AnonError } from "./anon-error.js";

/** The repository root (this file lives in `src/anon/`). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The circuit sources: every `.circom` file under this directory takes part in the cache key. */
export const CIRCUITS_DIR = join(REPO_ROOT, "circuits");
/** The main circuit file. */
export const MAIN_CIRCUIT = join(CIRCUITS_DIR, "anon.circom");
/** Bumped whenever the setup procedure itself changes (beacons, file layout), so old caches are not reused. */
export const SETUP_FORMAT = "jpki-kyc/anon-dev-setup@2";

function circomFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...circomFiles(path));
    else if (entry.name.endsWith(".circom")) out.push(path);
  }
  return out.sort();
}

/** The installed directory of a package (found from its entry point: snarkjs does not export package.json). */
export function packageDir(name: string): string {
  const require = createRequire(join(REPO_ROOT, "package.json"));
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = parent;
  }
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The cache key of the development artifacts: a SHA-256 over the circuit sources, the versions of the compiler,
 * circomlib and snarkjs, and the setup format. Any change gives a new directory; old ones can be deleted.
 */
export function circuitSourceHash(): string {
  const hash = createHash("sha256").update(SETUP_FORMAT);
  for (const name of ["circom2", "circomlib", "snarkjs"]) hash.update(`\0${name}@${packageVersion(name)}`);
  for (const file of circomFiles(CIRCUITS_DIR)) {
    hash.update(`\0${relative(CIRCUITS_DIR, file)}\0`).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

/** The root of the cache: `$JPKI_KYC_ZK_CACHE`, else `$XDG_CACHE_HOME/jpki-kyc/zk`, else `~/.cache/jpki-kyc/zk`. */
export function zkCacheRoot(): string {
  const explicit = process.env.JPKI_KYC_ZK_CACHE;
  if (explicit !== undefined && explicit !== "") return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "jpki-kyc", "zk");
}

/** Where the development artifacts of the current circuit sources live (whether or not they exist yet). */
export function devArtifactsDir(): string {
  return join(zkCacheRoot(), circuitSourceHash());
}

/** The artifact paths inside a directory made by the dev setup or the ceremony's export step. */
export function artifactsIn(dir: string): AnonArtifacts {
  return {
    dir,
    wasm: join(dir, "anon.wasm"),
    zkey: join(dir, "anon.zkey"),
    r1cs: join(dir, "anon.r1cs"),
    verificationKey: join(dir, "verification_key.json"),
  };
}

/**
 * The development artifacts of the current circuit sources.
 * @throws AnonError `ANON_ARTIFACTS_MISSING` when `npm run zk:dev-setup` has not been run for these sources.
 */
export function devArtifacts(): AnonArtifacts {
  const artifacts = artifactsIn(devArtifactsDir());
  if (!existsSync(join(artifacts.dir, "setup.json"))) {
    throw new AnonError(
      "ANON_ARTIFACTS_MISSING",
      `no development artifacts for the current circuit sources in ${artifacts.dir}: run \`npm run zk:dev-setup\``,
    );
  }
  return artifacts;
}
