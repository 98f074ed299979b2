import { createVerify, type KeyObject } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

import { distributionPointFromName, toHex, type CrlDistributionPoint, type JpkiCertificate } from "./certificate.js";
import { checkCrlExtension, checkEntryExtension, checkIssuingDistributionPoint, isCritical } from "./crl-extensions.js";
import type { CrlEntryInfo } from "./crl.js";
import { mayIssueCrls, serialBytes } from "./crl.js";
import { TAG, bitString, children, ctx, decodeOid, decodeTime, readTlv, type Tlv } from "./der.js";
import { readName, type DistinguishedName } from "./names.js";
import { CRL_REASONS, OID, SIGNATURE_HASH } from "./oids.js";
import { PkiError } from "./pki-error.js";
import { rsaPublicKeyObject, type RsaKeyLike } from "./rsa.js";

/** Options of `scanCrlFile`. */
export interface CrlScanOptions {
  /**
   * The CA key to verify the signature with (omit to skip: `signatureValid` is then false). A CA certificate must
   * assert keyUsage cRLSign, else `signatureValid` is false.
   */
  ca?: JpkiCertificate | RsaKeyLike | KeyObject;
  /** Serials (hex) to look up during the pass. */
  serials?: readonly string[];
  /** Time for `fresh` (default now). */
  at?: Date;
  /** Read size (default 1 MiB). */
  chunkSize?: number;
}

/** What one streaming pass over a CRL file found. */
export interface CrlScanResult {
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  entryCount: number;
  authorityKeyId?: string;
  distributionPoint?: CrlDistributionPoint;
  signatureAlgorithm: string;
  signatureValid: boolean;
  fresh: boolean;
  /** Entries for the requested serials that are listed (keyed by the normalised lowercase hex). */
  found: Map<string, CrlEntryInfo>;
}

const MAX_ELEMENT = 16 * 1024 * 1024;
const REASON_OID_DER = [0x06, 0x03, 0x55, 0x1d, 0x15];

/**
 * Verifies and searches a CRL file in one pass with bounded memory: the file is read in chunks, the raw
 * tbsCertList bytes are fed to the signature verifier as they stream past, and entries are checked (shape,
 * duplicates) and matched against the wanted serials without keeping them. Duplicate detection keeps a 64-bit
 * fingerprint per entry (8 bytes each); a fingerprint collision would report a duplicate (fail closed).
 * Malformed input raises `PkiError`, as does a CRL `openCrl` refuses for its extensions (unrecognised critical CRL
 * or entry extension, delta / indirect / partial-scope CRL; see `crl-extensions.ts`); entry extensions are checked
 * while walking. A bad signature is `signatureValid: false`.
 */
export function scanCrlFile(path: string, options: CrlScanOptions = {}): CrlScanResult {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    throw new PkiError("PKI_IO", `cannot read ${path}`, { cause });
  }
  try {
    return new Scanner(fd, fstatSync(fd).size, options).run();
  } finally {
    closeSync(fd);
  }
}

