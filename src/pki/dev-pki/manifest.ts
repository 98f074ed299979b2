/**
 * The `manifest.json` a dev-pki world is described by. Paths are relative to the world's folder; dates are ISO
 * strings (UTC). Everything here is synthetic.
 */
export interface DevPkiManifest {
  /** Schema version of this file. */
  version: 1;
  synthetic: true;
  seed: number;
  /** The reference instant the world was generated for (all validity windows are relative to it). */
  now: string;
  /** Municipality partitions (one CRL per partition per CA generation). */
  partitions: DevPkiPartition[];
  /** CA generations, oldest first per kind. */
  cas: DevPkiCa[];
  holders: DevPkiHolder[];
  crls: DevPkiCrl[];
}

export interface DevPkiPartition {
  /** e.g. `kakuu-ken_tesuto-shi` (the CRL file name without `.crl`). */
  partition: string;
  prefecture: string;
  city: string;
  prefectureJa: string;
  cityJa: string;
}

export interface DevPkiCa {
  /** e.g. `auth-gen1`. */
  id: string;
  kind: "auth" | "sign";
  generation: number;
  cert: string;
  key: string;
  serialHex: string;
  subjectKeyId: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER: the registry's trust-anchor keyHash. */
  spkiSha256: string;
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
}

export type DevPkiCertStatus = "good" | "revoked" | "expired" | "not-yet-valid";

export interface DevPkiHolderCert {
  cert: string;
  key: string;
  serialHex: string;
  /** The issuing CA's id (`auth-gen2` ...). */
  caId: string;
  notBefore: string;
  notAfter: string;
  status: DevPkiCertStatus;
  /** Present when status is `revoked`. */
  revocation?: { reason: string; revokedAt: string };
}

export interface DevPkiHolder {
  /** e.g. `h01`. */
  id: string;
  /** What the holder is for in tests (`adult`, `age-19`, `age-17`, `minor-12`, `leap-day`, `revoked-key-compromise` ...). */
  scenario: string;
  /** Age on `now`, JST. */
  age: number;
  /** True when under 15 (no signing certificate). */
  minor: boolean;
  partition: string;
  /** Fake attributes (what the signing certificate carries; set for minors too, for reference). */
  attributes: { name: string; dateOfBirth: string; gender: "1" | "2" | "3"; address: string };
  auth: DevPkiHolderCert;
  /** Absent for holders under 15. */
  sign?: DevPkiHolderCert;
  /** `holders/<id>/card.json`: `{authPin, signPassword, tokenInfo}`. */
  card: string;
}

export interface DevPkiCrlEntry {
  serialHex: string;
  holderId?: string;
  reason: string;
  revokedAt: string;
}

export interface DevPkiCrl {
  path: string;
  kind: "auth" | "sign";
  caId: string;
  generation: number;
  partition: string;
  crlNumber: number;
  thisUpdate: string;
  nextUpdate: string;
  /** True for the deliberately expired set under `crl-stale/`. */
  stale: boolean;
  entries: DevPkiCrlEntry[];
}
