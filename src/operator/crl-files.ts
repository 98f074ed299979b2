import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { KycError } from "../errors.js";
import type { JpkiCertificate } from "../pki/certificate.js";
import { openCrl, type StreamedCrl } from "../pki/crl.js";
import { crlNumberOf, crlScope, type ScopedCrl } from "../pki/crl-selection.js";
import { OperatorError } from "./operator-error.js";

/** One CRL file, opened and checked; what it is comes from its content, never from its file name. */
export interface LoadedCrl extends ScopedCrl {
  /** The file path (for messages only). */
  readonly file: string;
  /** The CA whose key verifies the CRL's signature (undefined when none does). */
  readonly ca: JpkiCertificate | undefined;
  /**
   * Lower-case hex SKI of the CA that verified it (the AKI of the certificates it covers); when no CA verifies it,
   * the key id the CRL claims (its authorityKeyIdentifier, or "" when absent), which `problems` then disowns.
   */
  readonly issuerKeyId: string;
  /** Why the CRL can never be used: unknown issuer, bad signature. Empty when verified. */
  readonly problems: readonly string[];
  /** Why the CRL is not fresh at the given time (thisUpdate ≤ at < nextUpdate); undefined when fresh. */
  readonly staleness: string | undefined;
}

function crlFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--crl ${path} does not exist`, { cause });
  }
  if (stat.isFile()) return [path];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.crl$/i.test(entry.name)) files.push(full);
    }
  };
  walk(path);
  if (files.length === 0) throw new OperatorError("OPERATOR_BAD_INPUT", `--crl ${path} holds no .crl file`);
  return files;
}

/**
 * Opens every CRL at `path` (a file or a folder, walked recursively; any `*.crl` name) and checks each: its
 * signature against a CA of `cas` with the CRL's issuer name and key id, and freshness at `at`. Its scope
 * (`crlScope`) and cRLNumber come from its content. Problems are reported per CRL (see `selectCrls` for which CRL
 * is used); a malformed file, or one without cRLNumber, raises.
 * @throws OperatorError `OPERATOR_BAD_INPUT` / `OPERATOR_CRL`
 */
export function loadCrls(path: string, cas: readonly JpkiCertificate[], at: Date): LoadedCrl[] {
  return crlFiles(path).map((file) => {
    let crl: StreamedCrl;
    let number: bigint;
    try {
      crl = openCrl(readFileSync(file));
      number = crlNumberOf(crl, file);
    } catch (cause) {
      const why = cause instanceof KycError ? cause.message : String(cause);
      throw new OperatorError("OPERATOR_CRL", `${file} is not a usable CRL: ${why}`, { cause });
    }
    const problems: string[] = [];
    // The CA generation: by the CRL's authority key id when present (every J-LIS generation shares one DN).
    const aki = crl.authorityKeyId?.toLowerCase();
    const candidates = cas.filter(
      (ca) => ca.subject.text === crl.issuer.text && (aki === undefined || ca.subjectKeyId?.toLowerCase() === aki),
    );
    const ca = candidates.find((c) => crl.verifySignature(c));
    if (candidates.length === 0) problems.push("issued by a CA that is not in the CA folder");
    else if (ca === undefined) problems.push("its signature does not verify against its CA");
    const staleness = crl.isFresh(at)
      ? undefined
      : `not fresh at ${at.toISOString()} (thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? "none"})`;
    return {
      file,
      label: file,
      crl,
      ca,
      issuerKeyId: ca?.subjectKeyId?.toLowerCase() ?? aki ?? "",
      scope: crlScope(crl),
      number,
      problems,
      staleness,
    };
  });
}
