import { constants, privateEncrypt } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { CardError } from "../card-error.js";
import { MalformedApduError, parseCommandApdu, type CommandApdu } from "../apdu/apdu.js";
import { AUTH_PIN_MAX_TRIES, JPKI_AID, JpkiFile, SIGN_PIN_MAX_TRIES, Sw } from "../jpki.js";
import { loadVirtualCardFolder, type VirtualCardContents } from "./virtual-card-contents.js";

/** The PIN retry counters of a virtual card (what a real card keeps in EEPROM). */
export interface VirtualCardCounters {
  authTriesLeft: number;
  signTriesLeft: number;
}

/** Options of a virtual card. */
export interface VirtualCardOptions {
  /** Initial counters (default: full). */
  counters?: VirtualCardCounters;
  /** Called after every change of a counter, e.g. to persist it. */
  onCountersChange?: (counters: VirtualCardCounters) => void;
}

/** The file name of the counter state inside a virtual card folder. */
export const VIRTUAL_CARD_STATE_FILE = "virtual-card-state.json";

/**
 * A software My Number Card JPKI application that answers the APDUs of the real card:
 * SELECT AP / EF, READ BINARY (offset in P1-P2, short or extended Le), VERIFY (retry counters, lockout at 3 / 5,
 * empty VERIFY answers `63 Cx`), COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`, PKCS#1 v1.5 type-1 padding over the
 * DigestInfo it is sent), with the card's security-status rules. It is synchronous and has no I/O except the
 * optional counter persistence.
 */
export class VirtualJpkiCard {
  readonly contents: VirtualCardContents;
  private counters: VirtualCardCounters;
  private readonly onCountersChange: ((counters: VirtualCardCounters) => void) | undefined;
  private inserted = true;
  private removeAfterCount: number | undefined;
  private apSelected = false;
  private currentEf: number | undefined;
  private authVerified = false;
  private signVerified = false;
  /** Number of APDUs processed since creation (for tests). */
  apduCount = 0;

  constructor(contents: VirtualCardContents, options?: VirtualCardOptions) {
    this.contents = contents;
    this.counters = {
      ...(options?.counters ?? { authTriesLeft: AUTH_PIN_MAX_TRIES, signTriesLeft: SIGN_PIN_MAX_TRIES }),
    };
    this.onCountersChange = options?.onCountersChange;
  }

  /**
   * Opens the virtual card stored in a dev-pki holder folder; its retry counters persist in
   * `<dir>/virtual-card-state.json`, so a locked virtual card stays locked across runs like a real one.
   */
  static fromFolder(dir: string): VirtualJpkiCard {
    const contents = loadVirtualCardFolder(dir);
    const statePath = join(dir, VIRTUAL_CARD_STATE_FILE);
    let counters: VirtualCardCounters = { authTriesLeft: AUTH_PIN_MAX_TRIES, signTriesLeft: SIGN_PIN_MAX_TRIES };
    if (existsSync(statePath)) {
      try {
        const saved = JSON.parse(readFileSync(statePath, "utf8")) as Partial<VirtualCardCounters>;
        const valid = (v: unknown, max: number): v is number =>
          Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
        if (!valid(saved.authTriesLeft, AUTH_PIN_MAX_TRIES) || !valid(saved.signTriesLeft, SIGN_PIN_MAX_TRIES)) {
          throw new Error("counter out of range");
        }
        counters = { authTriesLeft: saved.authTriesLeft, signTriesLeft: saved.signTriesLeft };
      } catch (cause) {
        throw new CardError("CARD_BAD_ARGUMENT", `${statePath} is corrupt; delete it to reset the virtual card`, {
          cause,
        });
      }
    }
    return new VirtualJpkiCard(contents, {
      counters,
      onCountersChange: (c) => writeFileSync(statePath, JSON.stringify(c) + "\n", { mode: 0o600 }),
    });
  }

  /** The current retry counters (a copy). */
  get retryCounters(): VirtualCardCounters {
    return { ...this.counters };
  }

