import { expect } from "chai";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BindingError } from "../../src/binding/binding-error.js";
import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import { readProofRequest, writeProofRequest } from "../../src/binding/proof-request-file.js";
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

function binding(): SignedBinding {
  const b = {
    chainId: 31337n,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    subject: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    disclose: Claim.AUTH | Claim.AGE_18,
    nonce: 0n,
    deadline: 1_900_000_000n,
  };
  return { ...b, digest: computeBindingDigest(b) };
}

let cached: ProofRequest | undefined;
async function signedRequest(): Promise<ProofRequest> {
  if (cached) return cached;
  const card = new ApduCardSigner(new InProcessTransport(VirtualJpkiCard.fromFolder(writeHolderFolder())));
  const h = syntheticHolder();
  cached = await createProofRequest({
    card,
    binding: binding(),
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
      subject: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      disclose: 5,
      nonce: "0",
      deadline: "1900000000",
      digest: binding().digest,
    });
    const back = parseProofRequest(serializeProofRequest(r));
    expect(back).to.deep.equal(r);
    expect(verifyCardSignature(back.authCertificate, back.binding.digest, back.authSignature)).to.equal(true);
    expect(verifyCardSignature(back.signCertificate!, back.binding.digest, back.signSignature!)).to.equal(true);
    expect(verifyCardSignature(back.authCertificate, back.binding.digest, back.signSignature!)).to.equal(false);
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
      () => parseProofRequest(text((j) => (j.format = "jpki-kyc/proof-request@2"))),
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

  it("reading a missing file is BINDING_IO", function () {
    expectBindingError(() => readProofRequest("/nonexistent/request.json"), "BINDING_IO");
  });
});
