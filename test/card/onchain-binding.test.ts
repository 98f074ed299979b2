import { expect } from "chai";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Contract, id, ZeroHash } from "ethers";
import { network } from "hardhat";

import { bindHolder } from "../../src/binding/bind-holder.js";
import { BindingError } from "../../src/binding/binding-error.js";
import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { readProofRequest } from "../../src/binding/proof-request-file.js";
import type { ProofRequest, SignedBinding } from "../../src/binding/proof-request.js";
import { readBindingFromRegistry } from "../../src/binding/registry-binding.js";
import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import type { CardSigner } from "../../src/card/card-signer.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Pkcs11CardSigner, SOFTHSM2_MODULE } from "../../src/card/pkcs11/pkcs11-card-signer.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { Claim } from "../../src/claims.js";
import { setupSofthsmJpki, softhsmMissing } from "./helpers/softhsm.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

const { ethers, networkHelpers } = await network.create();

const ATTEST_ABI = [
  "function attest((address subject,uint32 disclose,uint64 deadline,uint32 claims,bytes32 personTag,uint64 expiryCap,uint16 caId) req, bytes modulus, bytes cardSignature)",
  "function isVerified(address) view returns (bool)",
  "function hasClaims(address, uint32) view returns (bool)",
  "function nonces(address) view returns (uint256)",
  "error InvalidCardSignature()",
];
const GRID = 30n * 24n * 3600n;

function modulusOf(certificate: Uint8Array): string {
  const jwk = new X509Certificate(certificate).publicKey.export({ format: "jwk" });
  return "0x" + Buffer.from(jwk.n!, "base64url").toString("hex");
}