class Scanner {
  private buf: Buffer;
  /** File offset of buf[0]. */
  private base = 0;
  /** Valid bytes in buf. */
  private len = 0;
  private hashedTo = 0;
  private tbsStart = -1;
  private tbsEnd = -1;
  private readonly verifier;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly options: CrlScanOptions,
  ) {
    this.buf = Buffer.allocUnsafe(options.chunkSize ?? 1 << 20);
    this.verifier = createVerify("sha256");
  }

  run(): CrlScanResult {
    const outer = this.element(0, this.size, "CRL");
    if (outer.tag !== TAG.SEQUENCE) throw malformed("a CRL must be a SEQUENCE");
    if (outer.end !== this.size)
      throw new PkiError("PKI_TRAILING_DATA", `${this.size - outer.end} byte(s) follow the CRL`);
    const tbs = this.element(outer.valueStart, outer.end, "tbsCertList");
    if (tbs.tag !== TAG.SEQUENCE) throw malformed("bad tbsCertList");
    this.tbsStart = tbs.start;
    this.tbsEnd = tbs.end;
    this.hashedTo = tbs.start;

    let p = tbs.valueStart;
    let el = this.element(p, tbs.end, "tbsCertList");
    if (el.tag === TAG.INTEGER) {
      const v = this.small(el);
      if (v.length !== 3 || v[2] !== 1) throw malformed("unsupported CRL version");
      p = el.end;
      el = this.element(p, tbs.end, "tbsCertList");
    }
    if (el.tag !== TAG.SEQUENCE) throw malformed("tbsCertList: missing signature algorithm");
    const innerAlg = algorithmOf(this.small(el));
    if (SIGNATURE_HASH[innerAlg] !== "sha256") {
      throw new PkiError("PKI_UNSUPPORTED_ALGORITHM", `unsupported CRL signature algorithm ${innerAlg}`);
    }
    p = el.end;
    const issuerEl = this.element(p, tbs.end, "issuer");
    if (issuerEl.tag !== TAG.SEQUENCE) throw malformed("tbsCertList: missing issuer");
    const issuerBytes = this.small(issuerEl);
    const issuer = readName(issuerBytes, readTlv(issuerBytes, 0, issuerBytes.length));
    p = issuerEl.end;
    const thisEl = this.element(p, tbs.end, "thisUpdate");
    const thisBytes = this.small(thisEl);
    const thisUpdate = decodeTime(thisBytes, readTlv(thisBytes, 0, thisBytes.length));
    p = thisEl.end;
    let nextUpdate: Date | undefined;
    let count = 0;
    const wanted = new Map<number, Uint8Array[]>();
    for (const s of this.options.serials ?? []) {
      const b = serialBytes(s);
      const h = fnv(b, 0, b.length);
      wanted.set(h, [...(wanted.get(h) ?? []), b]);
    }
    const found = new Map<string, CrlEntryInfo>();
    let extensions: Tlv | undefined;
    if (p < tbs.end) {
      el = this.element(p, tbs.end, "tbsCertList");
      if (el.tag === TAG.UTC_TIME || el.tag === TAG.GENERALIZED_TIME) {
        const b = this.small(el);
        nextUpdate = decodeTime(b, readTlv(b, 0, b.length));
        p = el.end;
        el = p < tbs.end ? this.element(p, tbs.end, "tbsCertList") : el;
      }
      if (p < tbs.end && el.tag === TAG.SEQUENCE) {
        count = this.walkEntries(el.valueStart, el.end, wanted, found);
        p = el.end;
        el = p < tbs.end ? this.element(p, tbs.end, "tbsCertList") : el;
      }
      if (p < tbs.end && el.tag === ctx(0, true)) {
        extensions = el;
        p = el.end;
      }
      if (p !== tbs.end) throw malformed("tbsCertList: unexpected element");
    }

    let authorityKeyId: string | undefined;
    let distributionPoint: CrlDistributionPoint | undefined;
    if (extensions) {
      const b = this.small(extensions, MAX_ELEMENT);
      const wrapper = readTlv(b, 0, b.length);
      const list = readTlv(b, wrapper.valueStart, wrapper.end, "crlExtensions");
      for (const ext of children(b, list, "crlExtension")) {
        const parts = children(b, ext, "crlExtension");
        if (parts.length < 2 || parts[0]!.tag !== TAG.OID) throw malformed("bad CRL extension");
        const value = parts[parts.length - 1]!;
        if (value.tag !== TAG.OCTET_STRING) throw malformed("bad CRL extension value");
        const oid = decodeOid(b, parts[0]!);
        checkCrlExtension(oid, isCritical(b, parts));
        const inner = readTlv(b, value.valueStart, value.end, "CRL extension value");
        if (oid === OID.authorityKeyIdentifier) {
          const kid = children(b, inner, "authorityKeyIdentifier").find((t) => t.tag === ctx(0, false));
          if (kid) authorityKeyId = toHex(b.subarray(kid.valueStart, kid.end));
        } else if (oid === OID.issuingDistributionPoint) {
          checkIssuingDistributionPoint(b, inner);
          const dpName = children(b, inner, "issuingDistributionPoint").find((t) => t.tag === ctx(0, true));
          const full = dpName ? children(b, dpName, "dpName").find((t) => t.tag === ctx(0, true)) : undefined;
          const dir = full ? children(b, full, "GeneralNames").find((t) => t.tag === ctx(4, true)) : undefined;
          if (dir) distributionPoint = distributionPointFromName(readName(b, readTlv(b, dir.valueStart, dir.end)));
        }
      }
    }

    const algEl = this.element(tbs.end, outer.end, "signatureAlgorithm");
    const signatureAlgorithm = algorithmOf(this.small(algEl));
    if (signatureAlgorithm !== innerAlg) throw malformed("inner and outer algorithms differ");
    const hashName = SIGNATURE_HASH[signatureAlgorithm];
    if (hashName !== "sha256") {
      throw new PkiError("PKI_UNSUPPORTED_ALGORITHM", `unsupported CRL signature algorithm ${signatureAlgorithm}`);
    }
    const sigEl = this.element(algEl.end, outer.end, "signature");
    if (sigEl.end !== outer.end) throw malformed("a CRL has three parts");
    const sigBytes = this.small(sigEl);
    const signature = bitString(sigBytes, readTlv(sigBytes, 0, sigBytes.length)).bytes;
    this.hashUpTo(this.tbsEnd);

    let signatureValid = false;
    const ca = this.options.ca;
    if (ca && mayIssueCrls(ca)) {
      try {
        const key = "rsa" in ca ? rsaPublicKeyObject(ca.rsa) : "modulus" in ca ? rsaPublicKeyObject(ca) : ca;
        signatureValid = this.verifier.verify(key, signature);
      } catch {
        signatureValid = false;
      }
    }
    const at = (this.options.at ?? new Date()).getTime();
    const fresh = nextUpdate !== undefined && thisUpdate.getTime() <= at && at < nextUpdate.getTime();
    const result: CrlScanResult = {
      issuer,
      thisUpdate,
      entryCount: count,
      signatureAlgorithm,
      signatureValid,
      fresh,
      found,
    };
    if (nextUpdate) result.nextUpdate = nextUpdate;
    if (authorityKeyId) result.authorityKeyId = authorityKeyId;
    if (distributionPoint) result.distributionPoint = distributionPoint;
    return result;
  }

  /** Streams the revoked entries: shape, duplicates, wanted serials. Returns the count. */
  private walkEntries(
    listStart: number,
    listEnd: number,
    wanted: Map<number, Uint8Array[]>,
    found: Map<string, CrlEntryInfo>,
  ): number {
    let seen: FingerprintSet | undefined;
    let count = 0;
    const MAX_ENTRY = 65536;
    for (let q = listStart; q < listEnd;) {
      // Keep a window of at least one maximal entry buffered; refill in whole chunks.
      if (this.base + this.len - q < MAX_ENTRY && this.base + this.len < listEnd) {
        this.ensure(q, Math.min(listEnd - q, Math.max(MAX_ENTRY, this.buf.length)));
      }
      const buf = this.buf;
      const rel = q - this.base;
      const limit = Math.min(this.len, listEnd - this.base);
      // Entry SEQUENCE
      if (header(buf, rel, limit, q) !== TAG.SEQUENCE) throw malformed(`CRL entry at offset ${q} is not a SEQUENCE`);
      const entryEnd = hEnd;
      if (entryEnd - rel > MAX_ENTRY) throw malformed(`CRL entry at offset ${q} is too large`);
      // serial INTEGER
      if (header(buf, hValue, entryEnd, q) !== TAG.INTEGER || hEnd === hValue)
        throw malformed(`bad serial at offset ${q}`);
      let s = hValue;
      const serialEnd = hEnd;
      while (s < serialEnd - 1 && buf[s] === 0) s++;
      // revocationDate
      const dateTag = header(buf, serialEnd, entryEnd, q);
      if (dateTag !== TAG.UTC_TIME && dateTag !== TAG.GENERALIZED_TIME) throw malformed(`bad date at offset ${q}`);
      const dateStart = serialEnd;
      const dateEnd = hEnd;
      let extStart = -1;
      if (dateEnd !== entryEnd) {
        if (header(buf, dateEnd, entryEnd, q) !== TAG.SEQUENCE || hEnd !== entryEnd)
          throw malformed(`bad entry extensions at offset ${q}`);
        extStart = dateEnd;
        // Each Extension: OID, optional critical BOOLEAN, value (checked against the policy in crl-extensions.ts).
        for (let r = hValue; r < entryEnd;) {
          if (header(buf, r, entryEnd, q) !== TAG.SEQUENCE) throw malformed(`bad entry extension at offset ${q}`);
          const oneEnd = hEnd;
          if (header(buf, hValue, oneEnd, q) !== TAG.OID || hEnd === oneEnd)
            throw malformed(`bad entry extension at offset ${q}`);
          const oidStart = hValue;
          const oidEnd = hEnd;
          let critical = false;
          if (buf[oidEnd] === TAG.BOOLEAN) {
            header(buf, oidEnd, oneEnd, q);
            if (hEnd - hValue !== 1) throw malformed(`bad critical flag at offset ${q}`);
            critical = buf[hValue] !== 0;
          }
          checkEntryExtension(buf, oidStart, oidEnd, critical, q);
          r = oneEnd;
        }
      }
      // Size the duplicate set from the first entry's size (entries are usually alike), so it rarely grows.
      seen ??= new FingerprintSet(Math.min(1 << 24, Math.ceil((listEnd - listStart) / (entryEnd - rel))));
      const h1 = fnv(buf, s, serialEnd);
      if (!seen.add(h1, fnv2(buf, s, serialEnd))) {
        throw new PkiError(
          "PKI_CRL_DUPLICATE_ENTRY",
          `the CRL lists serial ${toHex(buf.subarray(s, serialEnd))} twice`,
        );
      }
      const candidates = wanted.get(h1);
      if (candidates?.some((c) => Buffer.compare(c, buf.subarray(s, serialEnd)) === 0)) {
        const date = readTlv(buf, dateStart, entryEnd);
        found.set(toHex(buf.subarray(s, serialEnd)), {
          revokedAt: decodeTime(buf, date),
          reason: extStart >= 0 ? reasonOf(buf, readTlv(buf, extStart, entryEnd)) : "unspecified",
        });
      }
      count++;
      q = this.base + entryEnd;
    }
    return count;
  }

  /** The element header at file offset `at`, checked to end within `limit`; its first `want` bytes are buffered. */
  private element(at: number, limit: number, what: string, maxSmall = 0): Tlv {
    if (at >= limit) throw malformed(`${what}: unexpected end of data at offset ${at}`);
    this.ensure(at, Math.min(6, limit - at));
    const rel = at - this.base;
    const t = readTlvHeader(this.buf, rel, Math.min(this.len, limit - this.base), what);
    const tlv = { tag: t.tag, start: at, valueStart: at + t.headerLength, end: at + t.headerLength + t.length };
    if (tlv.end > limit) throw malformed(`${what}: length runs past the end of its container (offset ${at})`);
    if (maxSmall > 0) {
      if (tlv.end - at > maxSmall) throw malformed(`${what}: element too large (offset ${at})`);
      this.ensure(at, tlv.end - at);
    }
    return tlv;
  }

  /** The full bytes of a (small) element, buffered. */
  private small(t: Tlv, max = 65536): Uint8Array {
    if (t.end - t.start > max) throw malformed(`element too large at offset ${t.start}`);
    this.ensure(t.start, t.end - t.start);
    return this.buf.subarray(t.start - this.base, t.end - this.base);
  }

  /** Makes file bytes [at, at+n) available in the buffer. */
  private ensure(at: number, n: number): void {
    if (at >= this.base && at + n <= this.base + this.len) return;
    if (at + n > this.size) throw malformed(`unexpected end of data at offset ${this.size}`);
    if (at < this.base) throw new Error("scanner moved backwards"); // a bug, never input-driven
    // Hash what is about to be dropped, then slide.
    this.hashUpTo(at);
    const keepFrom = at - this.base;
    const keep = Math.max(0, this.len - keepFrom);
    if (n > this.buf.length) {
      if (n > MAX_ELEMENT) throw malformed(`element too large at offset ${at}`);
      const bigger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      if (keep > 0) this.buf.copy(bigger, 0, keepFrom, this.len);
      this.buf = bigger;
    } else if (keep > 0) this.buf.copy(this.buf, 0, keepFrom, this.len);
    this.base = at;
    this.len = keep;
    while (this.len < n) {
      const got = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, this.base + this.len);
      if (got <= 0) throw malformed(`unexpected end of data at offset ${this.base + this.len}`);
      this.len += got;
    }
  }

  /** Feeds tbs bytes below file offset `to` (and already buffered) to the verifier. */
  private hashUpTo(to: number): void {
    if (this.tbsStart < 0) return;
    const end = Math.min(to, this.tbsEnd, this.base + this.len);
    if (end <= this.hashedTo) return;
    const from = Math.max(this.hashedTo, this.base);
    this.verifier.update(this.buf.subarray(from - this.base, end - this.base));
    this.hashedTo = end;
  }
}

