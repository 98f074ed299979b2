import { getBytes, hexlify, isHexString } from "ethers";

import { PiiGuardError } from "./pii-guard-error.js";

/**
 * The PII guard: every transaction the operator tooling sends passes through {@link assertNoPii} first.
 * DESIGN.md: nothing from a certificate may reach the chain, and calldata is public forever. The guard searches
 * the raw calldata for every byte string that would leak a certificate or its holder, and refuses the whole
 * transaction on a hit. It is a last line of defence (the encoders never put such data in), so it is strict.
 */

/** What the guard knows about one certificate involved in a transaction. Every field is optional. */
export interface PiiMaterial {
  /** A label for messages, e.g. `auth certificate`. Never a value from the certificate. */
  readonly label: string;
  /** The whole certificate (DER). */
  readonly der?: Uint8Array;
  /** The raw TBSCertificate bytes. */
  readonly tbs?: Uint8Array;
  /** The serial number, hex. Checked as bytes (when at least {@link MIN_SERIAL_BYTES} long) and as text. */
  readonly serialHex?: string;
  /** notAfter: it reveals the birthday. Checked as a 32-byte ABI word (unix seconds). */
  readonly notAfter?: Date;
  /**
   * Text from the certificate checked as UTF-8: subject CN, CRL distribution point names, the signing
   * attributes (name, date of birth, gender, address, substitute-position strings). Strings shorter than
   * {@link MIN_TEXT_BYTES} bytes are ignored (a one-letter gender code would match random bytes).
   */
  readonly strings?: readonly string[];
  /**
   * A public key modulus that must not appear (the signing certificate's key: only the authentication key may
   * ever be bound on chain).
   */
  readonly forbiddenModulus?: Uint8Array;
}

/** Serial numbers shorter than this (in bytes, without leading zeros) are not searched as raw bytes. */
export const MIN_SERIAL_BYTES = 3;
/** Text shorter than this (UTF-8 bytes) is not searched. */
export const MIN_TEXT_BYTES = 4;

/** DER content octets of the JPKI attribute arc 1.2.392.200149.8.5.5, computed (base-128 arcs). */
export const JPKI_ATTRIBUTE_ARC = [1, 2, 392, 200149, 8, 5, 5] as const;

/** Encodes the content octets of an OBJECT IDENTIFIER (X.690 8.19). */
export function encodeOidContent(arcs: readonly number[]): Uint8Array {
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError("an OID has at least two arcs");
  const out: number[] = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [arc % 128];
    let v = Math.floor(arc / 128);
    while (v > 0) {
      groups.unshift((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...groups);
  }
  return Uint8Array.from(out);
}

/** A byte string the guard looks for, with a label for the message. */
interface Needle {
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** Needles that do not depend on a certificate: the JPKI attribute OIDs in any encoding. */
function fixedNeedles(): Needle[] {
  const arc = encodeOidContent(JPKI_ATTRIBUTE_ARC);
  const dotted = JPKI_ATTRIBUTE_ARC.join(".") + ".";
  return [
    // Any OID under the arc contains these content octets (with or without the 06 tag and length).
    { label: "a JPKI attribute OID 1.2.392.200149.8.5.5.* (DER)", bytes: arc },
    { label: "a JPKI attribute OID 1.2.392.200149.8.5.5.* (dotted text)", bytes: utf8(dotted) },
  ];
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function needlesOf(material: PiiMaterial): Needle[] {
  const needles: Needle[] = [];
  const l = material.label;
  if (material.der !== undefined && material.der.length > 0)
    needles.push({ label: `the ${l} (DER)`, bytes: material.der });
  if (material.tbs !== undefined && material.tbs.length > 0)
    needles.push({ label: `the ${l} TBS bytes`, bytes: material.tbs });
  if (material.serialHex !== undefined) {
    const hex = material.serialHex.replace(/^0x/i, "").replace(/[:\s]/g, "").toLowerCase();
    if (/^[0-9a-f]+$/.test(hex)) {
      const raw = stripLeadingZeros(getBytes("0x" + (hex.length % 2 === 1 ? "0" + hex : hex)));
      if (raw.length >= MIN_SERIAL_BYTES) {
        needles.push({ label: `the serial of the ${l} (bytes)`, bytes: raw });
      }
      const trimmed = hex.replace(/^0+(?=.)/, "");
      for (const form of new Set([hex, trimmed, trimmed.toUpperCase(), hex.toUpperCase()])) {
        if (form.length >= 2 * MIN_SERIAL_BYTES)
          needles.push({ label: `the serial of the ${l} (hex text)`, bytes: utf8(form) });
      }
      const decimal = BigInt("0x" + hex).toString(10);
      if (decimal.length >= 6) needles.push({ label: `the serial of the ${l} (decimal text)`, bytes: utf8(decimal) });
    }
  }
  if (material.notAfter !== undefined) {
    const seconds = BigInt(Math.floor(material.notAfter.getTime() / 1000));
    const word = getBytes("0x" + seconds.toString(16).padStart(64, "0"));
    needles.push({ label: `the notAfter of the ${l} (uint word)`, bytes: word });
  }
  for (const text of material.strings ?? []) {
    const forms = new Set([text, text.normalize("NFC"), text.normalize("NFKC")]);
    for (const form of forms) {
      const bytes = utf8(form);
      if (bytes.length >= MIN_TEXT_BYTES) needles.push({ label: `text from the ${l} (UTF-8)`, bytes });
    }
  }
  if (material.forbiddenModulus !== undefined && material.forbiddenModulus.length > 0) {
    needles.push({ label: `the public key of the ${l}`, bytes: stripLeadingZeros(material.forbiddenModulus) });
  }
  return needles;
}

/** Normalises calldata given as bytes or 0x hex. */
export function calldataBytes(calldata: Uint8Array | string): Uint8Array {
  if (typeof calldata === "string") {
    if (!isHexString(calldata)) throw new TypeError("calldata must be 0x-prefixed hex");
    return getBytes(calldata);
  }
  return calldata;
}

/**
 * Every finding (labels only) of certificate or personal data in `calldata`. Empty means clean.
 * The JPKI attribute OIDs are always searched, even with no material.
 */
export function findPii(calldata: Uint8Array | string, materials: readonly PiiMaterial[]): string[] {
  const haystack = Buffer.from(calldataBytes(calldata));
  const findings = new Set<string>();
  for (const needle of [...fixedNeedles(), ...materials.flatMap(needlesOf)]) {
    if (needle.bytes.length > 0 && haystack.indexOf(Buffer.from(needle.bytes)) !== -1) findings.add(needle.label);
  }
  return [...findings];
}

/**
 * Refuses calldata that contains certificate or personal data.
 * @throws PiiGuardError listing what was found (labels only; the values are never printed).
 */
export function assertNoPii(calldata: Uint8Array | string, materials: readonly PiiMaterial[]): void {
  const findings = findPii(calldata, materials);
  if (findings.length > 0) throw new PiiGuardError(findings);
}

/** For messages and tests: the hex of the computed attribute-arc content octets. */
export const JPKI_ATTRIBUTE_ARC_HEX = hexlify(encodeOidContent(JPKI_ATTRIBUTE_ARC));
