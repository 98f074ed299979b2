/** Object identifiers used by the JPKI profile and this toolkit. */
export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  sha384WithRSA: "1.2.840.113549.1.1.12",
  sha512WithRSA: "1.2.840.113549.1.1.13",
  countryName: "2.5.4.6",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  commonName: "2.5.4.3",
  localityName: "2.5.4.7",
  stateOrProvinceName: "2.5.4.8",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
  cRLNumber: "2.5.29.20",
  cRLReason: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  deltaCRLIndicator: "2.5.29.27",
  certificateIssuer: "2.5.29.29",
  issuingDistributionPoint: "2.5.29.28",
  cRLDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  ocsp: "1.3.6.1.5.5.7.48.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  cpsQualifier: "1.3.6.1.5.5.7.2.1",
  /** JPKI user authentication certificate policy. */
  jpkiAuthPolicy: "1.2.392.200149.8.5.1.3.30",
  /** JPKI digital signature certificate policy. */
  jpkiSignPolicy: "1.2.392.200149.8.5.1.1.20",
  /** JPKI test hierarchy signing policy (unverified in FACTS.md). */
  jpkiSignTestPolicy: "1.2.392.200149.8.5.1.0.20",
  /** JPKI test hierarchy authentication policy (assumed by analogy; unverified). */
  jpkiAuthTestPolicy: "1.2.392.200149.8.5.1.0.30",
  attrName: "1.2.392.200149.8.5.5.1",
  attrNameSubstitutes: "1.2.392.200149.8.5.5.2",
  attrGender: "1.2.392.200149.8.5.5.3",
  attrDateOfBirth: "1.2.392.200149.8.5.5.4",
  attrAddress: "1.2.392.200149.8.5.5.5",
  attrAddressSubstitutes: "1.2.392.200149.8.5.5.6",
} as const;

/** Short names for distinguished-name attribute types. */
export const DN_SHORT_NAMES: Readonly<Record<string, string>> = {
  [OID.countryName]: "C",
  [OID.organizationName]: "O",
  [OID.organizationalUnitName]: "OU",
  [OID.commonName]: "CN",
  [OID.localityName]: "L",
  [OID.stateOrProvinceName]: "ST",
};

/** Signature algorithms this toolkit verifies, with their hash for node:crypto. */
export const SIGNATURE_HASH: Readonly<Record<string, "sha256" | "sha384" | "sha512">> = {
  [OID.sha256WithRSA]: "sha256",
  [OID.sha384WithRSA]: "sha384",
  [OID.sha512WithRSA]: "sha512",
};

/** RFC 5280 CRL reason names by code (7 is unused). */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: "unspecified",
  1: "keyCompromise",
  2: "cACompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
  6: "certificateHold",
  8: "removeFromCRL",
  9: "privilegeWithdrawn",
  10: "aACompromise",
};

/** Code of an RFC 5280 reason name. */
export function reasonCode(name: string): number | undefined {
  for (const [k, v] of Object.entries(CRL_REASONS)) if (v === name) return Number(k);
  return undefined;
}
