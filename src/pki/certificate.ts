import { createHash } from "node:crypto";

import * as pkijs from "pkijs";

import {
  TAG,
  bitString,
  bytesOf,
  children,
  ctx,
  decodeOid,
  decodeTime,
  integerHex,
  readOnly,
  readTlv,
  validateTree,
  valueOf,
  type Tlv,
} from "./der.js";
import { jlisCaByFingerprint, type JlisCaInfo } from "./jlis-ca.js";
import { dnValues, readName, type DistinguishedName } from "./names.js";
import { OID, SIGNATURE_HASH } from "./oids.js";
import { toDer } from "./pem.js";
import { PkiError } from "./pki-error.js";

/** What a certificate is, in JPKI terms. */
export type CertificateKind = "auth" | "sign" | "auth-test" | "sign-test" | "ca" | "other";

/** An RSA public key as raw big-endian bytes. */
export interface RsaPublicKey {
  /** Modulus, big-endian, without a leading zero byte. */
  modulus: Uint8Array;
  /** Public exponent (a number when it fits in 2^53, else a bigint). */
  exponent: number | bigint;
  /** Modulus size in bits. */
  bits: number;
}

/** A CRL distribution point given as a directory name, with the JPKI municipality parts pulled out. */
export interface CrlDistributionPoint {
  /** The directory name itself. */
  name: DistinguishedName;
  /** The prefecture OU (e.g. `Kanagawa-ken`) when the name has the JPKI municipal form. */
  prefecture?: string;
  /** The city CN without the ` CRLDP` suffix (e.g. `Yokohama-shi`). */
  city?: string;
  /** A stable file-name-safe key: `kanagawa-ken_yokohama-shi`, or `authority` for a CA's own distribution point. */
  partition: string;
}

/** A raw extension. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue contents (the DER inside the OCTET STRING). */
  value: Uint8Array;
}

/** A parsed certificate. Parse once, verify separately (see `chain.ts`). */
export interface JpkiCertificate {
  /** The whole certificate DER. */
  der: Uint8Array;
  /** The raw tbsCertificate bytes, exactly as signed. */
  tbs: Uint8Array;
  kind: CertificateKind;
  /** Serial number, lowercase hex, without a DER sign byte. */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** SubjectKeyIdentifier, lowercase hex. */
  subjectKeyId?: string;
  /** AuthorityKeyIdentifier keyIdentifier, lowercase hex. */
  authorityKeyId?: string;
  rsa: RsaPublicKey;
  /** The DER of SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** Key usage bit names set (`digitalSignature`, `nonRepudiation`, `keyCertSign`, `cRLSign`, ...). */
  keyUsage: string[];
  /** Certificate policy OIDs, in order. */
  policies: string[];
  /** basicConstraints cA. */
  isCa: boolean;
  /** For a JPKI CA (real or synthetic): which hierarchy it signs for. */
  caKind?: "auth" | "sign";
  crlDistributionPoint?: CrlDistributionPoint;
  /** SHA-256 of the DER, lowercase hex. */
  sha256Fingerprint: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex: the registry's trust-anchor `keyHash`. */
  spkiSha256: string;
  /** Signature algorithm OID. */
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** Set when the certificate is one of the six pinned real J-LIS CA certificates. */
  jlisCa?: JlisCaInfo;
  /** Every extension, raw, in order. */
  extensions: RawExtension[];
}

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

/**
 * Parses a certificate from DER bytes or PEM text. Strict DER: truncation, trailing bytes, indefinite lengths
 * and wrong tags raise `PkiError`; so do non-RSA keys (`PKI_NOT_RSA`) and signature algorithms other than
 * sha256/384/512WithRSAEncryption (`PKI_UNSUPPORTED_ALGORITHM`).
 */
