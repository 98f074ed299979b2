import { expect } from "chai";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { hexlify, type Contract } from "ethers";
import { network } from "hardhat";

import { bindHolder, type BindHolderOptions } from "../../src/binding/bind-holder.js";
import { BindingError } from "../../src/binding/binding-error.js";
import { createProofRequest } from "../../src/binding/create-proof-request.js";
import { bindingTypedData } from "../../src/binding/kyc-binding.js";
import { readProofRequest } from "../../src/binding/proof-request-file.js";
import type { ProofRequest, SignedBinding } from "../../src/binding/proof-request.js";
import { readBindingFromRegistry } from "../../src/binding/registry-binding.js";
import { signBindingWithWallet } from "../../src/binding/wallet-consent.js";
import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import type { CardSigner } from "../../src/card/card-signer.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Pkcs11CardSigner, SOFTHSM2_MODULE } from "../../src/card/pkcs11/pkcs11-card-signer.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { keyNullifier } from "../../src/chain/key-nullifier.js";
import { Claim } from "../../src/claims.js";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { deployRegistryFixture, makeRequest, type RegistryFixture } from "../helpers/registry-fixture.js";
import { setupSofthsmJpki, softhsmMissing } from "./helpers/softhsm.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

const { ethers, networkHelpers } = await network.create();

function modulusOf(certificate: Uint8Array): string {
  const jwk = new X509Certificate(certificate).publicKey.export({ format: "jwk" });
  return "0x" + Buffer.from(jwk.n!, "base64url").toString("hex");
}

function apduCard(): ApduCardSigner {
  const h = syntheticHolder();
  return new ApduCardSigner(
    new InProcessTransport(
      new VirtualJpkiCard({
        authCertificate: h.authCert,
        authKey: h.authKey,
        authPin: h.authPin,
        tokenInfo: "JPKIAPICCTOKEN2",
      }),
    ),
    { readChunk: 256 },
  );
}

