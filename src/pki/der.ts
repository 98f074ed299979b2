import { PkiError } from "./pki-error.js";

/**
 * A strict, allocation-light DER reader. Every function works on offsets into one byte array, so a caller can
 * walk very large structures (a CRL with a million entries) without building an object per element.
 * Only single-byte identifiers (tag numbers 0..30) and definite lengths of at most 4 length bytes are accepted;
 * anything else is a `PkiError("PKI_MALFORMED")`.
 */

/** One DER element: where it starts, where its value starts and where it ends (exclusive). */
export interface Tlv {
  /** The identifier byte (class, constructed bit and tag number). */
  tag: number;
  /** Offset of the identifier byte. */
  start: number;
  /** Offset of the first value byte. */
  valueStart: number;
  /** Offset one past the last value byte. */
  end: number;
}

/** Universal tags used by this toolkit. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag byte: `[n]`, constructed or primitive. */
export function ctx(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** Reads the element at `offset`; it must end at or before `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit: number = buf.length, what = "element"): Tlv {
  if (offset >= limit) throw malformed(`${what}: unexpected end of data at offset ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(`${what}: multi-byte tags are not supported (offset ${offset})`);
  if (offset + 1 >= limit) throw malformed(`${what}: truncated length at offset ${offset + 1}`);
  const first = buf[offset + 1]!;
  let length: number;
  let valueStart: number;
  if (first < 0x80) {
    length = first;
    valueStart = offset + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw malformed(`${what}: indefinite length is not DER (offset ${offset + 1})`);
    if (n > 4) throw malformed(`${what}: length of ${n} bytes is too large (offset ${offset + 1})`);
    if (offset + 2 + n > limit) throw malformed(`${what}: truncated length at offset ${offset + 1}`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (buf[offset + 2] === 0 || length < 0x80) throw malformed(`${what}: non-minimal length (offset ${offset + 1})`);
    valueStart = offset + 2 + n;
  }
  const end = valueStart + length;
  if (end > limit) throw malformed(`${what}: length ${length} runs past the end of its container (offset ${offset})`);
  return { tag, start: offset, valueStart, end };
}

/** Reads the element at `offset` and checks its tag. */
export function expectTlv(buf: Uint8Array, offset: number, limit: number, tag: number, what: string): Tlv {
  const tlv = readTlv(buf, offset, limit, what);
  if (tlv.tag !== tag) {
    throw malformed(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(tlv.tag)} at offset ${offset}`);
  }
  return tlv;
}

/** Reads exactly one element spanning the whole input; trailing bytes are a `PKI_TRAILING_DATA` error. */
export function readOnly(buf: Uint8Array, what: string): Tlv {
  const tlv = readTlv(buf, 0, buf.length, what);
  if (tlv.end !== buf.length) {
    throw new PkiError("PKI_TRAILING_DATA", `${what}: ${buf.length - tlv.end} byte(s) follow the DER element`);
  }
  return tlv;
}

/** The children of a constructed element, in order (each must fit exactly). */
export function children(buf: Uint8Array, parent: Tlv, what = "element"): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw malformed(`${what}: expected a constructed element`);
  const out: Tlv[] = [];
  let p = parent.valueStart;
  while (p < parent.end) {
    const c = readTlv(buf, p, parent.end, what);
    out.push(c);
    p = c.end;
  }
  return out;
}

/**
 * Checks a whole DER tree: every constructed element's children fit exactly, lengths are definite and minimal,
 * and nesting stays below `maxDepth`. Primitive values (including OCTET and BIT STRING contents) are not entered.
 */
export function validateTree(buf: Uint8Array, tlv: Tlv, what: string, maxDepth = 32): void {
  if (maxDepth <= 0) throw malformed(`${what}: nesting too deep`);
  if ((tlv.tag & 0x20) === 0) {
    if (tlv.tag === TAG.BOOLEAN && tlv.end - tlv.valueStart !== 1) throw malformed(`${what}: bad BOOLEAN`);
    if (tlv.tag === TAG.INTEGER && tlv.end === tlv.valueStart) throw malformed(`${what}: empty INTEGER`);
    if (tlv.tag === TAG.BIT_STRING && (tlv.end === tlv.valueStart || buf[tlv.valueStart]! > 7)) {
      throw malformed(`${what}: bad BIT STRING`);
    }
    return;
  }
  let p = tlv.valueStart;
  while (p < tlv.end) {
    const c = readTlv(buf, p, tlv.end, what);
    validateTree(buf, c, what, maxDepth - 1);
    p = c.end;
  }
}

/** The value bytes of an element (a view, not a copy). */
export function valueOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.valueStart, tlv.end);
}

/** The whole encoding of an element (a view, not a copy). */
export function bytesOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function decodeOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.OID || tlv.end === tlv.valueStart) throw malformed("bad OBJECT IDENTIFIER");
  const parts: number[] = [];
  let v = 0;
  let started = false;
  for (let i = tlv.valueStart; i < tlv.end; i++) {
    const b = buf[i]!;
    if (!started && b === 0x80) throw malformed("non-minimal OBJECT IDENTIFIER");
    started = (b & 0x80) !== 0;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) throw malformed("OBJECT IDENTIFIER arc too large");
    if (!started) {
      if (parts.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  if (started) throw malformed("truncated OBJECT IDENTIFIER");
  return parts.join(".");
}

/** Serial or other INTEGER as lowercase hex without redundant leading zero bytes (the DER sign byte is kept off). */
export function integerHex(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.INTEGER || tlv.end === tlv.valueStart) throw malformed("bad INTEGER");
  let s = tlv.valueStart;
  while (s < tlv.end - 1 && buf[s] === 0) s++;
  return Buffer.from(buf.buffer, buf.byteOffset + s, tlv.end - s).toString("hex");
}

/** Decodes a UTCTime or GeneralizedTime (the `Z` forms DER requires). */
export function decodeTime(buf: Uint8Array, tlv: Tlv): Date {
  const s = Buffer.from(buf.buffer, buf.byteOffset + tlv.valueStart, tlv.end - tlv.valueStart).toString("latin1");
  let m: RegExpExecArray | null;
  let year: number;
  let rest: string;
  if (tlv.tag === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{10})Z$/.exec(s);
    if (!m) throw malformed(`bad UTCTime "${printable(s)}"`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = m[2]!;
  } else if (tlv.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{10})Z$/.exec(s);
    if (!m) throw malformed(`bad GeneralizedTime "${printable(s)}"`);
    year = Number(m[1]);
    rest = m[2]!;
  } else throw malformed(`expected a time, found tag 0x${hex2(tlv.tag)}`);
  const mo = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  const h = Number(rest.slice(4, 6));
  const mi = Number(rest.slice(6, 8));
  const se = Number(rest.slice(8, 10));
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  const check = new Date(t);
  if (mo < 1 || mo > 12 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw malformed(`invalid date "${printable(s)}"`);
  }
  return check;
}

/** Decodes a directory string (UTF8, Printable, IA5, T61 as latin1, BMP). */
export function decodeString(buf: Uint8Array, tlv: Tlv): string {
  const v = valueOf(buf, tlv);
  switch (tlv.tag) {
    case TAG.UTF8_STRING: {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(v);
      } catch (cause) {
        throw new PkiError("PKI_MALFORMED", "invalid UTF-8 in a UTF8String", { cause });
      }
    }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return Buffer.from(v).toString("latin1");
    case TAG.BMP_STRING: {
      if (v.length % 2 !== 0) throw malformed("odd-length BMPString");
      let s = "";
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    default:
      throw malformed(`expected a string, found tag 0x${hex2(tlv.tag)}`);
  }
}

/** The byte value of a BIT STRING without the unused-bits byte, plus the unused-bit count. */
export function bitString(buf: Uint8Array, tlv: Tlv): { bytes: Uint8Array; unused: number } {
  if (tlv.tag !== TAG.BIT_STRING || tlv.end === tlv.valueStart) throw malformed("bad BIT STRING");
  const unused = buf[tlv.valueStart]!;
  if (unused > 7) throw malformed("bad BIT STRING unused-bits count");
  return { bytes: buf.subarray(tlv.valueStart + 1, tlv.end), unused };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function malformed(message: string): PkiError {
  return new PkiError("PKI_MALFORMED", message);
}
