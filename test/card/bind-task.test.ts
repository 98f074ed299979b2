import { expect } from "chai";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import hre from "hardhat";

import bindAction from "../../tasks/actions/card/bind.js";
import { writeHolderFolder } from "./helpers/synthetic-holder.js";

/** Runs the task action as Hardhat would, capturing stderr and the exit code it sets. */
async function runBind(args: Record<string, unknown>): Promise<{ exitCode: number | undefined; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const saved = process.exitCode;
  let stderr = "";
  process.exitCode = undefined;
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  try {
    await bindAction(
      {
        registry: undefined,
        subject: undefined,
        disclose: "",
        card: "pkcs11",
        withSignCert: false,
        out: undefined,
        deadlineMinutes: 1440,
        pinEnv: undefined,
        signPasswordEnv: undefined,
        ...args,
      } as never,
      hre,
    );
    return { exitCode: process.exitCode as number | undefined, stderr };
  } finally {
    (process.stderr as { write: unknown }).write = write;
    process.exitCode = saved;
  }
}

describe("kyc bind task action", function () {
  const out = () => join(mkdtempSync(join(tmpdir(), "bind-task-")), "request.json");
  const subject = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

  it("reports a missing option as one line with exit code 2", async function () {
    const r = await runBind({ subject, out: out() });
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.equal("Error [BINDING_BAD_ARGUMENT]: --registry is required\n");
  });

  it("reports an unknown claim name", async function () {
    const r = await runBind({ registry: subject, subject, out: out(), disclose: "age21" });
    expect(r.stderr).to.contain("CLAIMS_UNKNOWN_NAME");
  });

  it("reports a registry address without a contract and writes nothing", async function () {
    const path = out();
    process.env.BIND_TASK_TEST_PIN = "1234";
    const r = await runBind({
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      subject,
      out: path,
      card: `virtual:${writeHolderFolder()}`,
      pinEnv: "BIND_TASK_TEST_PIN",
    });
    delete process.env.BIND_TASK_TEST_PIN;
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.match(
      /^Error \[BINDING_NO_REGISTRY\]: no contract at 0x5FbDB2315678afecb367f032d93F642f64180aa3/,
    );
    expect(existsSync(path)).to.equal(false);
  });
});