export function parseCertificate(input: Uint8Array | string): JpkiCertificate {
  const der = toDer(input, "CERTIFICATE");
  const outer = readOnly(der, "certificate");
  if (outer.tag !== TAG.SEQUENCE) throw malformed("a certificate must be a SEQUENCE");
  validateTree(der, outer, "certificate");
  const top = children(der, outer, "certificate");
  if (top.length !== 3) throw malformed("a certificate has three parts");
  const [tbsTlv, algTlv, sigTlv] = top as [Tlv, Tlv, Tlv];
  if (tbsTlv.tag !== TAG.SEQUENCE || algTlv.tag !== TAG.SEQUENCE || sigTlv.tag !== TAG.BIT_STRING) {
    throw malformed("bad certificate structure");
  }
  const signatureAlgorithm = algorithmOid(der, algTlv);
  const sig = bitString(der, sigTlv);

  const tbsParts = children(der, tbsTlv, "tbsCertificate");
  let i = 0;
  if (tbsParts[0]?.tag === ctx(0, true)) i++;
  const need = (tag: number, what: string): Tlv => {
    const t = tbsParts[i++];
    if (!t || t.tag !== tag) throw malformed(`tbsCertificate: missing or bad ${what}`);
    return t;
  };
  const serialTlv = need(TAG.INTEGER, "serialNumber");
  const innerAlg = need(TAG.SEQUENCE, "signature");
  const issuerTlv = need(TAG.SEQUENCE, "issuer");
  const validityTlv = need(TAG.SEQUENCE, "validity");
  const validity = children(der, validityTlv, "validity");
  if (validity.length !== 2) throw malformed("validity has two times");
  const notBefore = decodeTime(der, validity[0]!);
  const notAfter = decodeTime(der, validity[1]!);
  const subjectTlv = need(TAG.SEQUENCE, "subject");
  const spkiTlv = need(TAG.SEQUENCE, "subjectPublicKeyInfo");
  if (algorithmOid(der, innerAlg) !== signatureAlgorithm) {
    throw malformed("the inner and outer signature algorithms differ");
  }
  if (SIGNATURE_HASH[signatureAlgorithm] === undefined) {
    throw new PkiError("PKI_UNSUPPORTED_ALGORITHM", `unsupported signature algorithm ${signatureAlgorithm}`);
  }

  // pkijs decodes validity, the public key and the standard extensions.
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(der);
  } catch (cause) {
    throw new PkiError("PKI_MALFORMED", `certificate: ${errorText(cause)}`, { cause });
  }
  // Everything read through pkijs objects is guarded: an exception other than PkiError is malformed input.
  const fields = guarded(() => {
    const spkiAlg = cert.subjectPublicKeyInfo.algorithm.algorithmId;
    if (spkiAlg !== OID.rsaEncryption) {
      throw new PkiError("PKI_NOT_RSA", `the public key is not RSA (algorithm ${spkiAlg})`);
    }
    const rsa = readRsaKey(cert);
    const extensions = readExtensions(der, tbsParts.slice(i));
    const ext = (oid: string) => extensions.find((e) => e.oid === oid);

    const keyUsage = decodeKeyUsage(ext(OID.keyUsage));
    const pkExt = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
    const policies = readPolicies(pkExt(OID.certificatePolicies));
    const isCa = readBasicConstraints(pkExt(OID.basicConstraints));
    const subjectKeyId = readSki(ext(OID.subjectKeyIdentifier));
    const authorityKeyId = readAki(pkExt(OID.authorityKeyIdentifier));
    const dp = ext(OID.cRLDistributionPoints);
    const crlDistributionPoint = dp ? readCrlDistributionPoint(dp.value) : undefined;
    return { rsa, extensions, keyUsage, policies, isCa, subjectKeyId, authorityKeyId, crlDistributionPoint };
  });
  const { rsa, extensions, keyUsage, policies, isCa, subjectKeyId, authorityKeyId, crlDistributionPoint } = fields;

  const subject = readName(der, subjectTlv);
  const issuer = readName(der, issuerTlv);
  const sha256Fingerprint = sha256Hex(der);
  const spki = bytesOf(der, spkiTlv);
  const jlisCa = jlisCaByFingerprint(sha256Fingerprint);
  const caKind = jlisCa?.kind ?? (isCa ? jpkiCaKind(subject) : undefined);
  const kind = classify({ jlisCa, isCa, caKind, policies, issuer });

  const result: JpkiCertificate = {
    der,
    tbs: bytesOf(der, tbsTlv),
    kind,
    serialHex: integerHex(der, serialTlv),
    notBefore,
    notAfter,
    subject,
    issuer,
    rsa,
    spki,
    keyUsage,
    policies,
    isCa,
    sha256Fingerprint,
    spkiSha256: sha256Hex(spki),
    signatureAlgorithm,
    signature: sig.bytes,
    extensions,
  };
  if (subjectKeyId !== undefined) result.subjectKeyId = subjectKeyId;
  if (authorityKeyId !== undefined) result.authorityKeyId = authorityKeyId;
  if (crlDistributionPoint !== undefined) result.crlDistributionPoint = crlDistributionPoint;
  if (caKind !== undefined) result.caKind = caKind;
  if (jlisCa !== undefined) result.jlisCa = jlisCa;
  return result;
}