  /** Whether the card is in the reader. */
  get present(): boolean {
    return this.inserted;
  }

  /** Takes the card out of the reader: every later APDU fails with `CARD_REMOVED`, the security state is lost. */
  remove(): void {
    this.inserted = false;
    this.removeAfterCount = undefined;
    this.reset();
  }

  /** Puts the card back (a fresh power-up: nothing selected, no PIN verified). */
  insert(): void {
    this.inserted = true;
    this.reset();
  }

  /** Removes the card after `n` more APDUs have been answered (to test removal mid-operation). */
  removeAfter(n: number): void {
    this.removeAfterCount = n;
  }

  /**
   * Processes one command APDU and returns the response (data ‖ SW1 SW2).
   * @throws CardError `CARD_REMOVED` when the card is not in the reader.
   */
  transmit(apdu: Uint8Array): Uint8Array {
    if (!this.inserted) throw new CardError("CARD_REMOVED", "the card was removed from the reader");
    if (this.removeAfterCount !== undefined) {
      if (this.removeAfterCount <= 0) {
        this.remove();
        throw new CardError("CARD_REMOVED", "the card was removed from the reader");
      }
      this.removeAfterCount--;
    }
    this.apduCount++;
    let command: CommandApdu;
    try {
      command = parseCommandApdu(apdu);
    } catch (error) {
      if (error instanceof MalformedApduError) return status(Sw.WRONG_LENGTH);
      throw error;
    }
    return this.process(command);
  }

  private reset(): void {
    this.apSelected = false;
    this.currentEf = undefined;
    this.authVerified = false;
    this.signVerified = false;
  }

  private process(c: CommandApdu): Uint8Array {
    if (c.cla === 0x00) {
      switch (c.ins) {
        case 0xa4:
          return this.select(c);
        case 0xb0:
          return this.readBinary(c);
        case 0x20:
          return this.verify(c);
        default:
          return status(Sw.INS_NOT_SUPPORTED);
      }
    }
    if (c.cla === 0x80) {
      if (c.ins === 0x2a) return this.computeSignature(c);
      return status(Sw.INS_NOT_SUPPORTED);
    }
    return status(Sw.CLA_NOT_SUPPORTED);
  }

  private select(c: CommandApdu): Uint8Array {
    if (c.p1 === 0x04 && c.p2 === 0x0c) {
      if (c.data.length !== JPKI_AID.length || !c.data.every((b, i) => b === JPKI_AID[i])) {
        return status(Sw.FILE_NOT_FOUND);
      }
      this.reset();
      this.apSelected = true;
      return status(Sw.OK);
    }
    if (c.p1 === 0x02 && c.p2 === 0x0c) {
      if (c.data.length !== 2) return status(Sw.WRONG_LENGTH);
      const fid = (c.data[0]! << 8) | c.data[1]!;
      if (!this.apSelected || !this.fileExists(fid)) return status(Sw.FILE_NOT_FOUND);
      this.currentEf = fid;
      return status(Sw.OK);
    }
    return status(Sw.WRONG_P1P2);
  }

  private fileExists(fid: number): boolean {
    const k = this.contents;
    switch (fid) {
      case JpkiFile.AUTH_CERT:
      case JpkiFile.AUTH_KEY:
      case JpkiFile.AUTH_PIN:
      case JpkiFile.TOKEN_INFO:
        return true;
      case JpkiFile.SIGN_CERT:
      case JpkiFile.SIGN_KEY:
      case JpkiFile.SIGN_PIN:
        return k.signCertificate !== undefined;
      case JpkiFile.AUTH_CA_CERT:
        return k.authCaCertificate !== undefined;
      case JpkiFile.SIGN_CA_CERT:
        return k.signCaCertificate !== undefined;
      default:
        return false;
    }
  }

