import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { KycError } from "../../src/errors.js";
import { caAddCommand, caListCommand } from "../../src/operator/commands/admin.js";
import { ProgressBar } from "../../src/operator/progress-bar.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { deployRegistryFixture } from "../helpers/registry-fixture.js";

const JLIS_DIR = resolve("..", "shared", "jpki", "ca");

describe("kyc ca add with the pinned J-LIS CAs", function () {
  let tmp: string;
  before(function () {
    if (!existsSync(JLIS_DIR)) {
      console.log(`    (skipped: the real J-LIS CA certificates are not at ${JLIS_DIR})`);
      this.skip();
    }
    tmp = mkdtempSync(join(tmpdir(), "kyc-ca-"));
  });
  after(function () {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it("adds every real J-LIS CA generation without --synthetic, with the right kind and SPKI hash", async function () {
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const ctx = { provider: ethers.provider, signer: f.anchorManager, projectRoot: tmp };
    const files = readdirSync(JLIS_DIR)
      .filter((n) => n.endsWith(".der"))
      .sort();
    expect(files.length).to.equal(6);
    for (const file of files) {
      const r = await caAddCommand(ctx, { file: join(JLIS_DIR, file), registry: f.address });
      expect(r.kind).to.equal(file.startsWith("auth") ? "auth" : "sign");
      expect(r.keyHash).to.equal(`0x${parseCertificate(readFileSync(join(JLIS_DIR, file))).spkiSha256}`);
      expect((await f.registry.trustAnchor(r.caId)).keyHash).to.equal(r.keyHash);
    }
    const anchors = await caListCommand(ctx, { registry: f.address });
    expect(anchors.slice(2).map((a) => a.kind)).to.deep.equal(
      files.map((n) => (n.startsWith("auth") ? "authentication" : "signing")),
    );
    // Adding one again: the registry rejects the duplicate key hash, in one line.
    try {
      await caAddCommand(ctx, { file: join(JLIS_DIR, files[0]!), registry: f.address });
      expect.fail("a duplicate trust anchor was accepted");
    } catch (error) {
      expect((error as KycError).code).to.equal("CHAIN_REVERTED");
      expect((error as KycError).message).to.match(/DuplicateTrustAnchor/);
    }
  });
});

describe("progress bar", function () {
  function fakeStream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
  }

  it("draws on a TTY and stays silent otherwise", function () {
    const tty = fakeStream(true);
    const bar = new ProgressBar(tty.stream, 10);
    bar.update("scan", 5, 10, true);
    bar.update("scan", 10, 10);
    bar.finish();
    expect(tty.chunks[0]).to.equal("\rscan [#####.....] 5/10 50%");
    expect(tty.chunks[1]).to.equal("\rscan [##########] 10/10 100%");
    expect(tty.chunks.at(-1)).to.equal("\n");
    const pipe = fakeStream(false);
    const silent = new ProgressBar(pipe.stream);
    silent.update("scan", 1, 2, true);
    silent.finish();
    expect(pipe.chunks).to.deep.equal([]);
  });
});
