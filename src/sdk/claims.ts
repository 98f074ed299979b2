import { CLAIM_NAMES, claimNames as namesOf } from "../claims.js";
import { SdkError } from "./sdk-error.js";

/** The claim names of the registry's claim bits: auth = 1, identity = 2, age18 = 4, age20 = 8. */
export type ClaimName = "auth" | "identity" | "age18" | "age20";

/** Claim bits by name. */
export const CLAIMS: Readonly<Record<ClaimName, number>> = {
  auth: CLAIM_NAMES["auth"]!,
  identity: CLAIM_NAMES["identity"]!,
  age18: CLAIM_NAMES["age18"]!,
  age20: CLAIM_NAMES["age20"]!,
};

/**
 * The mask of `claims`: a list of names or a uint32 mask (returned as is).
 * @throws SdkError `SDK_INVALID_CLAIMS` for an unknown name or a mask that is not a uint32.
 */
export function claimMask(claims: number | readonly string[]): number {
  if (typeof claims === "number") {
    if (!Number.isInteger(claims) || claims < 0 || claims > 0xffffffff) {
      throw new SdkError("SDK_INVALID_CLAIMS", `claim mask ${claims} is not a uint32`);
    }
    return claims;
  }
  let mask = 0;
  for (const name of claims) {
    const bit = CLAIMS[name.trim().toLowerCase() as ClaimName];
    if (bit === undefined) {
      throw new SdkError("SDK_INVALID_CLAIMS", `unknown claim "${name}" (known: ${Object.keys(CLAIMS).join(", ")})`);
    }
    mask |= bit;
  }
  return mask >>> 0;
}

/** The names of the claim bits in `mask`, in bit order; bits this version does not know read `bit<N>`. */
export function claimNames(mask: number): string[] {
  return namesOf(mask);
}
