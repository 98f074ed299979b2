import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import type { JpkiCertificate } from "./certificate.js";
import { openCrl, type StreamedCrl } from "./crl.js";
import { coveringScopes, crlNumberOf, crlScope, newestPerScope, type ScopedCrl } from "./crl-selection.js";
import { PkiError } from "./pki-error.js";

/** One CRL file of a folder. Its name and place carry no meaning: what it covers is read from its content. */
export interface CrlFileInfo {
  /** Absolute path. */
  path: string;
}

/** A CRL chosen from a folder: the newest (highest cRLNumber) of its CA key and scope. */
export interface FoundCrl {
  file: CrlFileInfo;
  crl: StreamedCrl;
}

/** A folder of CRLs (partitioned by municipality and/or full, possibly several CA generations and issues). */
export interface CrlDirectory {
  files: CrlFileInfo[];
  /**
   * The CRLs covering a certificate (the rule of `crl-selection.ts`): among the CRLs with the certificate's issuer
   * name and authority key id, per scope covering it (its partition's, its CA's full CRL), the one with the highest
   * cRLNumber. Signatures and freshness are not checked here. Raises `PKI_CRL_NOT_FOUND` when none matches,
   * `PKI_CRL_NO_NUMBER` / `PKI_CRL_AMBIGUOUS` when the candidates cannot be ordered.
   */
  findFor(cert: JpkiCertificate): FoundCrl[];
  /** Per scope, the newest CRL whose authority key id is `keyId` (every CRL's when undefined). */
  newestOf(keyId: string | undefined): FoundCrl[];
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
      else if (/\.crl$/i.test(n)) files.push({ path: p });
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
  const newest = (candidates: Array<ScopedCrl & FoundCrl>): FoundCrl[] =>
    [...newestPerScope(candidates).values()].map(({ file, crl }) => ({ file, crl }));
  const scoped = (file: CrlFileInfo, crl: StreamedCrl, issuerKeyId: string): ScopedCrl & FoundCrl => ({
    file,
    crl,
    issuerKeyId,
    scope: crlScope(crl),
    number: crlNumberOf(crl, file.path),
    label: file.path,
  });
  return {
    files,
    open,
    findFor(cert) {
      const dp = cert.crlDistributionPoint;
      if (!dp) throw new PkiError("PKI_CRL_NOT_FOUND", "the certificate has no CRL distribution point");
      const scopes = coveringScopes(dp.partition);
      const aki = cert.authorityKeyId?.toLowerCase();
      const candidates: Array<ScopedCrl & FoundCrl> = [];
      for (const file of files) {
        const crl = open(file);
        const crlAki = crl.authorityKeyId?.toLowerCase();
        if (aki !== undefined && crlAki !== undefined && crlAki !== aki) continue;
        if (crl.issuer.text !== cert.issuer.text || !scopes.includes(crlScope(crl))) continue;
        candidates.push(scoped(file, crl, aki ?? crlAki ?? ""));
      }
      if (candidates.length === 0) {
        throw new PkiError("PKI_CRL_NOT_FOUND", `no CRL for partition "${dp.partition}" and this issuer key in ${dir}`);
      }
      return newest(candidates);
    },
    newestOf(keyId) {
      const want = keyId?.toLowerCase();
      const candidates: Array<ScopedCrl & FoundCrl> = [];
      for (const file of files) {
        const crl = open(file);
        const crlAki = crl.authorityKeyId?.toLowerCase() ?? "";
        if (want === undefined || crlAki === want) candidates.push(scoped(file, crl, crlAki));
      }
      return newest(candidates);
    },
  };
}
