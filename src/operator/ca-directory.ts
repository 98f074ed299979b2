import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { KycError } from "../errors.js";
import { parseCertificate, type JpkiCertificate } from "../pki/certificate.js";
import { OperatorError } from "./operator-error.js";

/** Certificate file extensions read from a CA folder (private keys, `*.key.pem`, are never read). */
const CERT_FILE = /\.(der|cer|crt|pem)$/i;

/**
 * Reads every CA certificate in `dir` (not recursive): `*.der`, `*.cer`, `*.crt`, `*.pem` except `*.key.pem`.
 * Non-CA certificates are ignored.
 * @throws OperatorError `OPERATOR_BAD_INPUT` when the folder is missing, holds an unparsable file or no CA.
 */
export function loadCaDirectory(dir: string): JpkiCertificate[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir).sort();
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--ca-dir ${dir} is not a readable folder`, { cause });
  }
  const cas: JpkiCertificate[] = [];
  for (const name of names) {
    if (!CERT_FILE.test(name) || /\.key\.pem$/i.test(name)) continue;
    const path = join(dir, name);
    let cert: JpkiCertificate;
    try {
      cert = parseCertificate(readFileSync(path));
    } catch (cause) {
      const why = cause instanceof KycError ? cause.message : "unreadable";
      throw new OperatorError("OPERATOR_BAD_INPUT", `${path} is not a certificate: ${why}`, { cause });
    }
    if (cert.isCa) cas.push(cert);
  }
  if (cas.length === 0) throw new OperatorError("OPERATOR_BAD_INPUT", `--ca-dir ${dir} holds no CA certificate`);
  return cas;
}
