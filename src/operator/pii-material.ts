import type { JpkiAttributes } from "../pki/attributes.js";
import type { JpkiCertificate } from "../pki/certificate.js";
import type { PiiMaterial } from "./pii-guard.js";

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
  const strings: string[] = [
    ...cert.subject.attributes.map((a) => a.value),
    ...(cert.crlDistributionPoint?.name.attributes.map((a) => a.value) ?? []),
  ];
  if (cert.crlDistributionPoint?.prefecture !== undefined) strings.push(cert.crlDistributionPoint.prefecture);
  if (cert.crlDistributionPoint?.city !== undefined) strings.push(cert.crlDistributionPoint.city);
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
