import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";

import type { JpkiCertificate } from "./certificate.js";
import { openCrl, type StreamedCrl } from "./crl.js";
import { PkiError } from "./pki-error.js";

/** One CRL file of a partitioned folder. */
export interface CrlFileInfo {
  /** Absolute path. */
  path: string;
  /** File name without `.crl` (the partition key, e.g. `kakuu-ken_tesuto-shi`). */
  partition: string;
  /** `auth` or `sign` when a path segment says so. */
  kind?: "auth" | "sign";
}

/** A folder of partitioned CRLs (by municipality, possibly per CA generation, e.g. the dev-pki `crl/` folder). */
export interface CrlDirectory {
  files: CrlFileInfo[];
  /**
   * The CRL covering a certificate: same partition as the certificate's CRL distribution point, same hierarchy,
   * and a CRL authority key id equal to the certificate's (so each CA generation's own CRL is used).
   * Raises `PKI_CRL_NOT_FOUND` when none matches.
   */
  findFor(cert: JpkiCertificate): { file: CrlFileInfo; crl: StreamedCrl };
  /** Opens (and caches) one file. */
  open(file: CrlFileInfo): StreamedCrl;
}

/** Indexes every `*.crl` under `dir` (recursively). Files are opened lazily. */
export function openCrlDirectory(dir: string): CrlDirectory {
  const files: CrlFileInfo[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 6) return;
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (cause) {
      throw new PkiError("PKI_IO", `cannot read CRL folder ${d}`, { cause });
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (n.endsWith(".crl")) {
        const segments = relative(dir, p).split(sep);
        const kind = segments.includes("auth") ? "auth" : segments.includes("sign") ? "sign" : undefined;
        const info: CrlFileInfo = { path: p, partition: basename(n, ".crl") };
        if (kind) info.kind = kind;
        files.push(info);
      }
    }
  };
  walk(dir, 0);
  const cache = new Map<string, StreamedCrl>();
  const open = (file: CrlFileInfo): StreamedCrl => {
    let crl = cache.get(file.path);
    if (!crl) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file.path);
      } catch (cause) {
        throw new PkiError("PKI_IO", `cannot read ${file.path}`, { cause });
      }
      crl = openCrl(bytes);
      cache.set(file.path, crl);
    }
    return crl;
  };
  return {
    files,
    open,
    findFor(cert) {
      const dp = cert.crlDistributionPoint;
      if (!dp) throw new PkiError("PKI_CRL_NOT_FOUND", "the certificate has no CRL distribution point");
      const kind = cert.kind.startsWith("auth") ? "auth" : cert.kind.startsWith("sign") ? "sign" : undefined;
      const candidates = files.filter((f) => f.partition === dp.partition && (f.kind === undefined || f.kind === kind));
      for (const file of candidates) {
        const crl = open(file);
        if (cert.authorityKeyId && crl.authorityKeyId && crl.authorityKeyId !== cert.authorityKeyId) continue;
        if (crl.distributionPoint && crl.distributionPoint.name.text !== dp.name.text) continue;
        if (crl.issuer.text !== cert.issuer.text) continue;
        return { file, crl };
      }
      throw new PkiError("PKI_CRL_NOT_FOUND", `no CRL for partition "${dp.partition}" and this issuer key in ${dir}`);
    },
  };
}
