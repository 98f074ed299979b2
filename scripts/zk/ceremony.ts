// Production trusted setup of the anonymous-proof circuit (phase 2 on a public Perpetual Powers of Tau file).
// The procedure, who runs what and what to publish: scripts/zk/ceremony.md. Every step is also a plain snarkjs
// command (named below), so participants can check this script or do without it.
//
//   npm run zk:ceremony -- init       --ptau <prepared.ptau> --dir <dir>
//   npm run zk:ceremony -- contribute --in <n.zkey> --out <n+1.zkey> --name "<who>"
//   npm run zk:ceremony -- verify     --ptau <prepared.ptau> --dir <dir> --zkey <n.zkey>
//   npm run zk:ceremony -- beacon     --in <n.zkey> --out <final.zkey> --hash <hex> [--iterations 10]
//   npm run zk:ceremony -- export     --ptau <prepared.ptau> --dir <dir> --zkey <final.zkey> [--verifier <file.sol>]
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

import { r1cs, zKey } from "snarkjs";

import { artifactsIn, circuitSourceHash, REPO_ROOT } from "../../src/anon/artifacts.js";
import { releaseCurve } from "../../src/anon/curve.js";
import { checkVerificationKey } from "../../src/anon/verification-key.js";
import { compileCircuit, ptauPowerFor } from "./dev-setup.js";
import { verifierSource } from "./verifier-source.js";

/**
 * The verifier library written by `export` unless `--verifier` says otherwise: the same file the development setup
 * writes, now with the production key (contracts compiled after this use it; commit it with the deployment).
 */
export const VERIFIER_SOL = join(REPO_ROOT, "contracts", "zk", "AnonProofVerifier.sol");

type Logger = Record<"error" | "warn" | "info" | "debug", (message: string) => void>;

function logger(verbose: boolean): { errors: string[]; logger: Logger } {
  const errors: string[] = [];
  return {
    errors,
    logger: {
      error: (m) => errors.push(m),
      warn: (m) => console.error(`warning: ${m}`),
      info: (m) => (verbose ? console.error(m) : undefined),
      debug: () => {},
    },
  };
}

async function step<T>(name: string, verbose: boolean, run: (l: Logger) => Promise<T>): Promise<T> {
  const { errors, logger: l } = logger(verbose);
  const result = await run(l);
  if (errors.length > 0) throw new Error(`${name} failed: ${errors.join("; ")}`);
  return result;
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new Error(`missing --${flag}`);
  return resolve(value);
}

/** `init`: compiles the circuit into <dir> and makes the initial phase-2 key <dir>/anon_0000.zkey. */
async function init(ptau: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  compileCircuit(dir, (m) => console.error(m)); // circom2 circuits/anon.circom --O2 --r1cs --wasm -o <dir>
  const a = artifactsIn(dir);
  const info = (await r1cs.info(a.r1cs)) as unknown as { nConstraints: number; nPubInputs: number; nOutputs: number };
  console.error(`${info.nConstraints} constraints: the powers of tau file needs power >= ${ptauPowerFor(info)}`);
  // snarkjs groth16 setup <dir>/anon.r1cs <ptau> <dir>/anon_0000.zkey
  await step("groth16 setup", true, (l) => zKey.newZKey(a.r1cs, ptau, join(dir, "anon_0000.zkey"), l));
  writeFileSync(
    join(dir, "ceremony.json"),
    `${JSON.stringify({ circuitSourceHash: circuitSourceHash(), ptau, constraints: info.nConstraints }, null, 2)}\n`,
  );
  console.log(`initial key: ${join(dir, "anon_0000.zkey")} (send it to the first contributor)`);
}

/** `contribute`: one participant's phase-2 contribution, with entropy from the OS (plus `--entropy`, optional). */
async function contribute(input: string, output: string, name: string, extra: string): Promise<void> {
  const entropy = randomBytes(64).toString("hex") + extra;
  // snarkjs zkey contribute <in> <out> --name=<name> -e=<entropy>
  const hash = await step("zkey contribute", false, (l) => zKey.contribute(input, output, name, entropy, l));
  console.log(`contribution by "${name}" written to ${output}`);
  console.log(`contribution hash (publish it): ${Buffer.from(hash as Uint8Array).toString("hex")}`);
}

