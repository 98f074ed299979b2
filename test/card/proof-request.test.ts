import { expect } from "chai";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ZeroHash, id, recoverAddress, Wallet } from "ethers";

import { BindingError } from "../../src/binding/binding-error.js";
import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import { readProofRequest, writeProofRequest } from "../../src/binding/proof-request-file.js";
import { signBindingWithWallet } from "../../src/binding/wallet-consent.js";
import {
  PROOF_REQUEST_FORMAT,
  parseProofRequest,
  proofRequestToJson,
  serializeProofRequest,
  verifyCardSignature,
  type ProofRequest,
  type SignedBinding,
} from "../../src/binding/proof-request.js";
import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import { parseCardSpec } from "../../src/card/card-spec.js";
import { readSecret } from "../../src/card/read-secret.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { Claim, claimNames, parseDisclose } from "../../src/claims.js";
import { KycError } from "../../src/errors.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

/** The subject's wallet (a throwaway key derived from a label) and the operator the holder chose. */
const wallet = new Wallet(id("proof-request test subject wallet"));
const ATTESTER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function binding(): SignedBinding {
  const b = {
    chainId: 31337n,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    subject: wallet.address,
    attester: ATTESTER,
    disclose: Claim.AUTH | Claim.AGE_18,
    nonce: 0n,
    deadline: 1_900_000_000n,
    anonCommitment: ZeroHash,
  };
  return { ...b, digest: computeBindingDigest(b) };
}

let cached: ProofRequest | undefined;
async function signedRequest(): Promise<ProofRequest> {
  if (cached) return cached;
  const card = new ApduCardSigner(new InProcessTransport(VirtualJpkiCard.fromFolder(writeHolderFolder())));
  const h = syntheticHolder();
  const b = binding();
  cached = await createProofRequest({
    card,
    binding: b,
    subjectSignature: await signBindingWithWallet(wallet, b),
    pin: h.authPin,
    signPassword: h.signPassword,
    now: new Date("2026-01-01T00:00:00Z"),
  });
  return cached;
}

function expectBindingError(fn: () => unknown, code: string, fragment?: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(BindingError);
    expect((error as BindingError).code).to.equal(code);
    if (fragment) expect((error as Error).message).to.contain(fragment);
    return;
  }
  throw new Error(`expected BindingError ${code}`);
}

describe("claims", function () {
  it("parses claim names into bits and always includes AUTH", function () {
    expect(parseDisclose("")).to.equal(Claim.AUTH);
    expect(parseDisclose(undefined)).to.equal(1);
    expect(parseDisclose("age18, AGE20")).to.equal(1 | 4 | 8);
    expect(parseDisclose("identity,auth")).to.equal(3);
    expect(claimNames(0b1101)).to.deep.equal(["auth", "age18", "age20"]);
    expect(claimNames(1 << 5)).to.deep.equal(["bit5"]);
  });
  it("rejects an unknown claim with a KycError", function () {
    expect(() => parseDisclose("age21"))
      .to.throw(KycError)
      .with.property("code", "CLAIMS_UNKNOWN_NAME");
  });
});

describe("card spec", function () {
  it("parses virtual, pcsc and pkcs11 forms", function () {
    expect(parseCardSpec("virtual:/tmp/h")).to.deep.equal({ kind: "virtual", dir: "/tmp/h" });
    expect(parseCardSpec("pcsc")).to.deep.equal({ kind: "pcsc" });
    expect(parseCardSpec("pcsc:SONY FeliCa")).to.deep.equal({ kind: "pcsc", reader: "SONY FeliCa" });
    expect(parseCardSpec("pkcs11")).to.deep.equal({
      kind: "pkcs11",
      module: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    });
    expect(parseCardSpec("pkcs11:/lib/x.so")).to.deep.equal({ kind: "pkcs11", module: "/lib/x.so" });
    expect(parseCardSpec("pkcs11:/lib/x.so:0x1f")).to.deep.equal({ kind: "pkcs11", module: "/lib/x.so", slot: "0x1f" });
  });
  it("rejects unknown forms", function () {
    expect(() => parseCardSpec("usb"))
      .to.throw(CardError)
      .with.property("code", "CARD_BAD_ARGUMENT");
    expect(() => parseCardSpec("virtual:"))
      .to.throw(CardError)
      .with.property("code", "CARD_BAD_ARGUMENT");
  });
  it("reads a PIN from the named environment variable and fails clearly when unset", async function () {
    process.env.CARD_TEST_PIN = "1234";
    expect(await readSecret("PIN: ", "CARD_TEST_PIN")).to.equal("1234");
    delete process.env.CARD_TEST_PIN;
    try {
      await readSecret("PIN: ", "CARD_TEST_PIN");
      throw new Error("expected an error");
    } catch (error) {
      expect(error).to.be.instanceOf(CardError);
      expect((error as Error).message).to.contain("CARD_TEST_PIN");
    }
  });
});