/** SHA-256 of bytes as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Reads the CRL distribution point extension value (first DirName full name) into its JPKI parts. */
export function readCrlDistributionPoint(value: Uint8Array): CrlDistributionPoint | undefined {
  const points = readOnly(value, "CRLDistributionPoints");
  if (points.tag !== TAG.SEQUENCE) throw malformed("CRLDistributionPoints must be a SEQUENCE");
  for (const dp of children(value, points, "DistributionPoint")) {
    const dpName = children(value, dp, "DistributionPoint").find((t) => t.tag === ctx(0, true));
    if (!dpName) continue;
    const full = children(value, dpName, "DistributionPointName").find((t) => t.tag === ctx(0, true));
    if (!full) continue;
    const dirName = children(value, full, "GeneralNames").find((t) => t.tag === ctx(4, true));
    if (!dirName) continue;
    const nameTlv = readTlv(value, dirName.valueStart, dirName.end, "directoryName");
    return distributionPointFromName(readName(value, nameTlv));
  }
  return undefined;
}

/** The structured distribution point (prefecture, city, partition) of a directory name. */
export function distributionPointFromName(name: DistinguishedName): CrlDistributionPoint {
  const ous = dnValues(name, "OU");
  const cn = dnValues(name, "CN")[0];
  const marker = ous.indexOf("CRL Distribution Points");
  const out: CrlDistributionPoint = { name, partition: "authority" };
  if (marker >= 0 && ous[marker + 1] !== undefined && cn !== undefined) {
    out.prefecture = ous[marker + 1]!;
    out.city = cn.replace(/\s*CRLDP$/, "");
    out.partition = `${slug(out.prefecture)}_${slug(out.city)}`;
  }
  return out;
}

