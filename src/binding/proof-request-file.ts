import { chmodSync, readFileSync, writeFileSync } from "node:fs";

import { BindingError } from "./binding-error.js";
import {
  holdsSigningCertificate,
  parseProofRequest,
  serializeProofRequest,
  type ProofRequest,
} from "./proof-request.js";

/**
 * Writes a proof request with owner-only permissions (0600), also over an existing file. Every proof request holds
 * the authentication certificate, which is not free of personal data (municipality, birthday); with the signing
 * certificate it holds name, address, date of birth and gender.
 * Returns whether the file holds the signing certificate, so the caller can warn on screen.
 */
export function writeProofRequest(path: string, request: ProofRequest): { personalData: boolean } {
  const text = serializeProofRequest(request);
  try {
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600); // also when the file already existed with wider permissions
  } catch (cause) {
    throw new BindingError("BINDING_IO", `cannot write ${path}`, { cause });
  }
  return { personalData: holdsSigningCertificate(request) };
}

/**
 * Reads and strictly validates a proof-request file.
 * @throws BindingError `BINDING_IO` when it cannot be read, otherwise as `parseProofRequest`.
 */
export function readProofRequest(path: string): ProofRequest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new BindingError("BINDING_IO", `cannot read ${path}`, { cause });
  }
  return parseProofRequest(text);
}
