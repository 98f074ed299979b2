import { createHash, createPublicKey, sign, type KeyObject } from "node:crypto";

import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import {
  bits,
  bool,
  concat,
  enumerated,
  explicit,
  ia5,
  implicitConstructed,
  implicitPrimitive,
  int,
  nul,
  octets,
  oid,
  printable,
  seq,
  set,
  time,
  tlv,
  utf8,
} from "../der-writer.js";
import { OID } from "../oids.js";

/**
 * Builders for certificates and CRLs on the JPKI profile of shared/jpki/FACTS.md. The TBS structures are
 * assembled with pkijs (certificates) or the DER writer (CRLs), then the raw TBS bytes are signed with node:crypto
 * (RSASSA-PKCS1-v1_5 / SHA-256, deterministic).
 */

/** One attribute of a name to encode: `C` is a PrintableString, everything else a UTF8String. */
export type NameSpec = readonly (readonly ["C" | "O" | "OU" | "CN" | "L", string])[];

const NAME_OID: Record<string, string> = {
  C: OID.countryName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  L: OID.localityName,
};

/** DER of a Name, one attribute per RDN, in the given order. */
export function encodeName(name: NameSpec): Uint8Array {
  return seq(...name.map(([t, v]) => set(seq(oid(NAME_OID[t]!), t === "C" ? printable(v) : utf8(v)))));
}

/** DER of the sha256WithRSAEncryption AlgorithmIdentifier. */
export const SHA256_RSA = (): Uint8Array => seq(oid(OID.sha256WithRSA), nul());

/** The SubjectPublicKeyInfo DER of a key. */
export function spkiOf(key: KeyObject): Uint8Array {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return new Uint8Array(pub.export({ type: "spki", format: "der" }));
}

/** SubjectKeyIdentifier (RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING contents). */
export function keyIdOf(key: KeyObject): Uint8Array {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const rsaPublicKey = pub.export({ type: "pkcs1", format: "der" });
  return new Uint8Array(createHash("sha1").update(rsaPublicKey).digest());
}

/** Everything that goes into a certificate. */
export interface CertSpec {
  serial: Uint8Array;
  issuer: NameSpec;
  subject: NameSpec;
  notBefore: Date;
  notAfter: Date;
  subjectKey: KeyObject;
  /** Extensions in order: [oid, critical, DER value]. */
  extensions: readonly (readonly [string, boolean, Uint8Array])[];
}

/** Builds the TBS with pkijs, signs the raw TBS bytes with node:crypto, returns the certificate DER. */
export function issueCertificate(spec: CertSpec, issuerKey: KeyObject): Uint8Array {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = asn1js.fromBER(int(spec.serial)).result as asn1js.Integer;
  cert.signature = new pkijs.AlgorithmIdentifier({
    algorithmId: OID.sha256WithRSA,
    algorithmParams: new asn1js.Null(),
  });
  cert.issuer = pkijs.RelativeDistinguishedNames.fromBER(encodeName(spec.issuer));
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(encodeName(spec.subject));
  cert.notBefore = new pkijs.Time({ type: timeType(spec.notBefore), value: spec.notBefore });
  cert.notAfter = new pkijs.Time({ type: timeType(spec.notAfter), value: spec.notAfter });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spkiOf(spec.subjectKey));
  cert.extensions = spec.extensions.map(
    ([extnID, critical, value]) => new pkijs.Extension({ extnID, critical, extnValue: toArrayBuffer(value) }),
  );
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  return signedStructure(tbs, issuerKey);
}

/** SEQUENCE { tbs, sha256WithRSAEncryption, BIT STRING signature } with the signature over the raw tbs. */
export function signedStructure(tbs: Uint8Array, key: KeyObject): Uint8Array {
  const signature = new Uint8Array(sign("sha256", tbs, key));
  return seq(tbs, SHA256_RSA(), bits(signature));
}

function timeType(d: Date): number {
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? 0 : 1;
}

function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

// ---- extension values (DER inside extnValue) ----

/** keyUsage BIT STRING from bit numbers (0 = digitalSignature ... 6 = cRLSign). */
export function keyUsageValue(bitNumbers: number[]): Uint8Array {
  let v = 0;
  for (const b of bitNumbers) v |= 0x80 >> b;
  const highest = Math.max(...bitNumbers);
  return bits(Uint8Array.of(v), 7 - highest);
}

export const basicConstraintsCa = (): Uint8Array => seq(bool(true));
export const extKeyUsageValue = (...oids: string[]): Uint8Array => seq(...oids.map((o) => oid(o)));
export const skiValue = (keyId: Uint8Array): Uint8Array => octets(keyId);

