import { constants, verify, type KeyObject } from "node:crypto";

import { distributionPointFromName, toHex, type CrlDistributionPoint, type JpkiCertificate } from "./certificate.js";
import { checkCrlExtension, checkEntryExtension, checkIssuingDistributionPoint, isCritical } from "./crl-extensions.js";
import { TAG, bitString, bytesOf, children, ctx, decodeOid, decodeTime, readOnly, readTlv, type Tlv } from "./der.js";
import { readName, type DistinguishedName } from "./names.js";
import { CRL_REASONS, OID, SIGNATURE_HASH } from "./oids.js";
import { toDer } from "./pem.js";
import { PkiError } from "./pki-error.js";
import { rsaPublicKeyObject, type RsaKeyLike } from "./rsa.js";

/** What a CRL says about one serial. */
export interface CrlEntryInfo {
  revokedAt: Date;
  /** RFC 5280 reason name; `unspecified` when the entry has no reasonCode. */
  reason: string;
}

/**
 * A CRL opened without building an object per entry: the header is decoded, the entries are walked over the raw
 * bytes (once to validate and count, once to build a compact open-addressing index of entry offsets), and the
 * signature is checked over the raw tbsCertList bytes.
 */
export interface StreamedCrl {
  der: Uint8Array;
  /** Raw tbsCertList bytes, exactly as signed. */
  tbs: Uint8Array;
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  entryCount: number;
  /** crlExtensions AuthorityKeyIdentifier keyid, lowercase hex. */
  authorityKeyId?: string;
  /** cRLNumber as lowercase hex (the INTEGER's content bytes; non-negative, at most 20 octets). */
  crlNumber?: string;
  /** The issuingDistributionPoint's directory name (partitioned CRLs). */
  distributionPoint?: CrlDistributionPoint;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /**
   * Verifies the signature with the CA's key (a failed check is `false`, never an exception). Given a CA
   * certificate, it must also assert keyUsage cRLSign, else `false`.
   */
  verifySignature(ca: JpkiCertificate | RsaKeyLike | KeyObject): boolean;
  /** thisUpdate ≤ at < nextUpdate (a CRL without nextUpdate is never fresh). */
  isFresh(at: Date): boolean;
  /** The entry for a serial (hex, any case, leading zeros ignored), or undefined when the serial is not listed. */
  lookup(serialHex: string): CrlEntryInfo | undefined;
  /** Every listed serial as lowercase hex, walked lazily. */
  serials(): Iterable<string>;
}

const REASON_OID_DER = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x15);

/**
 * Opens a CRL (DER bytes or PEM text). Malformed DER, trailing bytes, an unsupported signature algorithm,
 * duplicate entries, an unrecognised critical CRL or entry extension (`PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION`) and
 * a CRL that is not complete and direct (delta, indirect, partial scope: `PKI_CRL_UNSUPPORTED_SCOPE`, see
 * `crl-extensions.ts`) raise `PkiError`; signature and freshness are checked separately.
 */
export function openCrl(input: Uint8Array | string): StreamedCrl {
  const der = toDer(input, "X509 CRL");
  return new CrlReader(der);
}