/** Scratch results of `header` (avoids an object per entry on the hot path). */
let hValue = 0;
let hEnd = 0;

/** Parses the DER header at `rel` (strict, as `readTlv`); the element must end by `limit`. */
function header(buf: Uint8Array, rel: number, limit: number, fileOffset: number): number {
  if (rel + 2 > limit) throw malformed(`CRL entry: truncated at offset ${fileOffset}`);
  const tag = buf[rel]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(`CRL entry: multi-byte tag at offset ${fileOffset}`);
  const first = buf[rel + 1]!;
  let length: number;
  let value: number;
  if (first < 0x80) {
    length = first;
    value = rel + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw malformed(`CRL entry: indefinite length at offset ${fileOffset}`);
    if (n > 4) throw malformed(`CRL entry: oversized length at offset ${fileOffset}`);
    if (rel + 2 + n > limit) throw malformed(`CRL entry: truncated length at offset ${fileOffset}`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[rel + 2 + i]!;
    if (buf[rel + 2] === 0 || length < 0x80) throw malformed(`CRL entry: non-minimal length at offset ${fileOffset}`);
    value = rel + 2 + n;
  }
  if (value + length > limit) throw malformed(`CRL entry: length runs past its container at offset ${fileOffset}`);
  hValue = value;
  hEnd = value + length;
  return tag;
}

function readTlvHeader(buf: Uint8Array, rel: number, limit: number, what: string) {
  if (rel + 2 > limit) throw malformed(`${what}: truncated header`);
  const tag = buf[rel]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(`${what}: multi-byte tags are not supported`);
  const first = buf[rel + 1]!;
  if (first < 0x80) return { tag, headerLength: 2, length: first };
  const n = first & 0x7f;
  if (n === 0) throw malformed(`${what}: indefinite length is not DER`);
  if (n > 4) throw malformed(`${what}: length of ${n} bytes is too large`);
  if (rel + 2 + n > limit) throw malformed(`${what}: truncated length`);
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[rel + 2 + i]!;
  if (buf[rel + 2] === 0 || length < 0x80) throw malformed(`${what}: non-minimal length`);
  return { tag, headerLength: 2 + n, length };
}

function algorithmOf(bytes: Uint8Array): string {
  const t = readTlv(bytes, 0, bytes.length, "AlgorithmIdentifier");
  const parts = children(bytes, t, "AlgorithmIdentifier");
  if (parts.length < 1 || parts.length > 2 || parts[0]!.tag !== TAG.OID) throw malformed("bad AlgorithmIdentifier");
  return decodeOid(bytes, parts[0]!);
}

function reasonOf(v: Uint8Array, exts: Tlv): string {
  for (const ext of children(v, exts, "CRL entry extension")) {
    const oidT = readTlv(v, ext.valueStart, ext.end);
    if (oidT.end - oidT.start !== 5 || REASON_OID_DER.some((b, k) => v[oidT.start + k] !== b)) continue;
    let val = readTlv(v, oidT.end, ext.end);
    if (val.tag === TAG.BOOLEAN) val = readTlv(v, val.end, ext.end);
    const en = readTlv(v, val.valueStart, val.end);
    if (val.tag !== TAG.OCTET_STRING || en.tag !== TAG.ENUMERATED || en.end - en.valueStart !== 1) {
      throw malformed("bad reasonCode");
    }
    const name = CRL_REASONS[v[en.valueStart]!];
    if (name === undefined) throw malformed("unknown CRL reason code");
    return name;
  }
  return "unspecified";
}

function fnv(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k]!, 0x01000193);
  return h >>> 0;
}