/** certificatePolicies with one policy and a CPS URI qualifier. */
export function policiesValue(policy: string, cps: string): Uint8Array {
  return seq(seq(oid(policy), seq(seq(oid(OID.cpsQualifier), ia5(cps)))));
}

/** GeneralNames with one directoryName. */
export function dirNameGeneralNames(name: NameSpec): Uint8Array {
  return seq(explicit(4, encodeName(name)));
}

/** CRLDistributionPoints with one DirName full name. */
export function crlDpValue(name: NameSpec): Uint8Array {
  return seq(seq(explicit(0, implicitConstructed(0, seq(explicit(4, encodeName(name)))))));
}

/** AuthorityInfoAccess with one OCSP URI. */
export function aiaOcspValue(uri: string): Uint8Array {
  return seq(seq(oid(OID.ocsp), implicitPrimitive(6, new TextEncoder().encode(uri))));
}

/** AuthorityKeyIdentifier: keyid, and optionally the issuer's issuer DirName and serial. */
export function akiValue(keyId: Uint8Array, issuer?: NameSpec, serial?: Uint8Array): Uint8Array {
  const parts = [implicitPrimitive(0, keyId)];
  if (issuer && serial) {
    parts.push(implicitConstructed(1, seq(explicit(4, encodeName(issuer)))));
    parts.push(implicitPrimitive(2, int(serial).subarray(2)));
  }
  return seq(...parts);
}

/** subjectAltName of otherNames, each `[0] { OID, [0] EXPLICIT UTF8String }`, in the given order. */
export function otherNamesValue(entries: readonly (readonly [string, string])[]): Uint8Array {
  return seq(...entries.map(([o, v]) => implicitConstructed(0, seq(oid(o), explicit(0, utf8(v))))));
}

/** One revoked entry of a CRL. */
export interface CrlEntrySpec {
  serial: Uint8Array;
  revokedAt: Date;
  /** RFC 5280 reason code; 0 (unspecified) is encoded as no reasonCode extension. */
  reasonCode: number;
  /** More entry extensions after reasonCode (tests of the extension policy): [oid, critical, DER value]. */
  extensions?: readonly (readonly [string, boolean, Uint8Array])[];
}

/** Everything that goes into a CRL. */
export interface CrlSpec {
  issuer: NameSpec;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: readonly CrlEntrySpec[];
  authorityKeyId: Uint8Array;
  crlNumber: number;
  /** The partition's distribution point name, written as a critical issuingDistributionPoint. */
  distributionPoint?: NameSpec;
  /** More fields of that issuingDistributionPoint after the name, already encoded (e.g. `[4] indirectCRL`). */
  distributionPointFlags?: readonly Uint8Array[];
  /** More CRL extensions after the standard ones (tests of the extension policy): [oid, critical, DER value]. */
  extensions?: readonly (readonly [string, boolean, Uint8Array])[];
}

function extension([id, critical, value]: readonly [string, boolean, Uint8Array]): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** Encodes and signs a v2 CRL. */
export function issueCrlDer(spec: CrlSpec, key: KeyObject): Uint8Array {
  const entries = spec.entries.map((e) => {
    const exts = e.reasonCode === 0 ? [] : [seq(oid(OID.cRLReason), octets(enumerated(e.reasonCode)))];
    for (const x of e.extensions ?? []) exts.push(extension(x));
    return exts.length === 0
      ? seq(int(e.serial), time(e.revokedAt))
      : seq(int(e.serial), time(e.revokedAt), seq(...exts));
  });
  const exts = [
    seq(oid(OID.authorityKeyIdentifier), octets(akiValue(spec.authorityKeyId))),
    seq(oid(OID.cRLNumber), octets(int(spec.crlNumber))),
  ];
  if (spec.distributionPoint) {
    const idp = seq(
      explicit(0, implicitConstructed(0, seq(explicit(4, encodeName(spec.distributionPoint))))),
      ...(spec.distributionPointFlags ?? []),
    );
    exts.push(seq(oid(OID.issuingDistributionPoint), bool(true), octets(idp)));
  }
  for (const x of spec.extensions ?? []) exts.push(extension(x));
  const tbsParts = [int(1), SHA256_RSA(), encodeName(spec.issuer), time(spec.thisUpdate), time(spec.nextUpdate)];
  if (entries.length > 0) tbsParts.push(seq(...entries));
  tbsParts.push(explicit(0, seq(...exts)));
  return signedStructure(seq(...tbsParts), key);
}

/** Re-export for callers composing raw values. */
export { concat, tlv };
