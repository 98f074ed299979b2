import { createHash } from "node:crypto";

import { hexlify } from "ethers";

import type { ProofRequest } from "../binding/proof-request.js";
import { keyNullifier } from "../chain/key-nullifier.js";
import { parseCertificate } from "../pki/certificate.js";

/**
 * The lock keys of a proof request: its subject, its card key (the key nullifier the registry will compute) and,
 * when present, its signing certificate (issuer key id and serial: one person). The signing certificate's key is a
 * hash, so not even the in-memory lock table holds a certificate value.
 * @throws PkiError when a certificate cannot be parsed.
 */
export function requestLockKeys(request: ProofRequest): string[] {
  const keys = [`subject:${request.binding.subject.toLowerCase()}`];
  const auth = parseCertificate(request.authCertificate);
  keys.push(`key:${keyNullifier(hexlify(auth.rsa.modulus))}`);
  if (request.signCertificate !== undefined) {
    const sign = parseCertificate(request.signCertificate);
    const id = createHash("sha256")
      .update(`${(sign.authorityKeyId ?? "").toLowerCase()}:${sign.serialHex.toLowerCase()}`)
      .digest("hex");
    keys.push(`person:${id}`);
  }
  return keys;
}
