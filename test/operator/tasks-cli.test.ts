import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

/** Runs `npx hardhat <args>` in the project root; resolves with the exit code and output. */
function hardhat(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["hardhat", ...args], { cwd: process.cwd(), env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** stderr without npm's and Node's own warnings. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !/npm warn|ExperimentalWarning|trace-warnings/.test(l));
}

describe("kyc operator tasks from the command line (spawned; a few only, they are slow)", function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "kyc-cli-"));
    writeFileSync(join(dir, "garbage.json"), "definitely { not json");
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("bad input ends with one error line and a non-zero exit, for several tasks at once", async function () {
    const cases: Array<[string[], RegExp]> = [
      [["kyc", "status", "0xnot-an-address"], /^Error \[OPERATOR_BAD_INPUT\]: --address/],
      [
        ["kyc", "attest", "--request", join(dir, "missing.json"), "--crl", dir, "--ca-dir", dir],
        /^Error \[BINDING_IO\]/,
      ],
      [["kyc", "relay", "--in", join(dir, "garbage.json")], /^Error \[OPERATOR_RELAY\]: relay file: not valid JSON/],
      [["kyc", "crl-sync", "--ca-dir", dir], /^Error \[OPERATOR_BAD_INPUT\]: --crl <dir> is required/],
      [
        ["kyc", "revoke", "--subject", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
        /^Error \[CHAIN_REGISTRY_NOT_DEPLOYED\].*--network localhost/,
      ],
      [
        ["kyc", "records", "verify", "--in", join(dir, "garbage.json")],
        /^Error \[OPERATOR_RECORDS_FILE\]: records file: not valid JSON/,
      ],
      [["kyc", "records", "export", "--all"], /^Error \[OPERATOR_BAD_INPUT\]: --out <file> is required/],
    ];
    const results = await Promise.all(cases.map(([args]) => hardhat(args)));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      const lines = errorLines(r.stderr);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.not.equal(0);
      expect(lines, `${args.join(" ")}: ${r.stderr}`).to.have.length(1);
      expect(lines[0]).to.match(pattern);
      // a user error exits 2 (a records mismatch exits 1, an incomplete crl-sync 5)
      if (args[1] === "records") expect(r.code, args.join(" ")).to.equal(2);
    });
  });
});