/** A lowercase, file-name-safe form of a romaji place name. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function classify(c: {
  jlisCa: JlisCaInfo | undefined;
  isCa: boolean;
  caKind: "auth" | "sign" | undefined;
  policies: string[];
  issuer: DistinguishedName;
}): CertificateKind {
  if (c.jlisCa || (c.isCa && c.caKind)) return "ca";
  const testIssuer = dnValues(c.issuer, "O").includes("JPKI-TEST");
  if (c.policies.includes(OID.jpkiAuthTestPolicy)) return "auth-test";
  if (c.policies.includes(OID.jpkiSignTestPolicy)) return "sign-test";
  if (c.policies.includes(OID.jpkiAuthPolicy)) return testIssuer ? "auth-test" : "auth";
  if (c.policies.includes(OID.jpkiSignPolicy)) return testIssuer ? "sign-test" : "sign";
  return "other";
}

function jpkiCaKind(subject: DistinguishedName): "auth" | "sign" | undefined {
  const o = dnValues(subject, "O");
  if (!o.includes("JPKI") && !o.includes("JPKI-TEST")) return undefined;
  const ou = dnValues(subject, "OU");
  if (ou.includes("JPKI for user authentication")) return "auth";
  if (ou.includes("JPKI for digital signature")) return "sign";
  return undefined;
}

function algorithmOid(buf: Uint8Array, alg: Tlv): string {
  const parts = children(buf, alg, "AlgorithmIdentifier");
  if (parts.length < 1 || parts.length > 2 || parts[0]!.tag !== TAG.OID) throw malformed("bad AlgorithmIdentifier");
  return decodeOid(buf, parts[0]!);
}

function readRsaKey(cert: pkijs.Certificate): RsaPublicKey {
  const key = cert.subjectPublicKeyInfo.parsedKey;
  if (!(key instanceof pkijs.RSAPublicKey)) throw malformed("the RSA public key cannot be decoded");
  const modulus = stripZeros(new Uint8Array(key.modulus.valueBlock.valueHexView));
  const expBytes = stripZeros(new Uint8Array(key.publicExponent.valueBlock.valueHexView));
  if (modulus.length === 0 || expBytes.length === 0) throw malformed("bad RSA public key");
  const expBig = BigInt("0x" + toHex(expBytes));
  const exponent = expBig <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(expBig) : expBig;
  const bits = modulus.length * 8 - Math.clz32(modulus[0]!) + 24;
  return { modulus: modulus.slice(), exponent, bits };
}

function stripZeros(b: Uint8Array): Uint8Array {
  let s = 0;
  while (s < b.length && b[s] === 0) s++;
  return b.subarray(s);
}

function readExtensions(der: Uint8Array, rest: Tlv[]): RawExtension[] {
  const out: RawExtension[] = [];
  for (const t of rest) {
    if (t.tag === ctx(1, false) || t.tag === ctx(2, false)) continue; // unique ids
    if (t.tag !== ctx(3, true)) throw malformed("tbsCertificate: unexpected element");
    const list = readTlv(der, t.valueStart, t.end, "extensions");
    if (list.tag !== TAG.SEQUENCE || list.end !== t.end) throw malformed("bad extensions");
    for (const e of children(der, list, "extension")) {
      const parts = children(der, e, "extension");
      const oidT = parts[0];
      if (!oidT || oidT.tag !== TAG.OID) throw malformed("bad extension");
      let critical = false;
      let k = 1;
      if (parts[k]?.tag === TAG.BOOLEAN) critical = der[parts[k++]!.valueStart] !== 0;
      const v = parts[k];
      if (!v || v.tag !== TAG.OCTET_STRING || parts.length !== k + 1) throw malformed("bad extension");
      const oid = decodeOid(der, oidT);
      if (out.some((x) => x.oid === oid)) throw malformed(`duplicate extension ${oid}`);
      out.push({ oid, critical, value: valueOf(der, v) });
    }
  }
  return out;
}

function decodeKeyUsage(e: RawExtension | undefined): string[] {
  if (!e) return [];
  const t = readOnly(e.value, "keyUsage");
  const { bytes } = bitString(e.value, t);
  const names: string[] = [];
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bytes[bit >> 3];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) names.push(name);
  });
  return names;
}

function checkParsed(e: pkijs.Extension, what: string): void {
  const v = e.parsedValue as { parsingError?: string } | undefined;
  if (v === undefined || v === null || v.parsingError !== undefined) throw malformed(`bad ${what} extension`);
}

function readPolicies(e: pkijs.Extension | undefined): string[] {
  if (!e) return [];
  checkParsed(e, "certificatePolicies");
  const v = e.parsedValue as pkijs.CertificatePolicies;
  if (!Array.isArray(v.certificatePolicies)) throw malformed("bad certificatePolicies extension");
  return v.certificatePolicies.map((p) => p.policyIdentifier);
}

function readBasicConstraints(e: pkijs.Extension | undefined): boolean {
  if (!e) return false;
  checkParsed(e, "basicConstraints");
  return (e.parsedValue as pkijs.BasicConstraints).cA === true;
}

function readSki(e: RawExtension | undefined): string | undefined {
  if (!e) return undefined;
  const t = readOnly(e.value, "subjectKeyIdentifier");
  if (t.tag !== TAG.OCTET_STRING) throw malformed("bad subjectKeyIdentifier");
  return toHex(valueOf(e.value, t));
}

function readAki(e: pkijs.Extension | undefined): string | undefined {
  if (!e) return undefined;
  checkParsed(e, "authorityKeyIdentifier");
  const kid = (e.parsedValue as pkijs.AuthorityKeyIdentifier).keyIdentifier;
  return kid ? toHex(new Uint8Array(kid.valueBlock.valueHexView)) : undefined;
}

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (cause) {
    if (cause instanceof PkiError) throw cause;
    throw new PkiError("PKI_MALFORMED", `certificate: ${errorText(cause)}`, { cause });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function malformed(message: string): PkiError {
  return new PkiError("PKI_MALFORMED", message);
}
