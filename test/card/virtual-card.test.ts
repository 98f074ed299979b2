import { expect } from "chai";
import { constants, createHash, createPublicKey, publicDecrypt, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import type { CardTransport } from "../../src/card/apdu/card-transport.js";
import { CardError } from "../../src/card/card-error.js";
import { readCardStatus } from "../../src/card/card-status.js";
import { sha256DigestInfo } from "../../src/card/jpki.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VIRTUAL_CARD_STATE_FILE, VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { syntheticHolder, writeHolderFolder } from "./helpers/synthetic-holder.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const sw = (r: Uint8Array) =>
  Buffer.from(r.subarray(r.length - 2))
    .toString("hex")
    .toUpperCase();
const SELECT_AP = "00A4040C0AD392F000260100000001";

function newCard(withSign = true): VirtualJpkiCard {
  const h = syntheticHolder();
  return new VirtualJpkiCard({
    authCertificate: h.authCert,
    authKey: h.authKey,
    authPin: h.authPin,
    ...(withSign ? { signCertificate: h.signCert, signKey: h.signKey, signPassword: h.signPassword } : {}),
    tokenInfo: "JPKIAPICCTOKEN2",
  });
}

async function expectCardError(p: Promise<unknown>, code: string): Promise<CardError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(CardError);
    expect((error as CardError).code).to.equal(code);
    return error as CardError;
  }
  throw new Error(`expected CardError ${code}`);
}