describe("card bindings verified on chain by KycRegistry", function () {
  let registryAddress: string;
  let registry: Contract;
  let harness: Contract;
  let subject: string;
  let caId: number;

  before(async function () {
    const [admin, , holder] = await ethers.getSigners();
    subject = holder!.address;
    const deployed = await ethers.deployContract("KycRegistry", [admin!.address, 3600n, 365n * 86400n, 3n * 86400n]);
    registryAddress = await deployed.getAddress();
    const roles = new Contract(
      registryAddress,
      [
        "function ATTESTER_ROLE() view returns (bytes32)",
        "function ANCHOR_MANAGER_ROLE() view returns (bytes32)",
        "function grantRole(bytes32, address)",
        "function addTrustAnchor(uint8 kind, bytes32 keyHash, uint64 notBefore, uint64 notAfter) returns (uint16)",
        "function trustAnchorCount() view returns (uint16)",
        "function recordCrlSync()",
      ],
      admin,
    );
    await roles.getFunction("grantRole")(await roles.getFunction("ATTESTER_ROLE")(), admin!.address);
    await roles.getFunction("grantRole")(await roles.getFunction("ANCHOR_MANAGER_ROLE")(), admin!.address);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await roles.getFunction("addTrustAnchor")(
      0,
      id("synthetic auth CA for card tests"),
      now - 86400n,
      now + 3650n * 86400n,
    );
    caId = Number(await roles.getFunction("trustAnchorCount")());
    await roles.getFunction("recordCrlSync")();
    registry = new Contract(registryAddress, ATTEST_ABI, admin);
    harness = (await ethers.deployContract("RsaPkcs1Harness")) as unknown as Contract;
  });

  async function attestRequest(request: ProofRequest): Promise<void> {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const req = {
      subject: request.binding.subject,
      disclose: request.binding.disclose,
      deadline: request.binding.deadline,
      claims: Claim.AUTH,
      personTag: ZeroHash,
      expiryCap: ((now + 2n * 365n * 86400n) / GRID) * GRID,
      caId,
    };
    await (await registry.getFunction("attest")(req, modulusOf(request.authCertificate), request.authSignature)).wait();
  }

  async function bindingNow(): Promise<SignedBinding> {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    return readBindingFromRegistry(ethers.provider, {
      registry: registryAddress,
      subject,
      disclose: Claim.AUTH | Claim.AGE_18,
      deadline: now + 3600n,
    });
  }

  /** Signs the binding with `card`, checks it with the RSA harness, and records it with `attest` (then rolls back). */
  async function verifyOnChain(card: CardSigner, binding: SignedBinding): Promise<Uint8Array> {
    const h = syntheticHolder();
    const request = await createProofRequest({ card, binding, pin: h.authPin });
    const inner =
      "0x" +
      createHash("sha256")
        .update(Buffer.from(binding.digest.slice(2), "hex"))
        .digest("hex");
    expect(
      await harness.getFunction("verifyE65537")(inner, request.authSignature, modulusOf(request.authCertificate)),
    ).to.equal(true);
    const snapshot = await networkHelpers.takeSnapshot();
    try {
      expect(await registry.getFunction("isVerified")(subject)).to.equal(false);
      await attestRequest(request);
      expect(await registry.getFunction("isVerified")(subject)).to.equal(true);
      expect(await registry.getFunction("nonces")(subject)).to.equal(binding.nonce + 1n);
    } finally {
      await snapshot.restore();
    }
    return request.authSignature;
  }

  it("the registry's bindingDigest equals the EIP-712 digest computed off-chain", async function () {
    const b = await bindingNow(); // throws BINDING_DIGEST_MISMATCH otherwise
    expect(b.digest).to.match(/^0x[0-9a-f]{64}$/);
    expect(b.nonce).to.equal(0n);
  });

  it("the same binding signed by the virtual card (kyc bind flow), the APDU signer and the PKCS#11 signer all attest", async function () {
    const binding = await bindingNow();
    const h = syntheticHolder();
    const signatures: Uint8Array[] = [];

    const viaFolder = await openCardSigner(`virtual:${writeHolderFolder()}`);
    signatures.push(await verifyOnChain(viaFolder, binding));
    await viaFolder.close();

    const card = new VirtualJpkiCard({
      authCertificate: h.authCert,
      authKey: h.authKey,
      authPin: h.authPin,
      tokenInfo: "JPKIAPICCTOKEN2",
    });
    const apdu = new ApduCardSigner(new InProcessTransport(card), { readChunk: 256 });
    signatures.push(await verifyOnChain(apdu, binding));

    const missing = softhsmMissing();
    if (missing === undefined) {
      await setupSofthsmJpki(h);
      const p11 = await Pkcs11CardSigner.open({ module: SOFTHSM2_MODULE });
      try {
        signatures.push(await verifyOnChain(p11, binding));
      } finally {
        await p11.close();
      }
      expect(signatures).to.have.length(3);
    } else {
      console.log(`    PKCS#11 part skipped: ${missing}`);
    }
    for (const s of signatures) expect(Buffer.from(s).equals(Buffer.from(signatures[0]!))).to.equal(true);
  });

  it("kyc bind end to end: reads the registry, signs with the virtual card, writes a request the registry accepts", async function () {
    const out = join(mkdtempSync(join(tmpdir(), "bind-")), "request.json");
    const lines: string[] = [];
    const card = await openCardSigner(`virtual:${writeHolderFolder()}`);
    const asked: string[] = [];
    try {
      await bindHolder({
        provider: ethers.provider,
        card,
        registry: registryAddress,
        subject,
        disclose: Claim.AUTH | Claim.AGE_20,
        deadlineMinutes: 30,
        withSignCert: true,
        out,
        askPin: async (key, left) => {
          asked.push(`${key}:${left}`);
          return key === "auth" ? syntheticHolder().authPin : syntheticHolder().signPassword;
        },
        print: (line) => lines.push(line),
      });
    } finally {
      await card.close();
    }
    expect(asked).to.deep.equal(["auth:3", "sign:5"]);
    expect(lines.join("\n")).to.contain("PERSONAL DATA");
    expect(lines.join("\n")).to.not.contain(syntheticHolder().authPin);
    const request = readProofRequest(out);
    expect(request.signCertificate).to.not.equal(undefined);
    expect(request.binding.disclose).to.equal(Claim.AUTH | Claim.AGE_20);
    const snapshot = await networkHelpers.takeSnapshot();
    try {
      await attestRequest(request);
      expect(await registry.getFunction("hasClaims")(subject, Claim.AUTH)).to.equal(true);
    } finally {
      await snapshot.restore();
    }
  });

  it("a signature over another binding is rejected on chain (deadline changed)", async function () {
    const binding = await bindingNow();
    const h = syntheticHolder();
    const card = new ApduCardSigner(
      new InProcessTransport(
        new VirtualJpkiCard({
          authCertificate: h.authCert,
          authKey: h.authKey,
          authPin: h.authPin,
          tokenInfo: "JPKIAPICCTOKEN2",
        }),
      ),
    );
    const request = await createProofRequest({ card, binding, pin: h.authPin });
    const stale = { ...request, binding: { ...binding, deadline: binding.deadline + 1n } };
    let reverted = false;
    try {
      await attestRequest(stale);
    } catch (error) {
      reverted = true;
      const data = (error as { data?: string }).data;
      expect(data === undefined ? undefined : registry.interface.parseError(data)?.name).to.equal(
        "InvalidCardSignature",
      );
    }
    expect(reverted).to.equal(true);
  });

  it("bind fails with typed errors: no registry at the address, wrong PIN", async function () {
    const card = await openCardSigner(`virtual:${writeHolderFolder()}`);
    const base = {
      provider: ethers.provider,
      card,
      subject,
      disclose: 1,
      deadlineMinutes: 10,
      withSignCert: false,
      out: join(mkdtempSync(join(tmpdir(), "bind-")), "r.json"),
      print: () => {},
    };
    try {
      try {
        await bindHolder({ ...base, registry: subject, askPin: async () => "1234" });
        throw new Error("expected BINDING_NO_REGISTRY");
      } catch (error) {
        expect(error).to.be.instanceOf(BindingError);
        expect((error as BindingError).code).to.equal("BINDING_NO_REGISTRY");
      }
      try {
        await bindHolder({ ...base, registry: registryAddress, askPin: async () => "0000" });
        throw new Error("expected CARD_WRONG_PIN");
      } catch (error) {
        expect(error).to.be.instanceOf(CardError);
        expect((error as CardError).code).to.equal("CARD_WRONG_PIN");
        expect((error as CardError).triesLeft).to.equal(2);
      }
    } finally {
      await card.close();
    }
  });
});