class CrlReader implements StreamedCrl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly entryCount: number;
  readonly authorityKeyId?: string;
  readonly crlNumber?: string;
  readonly distributionPoint?: CrlDistributionPoint;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  /** Value range of revokedCertificates (empty when absent). */
  private readonly listStart: number;
  private readonly listEnd: number;
  /** Open-addressing table: entry offset + 1 per slot, 0 = empty. */
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(der: Uint8Array) {
    this.der = der;
    const outer = readOnly(der, "CRL");
    if (outer.tag !== TAG.SEQUENCE) throw malformed("a CRL must be a SEQUENCE");
    const top = children(der, outer, "CRL");
    if (top.length !== 3) throw malformed("a CRL has three parts");
    const [tbsT, algT, sigT] = top as [Tlv, Tlv, Tlv];
    if (tbsT.tag !== TAG.SEQUENCE || algT.tag !== TAG.SEQUENCE || sigT.tag !== TAG.BIT_STRING) {
      throw malformed("bad CRL structure");
    }
    this.tbs = bytesOf(der, tbsT);
    this.signatureAlgorithm = algorithmOid(der, algT);
    this.signature = bitString(der, sigT).bytes;

    // tbsCertList header: the only children walked here are the top-level ones (the entry list is one element).
    const parts = children(der, tbsT, "tbsCertList");
    let i = 0;
    if (parts[i]?.tag === TAG.INTEGER) {
      const v = parts[i++]!;
      if (v.end - v.valueStart !== 1 || der[v.valueStart] !== 1) throw malformed("unsupported CRL version");
    }
    const inner = parts[i++];
    if (!inner || inner.tag !== TAG.SEQUENCE) throw malformed("tbsCertList: missing signature algorithm");
    if (algorithmOid(der, inner) !== this.signatureAlgorithm) throw malformed("inner and outer algorithms differ");
    if (SIGNATURE_HASH[this.signatureAlgorithm] === undefined) {
      throw new PkiError("PKI_UNSUPPORTED_ALGORITHM", `unsupported CRL signature algorithm ${this.signatureAlgorithm}`);
    }
    const issuerT = parts[i++];
    if (!issuerT || issuerT.tag !== TAG.SEQUENCE) throw malformed("tbsCertList: missing issuer");
    this.issuer = readName(der, issuerT);
    const thisT = parts[i++];
    if (!thisT) throw malformed("tbsCertList: missing thisUpdate");
    this.thisUpdate = decodeTime(der, thisT);
    if (parts[i]?.tag === TAG.UTC_TIME || parts[i]?.tag === TAG.GENERALIZED_TIME) {
      this.nextUpdate = decodeTime(der, parts[i++]!);
    }
    let list: Tlv | undefined;
    if (parts[i]?.tag === TAG.SEQUENCE) list = parts[i++]!;
    if (parts[i]?.tag === ctx(0, true)) {
      const ext = this.readExtensions(parts[i++]!);
      if (ext.authorityKeyId !== undefined) this.authorityKeyId = ext.authorityKeyId;
      if (ext.crlNumber !== undefined) this.crlNumber = ext.crlNumber;
      if (ext.distributionPoint !== undefined) this.distributionPoint = ext.distributionPoint;
    }
    if (i !== parts.length) throw malformed("tbsCertList: unexpected element");
    this.listStart = list ? list.valueStart : 0;
    this.listEnd = list ? list.end : 0;

    // Pass 1: validate every entry's shape and count.
    let count = 0;
    for (let p = this.listStart; p < this.listEnd;) {
      p = this.checkEntry(p);
      count++;
    }
    this.entryCount = count;
    // Pass 2: index serial → entry offset; catches duplicates.
    let size = 16;
    while (size < count * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let p = this.listStart; p < this.listEnd;) {
      const entry = readTlv(der, p, this.listEnd);
      const serial = readTlv(der, entry.valueStart, entry.end);
      const [s, e] = serialRange(der, serial);
      let slot = hash(der, s, e) & this.mask;
      for (;;) {
        const at = this.table[slot]!;
        if (at === 0) {
          this.table[slot] = p + 1;
          break;
        }
        if (this.sameSerial(at - 1, s, e, der)) {
          throw new PkiError("PKI_CRL_DUPLICATE_ENTRY", `the CRL lists serial ${toHex(der.subarray(s, e))} twice`);
        }
        slot = (slot + 1) & this.mask;
      }
      p = entry.end;
    }
  }

  verifySignature(ca: JpkiCertificate | RsaKeyLike | KeyObject): boolean {
    const hashName = SIGNATURE_HASH[this.signatureAlgorithm]!;
    if (!mayIssueCrls(ca)) return false;
    try {
      const key = "rsa" in ca ? rsaPublicKeyObject(ca.rsa) : "modulus" in ca ? rsaPublicKeyObject(ca) : ca;
      return verify(hashName, this.tbs, { key, padding: constants.RSA_PKCS1_PADDING }, this.signature);
    } catch {
      return false;
    }
  }

  isFresh(at: Date): boolean {
    if (this.nextUpdate === undefined) return false;
    const t = at.getTime();
    return this.thisUpdate.getTime() <= t && t < this.nextUpdate.getTime();
  }

  lookup(serialHex: string): CrlEntryInfo | undefined {
    const wanted = serialBytes(serialHex);
    let slot = hash(wanted, 0, wanted.length) & this.mask;
    for (;;) {
      const at = this.table[slot]!;
      if (at === 0) return undefined;
      if (this.sameSerial(at - 1, 0, wanted.length, wanted)) return this.entryInfo(at - 1);
      slot = (slot + 1) & this.mask;
    }
  }

  *serials(): Iterable<string> {
    for (let p = this.listStart; p < this.listEnd;) {
      const entry = readTlv(this.der, p, this.listEnd);
      const serial = readTlv(this.der, entry.valueStart, entry.end);
      const [s, e] = serialRange(this.der, serial);
      yield toHex(this.der.subarray(s, e));
      p = entry.end;
    }
  }

  /** Checks one entry's shape; returns the offset after it. */
  private checkEntry(p: number): number {
    const der = this.der;
    const entry = readTlv(der, p, this.listEnd, "CRL entry");
    if (entry.tag !== TAG.SEQUENCE) throw malformed(`CRL entry at offset ${p} is not a SEQUENCE`);
    const serial = readTlv(der, entry.valueStart, entry.end, "CRL entry serial");
    if (serial.tag !== TAG.INTEGER || serial.end === serial.valueStart) throw malformed(`bad serial at offset ${p}`);
    const date = readTlv(der, serial.end, entry.end, "CRL entry date");
    if (date.tag !== TAG.UTC_TIME && date.tag !== TAG.GENERALIZED_TIME) throw malformed(`bad date at offset ${p}`);
    if (date.end !== entry.end) {
      const ext = readTlv(der, date.end, entry.end, "CRL entry extensions");
      if (ext.tag !== TAG.SEQUENCE || ext.end !== entry.end) throw malformed(`bad entry extensions at offset ${p}`);
      for (let q = ext.valueStart; q < ext.end;) {
        const one = readTlv(der, q, ext.end, "CRL entry extension");
        if (one.tag !== TAG.SEQUENCE) throw malformed(`bad entry extension at offset ${q}`);
        const oidT = readTlv(der, one.valueStart, one.end, "CRL entry extension OID");
        if (oidT.tag !== TAG.OID || oidT.end === one.end) throw malformed(`bad entry extension at offset ${q}`);
        const next = readTlv(der, oidT.end, one.end, "CRL entry extension");
        let critical = false;
        if (next.tag === TAG.BOOLEAN) {
          if (next.end - next.valueStart !== 1) throw malformed(`bad critical flag at offset ${q}`);
          critical = der[next.valueStart] !== 0;
        }
        checkEntryExtension(der, oidT.valueStart, oidT.end, critical, p);
        q = one.end;
      }
    }
    return entry.end;
  }

  private sameSerial(entryOffset: number, s: number, e: number, src: Uint8Array): boolean {
    const der = this.der;
    const entry = readTlv(der, entryOffset, this.listEnd);
    const serial = readTlv(der, entry.valueStart, entry.end);
    const [a, b] = serialRange(der, serial);
    if (b - a !== e - s) return false;
    for (let k = 0; k < b - a; k++) if (der[a + k] !== src[s + k]) return false;
    return true;
  }

  private entryInfo(entryOffset: number): CrlEntryInfo {
    const der = this.der;
    const entry = readTlv(der, entryOffset, this.listEnd);
    const serial = readTlv(der, entry.valueStart, entry.end);
    const date = readTlv(der, serial.end, entry.end);
    const revokedAt = decodeTime(der, date);
    let reason = "unspecified";
    if (date.end !== entry.end) {
      const exts = readTlv(der, date.end, entry.end);
      for (const ext of children(der, exts, "CRL entry extension")) {
        const oidT = readTlv(der, ext.valueStart, ext.end);
        if (!equalBytes(der, oidT.start, oidT.end, REASON_OID_DER)) continue;
        let v = readTlv(der, oidT.end, ext.end);
        if (v.tag === TAG.BOOLEAN) v = readTlv(der, v.end, ext.end);
        if (v.tag !== TAG.OCTET_STRING) throw malformed("bad reasonCode extension");
        const en = readTlv(der, v.valueStart, v.end);
        if (en.tag !== TAG.ENUMERATED || en.end - en.valueStart !== 1 || en.end !== v.end) {
          throw malformed("bad reasonCode value");
        }
        const code = der[en.valueStart]!;
        const name = CRL_REASONS[code];
        if (name === undefined) throw malformed(`unknown CRL reason code ${code}`);
        reason = name;
      }
    }
    return { revokedAt, reason };
  }

  private readExtensions(wrapper: Tlv): {
    authorityKeyId?: string;
    crlNumber?: string;
    distributionPoint?: CrlDistributionPoint;
  } {
    const der = this.der;
    const list = readTlv(der, wrapper.valueStart, wrapper.end, "crlExtensions");
    if (list.tag !== TAG.SEQUENCE || list.end !== wrapper.end) throw malformed("bad crlExtensions");
    const out: { authorityKeyId?: string; crlNumber?: string; distributionPoint?: CrlDistributionPoint } = {};
    for (const ext of children(der, list, "crlExtension")) {
      const parts = children(der, ext, "crlExtension");
      if (parts.length < 2 || parts[0]!.tag !== TAG.OID) throw malformed("bad CRL extension");
      const value = parts[parts.length - 1]!;
      if (value.tag !== TAG.OCTET_STRING) throw malformed("bad CRL extension value");
      const oid = decodeOid(der, parts[0]!);
      checkCrlExtension(oid, isCritical(der, parts));
      const inner = readTlv(der, value.valueStart, value.end, "CRL extension value");
      if (inner.end !== value.end) throw malformed("trailing data in a CRL extension");
      if (oid === OID.authorityKeyIdentifier) {
        const kid = children(der, inner, "authorityKeyIdentifier").find((t) => t.tag === ctx(0, false));
        if (kid) out.authorityKeyId = toHex(der.subarray(kid.valueStart, kid.end));
      } else if (oid === OID.cRLNumber) {
        if (inner.tag !== TAG.INTEGER || inner.end === inner.valueStart) throw malformed("bad cRLNumber");
        // RFC 5280 §5.2.3: a non-negative integer of at most 20 octets.
        if ((der[inner.valueStart]! & 0x80) !== 0) throw malformed("negative cRLNumber");
        if (inner.end - inner.valueStart > 21) throw malformed("cRLNumber longer than 20 octets");
        out.crlNumber = toHex(der.subarray(inner.valueStart, inner.end));
      } else if (oid === OID.issuingDistributionPoint) {
        checkIssuingDistributionPoint(der, inner);
        const dpName = children(der, inner, "issuingDistributionPoint").find((t) => t.tag === ctx(0, true));
        const full = dpName
          ? children(der, dpName, "DistributionPointName").find((t) => t.tag === ctx(0, true))
          : undefined;
        const dir = full ? children(der, full, "GeneralNames").find((t) => t.tag === ctx(4, true)) : undefined;
        if (dir) {
          const nameT = readTlv(der, dir.valueStart, dir.end, "directoryName");
          out.distributionPoint = distributionPointFromName(readName(der, nameT));
        }
      }
    }
    return out;
  }
}