/** `verify`: checks a key against the circuit and the powers of tau; lists every contribution. */
async function verify(ptau: string, dir: string, zkey: string): Promise<void> {
  // snarkjs zkey verify <dir>/anon.r1cs <ptau> <zkey>
  const ok = await step("zkey verify", true, (l) => zKey.verifyFromR1cs(artifactsIn(dir).r1cs, ptau, zkey, l));
  if (ok !== true) throw new Error(`${zkey} does NOT verify against the circuit and ${ptau}`);
  console.log(`${zkey} verifies against the circuit and the powers of tau`);
}

/** `beacon`: the final contribution from a public random value fixed in advance (e.g. a future block hash). */
async function beacon(input: string, output: string, hash: string, iterations: number): Promise<void> {
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new Error("--hash must be 32 bytes of hex (no 0x)");
  // snarkjs zkey beacon <in> <out> <hash> <iterations> --name="final beacon"
  await step("zkey beacon", false, (l) => zKey.beacon(input, output, "final beacon", hash, iterations, l));
  console.log(`final key: ${output}`);
}

/** `export`: verifies the final key, then writes the verification key, the Solidity verifier and the artifacts. */
async function exportKey(ptau: string, dir: string, zkey: string, verifierSol: string): Promise<void> {
  await verify(ptau, dir, zkey);
  const a = artifactsIn(dir);
  if (resolve(zkey) !== a.zkey) copyFileSync(zkey, a.zkey);
  // snarkjs zkey export verificationkey <zkey> <dir>/verification_key.json
  const vkey = await step("export verificationkey", false, (l) => zKey.exportVerificationKey(a.zkey, l));
  writeFileSync(a.verificationKey, `${JSON.stringify(vkey, null, 2)}\n`);
  // the verifier library (our template, the key as constants, DEVELOPMENT = false)
  const source = verifierSource(checkVerificationKey(vkey), {
    development: false,
    source: `the ceremony's final key (circuit sources ${circuitSourceHash()}, scripts/zk/ceremony.ts export)`,
  });
  const tmp = `${verifierSol}.tmp`;
  writeFileSync(tmp, source);
  renameSync(tmp, verifierSol);
  writeFileSync(join(dir, "setup.json"), `${JSON.stringify({ format: "jpki-kyc/anon-ceremony@1" }, null, 2)}\n`);
  console.log(`verification key: ${a.verificationKey}\nverifier: ${verifierSol}\nproving artifacts: ${dir}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      ptau: { type: "string" },
      dir: { type: "string" },
      zkey: { type: "string" },
      in: { type: "string" },
      out: { type: "string" },
      name: { type: "string" },
      entropy: { type: "string", default: "" },
      hash: { type: "string" },
      iterations: { type: "string", default: "10" },
      verifier: { type: "string" },
    },
  });
  switch (command) {
    case "init":
      return init(need(values.ptau, "ptau"), need(values.dir, "dir"));
    case "contribute":
      return contribute(need(values.in, "in"), need(values.out, "out"), values.name ?? "anonymous", values.entropy);
    case "verify":
      return verify(need(values.ptau, "ptau"), need(values.dir, "dir"), need(values.zkey, "zkey"));
    case "beacon":
      return beacon(need(values.in, "in"), need(values.out, "out"), values.hash ?? "", Number(values.iterations));
    case "export":
      return exportKey(
        need(values.ptau, "ptau"),
        need(values.dir, "dir"),
        need(values.zkey, "zkey"),
        values.verifier === undefined ? VERIFIER_SOL : resolve(values.verifier),
      );
    default:
      throw new Error("usage: ceremony.ts init|contribute|verify|beacon|export … (see scripts/zk/ceremony.md)");
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    console.error(`zk ceremony: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await releaseCurve();
  }
}
