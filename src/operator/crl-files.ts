import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";

import { KycError } from "../errors.js";
import type { JpkiCertificate } from "../pki/certificate.js";
import { openCrl, type StreamedCrl } from "../pki/crl.js";
import type { CrlPartition } from "./crl-sync.js";
import { OperatorError } from "./operator-error.js";

/** One CRL file, opened (streamed) and checked. */
export interface LoadedCrl {
  readonly file: string;
  readonly crl: StreamedCrl;
  /** The CA whose key verifies the CRL's signature (undefined when none does). */
  readonly ca: JpkiCertificate | undefined;
  /** Lower-case hex SKI of that CA: the AKI of the certificates the CRL covers. */
  readonly issuerKeyId: string | undefined;
  /** The partition the CRL covers: its issuingDistributionPoint's partition, else its file name without `.crl`. */
  readonly partition: string;
  /** Why the CRL cannot be used (bad signature, stale, unknown issuer); empty when usable. */
  readonly problems: readonly string[];
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
 * Opens every CRL at `path` (a file or a folder, walked recursively) and checks each: its signature against a CA
 * of `cas` with the CRL's issuer name, and freshness at `at` (thisUpdate ≤ at < nextUpdate). Problems are
 * reported per CRL; a malformed file raises.
 * @throws OperatorError `OPERATOR_BAD_INPUT` / `OPERATOR_CRL`
 */
export function loadCrls(path: string, cas: readonly JpkiCertificate[], at: Date): LoadedCrl[] {
  return crlFiles(path).map((file) => {
    let crl: StreamedCrl;
    try {
      crl = openCrl(readFileSync(file));
    } catch (cause) {
      const why = cause instanceof KycError ? cause.message : String(cause);
      throw new OperatorError("OPERATOR_CRL", `${file} is not a CRL: ${why}`, { cause });
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
    if (!crl.isFresh(at)) {
      problems.push(
        `not fresh at ${at.toISOString()} (thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? "none"})`,
      );
    }
    return {
      file,
      crl,
      ca,
      issuerKeyId: ca?.subjectKeyId?.toLowerCase(),
      partition: crl.distributionPoint?.partition ?? basename(file).replace(/\.crl$/i, ""),
      problems,
    };
  });
}

/**
 * The CRLs as crl-sync's partitions, refusing the whole set when any CRL has a problem (nothing is sent then).
 * @throws OperatorError `OPERATOR_CRL`
 */
export function verifiedPartitions(crls: readonly LoadedCrl[]): CrlPartition[] {
  const bad = crls.filter((c) => c.problems.length > 0 || c.issuerKeyId === undefined);
  if (bad.length > 0) {
    const first = bad[0]!;
    throw new OperatorError(
      "OPERATOR_CRL",
      `${bad.length} CRL(s) failed verification, nothing was sent; first: ${first.file}: ${first.problems.join("; ")}`,
    );
  }
  return crls.map((c) => ({
    issuerKeyId: c.issuerKeyId!,
    partition: c.partition,
    lookup: (serialHex: string) => c.crl.lookup(serialHex),
  }));
}
