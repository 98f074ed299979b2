import { expect } from "chai";
import { createPublicKey, verify } from "node:crypto";
import { existsSync } from "node:fs";

import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import { OPENSC_PKCS11_MODULE, Pkcs11CardSigner, SOFTHSM2_MODULE } from "../../src/card/pkcs11/pkcs11-card-signer.js";
import { Ckr, mapPkcs11Error } from "../../src/card/pkcs11/pkcs11-errors.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { setupSofthsmJpki, softhsmMissing } from "./helpers/softhsm.js";
import { syntheticHolder } from "./helpers/synthetic-holder.js";

async function expectCardError(p: Promise<unknown>, code: string): Promise<CardError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(CardError);
    expect((error as CardError).code, (error as Error).message).to.equal(code);
    return error as CardError;
  }
  throw new Error(`expected CardError ${code}`);
}

async function expectCardErrorOneOf(p: Promise<unknown>, codes: string[]): Promise<CardError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(CardError);
    expect(codes).to.include((error as CardError).code);
    return error as CardError;
  }
  throw new Error(`expected one of ${codes.join(", ")}`);
}

describe("PKCS#11 signer on SoftHSM2", function () {
  let signer: Pkcs11CardSigner;

  before(async function () {
    const missing = softhsmMissing();
    if (missing !== undefined) {
      console.log(`    skipped: ${missing}`);
      this.skip();
    }
    await setupSofthsmJpki(syntheticHolder());
    signer = await Pkcs11CardSigner.open({ module: SOFTHSM2_MODULE });
  });

  after(async function () {
    await signer?.close();
  });

  it("reads the authentication certificate without a PIN (OpenSC label, token chosen by PIN name)", async function () {
    const cert = await signer.readAuthCertificate();
    expect(Buffer.from(cert).equals(Buffer.from(syntheticHolder().authCert))).to.equal(true);
  });

  it("reads the private signing certificate after logging in with the signing password", async function () {
    const cert = await signer.readSignCertificate(syntheticHolder().signPassword);
    expect(Buffer.from(cert).equals(Buffer.from(syntheticHolder().signCert))).to.equal(true);
  });

  it("signs with CKM_SHA256_RSA_PKCS: the same bytes as the virtual card, verified by node:crypto", async function () {
    const h = syntheticHolder();
    const message = new Uint8Array(32).fill(0xab);
    const viaP11 = await signer.sign("auth", message, h.authPin);
    const card = new VirtualJpkiCard({
      authCertificate: h.authCert,
      authKey: h.authKey,
      authPin: h.authPin,
      signCertificate: h.signCert,
      signKey: h.signKey,
      signPassword: h.signPassword,
      tokenInfo: "JPKIAPICCTOKEN2",
    });
    const viaApdu = await new ApduCardSigner(new InProcessTransport(card)).sign("auth", message, h.authPin);
    expect(Buffer.from(viaP11).equals(Buffer.from(viaApdu))).to.equal(true); // PKCS#1 v1.5 is deterministic
    expect(verify("sha256", message, createPublicKey(h.authKey), viaP11)).to.equal(true);
    const bySignKey = await signer.sign("sign", message, h.signPassword);
    expect(verify("sha256", message, createPublicKey(h.signKey), bySignKey)).to.equal(true);
  });

  it("a wrong PIN is CARD_WRONG_PIN (and is not sent when malformed)", async function () {
    await expectCardError(signer.sign("auth", new Uint8Array(32), "0000"), "CARD_WRONG_PIN");
    await expectCardError(signer.sign("sign", new Uint8Array(32), "WRONGPW"), "CARD_WRONG_PIN");
    await expectCardError(signer.sign("auth", new Uint8Array(32), "12"), "CARD_BAD_ARGUMENT");
    // the right PIN still works afterwards (SoftHSM2 has no retry counter)
    const sig = await signer.sign("auth", new Uint8Array(32), syntheticHolder().authPin);
    expect(sig.length).to.equal(256);
  });

  it("an unknown key label is CARD_NOT_FOUND", async function () {
    const other = await Pkcs11CardSigner.open({
      module: SOFTHSM2_MODULE,
      labels: { authKey: "No Such Key", authId: Uint8Array.from([0x7f]) },
    });
    try {
      await expectCardError(other.sign("auth", new Uint8Array(32), syntheticHolder().authPin), "CARD_NOT_FOUND");
    } finally {
      await other.close();
    }
  });

  it("a missing module is CARD_UNAVAILABLE", async function () {
    await expectCardError(Pkcs11CardSigner.open({ module: "/nonexistent/pkcs11.so" }), "CARD_UNAVAILABLE");
  });

  it("a slot that does not exist is CARD_NO_READER", async function () {
    const other = await Pkcs11CardSigner.open({ module: SOFTHSM2_MODULE, slot: "99" });
    try {
      await expectCardError(other.readAuthCertificate(), "CARD_NO_READER");
    } finally {
      await other.close();
    }
  });
});

describe("PKCS#11 signer on OpenSC without a reader", function () {
  it("OpenSC's module with no reader (or no card) gives a typed error, not a crash", async function () {
    if (!existsSync(OPENSC_PKCS11_MODULE)) {
      console.log(`    skipped: OpenSC is not installed (${OPENSC_PKCS11_MODULE})`);
      this.skip();
    }
    const signer = await Pkcs11CardSigner.open({ module: OPENSC_PKCS11_MODULE });
    try {
      await expectCardErrorOneOf(signer.readAuthCertificate(), ["CARD_NO_READER", "CARD_NO_CARD"]);
    } finally {
      await signer.close();
    }
  });
});

describe("PKCS#11 error mapping", function () {
  const err = (code: number) => ({ name: "Pkcs11Error", code, message: `CKR_X:${code}` });
  it("maps the return values a real card produces to the typed card errors", function () {
    expect(mapPkcs11Error(err(Ckr.PIN_INCORRECT), "x", "PIN", 1)).to.include({ code: "CARD_WRONG_PIN", triesLeft: 1 });
    expect(mapPkcs11Error(err(Ckr.PIN_LOCKED), "x").code).to.equal("CARD_PIN_LOCKED");
    expect(mapPkcs11Error(err(Ckr.TOKEN_NOT_PRESENT), "x").code).to.equal("CARD_NO_CARD");
    expect(mapPkcs11Error(err(Ckr.DEVICE_REMOVED), "x").code).to.equal("CARD_REMOVED");
    expect(mapPkcs11Error(err(Ckr.TOKEN_NOT_RECOGNIZED), "x").code).to.equal("CARD_NOT_FOUND");
    expect(mapPkcs11Error(err(0x5), "x").code).to.equal("CARD_PKCS11");
  });
});
