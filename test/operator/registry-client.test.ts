import { expect } from "chai";
import { Wallet, makeError } from "ethers";
import { network } from "hardhat";

import { ChainError } from "../../src/chain/chain-error.js";
import { RegistryClient, toChainError } from "../../src/chain/registry-client.js";
import { RevocationReason } from "../../src/chain/registry-abi.js";
import { PiiGuardError } from "../../src/privacy/pii-guard-error.js";
import { deployRegistryFixture } from "../helpers/registry-fixture.js";

async function expectChainError(promise: Promise<unknown>, code: string, revertName?: string): Promise<ChainError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ChainError);
    expect((error as ChainError).code).to.equal(code);
    if (revertName !== undefined) expect((error as ChainError).revertName).to.equal(revertName);
    expect((error as ChainError).message).not.to.include("\n");
    return error as ChainError;
  }
  expect.fail(`expected ${code}`);
}

describe("registry client", function () {
  it("refuses an address without code, and a contract that is not a registry", async function () {
    const { ethers } = await network.create();
    const [admin] = await ethers.getSigners();
    await expectChainError(
      RegistryClient.connect(admin!, Wallet.createRandom().address),
      "CHAIN_REGISTRY_NOT_DEPLOYED",
    );
    const f = await deployRegistryFixture(ethers);
    const token = await ethers.deployContract("KycGatedToken", ["T", "T", f.address, 1, admin!.address]);
    await expectChainError(RegistryClient.connect(admin!, await token.getAddress()), "CHAIN_REGISTRY_NOT_DEPLOYED");
  });

  it("reads, checks the network, and maps reverts to the registry's custom errors", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const client = await RegistryClient.connect(f.attester, f.address);
    expect(client.chainId).to.equal(31337n);
    expect(() => client.requireChain(11155111n, "the file"))
      .to.throw(ChainError)
      .with.property("code", "CHAIN_WRONG_NETWORK");
    expect((await client.kycStatus(f.alice.address)).statusName).to.equal("None");
    expect((await client.trustAnchors()).map((a) => a.kind)).to.deep.equal([0, 1]);
    const manager = client.withRunner(f.anchorManager);
    const duplicate = (await client.trustAnchor(1)).keyHash;
    const err = await expectChainError(
      manager.send("addTrustAnchor", [0, duplicate, 1n, 2n ** 40n], { pii: [] }),
      "CHAIN_REVERTED",
      "DuplicateTrustAnchor",
    );
    expect(err.message).to.match(/^addTrustAnchor reverted: DuplicateTrustAnchor\(0x[0-9a-f]{64}\)$/);
  });

  it("reports a missing role as CHAIN_MISSING_ROLE", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const client = await RegistryClient.connect(f.stranger, f.address);
    await expectChainError(client.send("recordCrlSync", [], { pii: [] }), "CHAIN_MISSING_ROLE", "NotAttester");
    await expectChainError(client.requireRole("ATTESTER_ROLE", f.stranger.address), "CHAIN_MISSING_ROLE");
    const admin = client.withRunner(f.stranger);
    await expectChainError(
      admin.send("grantRole", [await client.roleId("ATTESTER_ROLE"), f.stranger.address], { pii: [] }),
      "CHAIN_MISSING_ROLE",
      "AccessControlUnauthorizedAccount",
    );
  });

  it("reports an unfunded account as CHAIN_INSUFFICIENT_FUNDS before sending", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const poor = Wallet.createRandom().connect(ethers.provider);
    await f.registry.connect(f.admin).grantRole(await f.registry.ATTESTER_ROLE(), poor.address);
    const client = await RegistryClient.connect(poor, f.address);
    await expectChainError(client.send("recordCrlSync", [], { pii: [] }), "CHAIN_INSUFFICIENT_FUNDS");
    expect(await ethers.provider.getTransactionCount(poor.address)).to.equal(0);
  });

  it("runs the PII guard on every send and sends nothing when it refuses", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const client = await RegistryClient.connect(f.attester, f.address);
    const before = await ethers.provider.getTransactionCount(f.attester.address);
    // The subject address bytes stand in for "certificate data" here: the guard must refuse the calldata.
    const fakeCertificate = Uint8Array.from(Buffer.from(f.alice.address.slice(2), "hex"));
    let refused: unknown;
    try {
      await client.send("revokeBatch", [[f.alice.address], RevocationReason.CertificateInvalid], {
        pii: [{ label: "test certificate", tbs: fakeCertificate }],
      });
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(PiiGuardError);
    expect(await ethers.provider.getTransactionCount(f.attester.address)).to.equal(before);
    // And a clean call goes through, returning decoded events and gas.
    const outcome = await client.send("recordCrlSync", [], { pii: [] });
    expect(outcome.events.map((e) => e.name)).to.deep.equal(["CrlSynced"]);
    expect(outcome.gasUsed > 0n).to.equal(true);
  });
});

describe("chain error mapping", function () {
  it("maps timeouts, funds, node and revert errors to typed one-line errors", function () {
    const data = RegistryClient.iface.encodeErrorResult("DeadlineExpired", [5n]);
    const cases: Array<[unknown, string, string | undefined]> = [
      [makeError("wait timed out", "TIMEOUT", { operation: "wait", reason: "timeout" }), "CHAIN_DROPPED", undefined],
      [
        makeError("insufficient funds", "INSUFFICIENT_FUNDS", { transaction: {} }),
        "CHAIN_INSUFFICIENT_FUNDS",
        undefined,
      ],
      [new Error("Sender doesn't have enough funds to send tx.\nmore"), "CHAIN_INSUFFICIENT_FUNDS", undefined],
      [
        makeError("connect ECONNREFUSED 127.0.0.1:8545", "NETWORK_ERROR", { event: "x" }),
        "CHAIN_UNAVAILABLE",
        undefined,
      ],
      [{ message: "execution reverted", info: { error: { data } } }, "CHAIN_REVERTED", "DeadlineExpired"],
      [
        { message: "x", data: RegistryClient.iface.encodeErrorResult("NotAttester", [Wallet.createRandom().address]) },
        "CHAIN_MISSING_ROLE",
        "NotAttester",
      ],
      [{ message: "x", data: "0xdeadbeef00" }, "CHAIN_REVERTED", undefined],
    ];
    for (const [error, code, name] of cases) {
      const mapped = toChainError(error, "attest", "0xabc");
      expect(mapped.code, String((error as Error).message)).to.equal(code);
      expect(mapped.message).not.to.include("\n");
      if (name !== undefined) expect((mapped as ChainError).revertName).to.equal(name);
    }
  });
});
