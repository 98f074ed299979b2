import type { JpkiAttributes } from "../pki/attributes.js";
import type { JpkiCertificate } from "../pki/certificate.js";
import type { PiiMaterial } from "../privacy/pii-guard.js";

/**
 * The PII guard's material for a parsed certificate: its DER, TBS, serial, notAfter, every subject and
 * CRL-distribution-point name value, and (for a signing certificate whose attributes were read) the attributes.
 * `forbidKey`: the certificate's public key must not appear either (the signing key is never bound on chain).
 */
export function piiFromCertificate(
  label: string,
  cert: JpkiCertificate,
  attributes?: JpkiAttributes,
  forbidKey = false,
): PiiMaterial {
  // Identifying values only: the subject (CN, and L for signing certificates; not C=JP) and the municipality of
  // the CRL distribution point. The fixed JPKI names (O=JPKI, "CRL Distribution Points", ...) are the same in
  // every certificate and would only raise false alarms.
  const strings: string[] = cert.subject.attributes.filter((a) => a.name !== "C").map((a) => a.value);
  const dp = cert.crlDistributionPoint;
  if (dp !== undefined) {
    for (const a of dp.name.attributes) if (a.name === "CN") strings.push(a.value);
    if (dp.prefecture !== undefined) strings.push(dp.prefecture);
    if (dp.city !== undefined) strings.push(dp.city);
  }
  if (attributes !== undefined) {
    strings.push(attributes.name, attributes.dateOfBirthRaw, attributes.address, attributes.genderCode);
    if (attributes.dateOfBirth !== null)
      strings.push(attributes.dateOfBirth, attributes.dateOfBirth.replaceAll("-", ""));
    for (const part of attributes.name.split(/[\s\u3000]+/u)) strings.push(part);
    for (const u of attributes.unknown) strings.push(u.value);
  }
  return {
    label,
    der: cert.der,
    tbs: cert.tbs,
    serialHex: cert.serialHex,
    notAfter: cert.notAfter,
    strings,
    ...(forbidKey ? { forbiddenModulus: cert.rsa.modulus } : {}),
  };
}
