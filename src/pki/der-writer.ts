/**
 * A minimal DER encoder used by the synthetic PKI and the CRL benchmark. Each function returns the full
 * encoding of one element, so structures compose by nesting calls.
 */

/** Encodes a DER length. */
export function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Any element from its identifier byte and value. */
export function tlv(tag: number, value: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const v = value instanceof Uint8Array ? value : concat(value);
  return concat([Uint8Array.of(tag), derLength(v.length), v]);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, items);
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, items);
export const octets = (v: Uint8Array): Uint8Array => tlv(0x04, v);
export const bits = (v: Uint8Array, unused = 0): Uint8Array => tlv(0x03, concat([Uint8Array.of(unused), v]));
export const nul = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const bool = (v: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, v ? 0xff : 0x00);
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
export const printable = (s: string): Uint8Array => tlv(0x13, new TextEncoder().encode(s));
export const ia5 = (s: string): Uint8Array => tlv(0x16, new TextEncoder().encode(s));
/** `[n]` EXPLICIT (constructed wrapper). */
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, items);
/** `[n]` IMPLICIT over a constructed value: replaces the tag of `encoded`. */
export function implicitConstructed(n: number, encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  out[0] = 0xa0 | n;
  return out;
}
/** `[n]` IMPLICIT over a primitive value. */
export const implicitPrimitive = (n: number, value: Uint8Array): Uint8Array => tlv(0x80 | n, value);

/** INTEGER from unsigned big-endian bytes, a bigint or a number (non-negative). */
export function int(v: Uint8Array | bigint | number): Uint8Array {
  let bytes: Uint8Array;
  if (v instanceof Uint8Array) bytes = v;
  else {
    let hex = BigInt(v).toString(16);
    if (hex.length % 2) hex = "0" + hex;
    bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  }
  let s = 0;
  while (s < bytes.length - 1 && bytes[s] === 0) s++;
  bytes = bytes.subarray(s);
  if (bytes.length === 0) bytes = Uint8Array.of(0);
  if (bytes[0]! & 0x80) bytes = concat([Uint8Array.of(0), bytes]);
  return tlv(0x02, bytes);
}

/** ENUMERATED (small non-negative). */
export const enumerated = (n: number): Uint8Array => Uint8Array.of(0x0a, 0x01, n);

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((a) => Number(a));
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      tmp.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime for years 1950..2049, GeneralizedTime otherwise (RFC 5280). */
export function time(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const p = (n: number) => String(n).padStart(2, "0");
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, new TextEncoder().encode(`${p(y % 100)}${rest}`));
  return tlv(0x18, new TextEncoder().encode(`${String(y).padStart(4, "0")}${rest}`));
}
