// Development trusted setup of the anonymous-proof circuit: compile, powers of tau, phase 2, exports.
//
//   npm run zk:dev-setup            make (or reuse) the artifacts and refresh contracts/zk/AnonProofVerifier.sol
//   npm run zk:dev-setup -- --check  the same, but fail instead of rewriting a verifier that differs (CI)
//
// Every random choice is replaced by a public beacon, so the setup is deterministic: the same circuit sources give
// the same proving key and the same committed verifier on every machine. It is therefore NOT SECRET: anyone can
// rebuild tau and forge proofs. The generated verifier library says so (DEVELOPMENT = true), and every contract
// using it refuses to be deployed on a chain but 31337 (KycAnonGated, AnonVerifier).
// Artifacts are cached outside git in <cache>/<hash of the circuit sources> (see src/anon/artifacts.ts); the
// prepared powers of tau are shared between circuits in <cache>/ptau/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { powersOfTau, r1cs, zKey } from "snarkjs";

import {
  artifactsIn,
  circuitSourceHash,
  devArtifactsDir,
  MAIN_CIRCUIT,
  packageDir,
  REPO_ROOT,
  SETUP_FORMAT,
  zkCacheRoot,
} from "../../src/anon/artifacts.js";
import type { AnonArtifacts } from "../../src/anon/anon-artifacts-type.js";
import { releaseCurve } from "../../src/anon/curve.js";
import { checkVerificationKey } from "../../src/anon/verification-key.js";
import { verifierSource } from "./verifier-source.js";

/** Public beacon of the development powers of tau (any fixed value: the point is that it is public). */
export const DEV_PTAU_BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/** Public beacon of the development phase 2. */
export const DEV_ZKEY_BEACON = "6a706b692d6b796320646576207068617365203220284e4f5420534543524554292e2e2e2e2e2e2e2e";
/** 2^10 hash iterations per beacon: the beacon is public anyway, more iterations would only cost time. */
const BEACON_ITERATIONS_EXP = 10;
/** The generated verifier library (committed: it must match what this script produces). */
export const DEV_VERIFIER_SOL = join(REPO_ROOT, "contracts", "zk", "AnonProofVerifier.sol");
/** The verifier's file name inside an artifacts directory. */
const VERIFIER_FILE = "AnonProofVerifier.sol";

/** What `setup.json` in an artifacts directory records. */
export interface DevSetupRecord {
  readonly format: string;
  readonly sourceHash: string;
  readonly constraints: number;
  readonly publicInputs: number;
  readonly publicOutputs: number;
  readonly privateInputs: number;
  readonly ptauPower: number;
  readonly setupSeconds: number;
}

/** Outcome of {@link devSetup}. */
export interface DevSetupResult {
  readonly artifacts: AnonArtifacts;
  readonly record: DevSetupRecord;
  /** True when the artifacts were already in the cache. */
  readonly cached: boolean;
  /** Whether the committed Solidity verifier was already identical to the generated one. */
  readonly verifierUpToDate: boolean;
  readonly seconds: number;
}

type Log = (message: string) => void;

/** A snarkjs logger that keeps errors (several snarkjs calls report failure through the logger only). */
function snarkLogger(log: Log): { errors: string[]; logger: Record<string, (m: string) => void> } {
  const errors: string[] = [];
  const quiet = (): void => {};
  return {
    errors,
    logger: {
      error: (m) => errors.push(m),
      warn: (m) => log(`  snarkjs warning: ${m}`),
      info: quiet,
      debug: quiet,
    },
  };
}

