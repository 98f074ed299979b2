import { expect } from "chai";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { hexlify, Wallet } from "ethers";
import hre from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { readProofRequest } from "../../src/binding/proof-request-file.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Claim } from "../../src/claims.js";
import bindAction from "../../tasks/actions/card/bind.js";
import { deployRegistryFixture, makeRequest, type RegistryFixture } from "../helpers/registry-fixture.js";
import { runAction } from "../helpers/run-action.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

/** One network connection for the whole file; the action is handed an hre whose `network.create()` returns it. */
const connection = await hre.network.create();
const onConnection = { network: { create: async () => connection } } as unknown as HardhatRuntimeEnvironment;

/** Runs the bind action as Hardhat would (options defaulted as the task declares them), capturing its output. */
function runBind(
  args: Record<string, unknown>,
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<{ exitCode: number | undefined; stderr: string; stdout: string }> {
  const defaults = {
    registry: undefined,
    subject: undefined,
    attester: undefined,
    disclose: "",
    card: "pkcs11",
    withSignCert: false,
    out: undefined,
    deadlineMinutes: 1440,
    pinEnv: undefined,
    signPasswordEnv: undefined,
  };
  return runAction(bindAction, { ...defaults, ...args } as never, runtime);
}

describe("kyc bind task action", function () {
  const out = () => join(mkdtempSync(join(tmpdir(), "bind-task-")), "request.json");
  const subject = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const attester = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
  let f: RegistryFixture;

  before(async function () {
    f = await deployRegistryFixture(connection.ethers);
  });

  it("reports a missing option as one line with exit code 2", async function () {
    const r = await runBind({ subject, attester, out: out() });
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.equal("Error [BINDING_BAD_ARGUMENT]: --registry is required\n");
  });

  it("--attester is required: a binding names its operator", async function () {
    const r = await runBind({ registry: f.address, subject, out: out() }, onConnection);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.equal("Error [BINDING_BAD_ARGUMENT]: --attester is required\n");
  });

  it("reports an unknown claim name", async function () {
    const r = await runBind({ registry: subject, subject, attester, out: out(), disclose: "age21" });
    expect(r.stderr).to.contain("CLAIMS_UNKNOWN_NAME");
  });

  it("reports a registry address without a contract and writes nothing", async function () {
    const path = out();
    process.env.BIND_TASK_TEST_PIN = "1234";
    const r = await runBind({
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      subject,
      attester,
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

  it("a subject the network has no key for: one line BINDING_WRONG_WALLET before any PIN is asked or card try spent", async function () {
    const stranger = Wallet.createRandom().address; // no account of this network
    const folder = writeHolderFolder();
    const path = out();
    process.env.BIND_TASK_TEST_PIN = "0000"; // a wrong PIN: asking the card with it would cost a try
    let r;
    try {
      r = await runBind(
        {
          registry: f.address, // a real v2 registry: nothing else stops the flow
          subject: stranger,
          attester: f.attester.address,
          out: path,
          card: `virtual:${folder}`,
          pinEnv: "BIND_TASK_TEST_PIN",
        },
        onConnection,
      );
    } finally {
      delete process.env.BIND_TASK_TEST_PIN;
    }
    expect(r.exitCode).to.equal(2);
    expect(r.stderr.split("\n")).to.have.length(2); // one line and its newline
    expect(r.stderr).to.match(
      new RegExp(`^Error \\[BINDING_WRONG_WALLET\\]: this network has no key for the subject ${stranger}, .+\\n$`),
    );
    expect(r.stderr).to.contain("the subject must sign the binding");
    expect(r.stdout).to.equal(""); // not even the card was opened
    expect(existsSync(path)).to.equal(false);
    const card = await openCardSigner(`virtual:${folder}`);
    try {
      expect(await card.pinTriesLeft("auth")).to.equal(3);
    } finally {
      await card.close();
    }
  });

  it("end to end: the network's account for --subject signs, the card signs, and the registry accepts the request", async function () {
    const path = out();
    process.env.BIND_TASK_TEST_PIN = syntheticHolder().authPin;
    let r;
    try {
      r = await runBind(
        {
          registry: f.address,
          subject: f.alice.address.toLowerCase(),
          attester: f.attester.address,
          disclose: "age18",
          out: path,
          card: `virtual:${writeHolderFolder()}`,
          pinEnv: "BIND_TASK_TEST_PIN",
          deadlineMinutes: 60,
        },
        onConnection,
      );
    } finally {
      delete process.env.BIND_TASK_TEST_PIN;
    }
    expect(r.stderr).to.equal("");
    expect(r.exitCode).to.equal(undefined);
    expect(r.stdout).to.contain(`Wallet ${f.alice.address}: sign the binding`);
    const request = readProofRequest(path);
    expect(request.binding.subject).to.equal(f.alice.address);
    expect(request.binding.attester).to.equal(f.attester.address);
    expect(request.binding.disclose).to.equal(Claim.AUTH | Claim.AGE_18);
    const req = await makeRequest(connection.ethers, f.alice.address, {
      disclose: request.binding.disclose,
      deadline: request.binding.deadline,
    });
    const jwk = createPublicKey(syntheticHolder().authKeyPem).export({ format: "jwk" });
    const modulus = hexlify(Buffer.from(jwk.n!, "base64url"));
    await (
      await f.registry
        .connect(f.attester)
        .attest(req, modulus, hexlify(request.authSignature), hexlify(request.subjectSignature))
    ).wait();
    expect(await f.registry.isVerified(f.alice.address)).to.equal(true);
  });
});
