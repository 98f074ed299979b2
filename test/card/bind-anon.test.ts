// The holder's opt-in to anonymous proofs in `kyc bind --anonymous`: the card derives the secret, the binding carries its
// commitment, the wallet and the card sign it, and the registry emits the leaf.
import { X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ZeroHash, hexlify, toBeHex } from "ethers";
import { network } from "hardhat";

import { deriveAnonSecret, loadAnonHasher } from "../../src/anon/index.js";
import { bindHolder } from "../../src/binding/bind-holder.js";
import { readProofRequest } from "../../src/binding/proof-request-file.js";
import type { ProofRequest } from "../../src/binding/proof-request.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { keyNullifier } from "../../src/chain/key-nullifier.js";
import { Claim } from "../../src/claims.js";
import { deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

const { ethers } = await network.create();

function modulusOf(certificate: Uint8Array): string {
  const jwk = new X509Certificate(certificate).publicKey.export({ format: "jwk" });
  return "0x" + Buffer.from(jwk.n!, "base64url").toString("hex");
}

describe("kyc bind --anonymous: the holder opts in to anonymous proofs", function () {
  it("derives the secret with the card (one PIN), puts Poseidon(secret) in the binding, and the registry emits the leaf", async function () {
    const f = await deployRegistryFixture(ethers);
    const folder = writeHolderFolder();
    const run = async (anon: boolean) => {
      const out = join(mkdtempSync(join(tmpdir(), "bind-anon-")), "request.json");
      const lines: string[] = [];
      const asked: string[] = [];
      const card = await openCardSigner(`virtual:${folder}`);
      try {
        await bindHolder({
          provider: ethers.provider,
          card,
          registry: f.address,
          subject: f.alice.address,
          attester: f.attester.address,
          wallet: { signer: f.alice },
          disclose: Claim.AUTH,
          deadlineMinutes: 30,
          withSignCert: false,
          anon,
          out,
          askPin: async (key, left) => {
            asked.push(`${key}:${left}`);
            return syntheticHolder().authPin;
          },
          print: (line) => lines.push(line),
        });
      } finally {
        await card.close();
      }
      return { request: readProofRequest(out), lines, asked };
    };
    const card = await openCardSigner(`virtual:${folder}`);
    let secret: bigint;
    try {
      secret = await deriveAnonSecret((digest) => card.sign("auth", digest, syntheticHolder().authPin));
    } finally {
      await card.close();
    }
    const commitment = toBeHex((await loadAnonHasher()).commitment(secret), 32);

    const first = await run(true);
    expect(first.request.binding.anonCommitment).to.equal(commitment);
    expect(first.asked).to.deep.equal(["auth:3"]);
    const text = first.lines.join("\n");
    expect(text.indexOf("anonymous-proof secret")).to.be.lessThan(text.indexOf(`Wallet ${f.alice.address}`));
    expect(text).to.not.contain(secret.toString());
    // the same card gives the same commitment again (the holder can recover the secret)
    expect((await run(true)).request.binding.anonCommitment).to.equal(commitment);
    expect((await run(false)).request.binding.anonCommitment).to.equal(ZeroHash);

    const attest = (request: ProofRequest) =>
      makeRequest(ethers, request.binding.subject, {
        disclose: request.binding.disclose,
        deadline: request.binding.deadline,
        anonCommitment: request.binding.anonCommitment!,
      }).then((req) =>
        f.registry
          .connect(f.attester)
          .attest(
            req,
            modulusOf(request.authCertificate),
            hexlify(request.authSignature),
            hexlify(request.subjectSignature),
          ),
      );
    const request = (await run(true)).request;
    await expect(attest(request))
      .to.emit(f.registry, "AnonLeaf")
      .withArgs(
        f.attester.address,
        keyNullifier(modulusOf(request.authCertificate)),
        BigInt(commitment),
        Claim.AUTH,
        (v: bigint) => v > 0n,
      );
  });
});
