import { TAG, children, ctx, decodeOid, type Tlv } from "./der.js";
import { OID } from "./oids.js";
import { PkiError } from "./pki-error.js";

/**
 * RFC 5280 §5.2 / §5.3 extension policy shared by `openCrl` and `scanCrlFile`. This toolkit uses complete, direct,
 * full-scope CRLs only; a CRL it cannot interpret fully is refused (fail closed), never half-read.
 *
 * CRL extensions (crlExtensions):
 * - processed: authorityKeyIdentifier, cRLNumber, issuingDistributionPoint (critical or not; its scope is checked by
 *   `checkIssuingDistributionPoint`);
 * - refused whether critical or not: deltaCRLIndicator (a delta CRL lists only changes since a base CRL; read as a
 *   complete CRL it would report revoked certificates as good) → `PKI_CRL_UNSUPPORTED_SCOPE`;
 * - any other extension: ignored when non-critical, refused when critical → `PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION`.
 *
 * CRL entry extensions (crlEntryExtensions):
 * - processed: reasonCode, invalidityDate (accepted; the revocation date used is the entry's revocationDate);
 * - refused whether critical or not: certificateIssuer (it only occurs in indirect CRLs, whose entries may belong to
 *   another CA) → `PKI_CRL_UNSUPPORTED_SCOPE`;
 * - any other extension: ignored when non-critical, refused when critical → `PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION`.
 */

/** Checks one crlExtension by OID and criticality (raises `PkiError` when the CRL must not be used). */
export function checkCrlExtension(oid: string, critical: boolean): void {
  if (oid === OID.authorityKeyIdentifier || oid === OID.cRLNumber || oid === OID.issuingDistributionPoint) return;
  if (oid === OID.deltaCRLIndicator) {
    throw new PkiError(
      "PKI_CRL_UNSUPPORTED_SCOPE",
      `the CRL is a delta CRL (deltaCRLIndicator ${oid}); only complete CRLs are supported`,
    );
  }
  if (critical) {
    throw new PkiError(
      "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
      `the CRL has an unsupported critical extension ${oid}`,
    );
  }
}

/** Whether an Extension's parts (OID, [critical BOOLEAN], OCTET STRING) say critical (DER: only TRUE is written). */
export function isCritical(buf: Uint8Array, parts: readonly Tlv[]): boolean {
  if (parts.length !== 3) return false;
  const b = parts[1]!;
  if (b.tag !== TAG.BOOLEAN || b.end - b.valueStart !== 1) {
    throw new PkiError("PKI_MALFORMED", "bad critical flag in a CRL extension");
  }
  return buf[b.valueStart] !== 0;
}

/**
 * Refuses an issuingDistributionPoint (the decoded value `idp`) that narrows the CRL's scope: indirectCRL [4],
 * onlyContainsCACerts [2], onlySomeReasons [3], onlyContainsAttributeCerts [5]. onlyContainsUserCerts [1] is fine
 * (card certificates are end-entity certificates). A distributionPoint [0] must be a fullName naming a
 * directoryName (the form JPKI certificates' cRLDistributionPoints use, matched by partition): a CRL scoped to a
 * URI or a name relative to the issuer covers certificates this toolkit cannot tell, so it is refused rather than
 * read as a full CRL.
 */
export function checkIssuingDistributionPoint(buf: Uint8Array, idp: Tlv): void {
  if (idp.tag !== TAG.SEQUENCE) throw new PkiError("PKI_MALFORMED", "bad issuingDistributionPoint");
  for (const f of children(buf, idp, "issuingDistributionPoint")) {
    if (f.tag === ctx(0, true)) {
      const name = children(buf, f, "DistributionPointName");
      if (name.length !== 1) throw new PkiError("PKI_MALFORMED", "bad issuingDistributionPoint distributionPoint");
      const full = name[0]!;
      const named =
        full.tag === ctx(0, true) && children(buf, full, "GeneralNames").some((t) => t.tag === ctx(4, true));
      if (!named) throw scope("scoped to a distribution point that is not a directory name");
      continue;
    }
    const flag = f.end - f.valueStart === 1 && buf[f.valueStart] !== 0;
    if (f.tag === ctx(1, false)) continue;
    if (f.tag === ctx(4, false) && flag) throw scope("an indirect CRL (issuingDistributionPoint indirectCRL)");
    if (f.tag === ctx(2, false) && flag) throw scope("limited to CA certificates (onlyContainsCACerts)");
    if (f.tag === ctx(5, false) && flag) throw scope("limited to attribute certificates (onlyContainsAttributeCerts)");
    if (f.tag === ctx(3, false)) throw scope("limited to some reasons (onlySomeReasons)");
    if (f.tag === ctx(2, false) || f.tag === ctx(4, false) || f.tag === ctx(5, false)) continue; // FALSE
    throw new PkiError("PKI_MALFORMED", `bad issuingDistributionPoint field (tag 0x${f.tag.toString(16)})`);
  }
}

function scope(what: string): PkiError {
  return new PkiError(
    "PKI_CRL_UNSUPPORTED_SCOPE",
    `the CRL is ${what}, ${OID.issuingDistributionPoint}; only complete direct CRLs are supported`,
  );
}

/**
 * Checks one CRL entry extension given the OID's content bytes [s, e) in `buf` and its criticality, without
 * building objects (the streaming hot path). reasonCode (55 1d 15) and invalidityDate (55 1d 18) pass.
 */
export function checkEntryExtension(buf: Uint8Array, s: number, e: number, critical: boolean, offset: number): void {
  if (e - s === 3 && buf[s] === 0x55 && buf[s + 1] === 0x1d) {
    const last = buf[s + 2];
    if (last === 0x15 || last === 0x18) return;
    if (last === 0x1d) {
      throw new PkiError(
        "PKI_CRL_UNSUPPORTED_SCOPE",
        `the CRL entry at offset ${offset} has a certificateIssuer extension (${OID.certificateIssuer}): indirect CRLs are not supported`,
      );
    }
  }
  if (!critical) return;
  let name: string;
  try {
    name = decodeOid(buf, { tag: TAG.OID, start: s, valueStart: s, end: e });
  } catch {
    name = `(undecodable OID ${Buffer.from(buf.subarray(s, e)).toString("hex")})`;
  }
  throw new PkiError(
    "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION",
    `the CRL entry at offset ${offset} has an unsupported critical extension ${name}`,
  );
}