function fnv2(buf: Uint8Array, s: number, e: number): number {
  let h = 0x9e3779b9 ^ (e - s);
  for (let k = s; k < e; k++) {
    h = Math.imul(h ^ buf[k]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  return h >>> 0 || 1;
}

/** An open-addressing set of 64-bit fingerprints (two 32-bit halves; 0 in the second half = empty). */
class FingerprintSet {
  private a: Uint32Array;
  private b: Uint32Array;
  private n = 0;

  /** Room for `expected` fingerprints at a load factor of at most 1/2. */
  constructor(expected: number) {
    let size = 1 << 12;
    while (size < expected * 2) size *= 2;
    this.a = new Uint32Array(size);
    this.b = new Uint32Array(size);
  }

  /** Adds; false when already present. */
  add(h1: number, h2: number): boolean {
    if ((this.n + 1) * 2 > this.a.length) this.grow();
    const mask = this.a.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      if (this.b[i] === 0) {
        this.a[i] = h1;
        this.b[i] = h2;
        this.n++;
        return true;
      }
      if (this.a[i] === h1 && this.b[i] === h2) return false;
    }
  }

  private grow(): void {
    const oa = this.a;
    const ob = this.b;
    this.a = new Uint32Array(oa.length * 2);
    this.b = new Uint32Array(ob.length * 2);
    this.n = 0;
    for (let i = 0; i < oa.length; i++) if (ob[i] !== 0) this.add(oa[i]!, ob[i]!);
  }
}

function malformed(message: string): PkiError {
  return new PkiError("PKI_MALFORMED", message);
}