describe("virtual JPKI card: raw APDUs", function () {
  it("selects the AP and EFs, answers 6A82 for unknown AIDs/files and EFs before the AP", function () {
    const card = newCard();
    expect(sw(card.transmit(hex("00A4020C02000A")))).to.equal("6A82");
    expect(sw(card.transmit(hex("00A4040C0AD392F000260100000002")))).to.equal("6A82");
    expect(sw(card.transmit(hex(SELECT_AP)))).to.equal("9000");
    expect(sw(card.transmit(hex("00A4020C02000A")))).to.equal("9000");
    expect(sw(card.transmit(hex("00A4020C02ABCD")))).to.equal("6A82");
    expect(sw(card.transmit(hex("00A4020C02000B")))).to.equal("6A82"); // no CA cert loaded
  });

  it("reads the certificate in chunks with P1-P2 offsets, Le 00 = 256 and extended Le", function () {
    const h = syntheticHolder();
    const card = newCard();
    card.transmit(hex(SELECT_AP));
    card.transmit(hex("00A4020C02000A"));
    const first = card.transmit(hex("00B0000000"));
    expect(sw(first)).to.equal("9000");
    expect(first.length).to.equal(258);
    expect(Buffer.from(first.subarray(0, 256)).equals(Buffer.from(h.authCert.subarray(0, 256)))).to.equal(true);
    const second = card.transmit(hex("00B00100FF"));
    expect(Buffer.from(second.subarray(0, 255)).equals(Buffer.from(h.authCert.subarray(256, 511)))).to.equal(true);
    const whole = card.transmit(hex("00B00000000000")); // extended Le = 65536: returns the file with 6282
    expect(sw(whole)).to.equal("6282");
    expect(Buffer.from(whole.subarray(0, -2)).equals(Buffer.from(h.authCert))).to.equal(true);
    const off = h.authCert.length;
    expect(sw(card.transmit(Uint8Array.from([0, 0xb0, off >> 8, off & 0xff, 1])))).to.equal("6B00");
  });

  it("answers 6D00 / 6E00 / 6A86 / 6700 for unknown INS, CLA, P1-P2 and bad lengths", function () {
    const card = newCard();
    expect(sw(card.transmit(hex("00CA000000")))).to.equal("6D00");
    expect(sw(card.transmit(hex("A0A4040C0AD392F000260100000001")))).to.equal("6E00");
    expect(sw(card.transmit(hex("00A4FF0C0AD392F000260100000001")))).to.equal("6A86");
    expect(sw(card.transmit(hex("00A4040C0BD392F000260100000001")))).to.equal("6700");
    expect(sw(card.transmit(hex("00A4")))).to.equal("6700");
  });

  it("VERIFY: empty data reports 63Cx, wrong PINs count down, the right PIN resets, lockout at 3 is 6983", function () {
    const card = newCard();
    card.transmit(hex(SELECT_AP));
    card.transmit(hex("00A4020C020018"));
    expect(sw(card.transmit(hex("00200080")))).to.equal("63C3");
    expect(sw(card.transmit(hex("002000800430303030")))).to.equal("63C2");
    expect(sw(card.transmit(hex("002000800431323334")))).to.equal("9000");
    expect(sw(card.transmit(hex("00200080")))).to.equal("63C3");
    for (const expected of ["63C2", "63C1", "63C0"]) {
      expect(sw(card.transmit(hex("002000800430303030")))).to.equal(expected);
    }
    expect(sw(card.transmit(hex("002000800431323334")))).to.equal("6983");
    expect(sw(card.transmit(hex("00200080")))).to.equal("6983");
    expect(card.retryCounters.authTriesLeft).to.equal(0);
  });

  it("COMPUTE DIGITAL SIGNATURE needs the verified PIN and signs exactly the DigestInfo (PKCS#1 type 1)", function () {
    const h = syntheticHolder();
    const card = newCard();
    const digestInfo = sha256DigestInfo(new Uint8Array(32).fill(7));
    const signApdu = Uint8Array.from([0x80, 0x2a, 0x00, 0x80, digestInfo.length, ...digestInfo, 0x00]);
    card.transmit(hex(SELECT_AP));
    card.transmit(hex("00A4020C020017"));
    expect(sw(card.transmit(signApdu))).to.equal("6982");
    card.transmit(hex("00A4020C020018"));
    expect(sw(card.transmit(hex("002000800431323334")))).to.equal("9000");
    card.transmit(hex("00A4020C020017"));
    const r = card.transmit(signApdu);
    expect(sw(r)).to.equal("9000");
    expect(r.length).to.equal(258);
    const recovered = publicDecrypt(
      { key: createPublicKey(h.authKey), padding: constants.RSA_PKCS1_PADDING },
      r.subarray(0, 256),
    );
    expect(Buffer.from(recovered).equals(Buffer.from(digestInfo))).to.equal(true);
    // the signing key is still refused: its password was not verified
    card.transmit(hex("00A4020C02001A"));
    expect(sw(card.transmit(signApdu))).to.equal("6982");
  });

  it("EF 0001 (signing certificate) needs the signing password; key and PIN EFs are not readable", function () {
    const card = newCard();
    card.transmit(hex(SELECT_AP));
    card.transmit(hex("00A4020C020001"));
    expect(sw(card.transmit(hex("00B0000004")))).to.equal("6982");
    card.transmit(hex("00A4020C02001B"));
    expect(sw(card.transmit(Uint8Array.from([0, 0x20, 0, 0x80, 7, ...Buffer.from("TESTPW1")])))).to.equal("9000");
    card.transmit(hex("00A4020C020001"));
    expect(sw(card.transmit(hex("00B0000004")))).to.equal("9000");
    card.transmit(hex("00A4020C020017"));
    expect(sw(card.transmit(hex("00B0000004")))).to.equal("6986");
  });

  it("a holder without a signing certificate has no EF 0001/001A/001B", function () {
    const card = newCard(false);
    card.transmit(hex(SELECT_AP));
    for (const fid of ["0001", "001A", "001B"]) expect(sw(card.transmit(hex(`00A4020C02${fid}`)))).to.equal("6A82");
  });

  it("a removed card fails every APDU with CARD_REMOVED and loses its security state", function () {
    const card = newCard();
    card.transmit(hex(SELECT_AP));
    card.remove();
    expect(() => card.transmit(hex(SELECT_AP)))
      .to.throw(CardError)
      .with.property("code", "CARD_REMOVED");
    card.insert();
    expect(sw(card.transmit(hex("00A4020C02000A")))).to.equal("6A82");
  });
});

