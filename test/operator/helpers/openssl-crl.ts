/**
 * CRLs made the way an operator would outside this toolkit: with the openssl CLI (`openssl ca -gencrl`), signed
 * by a dev-pki CA key, with an optional issuingDistributionPoint and cRLNumber from an openssl config.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { toPem } from "../../../src/pki/pem.js";
import { crlDpName } from "../../../src/pki/dev-pki/world.js";

export interface OpensslCrlOptions {
  /** The dev-pki world folder. */
  readonly dir: string;
  /** CA certificate and key, relative to `dir` (e.g. `ca/auth-gen2.der`, `ca/auth-gen2.key.pem`). */
  readonly caCert: string;
  readonly caKey: string;
  /** Serials (hex) listed as revoked (keyCompromise). */
  readonly revoked: readonly string[];
  /** cRLNumber; omitted: the CRL carries none. */
  readonly crlNumber?: number;
  /** The issuingDistributionPoint: a municipality's directory name, a URI, or none (a full CRL). */
  readonly idp?:
    { readonly kind: "auth" | "sign"; readonly prefecture: string; readonly city: string } | { readonly uri: string };
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Where to write the PEM CRL. */
  readonly out: string;
}

function opensslTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z"); // YYYYMMDDHHMMSSZ
}

/** Writes a CRL made by `openssl ca -gencrl`; returns `out`. */
export function opensslCrl(o: OpensslCrlOptions): string {
  const work = mkdtempSync(join(tmpdir(), "kyc-openssl-crl-"));
  const caPem = join(work, "ca.pem");
  writeFileSync(caPem, toPem(readFileSync(join(o.dir, o.caCert)), "CERTIFICATE"));
  const revokedAt = opensslTime(new Date(o.thisUpdate.getTime() - 86_400_000));
  const index = o.revoked.map((serial) => {
    const hex = serial.length % 2 ? `0${serial}` : serial;
    return `R\t491231000000Z\t${revokedAt.slice(2)},keyCompromise\t${hex.toUpperCase()}\tunknown\t/CN=synthetic\n`;
  });
  writeFileSync(join(work, "index.txt"), index.join(""));
  writeFileSync(join(work, "index.txt.attr"), "unique_subject = no\n");
  const lines = [
    "[ ca ]",
    "default_ca = dev",
    "[ dev ]",
    `database = ${join(work, "index.txt")}`,
    "default_md = sha256",
    "unique_subject = no",
    "crl_extensions = crl_ext",
  ];
  if (o.crlNumber !== undefined) {
    writeFileSync(join(work, "crlnumber"), `${o.crlNumber.toString(16).padStart(2, "0").toUpperCase()}\n`);
    lines.push(`crlnumber = ${join(work, "crlnumber")}`);
  }
  lines.push("[ crl_ext ]", "authorityKeyIdentifier = keyid:always");
  if (o.idp !== undefined) {
    lines.push("issuingDistributionPoint = critical, @idp", "[ idp ]");
    if ("uri" in o.idp) lines.push(`fullname = URI:${o.idp.uri}`);
    else {
      lines.push("fullname = dirName:dp", "[ dp ]");
      let n = 0;
      for (const [type, value] of crlDpName(o.idp.kind, o.idp.prefecture, o.idp.city))
        lines.push(`${n++}.${type} = ${value}`);
    }
  }
  writeFileSync(join(work, "ca.cnf"), lines.join("\n") + "\n");
  mkdirSync(dirname(o.out), { recursive: true });
  const run = spawnSync(
    "openssl",
    [
      "ca",
      "-gencrl",
      "-batch",
      "-config",
      join(work, "ca.cnf"),
      "-keyfile",
      join(o.dir, o.caKey),
      "-cert",
      caPem,
      "-crl_lastupdate",
      opensslTime(o.thisUpdate),
      "-crl_nextupdate",
      opensslTime(o.nextUpdate),
      "-out",
      o.out,
    ],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`openssl ca -gencrl failed: ${run.stderr}`);
  return o.out;
}
