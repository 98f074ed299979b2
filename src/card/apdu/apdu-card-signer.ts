import type { CardKey, CardSigner } from "../card-signer.js";
import { CardError, formatStatusWord } from "../card-error.js";
import { isWellFormedPin, JPKI_AID, JpkiFile, sha256DigestInfo, Sw } from "../jpki.js";
import { buildCommandApdu, splitResponse, type ResponseApdu } from "./apdu.js";
import type { CardTransport } from "./card-transport.js";

/** Options of the APDU signer. */
export interface ApduCardSignerOptions {
  /** Bytes asked per READ BINARY (1..256; 256 is sent as Le `00`). Default 255. */
  readChunk?: number;
  /** Check PIN formats (4 digits / 6–16 uppercase letters and digits) before sending them. Default true. */
  checkPinFormat?: boolean;
}

/**
 * A `CardSigner` that speaks the JPKI APDU protocol (FACTS.md, "The card") over a `CardTransport`:
 * the same code drives the virtual card (in-process transport) and a real card in a PC/SC reader.
 */
export class ApduCardSigner implements CardSigner {
  readonly description: string;
  private readonly readChunk: number;
  private readonly checkPinFormat: boolean;

  constructor(
    private readonly transport: CardTransport,
    options?: ApduCardSignerOptions,
  ) {
    this.description = transport.description;
    this.readChunk = options?.readChunk ?? 255;
    if (!Number.isInteger(this.readChunk) || this.readChunk < 1 || this.readChunk > 256) {
      throw new CardError("CARD_BAD_ARGUMENT", `readChunk ${this.readChunk} is not in 1..256`);
    }
    this.checkPinFormat = options?.checkPinFormat ?? true;
  }

  async readAuthCertificate(): Promise<Uint8Array> {
    await this.selectAp();
    await this.selectEf(JpkiFile.AUTH_CERT, "authentication certificate");
    return this.readDerFile("authentication certificate");
  }

  async readSignCertificate(signPassword: string): Promise<Uint8Array> {
    await this.selectAp();
    await this.verifyPin("sign", signPassword);
    await this.selectEf(JpkiFile.SIGN_CERT, "signing certificate");
    return this.readDerFile("signing certificate");
  }

  /** Reads the token info EF (0006), e.g. `JPKIAPICCTOKEN2`, with trailing blanks removed. */
  async readTokenInfo(): Promise<string> {
    await this.selectAp();
    await this.selectEf(JpkiFile.TOKEN_INFO, "token info");
    const { data, sw } = await this.send(buildCommandApdu(0x00, 0xb0, 0, 0, undefined, 20));
    if (sw !== Sw.OK && sw !== Sw.END_OF_FILE) throw statusError(sw, "reading the token info");
    return Buffer.from(data)
      .toString("latin1")
      .replace(/[\s\0]+$/, "");
  }

  async sign(key: CardKey, message: Uint8Array, pin: string): Promise<Uint8Array> {
    const digestInfo = sha256DigestInfo(message);
    await this.selectAp();
    await this.verifyPin(key, pin);
    await this.selectEf(key === "auth" ? JpkiFile.AUTH_KEY : JpkiFile.SIGN_KEY, `${key} private key`);
    const { data, sw } = await this.send(buildCommandApdu(0x80, 0x2a, 0x00, 0x80, digestInfo, 256));
    if (sw !== Sw.OK) throw statusError(sw, "computing the signature");
    if (data.length < 128) {
      throw new CardError("CARD_BAD_RESPONSE", `the card returned a ${data.length}-byte signature`);
    }
    return data;
  }

