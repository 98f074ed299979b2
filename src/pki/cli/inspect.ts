import { readFileSync } from "node:fs";

import { readSigningAttributes, type JpkiAttributes } from "../attributes.js";
import { parseCertificate, toHex, type JpkiCertificate } from "../certificate.js";
import { PkiError } from "../pki-error.js";

/** The JSON `kyc cert inspect` prints. */
export interface CertificateSummary {
  kind: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  subject: string;
  issuer: string;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  rsa: { modulusHex: string; exponent: number | string; bits: number };
  keyUsage: string[];
  policies: string[];
  crlDistributionPoint: { name: string; prefecture: string | null; city: string | null; partition: string } | null;
  sha256Fingerprint: string;
  spkiSha256: string;
  jlisCa: { kind: string; generation: number } | null;
  caKind: string | null;
  /** Only with --show-attributes, and only for signing certificates. */
  attributes?: {
    name: string;
    dateOfBirth: string | null;
    era: string | null;
    gender: string;
    address: string;
    nameSubstitutes: boolean[];
    addressSubstitutes: boolean[];
  } | null;
}

/** Reads a certificate file (DER or PEM). */
export function readCertificateFile(path: string): JpkiCertificate {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new PkiError("PKI_IO", `cannot read ${path}`, { cause });
  }
  return parseCertificate(bytes);
}

/** The summary of a certificate; attributes are decoded only when `showAttributes` is set. */
export function summarizeCertificate(cert: JpkiCertificate, showAttributes: boolean): CertificateSummary {
  const dp = cert.crlDistributionPoint;
  const out: CertificateSummary = {
    kind: cert.kind,
    serialHex: cert.serialHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    subject: cert.subject.text,
    issuer: cert.issuer.text,
    subjectKeyId: cert.subjectKeyId ?? null,
    authorityKeyId: cert.authorityKeyId ?? null,
    rsa: {
      modulusHex: toHex(cert.rsa.modulus),
      exponent: typeof cert.rsa.exponent === "bigint" ? cert.rsa.exponent.toString() : cert.rsa.exponent,
      bits: cert.rsa.bits,
    },
    keyUsage: cert.keyUsage,
    policies: cert.policies,
    crlDistributionPoint: dp
      ? { name: dp.name.text, prefecture: dp.prefecture ?? null, city: dp.city ?? null, partition: dp.partition }
      : null,
    sha256Fingerprint: cert.sha256Fingerprint,
    spkiSha256: cert.spkiSha256,
    jlisCa: cert.jlisCa ? { kind: cert.jlisCa.kind, generation: cert.jlisCa.generation } : null,
    caKind: cert.caKind ?? null,
  };
  if (showAttributes) {
    if (cert.kind === "sign" || cert.kind === "sign-test") {
      const a: JpkiAttributes = readSigningAttributes(cert);
      out.attributes = {
        name: a.name,
        dateOfBirth: a.dateOfBirth,
        era: a.era,
        gender: a.gender,
        address: a.address,
        nameSubstitutes: a.nameSubstitutes,
        addressSubstitutes: a.addressSubstitutes,
      };
    } else out.attributes = null;
  }
  return out;
}

/** Human-readable lines of a summary. */
export function formatSummary(s: CertificateSummary): string {
  const lines = [
    `kind:                 ${s.kind}${s.jlisCa ? ` (J-LIS ${s.jlisCa.kind} CA generation ${s.jlisCa.generation})` : s.caKind ? ` (${s.caKind} CA)` : ""}`,
    `serial:               ${s.serialHex}`,
    `valid:                ${s.notBefore} .. ${s.notAfter}`,
    `subject:              ${s.subject}`,
    `issuer:               ${s.issuer}`,
    `subject key id:       ${s.subjectKeyId ?? "-"}`,
    `authority key id:     ${s.authorityKeyId ?? "-"}`,
    `key:                  RSA-${s.rsa.bits}, e=${s.rsa.exponent}`,
    `key usage:            ${s.keyUsage.join(", ") || "-"}`,
    `policies:             ${s.policies.join(", ") || "-"}`,
    `CRL distribution pt:  ${s.crlDistributionPoint ? `${s.crlDistributionPoint.name} [${s.crlDistributionPoint.partition}]` : "-"}`,
    `SHA-256 fingerprint:  ${s.sha256Fingerprint}`,
    `SPKI SHA-256:         ${s.spkiSha256}`,
  ];
  if (s.attributes === null) lines.push("attributes:           (none: not a signing certificate)");
  else if (s.attributes) {
    lines.push(`name:                 ${s.attributes.name}`);
    lines.push(`date of birth:        ${s.attributes.dateOfBirth ?? "unknown"} (${s.attributes.era ?? "era unknown"})`);
    lines.push(`gender:               ${s.attributes.gender}`);
    lines.push(`address:              ${s.attributes.address}`);
  }
  return lines.join("\n");
}

/** The warning printed (to stderr) with --show-attributes. */
export const PERSONAL_DATA_WARNING =
  "WARNING: the attributes below are personal data (name, date of birth, gender, address). " +
  "Do not log, store or share them; never put them on chain.";