async function checked<T>(step: string, log: Log, run: (logger: object) => Promise<T>): Promise<T> {
  const { errors, logger } = snarkLogger(log);
  const started = Date.now();
  const result = await run(logger);
  if (errors.length > 0) throw new Error(`${step} failed: ${errors.join("; ")}`);
  log(`  ${step}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Compiles circuits/anon.circom with circom2 (--O2) into `outDir` (anon.r1cs, anon.wasm). */
export function compileCircuit(outDir: string, log: Log): void {
  const cli = join(packageDir("circom2"), "cli.js");
  const started = Date.now();
  const nodeModules = join(REPO_ROOT, "node_modules");
  const args = [cli, MAIN_CIRCUIT, "--O2", "--r1cs", "--wasm", "-o", outDir];
  args.push("-l", nodeModules, "-l", join(nodeModules, "circomlib", "circuits"));
  const result = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`circom2 failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  renameSync(join(outDir, "anon_js", "anon.wasm"), join(outDir, "anon.wasm"));
  rmSync(join(outDir, "anon_js"), { recursive: true, force: true });
  log(`  circom2 --O2: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The smallest power of two that holds the circuit, as snarkjs computes it (constraints + public + 1). */
export function ptauPowerFor(info: { nConstraints: number; nPubInputs: number; nOutputs: number }): number {
  const domain = info.nConstraints + info.nPubInputs + info.nOutputs + 1;
  return Math.max(8, Math.ceil(Math.log2(domain)));
}

/** The prepared development powers of tau for 2^power constraints (cached, shared between circuits). */
async function devPtau(power: number, log: Log): Promise<string> {
  const dir = join(zkCacheRoot(), "ptau");
  const final = join(dir, `dev-bn128-${power}.ptau`);
  if (existsSync(final)) return final;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const { curves } = (await import("snarkjs")) as unknown as {
      curves: { getCurveFromName(name: string): Promise<unknown> };
    };
    const curve = await curves.getCurveFromName("bn128");
    await checked(`powersoftau new bn128 ${power}`, log, (l) =>
      powersOfTau.newAccumulator(curve, power, join(tmp, "0.ptau"), l),
    );
    await checked("powersoftau beacon", log, (l) =>
      powersOfTau.beacon(
        join(tmp, "0.ptau"),
        join(tmp, "1.ptau"),
        "jpki-kyc dev beacon (public, NOT SECRET)",
        DEV_PTAU_BEACON,
        BEACON_ITERATIONS_EXP,
        l,
      ),
    );
    await checked("powersoftau prepare phase2", log, (l) =>
      powersOfTau.preparePhase2(join(tmp, "1.ptau"), join(tmp, "final.ptau"), l),
    );
    renameSync(join(tmp, "final.ptau"), final);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return final;
}

async function build(dir: string, log: Log): Promise<{ record: DevSetupRecord; verifier: string }> {
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    compileCircuit(tmp, log);
    const a = artifactsIn(tmp);
    const info = (await r1cs.info(a.r1cs)) as unknown as {
      nConstraints: number;
      nPubInputs: number;
      nOutputs: number;
      nPrvInputs: number;
    };
    const power = ptauPowerFor(info);
    log(`  ${info.nConstraints} constraints → powers of tau 2^${power}`);
    const ptau = await devPtau(power, log);
    const zkey0 = join(tmp, "anon_0000.zkey");
    await checked("groth16 setup", log, (l) => zKey.newZKey(a.r1cs, ptau, zkey0, l));
    await checked("zkey beacon", log, (l) =>
      zKey.beacon(
        zkey0,
        a.zkey,
        "jpki-kyc dev phase 2 (public, NOT SECRET)",
        DEV_ZKEY_BEACON,
        BEACON_ITERATIONS_EXP,
        l,
      ),
    );
    rmSync(zkey0);
    const vkey = await checked("zkey export verificationkey", log, (l) => zKey.exportVerificationKey(a.zkey, l));
    writeFileSync(a.verificationKey, `${JSON.stringify(vkey, null, 2)}\n`);
    const verifier = verifierSource(checkVerificationKey(vkey), {
      development: true,
      source: "the DEVELOPMENT key (npm run zk:dev-setup)",
    });
    writeFileSync(join(tmp, VERIFIER_FILE), verifier);
    const record: DevSetupRecord = {
      format: SETUP_FORMAT,
      sourceHash: circuitSourceHash(),
      constraints: info.nConstraints,
      publicInputs: info.nPubInputs,
      publicOutputs: info.nOutputs,
      privateInputs: info.nPrvInputs,
      ptauPower: power,
      setupSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    writeFileSync(join(tmp, "setup.json"), `${JSON.stringify(record, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { record, verifier };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Makes (or reuses) the development artifacts of the current circuit sources; never touches the repository. */
export async function ensureDevArtifacts(
  log: Log = (m) => console.error(m),
): Promise<{ artifacts: AnonArtifacts; record: DevSetupRecord; verifier: string; cached: boolean }> {
  const dir = devArtifactsDir();
  if (existsSync(join(dir, "setup.json"))) {
    const record = JSON.parse(readFileSync(join(dir, "setup.json"), "utf8")) as DevSetupRecord;
    const verifier = readFileSync(join(dir, VERIFIER_FILE), "utf8");
    return { artifacts: artifactsIn(dir), record, verifier, cached: true };
  }
  log(`zk dev setup: building ${dir}`);
  const { record, verifier } = await build(dir, log);
  return { artifacts: artifactsIn(dir), record, verifier, cached: false };
}

/** The committed development verifier's source, or undefined when the file is missing. */
export function committedDevVerifier(): string | undefined {
  return existsSync(DEV_VERIFIER_SOL) ? readFileSync(DEV_VERIFIER_SOL, "utf8") : undefined;
}

/**
 * Makes (or reuses) the development artifacts of the current circuit sources and compares the committed Solidity
 * verifier with the generated one; writes it unless `check` is set.
 */
export async function devSetup(options: { check?: boolean; log?: Log } = {}): Promise<DevSetupResult> {
  const log = options.log ?? ((m: string) => console.error(m));
  const started = Date.now();
  const { artifacts, record, verifier, cached } = await ensureDevArtifacts(log);
  const verifierUpToDate = committedDevVerifier() === verifier;
  if (!verifierUpToDate) {
    if (options.check === true) {
      throw new Error(
        `${relative(REPO_ROOT, DEV_VERIFIER_SOL)} differs from the verifier of the current circuit: ` +
          "run `npm run zk:dev-setup` and commit it",
      );
    }
    mkdirSync(join(DEV_VERIFIER_SOL, ".."), { recursive: true });
    writeFileSync(DEV_VERIFIER_SOL, verifier);
    log(`zk dev setup: wrote ${relative(REPO_ROOT, DEV_VERIFIER_SOL)} (commit it)`);
  }
  return { artifacts, record, cached, verifierUpToDate, seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const result = await devSetup({ check: process.argv.includes("--check") });
    const zkeyMb = statSync(result.artifacts.zkey).size / 2 ** 20;
    console.log(
      `zk dev setup ${result.cached ? "(cached)" : "(built)"} in ${result.seconds.toFixed(1)} s: ` +
        `${result.record.constraints} constraints, ptau 2^${result.record.ptauPower}, zkey ${zkeyMb.toFixed(1)} MiB, ` +
        `artifacts in ${result.artifacts.dir}`,
    );
  } catch (error) {
    console.error(`zk dev setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await releaseCurve();
  }
}
