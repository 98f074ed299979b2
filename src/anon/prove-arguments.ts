import { getAddress, isAddress, toUtf8Bytes } from "ethers";

import { CLAIM_NAMES } from "../claims.js";
import { AnonError } from "./anon-error.js";
import { SNARK_SCALAR_FIELD } from "./field.js";
import { signalOfAddress, signalOfMessage } from "./signals.js";

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^0x[0-9a-fA-F]+$/;

/**
 * Parses `--scope`: a decimal or 0x-hex field element (a consumer contract's `ANON_SCOPE`, or `hashToField(appId)`).
 * @throws AnonError `ANON_BAD_ARGUMENT` (missing or not a number), `ANON_OUT_OF_FIELD` (not below the BN254 order).
 */
export function parseAnonScope(text: string | undefined): bigint {
  const t = text?.trim() ?? "";
  if (!DECIMAL.test(t) && !HEX.test(t)) {
    throw new AnonError("ANON_BAD_ARGUMENT", "--scope must be a decimal or 0x-hex number (the consumer's ANON_SCOPE)");
  }
  const scope = BigInt(t);
  if (scope >= SNARK_SCALAR_FIELD) {
    throw new AnonError("ANON_OUT_OF_FIELD", "--scope is not an element of the BN254 scalar field");
  }
  return scope;
}

/**
 * Parses `--signal`: a 0x address (a recipient: the signal is the address as a number) or any other text (the
 * signal is keccak256(UTF-8 bytes) >> 96, as `KycAnonGated.anonSignalOf` computes it). Text starting with 0x that is
 * not an address is refused, so that a mistyped address never silently becomes a message.
 * @throws AnonError `ANON_BAD_ARGUMENT`.
 */
export function parseAnonSignal(text: string | undefined): { signal: bigint; kind: "address" | "message" } {
  if (text === undefined || text === "") {
    throw new AnonError("ANON_BAD_ARGUMENT", "--signal is required (a recipient 0x address, or a message)");
  }
  if (/^0x/i.test(text)) {
    if (!isAddress(text)) {
      throw new AnonError("ANON_BAD_ARGUMENT", `--signal ${text} starts with 0x but is not an address (20 bytes)`);
    }
    return { signal: signalOfAddress(getAddress(text)), kind: "address" };
  }
  return { signal: signalOfMessage(toUtf8Bytes(text)), kind: "message" };
}

/**
 * Parses `--claims`: comma-separated claim names, case-insensitive, with or without underscores (`age20`,
 * `AGE_20,AGE_18`, `auth`). Unlike `parseDisclose` nothing is added: the mask is exactly what the consumer asks for
 * (`AnonAgeGatedAirdrop` wants AGE_20 alone).
 * @throws AnonError `ANON_BAD_ARGUMENT` for no name or an unknown one.
 */
export function parseAnonClaims(list: string | undefined): number {
  let mask = 0;
  for (const raw of (list ?? "").split(",")) {
    const name = raw.trim().toLowerCase().replace(/[_-]/g, "");
    if (name === "") continue;
    const bit = CLAIM_NAMES[name];
    if (bit === undefined) {
      throw new AnonError(
        "ANON_BAD_ARGUMENT",
        `unknown claim "${raw.trim()}" (known: ${Object.keys(CLAIM_NAMES).join(", ")})`,
      );
    }
    mask |= bit;
  }
  if (mask === 0) throw new AnonError("ANON_BAD_ARGUMENT", "--claims needs at least one claim name, e.g. age20");
  return mask;
}

/**
 * Parses an address option (`--attester`, `--registry`).
 * @throws AnonError `ANON_BAD_ARGUMENT` when missing or not an address.
 */
export function parseAnonAddress(text: string | undefined, option: string): string {
  if (text === undefined || !isAddress(text)) {
    throw new AnonError("ANON_BAD_ARGUMENT", `--${option} must be an address (0x, 20 bytes)`);
  }
  return getAddress(text);
}

/**
 * Parses a root ref (`--root-ref`: where the registry holds a published root, `AnonRootPublished.ref`): a decimal or
 * 0x-hex uint256.
 * @throws AnonError `ANON_BAD_ARGUMENT`.
 */
export function parseAnonRootRef(text: string): bigint {
  const t = text.trim();
  if ((!DECIMAL.test(t) && !HEX.test(t)) || BigInt(t) >= 2n ** 256n) {
    throw new AnonError("ANON_BAD_ARGUMENT", "--root-ref must be a decimal or 0x-hex uint256 (AnonRootPublished.ref)");
  }
  return BigInt(t);
}

/**
 * Parses a published root (`--root`): 32 bytes of 0x-hex, returned lower-case.
 * @throws AnonError `ANON_BAD_ARGUMENT`.
 */
export function parseAnonRoot(text: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new AnonError("ANON_BAD_ARGUMENT", "--root must be 32 bytes of 0x-hex");
  return text.toLowerCase();
}