describe("APDU signer over the in-process transport", function () {
  it("reads the authentication certificate byte for byte, with 255- and 256-byte chunks", async function () {
    const h = syntheticHolder();
    for (const readChunk of [255, 256, 100]) {
      const signer = new ApduCardSigner(new InProcessTransport(newCard()), { readChunk });
      const cert = await signer.readAuthCertificate();
      expect(Buffer.from(cert).equals(Buffer.from(h.authCert))).to.equal(true);
      await signer.close();
    }
  });

  it("reads the signing certificate with the signing password and the token info", async function () {
    const h = syntheticHolder();
    const signer = new ApduCardSigner(new InProcessTransport(newCard()));
    expect(Buffer.from(await signer.readSignCertificate(h.signPassword)).equals(Buffer.from(h.signCert))).to.equal(
      true,
    );
    expect(await signer.readTokenInfo()).to.equal("JPKIAPICCTOKEN2");
  });

  it("signs with both keys: SHA256withRSA signatures that node:crypto verifies", async function () {
    const h = syntheticHolder();
    const signer = new ApduCardSigner(new InProcessTransport(newCard()));
    const message = new Uint8Array(32).map((_, i) => i);
    const a = await signer.sign("auth", message, h.authPin);
    const s = await signer.sign("sign", message, h.signPassword);
    expect(a.length).to.equal(256);
    expect(verify("sha256", message, createPublicKey(h.authKey), a)).to.equal(true);
    expect(verify("sha256", message, createPublicKey(h.signKey), s)).to.equal(true);
    expect(verify("sha256", message, createPublicKey(h.signKey), a)).to.equal(false);
  });

  it("wrong auth PIN down to lockout: CARD_WRONG_PIN with tries 2, 1, then CARD_PIN_LOCKED", async function () {
    const h = syntheticHolder();
    const card = newCard();
    const signer = new ApduCardSigner(new InProcessTransport(card));
    const message = new Uint8Array(32);
    expect(await signer.pinTriesLeft("auth")).to.equal(3);
    expect((await expectCardError(signer.sign("auth", message, "0000"), "CARD_WRONG_PIN")).triesLeft).to.equal(2);
    expect((await expectCardError(signer.sign("auth", message, "0001"), "CARD_WRONG_PIN")).triesLeft).to.equal(1);
    expect(await signer.pinTriesLeft("auth")).to.equal(1);
    await expectCardError(signer.sign("auth", message, "0002"), "CARD_PIN_LOCKED");
    await expectCardError(signer.sign("auth", message, h.authPin), "CARD_PIN_LOCKED");
    expect(await signer.pinTriesLeft("auth")).to.equal(0);
    // the signing password is independent: 5 tries
    expect(await signer.pinTriesLeft("sign")).to.equal(5);
  });

  it("signing password lockout after 5 wrong tries", async function () {
    const signer = new ApduCardSigner(new InProcessTransport(newCard()));
    for (let left = 4; left >= 1; left--) {
      expect((await expectCardError(signer.readSignCertificate("WRONG1"), "CARD_WRONG_PIN")).triesLeft).to.equal(left);
    }
    await expectCardError(signer.readSignCertificate("WRONG1"), "CARD_PIN_LOCKED");
    await expectCardError(signer.readSignCertificate(syntheticHolder().signPassword), "CARD_PIN_LOCKED");
  });

  it("refuses a malformed PIN without spending a try", async function () {
    const card = newCard();
    const signer = new ApduCardSigner(new InProcessTransport(card));
    await expectCardError(signer.sign("auth", new Uint8Array(32), "12345"), "CARD_BAD_ARGUMENT");
    await expectCardError(signer.sign("sign", new Uint8Array(32), "abc"), "CARD_BAD_ARGUMENT");
    expect(card.retryCounters).to.deep.equal({ authTriesLeft: 3, signTriesLeft: 5 });
  });

  it("missing files give CARD_NOT_FOUND (6A82): no signing certificate, no JPKI application", async function () {
    const signer = new ApduCardSigner(new InProcessTransport(newCard(false)));
    const e = await expectCardError(signer.readSignCertificate("TESTPW1"), "CARD_NOT_FOUND");
    expect(e.statusWord).to.equal(0x6a82);
    expect(e.message).to.contain("under 15");
    const notJpki: CardTransport = {
      description: "a card without the JPKI AP",
      transmit: async () => Uint8Array.from([0x6a, 0x82]),
      close: async () => {},
    };
    await expectCardError(new ApduCardSigner(notJpki).readAuthCertificate(), "CARD_NOT_FOUND");
  });

  it("an unexpected status word gives CARD_STATUS with the status word", async function () {
    const odd: CardTransport = {
      description: "a card answering 6F00",
      transmit: async () => Uint8Array.from([0x6f, 0x00]),
      close: async () => {},
    };
    const e = await expectCardError(new ApduCardSigner(odd).readAuthCertificate(), "CARD_STATUS");
    expect(e.statusWord).to.equal(0x6f00);
    expect(e.message).to.contain("6F00");
  });

  it("no card in the reader at the first command gives CARD_NO_CARD", async function () {
    const card = newCard();
    card.remove();
    await expectCardError(new ApduCardSigner(new InProcessTransport(card)).readAuthCertificate(), "CARD_NO_CARD");
  });

  it("a card removed in the middle of reading the certificate gives CARD_REMOVED", async function () {
    const card = newCard();
    const signer = new ApduCardSigner(new InProcessTransport(card));
    card.removeAfter(4); // SELECT AP, SELECT EF, header, first chunk; then gone
    await expectCardError(signer.readAuthCertificate(), "CARD_REMOVED");
    expect(card.present).to.equal(false);
  });
});

