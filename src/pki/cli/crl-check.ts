import { statSync } from "node:fs";

import type { JpkiCertificate } from "../certificate.js";
import { openCrlDirectory } from "../crl-directory.js";
import { scanCrlFile } from "../crl-scan.js";
import { serialBytes, type StreamedCrl } from "../crl.js";
import { PkiError } from "../pki-error.js";
import { readCertificateFile } from "./inspect.js";

/** Options of `kyc crl check`. */
export interface CrlCheckOptions {
  /** A CRL file, or a folder of CRLs (any file names: each CRL's scope is read from its content). */
  crl: string;
  /** The CA certificate that signed the CRL. */
  ca: string;
  cert?: string;
  serial?: string;
  /** ISO time to check freshness at (default now). */
  at?: string;
}

/** The JSON `kyc crl check` prints. */
export interface CrlCheckResult {
  status: "good" | "revoked" | "error";
  serialHex: string;
  reason: string | null;
  revokedAt: string | null;
  /** Set when status is `error` (invalid signature, stale CRL, wrong CA). */
  error?: string;
  crl: {
    path: string;
    thisUpdate: string;
    nextUpdate: string | null;
    entries: number;
    fresh: boolean;
    signatureValid: boolean;
  };
}

/** Exit code of a result: 0 good, 1 revoked, 2 error. */
export function crlCheckExitCode(r: CrlCheckResult): number {
  return r.status === "good" ? 0 : r.status === "revoked" ? 1 : 2;
}

/**
 * Checks a certificate or serial against a CRL signed by `ca`. Malformed input raises `PkiError`; a bad
 * signature, a stale CRL or a certificate from another CA give status `error` (exit 2), never `good`.
 */
export function checkCrl(options: CrlCheckOptions): CrlCheckResult {
  if ((options.cert === undefined) === (options.serial === undefined)) {
    throw new PkiError("PKI_BAD_ARGUMENT", "give exactly one of --cert and --serial");
  }
  const at = options.at === undefined ? new Date() : new Date(options.at);
  if (Number.isNaN(at.getTime())) throw new PkiError("PKI_BAD_ARGUMENT", `--at "${options.at}" is not an ISO date`);
  const ca = readCertificateFile(options.ca);
  const cert: JpkiCertificate | undefined = options.cert === undefined ? undefined : readCertificateFile(options.cert);
  const serialHex = cert ? cert.serialHex : Buffer.from(serialBytes(options.serial!)).toString("hex");

  let isDir = false;
  try {
    isDir = statSync(options.crl).isDirectory();
  } catch (cause) {
    throw new PkiError("PKI_IO", `cannot read ${options.crl}`, { cause });
  }
  const candidates: { path: string; crl: StreamedCrl }[] = [];
  if (!isDir) {
    // A single file: one streaming pass with bounded memory (large CRLs).
    const r = scanCrlFile(options.crl, { ca, serials: [serialHex], at });
    const base: CrlCheckResult = {
      status: "good",
      serialHex,
      reason: null,
      revokedAt: null,
      crl: {
        path: options.crl,
        thisUpdate: r.thisUpdate.toISOString(),
        nextUpdate: r.nextUpdate?.toISOString() ?? null,
        entries: r.entryCount,
        fresh: r.fresh,
        signatureValid: r.signatureValid,
      },
    };
    const errors = problems(r.signatureValid, r.fresh, at, cert, ca);
    if (errors.length > 0) return { ...base, status: "error", error: errors.join("; ") };
    const hit = r.found.get(serialHex);
    return hit ? { ...base, status: "revoked", reason: hit.reason, revokedAt: hit.revokedAt.toISOString() } : base;
  } else {
    const dir = openCrlDirectory(options.crl);
    // The newest CRL (highest cRLNumber) per scope: the certificate's partition and its CA's full CRL, or, for a
    // bare serial, every scope of this CA key in the folder. A serial listed in any of them is revoked.
    const found = cert ? dir.findFor(cert) : dir.newestOf(ca.subjectKeyId);
    for (const f of found) candidates.push({ path: f.file.path, crl: f.crl });
    if (candidates.length === 0) throw new PkiError("PKI_CRL_NOT_FOUND", `no CRL of this CA in ${options.crl}`);
  }

  let first: CrlCheckResult | undefined;
  for (const { path, crl } of candidates) {
    const signatureValid = crl.verifySignature(ca);
    const fresh = crl.isFresh(at);
    const base: CrlCheckResult = {
      status: "good",
      serialHex,
      reason: null,
      revokedAt: null,
      crl: {
        path,
        thisUpdate: crl.thisUpdate.toISOString(),
        nextUpdate: crl.nextUpdate?.toISOString() ?? null,
        entries: crl.entryCount,
        fresh,
        signatureValid,
      },
    };
    const errors = problems(signatureValid, fresh, at, cert, ca);
    if (errors.length > 0) {
      base.status = "error";
      base.error = errors.join("; ");
      first ??= base;
      continue;
    }
    const hit = crl.lookup(serialHex);
    if (hit) return { ...base, status: "revoked", reason: hit.reason, revokedAt: hit.revokedAt.toISOString() };
    first = first?.status === "error" ? first : base;
  }
  return first!;
}

function problems(
  signatureValid: boolean,
  fresh: boolean,
  at: Date,
  cert: JpkiCertificate | undefined,
  ca: JpkiCertificate,
): string[] {
  const errors: string[] = [];
  if (!signatureValid) errors.push("the CRL signature does not verify with this CA");
  if (!fresh) errors.push(`the CRL is not fresh at ${at.toISOString()}`);
  if (cert && ca.subjectKeyId && cert.authorityKeyId !== ca.subjectKeyId) {
    errors.push("the certificate was not issued by this CA (authority key id mismatch)");
  }
  return errors;
}