  /** The readable content of a transparent EF, `"denied"` when the security status forbids, or undefined. */
  private fileContent(fid: number): Uint8Array | "denied" | undefined {
    const k = this.contents;
    switch (fid) {
      case JpkiFile.AUTH_CERT:
        return k.authCertificate;
      case JpkiFile.AUTH_CA_CERT:
        return k.authCaCertificate;
      case JpkiFile.SIGN_CA_CERT:
        return k.signCaCertificate;
      case JpkiFile.TOKEN_INFO:
        return Uint8Array.from(Buffer.from(k.tokenInfo.padEnd(20, " "), "ascii"));
      case JpkiFile.SIGN_CERT:
        return this.signVerified ? k.signCertificate : "denied";
      default:
        return undefined;
    }
  }

  private readBinary(c: CommandApdu): Uint8Array {
    if (c.data.length > 0) return status(Sw.WRONG_LENGTH);
    if (c.p1 & 0x80) return status(Sw.WRONG_P1P2); // short-EF addressing is not used by the JPKI AP
    if (this.currentEf === undefined) return status(Sw.NOT_ALLOWED);
    const content = this.fileContent(this.currentEf);
    if (content === "denied") return status(Sw.SECURITY_STATUS);
    if (content === undefined) return status(Sw.NOT_ALLOWED); // a key or PIN EF is not readable
    const offset = (c.p1 << 8) | c.p2;
    if (offset >= content.length) return status(Sw.OFFSET_OUT_OF_RANGE);
    const ne = c.ne ?? 256;
    const chunk = content.subarray(offset, Math.min(content.length, offset + ne));
    return withStatus(chunk, chunk.length < ne ? Sw.END_OF_FILE : Sw.OK);
  }

  private verify(c: CommandApdu): Uint8Array {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return status(Sw.WRONG_P1P2);
    const which =
      this.currentEf === JpkiFile.AUTH_PIN ? "auth" : this.currentEf === JpkiFile.SIGN_PIN ? "sign" : undefined;
    if (which === undefined) return status(Sw.NOT_ALLOWED);
    const left = which === "auth" ? this.counters.authTriesLeft : this.counters.signTriesLeft;
    if (c.data.length === 0) return left === 0 ? status(Sw.AUTH_BLOCKED) : status(0x63c0 | left);
    if (left === 0) return status(Sw.AUTH_BLOCKED);
    const expected = which === "auth" ? this.contents.authPin : this.contents.signPassword;
    const given = Buffer.from(c.data).toString("latin1");
    if (expected !== undefined && given === expected) {
      this.setTries(which, which === "auth" ? AUTH_PIN_MAX_TRIES : SIGN_PIN_MAX_TRIES);
      if (which === "auth") this.authVerified = true;
      else this.signVerified = true;
      return status(Sw.OK);
    }
    this.setTries(which, left - 1);
    if (which === "auth") this.authVerified = false;
    else this.signVerified = false;
    return status(0x63c0 | (left - 1));
  }

  private setTries(which: "auth" | "sign", value: number): void {
    const before = which === "auth" ? this.counters.authTriesLeft : this.counters.signTriesLeft;
    if (before === value) return;
    if (which === "auth") this.counters.authTriesLeft = value;
    else this.counters.signTriesLeft = value;
    this.onCountersChange?.({ ...this.counters });
  }

  private computeSignature(c: CommandApdu): Uint8Array {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return status(Sw.WRONG_P1P2);
    let key;
    if (this.currentEf === JpkiFile.AUTH_KEY) {
      if (!this.authVerified) return status(Sw.SECURITY_STATUS);
      key = this.contents.authKey;
    } else if (this.currentEf === JpkiFile.SIGN_KEY) {
      if (!this.signVerified) return status(Sw.SECURITY_STATUS);
      key = this.contents.signKey;
    }
    if (key === undefined) return status(Sw.NOT_ALLOWED);
    const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
    if (c.data.length === 0 || c.data.length > modulusBytes - 11) return status(Sw.WRONG_LENGTH);
    const signature = privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, c.data);
    return withStatus(new Uint8Array(signature), Sw.OK);
  }
}

function status(sw: number): Uint8Array {
  return Uint8Array.from([sw >> 8, sw & 0xff]);
}

function withStatus(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