describe("card status", function () {
  it("reports the certificate fingerprint and tries left without spending a try", async function () {
    const card = newCard();
    const signer = new ApduCardSigner(new InProcessTransport(card));
    await expectCardError(signer.sign("sign", new Uint8Array(32), "WRONG1"), "CARD_WRONG_PIN");
    const s = await readCardStatus(signer);
    expect(s.authTriesLeft).to.equal(3);
    expect(s.signTriesLeft).to.equal(4);
    expect(s.authCertificateSha256).to.equal(createHash("sha256").update(syntheticHolder().authCert).digest("hex"));
    expect(card.retryCounters).to.deep.equal({ authTriesLeft: 3, signTriesLeft: 4 });
    const minor = await readCardStatus(new ApduCardSigner(new InProcessTransport(newCard(false))));
    expect(minor.signTriesLeft).to.equal("absent");
  });
});

describe("virtual card folder", function () {
  it("loads a dev-pki holder folder and keeps the retry counters across openings", async function () {
    const dir = writeHolderFolder();
    const first = new ApduCardSigner(new InProcessTransport(VirtualJpkiCard.fromFolder(dir)));
    await expectCardError(first.sign("auth", new Uint8Array(32), "9999"), "CARD_WRONG_PIN");
    await first.close();
    expect(existsSync(join(dir, VIRTUAL_CARD_STATE_FILE))).to.equal(true);
    const second = new ApduCardSigner(new InProcessTransport(VirtualJpkiCard.fromFolder(dir)));
    expect(await second.pinTriesLeft("auth")).to.equal(2);
    await second.sign("auth", new Uint8Array(32), "1234");
    expect(JSON.parse(readFileSync(join(dir, VIRTUAL_CARD_STATE_FILE), "utf8"))).to.deep.equal({
      authTriesLeft: 3,
      signTriesLeft: 5,
    });
  });

  it("a folder without card.json is CARD_NOT_FOUND", function () {
    expect(() => VirtualJpkiCard.fromFolder("/nonexistent-card-dir"))
      .to.throw(CardError)
      .with.property("code", "CARD_NOT_FOUND");
  });
});