/**
 * RFC 5280 §4.2.1.3: a CRL signed by a CA certificate counts only when that certificate asserts cRLSign. Bare keys
 * (`RsaKeyLike`, `KeyObject`) carry no key usage and are taken as given.
 */
export function mayIssueCrls(ca: JpkiCertificate | RsaKeyLike | KeyObject): boolean {
  return !("der" in ca && "keyUsage" in ca) || ca.keyUsage.includes("cRLSign");
}

function algorithmOid(buf: Uint8Array, alg: Tlv): string {
  const parts = children(buf, alg, "AlgorithmIdentifier");
  if (parts.length < 1 || parts.length > 2 || parts[0]!.tag !== TAG.OID) throw malformed("bad AlgorithmIdentifier");
  return decodeOid(buf, parts[0]!);
}

/** The serial's value bytes without leading zero bytes (at least one byte). */
function serialRange(buf: Uint8Array, serial: Tlv): [number, number] {
  let s = serial.valueStart;
  while (s < serial.end - 1 && buf[s] === 0) s++;
  return [s, serial.end];
}

/** FNV-1a over bytes. */
function hash(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let k = s; k < e; k++) {
    h ^= buf[k]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function equalBytes(buf: Uint8Array, s: number, e: number, want: Uint8Array): boolean {
  if (e - s !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (buf[s + k] !== want[k]) return false;
  return true;
}

/** Serial hex → minimal big-endian bytes (leading zeros dropped). */
export function serialBytes(serialHex: string): Uint8Array {
  let h = serialHex.trim().toLowerCase().replace(/^0x/, "").replace(/[:\s]/g, "");
  if (!/^[0-9a-f]+$/.test(h) || h.length > 128) {
    throw new PkiError("PKI_BAD_ARGUMENT", `"${serialHex.slice(0, 40)}" is not a hex serial number`);
  }
  if (h.length % 2) h = "0" + h;
  let b = Uint8Array.from(Buffer.from(h, "hex"));
  let s = 0;
  while (s < b.length - 1 && b[s] === 0) s++;
  b = b.subarray(s);
  return b;
}

function malformed(message: string): PkiError {
  return new PkiError("PKI_MALFORMED", message);
}
