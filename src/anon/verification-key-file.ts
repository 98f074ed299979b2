import { existsSync, readFileSync } from "node:fs";

import { AnonError } from "./anon-error.js";
import { checkVerificationKey, type AnonVerificationKey } from "./verification-key.js";

/**
 * Reads a verification key file and checks it is one for this circuit (Groth16, BN254, 6 public signals).
 * @throws AnonError `ANON_ARTIFACTS_MISSING` for a missing, unreadable or foreign key file.
 */
export function loadVerificationKey(path: string): AnonVerificationKey {
  if (!existsSync(path)) throw new AnonError("ANON_ARTIFACTS_MISSING", `${path} does not exist`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AnonError("ANON_ARTIFACTS_MISSING", `${path} is not JSON`, { cause: error });
  }
  return checkVerificationKey(value, path);
}
