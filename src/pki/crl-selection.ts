import type { StreamedCrl } from "./crl.js";
import { PkiError } from "./pki-error.js";

/**
 * The scope of a full CRL (no issuingDistributionPoint name): it covers every certificate of its CA. Partition
 * names are file-name-safe slugs (`[a-z0-9_-]`), so this value never collides with one.
 */
export const FULL_CRL_SCOPE = "*";

/**
 * What a CRL covers, read from its content (never from its file name):
 * - a partitioned CRL carries an issuingDistributionPoint naming a directoryName; its scope is that name's
 *   partition (`distributionPointFromName(name).partition`, e.g. `kanagawa-ken_yokohama-shi`): the same normalised
 *   form a certificate's cRLDistributionPoints gives and the operator store keeps per certificate;
 * - a full CRL has no issuingDistributionPoint name: {@link FULL_CRL_SCOPE}.
 * (An issuingDistributionPoint naming anything but a directoryName is refused when the CRL is opened.)
 */
export function crlScope(crl: Pick<StreamedCrl, "distributionPoint">): string {
  return crl.distributionPoint?.partition ?? FULL_CRL_SCOPE;
}

/**
 * The scopes whose CRLs cover a certificate whose cRLDistributionPoints partition is `partition`: its partition's
 * CRL and its CA's full CRL. The certificate is checked against the newest CRL of each of these scopes that
 * exists (same CA key), is revoked when any of them lists it, and has no CRL when none exists.
 */
export function coveringScopes(partition: string): readonly string[] {
  return [partition, FULL_CRL_SCOPE];
}

/**
 * The cRLNumber of a CRL. CRLs are ordered by it (the highest of a scope is used; a lower one than already seen is a
 * rollback), so a CRL without one is refused; JPKI CRLs carry one.
 * @throws PkiError `PKI_CRL_NO_NUMBER`
 */
export function crlNumberOf(crl: Pick<StreamedCrl, "crlNumber">, label: string): bigint {
  if (crl.crlNumber === undefined) {
    throw new PkiError(
      "PKI_CRL_NO_NUMBER",
      `${label} has no cRLNumber extension: it cannot be ordered against other CRLs of its scope`,
    );
  }
  return BigInt(`0x${crl.crlNumber}`);
}

/** A CRL with its issuer key and scope established. */
export interface ScopedCrl {
  /** Lower-case hex subject key id of the CA that signed it (one CA generation). */
  readonly issuerKeyId: string;
  /** {@link crlScope} of the CRL. */
  readonly scope: string;
  /** {@link crlNumberOf} of the CRL. */
  readonly number: bigint;
  readonly crl: StreamedCrl;
  /** Where it came from (a file path), for messages. */
  readonly label: string;
}

/** The map key of an (issuer key id, scope) pair. */
export function scopeKey(issuerKeyId: string, scope: string): string {
  return `${issuerKeyId.toLowerCase()}\u0000${scope}`;
}

/**
 * The CRL used per (issuer key id, scope): the one with the highest cRLNumber (several CRLs of one scope are
 * normal, e.g. yesterday's and today's; the older ones are superseded). Independent of input order.
 * @throws PkiError `PKI_CRL_AMBIGUOUS` when two different CRLs share the highest number of a scope, or when CRLs of
 * one issuer whose distribution point names differ map to the same partition.
 */
export function newestPerScope<T extends ScopedCrl>(crls: readonly T[]): Map<string, T> {
  const groups = new Map<string, T[]>();
  for (const c of crls) {
    const key = scopeKey(c.issuerKeyId, c.scope);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [c]);
    else group.push(c);
  }
  const out = new Map<string, T>();
  for (const [key, group] of groups) {
    const names = new Set(group.map((c) => c.crl.distributionPoint?.name.text ?? ""));
    if (names.size > 1) {
      throw new PkiError(
        "PKI_CRL_AMBIGUOUS",
        `CRLs with different distribution point names map to partition ${group[0]!.scope} of CA ${group[0]!.issuerKeyId}: ${group.map((c) => c.label).join(", ")}`,
      );
    }
    let newest = group[0]!;
    for (const c of group) if (c.number > newest.number) newest = c;
    const twin = group.find((c) => c.number === newest.number && !sameBytes(c.crl.der, newest.crl.der));
    if (twin !== undefined) {
      throw new PkiError(
        "PKI_CRL_AMBIGUOUS",
        `${newest.label} and ${twin.label} are different CRLs with the same cRLNumber ${newest.number} for one scope`,
      );
    }
    out.set(key, newest);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