describe("card bindings verified on chain by KycRegistry (protocol v2: card and wallet sign)", function () {
  let f: RegistryFixture;
  /** The holder's wallet: the subject, which signs the binding too. */
  let holder: HardhatEthersSigner;
  let harness: Contract;

  before(async function () {
    f = await deployRegistryFixture(ethers);
    holder = f.alice;
    harness = (await ethers.deployContract("RsaPkcs1Harness")) as unknown as Contract;
  });

  /** Sends `attest` for a proof request from `from` (default: the attester the binding names). */
  async function attestRequest(request: ProofRequest, from: HardhatEthersSigner = f.attester) {
    const req = await makeRequest(ethers, request.binding.subject, {
      disclose: request.binding.disclose,
      deadline: request.binding.deadline,
      caId: f.authCa,
    });
    return f.registry
      .connect(from)
      .attest(
        req,
        modulusOf(request.authCertificate),
        hexlify(request.authSignature),
        hexlify(request.subjectSignature),
      );
  }

  async function bindingNow(subject = holder.address, attester = f.attester.address): Promise<SignedBinding> {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    return readBindingFromRegistry(ethers.provider, {
      registry: f.address,
      subject,
      attester,
      disclose: Claim.AUTH | Claim.AGE_18,
      deadline: now + 3600n,
    });
  }

  /**
   * Has `card` sign the binding the wallet already signed, checks the card signature with the RSA harness, and
   * records it with `attest` (then rolls back).
   */
  async function verifyOnChain(
    card: CardSigner,
    binding: SignedBinding,
    subjectSignature: Uint8Array,
  ): Promise<Uint8Array> {
    const h = syntheticHolder();
    const request = await createProofRequest({ card, binding, subjectSignature, pin: h.authPin });
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
      expect(await f.registry.isVerified(binding.subject)).to.equal(false);
      await (await attestRequest(request)).wait();
      expect(await f.registry.isVerified(binding.subject)).to.equal(true);
      expect(await f.registry.nonces(binding.subject)).to.equal(binding.nonce + 1n);
      // The registry keys the card by keccak256(0x00 ‖ modulus): the same nullifier the operator computes.
      expect(await f.registry.keyState(keyNullifier(modulusOf(request.authCertificate)))).to.deep.equal([
        binding.subject,
        true,
        false,
      ]);
    } finally {
      await snapshot.restore();
    }
    return request.authSignature;
  }

  it("the registry's bindingDigest (with the attester) equals the EIP-712 digest computed off-chain", async function () {
    const b = await bindingNow(); // throws BINDING_DIGEST_MISMATCH otherwise
    expect(b.digest).to.match(/^0x[0-9a-f]{64}$/);
    expect(b.nonce).to.equal(0n);
    expect(b.attester).to.equal(f.attester.address);
    // The attester is part of the digest: the same binding for another operator is another digest.
    expect((await bindingNow(holder.address, f.attester2.address)).digest).to.not.equal(b.digest);
  });

  it("one binding, signed by the wallet and by the virtual card (kyc bind flow), the APDU signer and the PKCS#11 signer, attests each time", async function () {
    const binding = await bindingNow();
    const h = syntheticHolder();
    const walletSignature = await signBindingWithWallet(holder, binding);
    const signatures: Uint8Array[] = [];

    const viaFolder = await openCardSigner(`virtual:${writeHolderFolder()}`);
    signatures.push(await verifyOnChain(viaFolder, binding, walletSignature));
    await viaFolder.close();

    signatures.push(await verifyOnChain(apduCard(), binding, walletSignature));

    const missing = softhsmMissing();
    if (missing === undefined) {
      await setupSofthsmJpki(h);
      const p11 = await Pkcs11CardSigner.open({ module: SOFTHSM2_MODULE });
      try {
        signatures.push(await verifyOnChain(p11, binding, walletSignature));
      } finally {
        await p11.close();
      }
      expect(signatures).to.have.length(3);
    } else {
      console.log(`    PKCS#11 part skipped: ${missing}`);
    }
    for (const s of signatures) expect(Buffer.from(s).equals(Buffer.from(signatures[0]!))).to.equal(true);
  });

  it("kyc bind end to end: reads the registry, the wallet then the card sign, writes a request the registry accepts", async function () {
    const out = join(mkdtempSync(join(tmpdir(), "bind-")), "request.json");
    const lines: string[] = [];
    const card = await openCardSigner(`virtual:${writeHolderFolder()}`);
    const asked: string[] = [];
    try {
      await bindHolder({
        provider: ethers.provider,
        card,
        registry: f.address,
        subject: holder.address,
        attester: f.attester.address,
        wallet: { signer: holder },
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
    const text = lines.join("\n");
    expect(text).to.contain("PERSONAL DATA");
    expect(text).to.contain(`operator ${f.attester.address}`);
    // The wallet is asked before the card.
    expect(text.indexOf(`Wallet ${holder.address}`)).to.be.greaterThan(-1);
    expect(text.indexOf(`Wallet ${holder.address}`)).to.be.lessThan(text.indexOf("Card: "));
    // the PIN as a word of its own: the printed hex (addresses, digests) may hold its digits by chance
    const pinAsWord = new RegExp(`(^|[^0-9a-fA-Fx])${syntheticHolder().authPin}([^0-9a-fA-F]|$)`);
    expect(text).to.not.match(pinAsWord);
    const request = readProofRequest(out);
    expect(request.signCertificate).to.not.equal(undefined);
    expect(request.binding.disclose).to.equal(Claim.AUTH | Claim.AGE_20);
    expect(request.binding.attester).to.equal(f.attester.address);
    const snapshot = await networkHelpers.takeSnapshot();
    try {
      await (await attestRequest(request)).wait();
      expect(await f.registry.hasClaims(holder.address, Claim.AUTH)).to.equal(true);
    } finally {
      await snapshot.restore();
    }
  });

  it("a smart-account subject: its owner's ERC-1271 signature, passed to kyc bind, attests", async function () {
    const [, , , , , , , , , , owner] = await ethers.getSigners();
    const account = await ethers.deployContract("SmartAccountMock", [owner!.address]);
    const subject = await account.getAddress();
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    // A first run prints the digest; the account's owner signs it elsewhere. Here: the same binding, read the same way.
    const binding = await readBindingFromRegistry(ethers.provider, {
      registry: f.address,
      subject,
      attester: f.attester.address,
      disclose: Claim.AUTH,
      deadline: now + 3600n,
    });
    const t = bindingTypedData(binding);
    const byOwner = await owner!.signTypedData(t.domain, t.types, t.message);
    const out = join(mkdtempSync(join(tmpdir(), "bind-")), "request.json");
    const card = await openCardSigner(`virtual:${writeHolderFolder()}`);
    const snapshot = await networkHelpers.takeSnapshot();
    try {
      const request = await bindHolder({
        provider: ethers.provider,
        card,
        registry: f.address,
        subject,
        attester: f.attester.address,
        wallet: { signature: Buffer.from(byOwner.slice(2), "hex") },
        disclose: Claim.AUTH,
        deadlineMinutes: 60,
        withSignCert: false,
        out,
        askPin: async () => syntheticHolder().authPin,
        print: () => {},
      });
      expect(request.binding.subject).to.equal(subject);
      await (await attestRequest(readProofRequest(out))).wait();
      expect(await f.registry.isVerified(subject)).to.equal(true);
    } finally {
      await snapshot.restore();
      await card.close();
    }
  });

  it("a card signature over another binding is rejected on chain (deadline changed)", async function () {
    const binding = await bindingNow();
    const request = await createProofRequest({
      card: apduCard(),
      binding,
      subjectSignature: await signBindingWithWallet(holder, binding),
      pin: syntheticHolder().authPin,
    });
    const stale = { ...request, binding: { ...binding, deadline: binding.deadline + 1n } };
    await expect(attestRequest(stale)).to.be.revertedWithCustomError(f.registry, "InvalidCardSignature");
  });

  it("a binding for one operator cannot be used by another (attester2 sends it): InvalidCardSignature", async function () {
    const binding = await bindingNow(); // names f.attester
    const request = await createProofRequest({
      card: apduCard(),
      binding,
      subjectSignature: await signBindingWithWallet(holder, binding),
      pin: syntheticHolder().authPin,
    });
    await expect(attestRequest(request, f.attester2)).to.be.revertedWithCustomError(f.registry, "InvalidCardSignature");
    // The named operator can (control: the request itself is good).
    const snapshot = await networkHelpers.takeSnapshot();
    try {
      await (await attestRequest(request)).wait();
      expect(await f.registry.isVerified(holder.address)).to.equal(true);
    } finally {
      await snapshot.restore();
    }
  });

  it("the card's signature with someone else's wallet signature is rejected on chain: InvalidSubjectSignature", async function () {
    const binding = await bindingNow();
    const t = bindingTypedData(binding);
    const bySomeoneElse = await f.bob.signTypedData(t.domain, t.types, t.message);
    const request = await createProofRequest({
      card: apduCard(),
      binding,
      subjectSignature: Buffer.from(bySomeoneElse.slice(2), "hex"),
      pin: syntheticHolder().authPin,
    });
    await expect(attestRequest(request)).to.be.revertedWithCustomError(f.registry, "InvalidSubjectSignature");
  });

  describe("bind fails with typed errors", function () {
    async function withCard(
      fn: (base: Omit<BindHolderOptions, "askPin" | "registry" | "wallet">, card: CardSigner) => Promise<void>,
    ) {
      const card = await openCardSigner(`virtual:${writeHolderFolder()}`);
      try {
        await fn(
          {
            provider: ethers.provider,
            card,
            subject: holder.address,
            attester: f.attester.address,
            disclose: 1,
            deadlineMinutes: 10,
            withSignCert: false,
            out: join(mkdtempSync(join(tmpdir(), "bind-")), "r.json"),
            print: () => {},
          },
          card,
        );
      } finally {
        await card.close();
      }
    }

    it("no registry at the address, wrong PIN", async function () {
      await withCard(async (base) => {
        try {
          await bindHolder({
            ...base,
            registry: holder.address,
            wallet: { signer: holder },
            askPin: async () => "1234",
          });
          throw new Error("expected BINDING_NO_REGISTRY");
        } catch (error) {
          expect(error).to.be.instanceOf(BindingError);
          expect((error as BindingError).code).to.equal("BINDING_NO_REGISTRY");
        }
        try {
          await bindHolder({ ...base, registry: f.address, wallet: { signer: holder }, askPin: async () => "0000" });
          throw new Error("expected CARD_WRONG_PIN");
        } catch (error) {
          expect(error).to.be.instanceOf(CardError);
          expect((error as CardError).code).to.equal("CARD_WRONG_PIN");
          expect((error as CardError).triesLeft).to.equal(2);
        }
      });
    });

    it("a wallet that is not the subject's, or that declines, stops the flow before any PIN is asked or card try spent", async function () {
      await withCard(async (base, card) => {
        const asked: string[] = [];
        const askPin = async (key: string) => {
          asked.push(key);
          return "0000"; // wrong: would cost a try if the card were asked
        };
        try {
          await bindHolder({ ...base, registry: f.address, wallet: { signer: f.bob }, askPin });
          throw new Error("expected BINDING_WRONG_WALLET");
        } catch (error) {
          expect(error).to.be.instanceOf(BindingError);
          expect((error as BindingError).code).to.equal("BINDING_WRONG_WALLET");
        }
        const declining = {
          getAddress: async () => holder.address,
          signTypedData: async (): Promise<string> => {
            throw new Error("User rejected the request.");
          },
        };
        try {
          await bindHolder({ ...base, registry: f.address, wallet: { signer: declining }, askPin });
          throw new Error("expected BINDING_WALLET_REFUSED");
        } catch (error) {
          expect(error).to.be.instanceOf(BindingError);
          expect((error as BindingError).code).to.equal("BINDING_WALLET_REFUSED");
        }
        expect(asked).to.deep.equal([]);
        expect(await card.pinTriesLeft("auth")).to.equal(3);
      });
    });
  });
});
