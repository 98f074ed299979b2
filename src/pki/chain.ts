import type { JpkiCertificate } from "./certificate.js";
import { SIGNATURE_HASH } from "./oids.js";
import { verifyPkcs1, type RsaKeyLike } from "./rsa.js";

/** A trust anchor given without its certificate (e.g. read from the registry plus the CA's key). */
export interface TrustAnchorLike {
  /** Which certificates it may issue. */
  kind: "auth" | "sign";
  /** SubjectKeyIdentifier, hex: matched against the leaf's AKI key id. */
  subjectKeyId: string;
  rsa: RsaKeyLike;
  notBefore: Date;
  notAfter: Date;
  /** Free-form id (e.g. the registry's caId). */
  id?: string | number;
}

/** Why a chain check failed, in check order. */
export type ChainFailure =
  | "no-authority-key-id"
  | "issuer-not-found"
  /** The certificate anchor matched by AKI → SKI is not a CA: no basicConstraints cA=TRUE or no keyCertSign. */
  | "issuer-not-ca"
  | "kind-mismatch"
  | "bad-signature"
  | "not-yet-valid"
  | "expired"
  | "ca-not-yet-valid"
  | "ca-expired"
  | "issuer-name-mismatch";

/** The result of `verifyChain` (a failed check is a result, not an exception). */
export interface ChainResult {
  ok: boolean;
  /** The anchor whose SKI matched the certificate's AKI. */
  anchor?: JpkiCertificate | TrustAnchorLike;
  failures: ChainFailure[];
}

/**
 * Verifies a card certificate against trust anchors at `at`: the issuer is the anchor whose SubjectKeyIdentifier
 * equals the certificate's AuthorityKeyIdentifier key id (every generation of a J-LIS CA has the same DN), the
 * signature over the raw TBS bytes, the certificate's and the CA's validity at `at`, that authentication
 * certificates chain to an authentication CA and signing certificates to a signing CA, and (for certificate
 * anchors) that the issuer is a CA (basicConstraints cA=TRUE and keyUsage keyCertSign, else `issuer-not-ca`) and
 * that the issuer DN equals the anchor's subject DN. A `TrustAnchorLike` carries no extensions: whoever builds it
 * (e.g. from the registry's trust anchors) vouches that it is a CA key. Every failing check is listed.
 */
export function verifyChain(
  cert: JpkiCertificate,
  anchors: readonly (JpkiCertificate | TrustAnchorLike)[],
  at: Date,
): ChainResult {
  const failures: ChainFailure[] = [];
  if (!cert.authorityKeyId) return { ok: false, failures: ["no-authority-key-id"] };
  const aki = cert.authorityKeyId.toLowerCase();
  const anchor = anchors.find((a) => a.subjectKeyId?.toLowerCase() === aki);
  if (!anchor) return { ok: false, failures: ["issuer-not-found"] };
  if ("der" in anchor && !(anchor.isCa && anchor.keyUsage.includes("keyCertSign"))) failures.push("issuer-not-ca");

  const anchorKind = "der" in anchor ? anchor.caKind : anchor.kind;
  const certKind =
    cert.kind === "auth" || cert.kind === "auth-test"
      ? "auth"
      : cert.kind === "sign" || cert.kind === "sign-test"
        ? "sign"
        : undefined;
  if (certKind === undefined || anchorKind !== certKind) failures.push("kind-mismatch");

  const hash = SIGNATURE_HASH[cert.signatureAlgorithm];
  if (!hash || !verifyPkcs1(hash, anchor.rsa, cert.tbs, cert.signature)) failures.push("bad-signature");

  const t = at.getTime();
  if (t < cert.notBefore.getTime()) failures.push("not-yet-valid");
  if (t > cert.notAfter.getTime()) failures.push("expired");
  if (t < anchor.notBefore.getTime()) failures.push("ca-not-yet-valid");
  if (t > anchor.notAfter.getTime()) failures.push("ca-expired");
  if ("der" in anchor && anchor.subject.text !== cert.issuer.text) failures.push("issuer-name-mismatch");

  return { ok: failures.length === 0, anchor, failures };
}