describe("proof request format", function () {
  it("a request signed by the virtual card round-trips through JSON, and both signatures verify", async function () {
    const r = await signedRequest();
    const json = proofRequestToJson(r);
    expect(json.format).to.equal(PROOF_REQUEST_FORMAT);
    expect(json.binding).to.deep.equal({
      chainId: "31337",
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      subject: wallet.address,
      attester: ATTESTER,
      disclose: 5,
      nonce: "0",
      deadline: "1900000000",
      anonCommitment: ZeroHash,
      digest: binding().digest,
    });
    const back = parseProofRequest(serializeProofRequest(r));
    expect(back).to.deep.equal(r);
    expect(verifyCardSignature(back.authCertificate, back.binding.digest, back.authSignature)).to.equal(true);
    expect(verifyCardSignature(back.signCertificate!, back.binding.digest, back.signSignature!)).to.equal(true);
    expect(verifyCardSignature(back.authCertificate, back.binding.digest, back.signSignature!)).to.equal(false);
    expect(json.subjectSignature).to.match(/^0x[0-9a-f]{130}$/);
    expect(recoverAddress(back.binding.digest, json.subjectSignature)).to.equal(wallet.address);
  });

  it("writes the file owner-only (0600), also over an existing world-readable file, and reads it back", async function () {
    const r = await signedRequest();
    const dir = mkdtempSync(join(tmpdir(), "proof-req-"));
    const path = join(dir, "request.json");
    writeFileSync(path, "old", { mode: 0o644 });
    expect(writeProofRequest(path, r)).to.deep.equal({ personalData: true });
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(readProofRequest(path)).to.deep.equal(r);
    const { signCertificate: _c, signSignature: _s, ...authOnly } = r;
    expect(writeProofRequest(path, authOnly)).to.deep.equal({ personalData: false });
    expect(JSON.parse(readFileSync(path, "utf8"))).to.not.have.property("signCertificate");
  });

  it("rejects malformed files with typed errors", async function () {
    const good = proofRequestToJson(await signedRequest());
    const text = (mutate: (j: Record<string, any>) => void) => {
      const j = JSON.parse(JSON.stringify(good)) as Record<string, any>;
      mutate(j);
      return JSON.stringify(j);
    };
    expectBindingError(() => parseProofRequest("{"), "BINDING_MALFORMED", "not valid JSON");
    expectBindingError(() => parseProofRequest("[]"), "BINDING_MALFORMED");
    expectBindingError(
      () => parseProofRequest(text((j) => (j.format = "jpki-kyc/proof-request@3"))),
      "BINDING_UNSUPPORTED_FORMAT",
    );
    expectBindingError(() => parseProofRequest(text((j) => (j.format = "x"))), "BINDING_MALFORMED", "format");
    expectBindingError(() => parseProofRequest(text((j) => (j.extra = 1))), "BINDING_MALFORMED", "extra");
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.extra = 1))),
      "BINDING_MALFORMED",
      "binding.extra",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.nonce = 1))),
      "BINDING_MALFORMED",
      "binding.nonce",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.nonce = "01"))),
      "BINDING_MALFORMED",
      "binding.nonce",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.deadline = (2n ** 64n).toString()))),
      "BINDING_MALFORMED",
      "deadline",
    );
    expectBindingError(() => parseProofRequest(text((j) => (j.binding.disclose = 4))), "BINDING_MALFORMED", "AUTH");
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.disclose = 2 ** 32))),
      "BINDING_MALFORMED",
      "uint32",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.subject = "0x1234"))),
      "BINDING_MALFORMED",
      "subject",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.subject = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"))),
      "BINDING_MALFORMED",
      "checksum",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.binding.digest = "0x12"))),
      "BINDING_MALFORMED",
      "digest",
    );
    expectBindingError(() => parseProofRequest(text((j) => (j.binding.nonce = "1"))), "BINDING_DIGEST_MISMATCH");
    expectBindingError(() => parseProofRequest(text((j) => (j.binding.chainId = "1"))), "BINDING_DIGEST_MISMATCH");
    expectBindingError(
      () => parseProofRequest(text((j) => (j.authCertificate = "%%%%"))),
      "BINDING_MALFORMED",
      "base64",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.authCertificate = "QUJD"))),
      "BINDING_MALFORMED",
      "certificate",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.authSignature = "0x1234"))),
      "BINDING_MALFORMED",
      "authSignature",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.authSignature = "abcd"))),
      "BINDING_MALFORMED",
      "authSignature",
    );
    expectBindingError(() => parseProofRequest(text((j) => delete j.signSignature)), "BINDING_MALFORMED", "together");
    expectBindingError(
      () => parseProofRequest(text((j) => delete j.authCertificate)),
      "BINDING_MALFORMED",
      "authCertificate",
    );
    expectBindingError(
      () => parseProofRequest(text((j) => (j.createdAt = "yesterday"))),
      "BINDING_MALFORMED",
      "createdAt",
    );
  });

  it("a protocol-v1 file (no attester, no wallet signature) is refused as BINDING_UNSUPPORTED_FORMAT", async function () {
    const v2 = proofRequestToJson(await signedRequest());
    const { attester: _attester, ...v1Binding } = v2.binding;
    const { subjectSignature: _subjectSignature, ...rest } = v2;
    const v1 = { ...rest, format: "jpki-kyc/proof-request@1", binding: v1Binding };
    const dir = mkdtempSync(join(tmpdir(), "proof-req-v1-"));
    const path = join(dir, "request-v1.json");
    writeFileSync(path, JSON.stringify(v1, null, 2) + "\n", { mode: 0o600 });
    expectBindingError(() => readProofRequest(path), "BINDING_UNSUPPORTED_FORMAT", "jpki-kyc/proof-request@1");
    expectBindingError(() => readProofRequest(path), "BINDING_UNSUPPORTED_FORMAT", PROOF_REQUEST_FORMAT);
    // The same v1 body relabelled @2 is not a v2 request either: it lacks the attester and the wallet's signature.
    expectBindingError(
      () => parseProofRequest(JSON.stringify({ ...v1, format: PROOF_REQUEST_FORMAT })),
      "BINDING_MALFORMED",
      "binding.attester",
    );
  });

  it("a missing or malformed subjectSignature is BINDING_MALFORMED", async function () {
    const good = proofRequestToJson(await signedRequest());
    const withSignature = (value: unknown) => {
      const j = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      if (value === undefined) delete j.subjectSignature;
      else j.subjectSignature = value;
      return JSON.stringify(j);
    };
    expect(parseProofRequest(withSignature(good.subjectSignature)).subjectSignature).to.have.length(65);
    for (const value of [
      undefined, // missing
      null,
      65,
      "", // not hex
      "0x", // empty
      "0x123", // odd length
      good.subjectSignature.slice(2), // no 0x
      good.subjectSignature.replace(/^0x../, "0xzz"),
      "0x" + "ab".repeat(4097), // longer than 4096 bytes
    ]) {
      expectBindingError(() => parseProofRequest(withSignature(value)), "BINDING_MALFORMED", "subjectSignature");
    }
    // A smart account's ERC-1271 signature may have any length up to 4096 bytes: the format does not judge it.
    expect(parseProofRequest(withSignature("0x" + "ab".repeat(4096))).subjectSignature).to.have.length(4096);
    // The writer refuses what the reader would refuse.
    const request = await signedRequest();
    expectBindingError(
      () => serializeProofRequest({ ...request, subjectSignature: new Uint8Array(0) }),
      "BINDING_MALFORMED",
      "subjectSignature",
    );
  });

  it("a missing or malformed attester is BINDING_MALFORMED; another attester is BINDING_DIGEST_MISMATCH", async function () {
    const good = proofRequestToJson(await signedRequest());
    const withAttester = (value: unknown) => {
      const j = JSON.parse(JSON.stringify(good)) as { binding: Record<string, unknown> };
      if (value === undefined) delete j.binding.attester;
      else j.binding.attester = value;
      return JSON.stringify(j);
    };
    for (const value of [
      undefined,
      null,
      "",
      "0x1234",
      ATTESTER.toLowerCase().replace("0x", ""), // no 0x
      "0x3c" + ATTESTER.slice(4), // one letter's case flipped: wrong checksum
      "0x0000000000000000000000000000000000000000",
    ]) {
      expectBindingError(() => parseProofRequest(withAttester(value)), "BINDING_MALFORMED", "binding.attester");
    }
    // The binding names one operator: pointing the file at another one breaks the digest both signatures cover.
    expectBindingError(
      () => parseProofRequest(withAttester("0x90F79bf6EB2c4f870365E785982E1f101E93b906")),
      "BINDING_DIGEST_MISMATCH",
    );
  });

  it("reading a missing file is BINDING_IO", function () {
    expectBindingError(() => readProofRequest("/nonexistent/request.json"), "BINDING_IO");
  });
});