  async pinTriesLeft(key: CardKey): Promise<number | undefined> {
    await this.selectAp();
    await this.selectEf(key === "auth" ? JpkiFile.AUTH_PIN : JpkiFile.SIGN_PIN, `${key} PIN`);
    const { sw } = await this.send(buildCommandApdu(0x00, 0x20, 0x00, 0x80));
    if ((sw & 0xfff0) === 0x63c0) return sw & 0x0f;
    if (sw === Sw.AUTH_BLOCKED || sw === Sw.REF_DATA_UNUSABLE) return 0;
    throw statusError(sw, "reading the PIN retry counter");
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async send(apdu: Uint8Array): Promise<ResponseApdu> {
    return splitResponse(await this.transport.transmit(apdu));
  }

  private async selectAp(): Promise<void> {
    const { sw } = await this.send(buildCommandApdu(0x00, 0xa4, 0x04, 0x0c, JPKI_AID));
    if (sw === Sw.FILE_NOT_FOUND) {
      throw new CardError(
        "CARD_NOT_FOUND",
        "the card has no JPKI application (SELECT AP answered 6A82): is it a My Number Card?",
        { statusWord: sw },
      );
    }
    if (sw !== Sw.OK) throw statusError(sw, "selecting the JPKI application");
  }

  private async selectEf(fid: number, what: string): Promise<void> {
    const { sw } = await this.send(buildCommandApdu(0x00, 0xa4, 0x02, 0x0c, Uint8Array.from([fid >> 8, fid & 0xff])));
    if (sw === Sw.FILE_NOT_FOUND) {
      throw new CardError(
        "CARD_NOT_FOUND",
        `the card has no ${what} (EF ${fid.toString(16).padStart(4, "0").toUpperCase()}, 6A82)` +
          (fid === JpkiFile.SIGN_CERT || fid === JpkiFile.SIGN_KEY || fid === JpkiFile.SIGN_PIN
            ? ": no signing certificate on this card (holders under 15 have none)"
            : ""),
        { statusWord: sw },
      );
    }
    if (sw !== Sw.OK) throw statusError(sw, `selecting the ${what}`);
  }

  private async verifyPin(key: CardKey, pin: string): Promise<void> {
    const label = key === "auth" ? "authentication PIN" : "signing password";
    if (this.checkPinFormat && !isWellFormedPin(key, pin)) {
      throw new CardError(
        "CARD_BAD_ARGUMENT",
        key === "auth"
          ? "the authentication PIN is 4 digits (not sent to the card)"
          : "the signing password is 6-16 uppercase letters and digits (not sent to the card)",
      );
    }
    await this.selectEf(key === "auth" ? JpkiFile.AUTH_PIN : JpkiFile.SIGN_PIN, label);
    const { sw } = await this.send(
      buildCommandApdu(0x00, 0x20, 0x00, 0x80, Uint8Array.from(Buffer.from(pin, "latin1"))),
    );
    if (sw === Sw.OK) return;
    if (sw === Sw.AUTH_BLOCKED || sw === Sw.REF_DATA_UNUSABLE || sw === 0x63c0) {
      throw new CardError("CARD_PIN_LOCKED", `the ${label} is locked; the municipality office can reset it`, {
        statusWord: sw,
        triesLeft: 0,
      });
    }
    if ((sw & 0xfff0) === 0x63c0) {
      const left = sw & 0x0f;
      throw new CardError("CARD_WRONG_PIN", `wrong ${label}: ${left} ${left === 1 ? "try" : "tries"} left`, {
        statusWord: sw,
        triesLeft: left,
      });
    }
    throw statusError(sw, `verifying the ${label}`);
  }

  /** Reads a transparent EF holding one DER object: its header first, then the rest in chunks. */
  private async readDerFile(what: string): Promise<Uint8Array> {
    const head = await this.readAt(0, 4, what);
    if (head.length < 2 || head[0] !== 0x30) {
      throw new CardError("CARD_BAD_RESPONSE", `the ${what} does not start with a DER SEQUENCE`);
    }
    let total: number;
    const first = head[1]!;
    if (first < 0x80) total = 2 + first;
    else {
      const n = first & 0x7f;
      if (n < 1 || n > 2 || head.length < 2 + n) {
        throw new CardError("CARD_BAD_RESPONSE", `the ${what} has an unsupported DER length`);
      }
      let len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | head[2 + i]!;
      total = 2 + n + len;
    }
    if (total > 0x7fff) throw new CardError("CARD_BAD_RESPONSE", `the ${what} claims ${total} bytes`);
    const out = new Uint8Array(total);
    const firstPart = head.subarray(0, Math.min(head.length, total));
    out.set(firstPart, 0);
    let offset = firstPart.length;
    while (offset < total) {
      const chunk = await this.readAt(offset, Math.min(this.readChunk, total - offset), what);
      if (chunk.length === 0) throw new CardError("CARD_BAD_RESPONSE", `the ${what} ends early at byte ${offset}`);
      out.set(chunk.subarray(0, total - offset), offset);
      offset += Math.min(chunk.length, total - offset);
    }
    return out;
  }

  private async readAt(offset: number, ne: number, what: string): Promise<Uint8Array> {
    const { data, sw } = await this.send(buildCommandApdu(0x00, 0xb0, offset >> 8, offset & 0xff, undefined, ne));
    if (sw === Sw.OK || sw === Sw.END_OF_FILE) return data;
    if (sw === Sw.SECURITY_STATUS) {
      throw new CardError("CARD_SECURITY_STATUS", `the card refused to read the ${what}: PIN not verified`, {
        statusWord: sw,
      });
    }
    throw statusError(sw, `reading the ${what}`);
  }
}

function statusError(sw: number, doing: string): CardError {
  if (sw === Sw.FILE_NOT_FOUND)
    return new CardError("CARD_NOT_FOUND", `file not found while ${doing} (6A82)`, { statusWord: sw });
  if (sw === Sw.SECURITY_STATUS) {
    return new CardError("CARD_SECURITY_STATUS", `security status not satisfied while ${doing} (6982)`, {
      statusWord: sw,
    });
  }
  return new CardError("CARD_STATUS", `the card answered ${formatStatusWord(sw)} while ${doing}`, { statusWord: sw });
}
