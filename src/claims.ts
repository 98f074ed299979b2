import { KycError } from "./errors.js";

/** Claim bits of the registry (`uint32`), as in DESIGN.md. */
export const Claim = { AUTH: 1, IDENTITY: 2, AGE_18: 4, AGE_20: 8 } as const;

/** The claims that come from the signing certificate: they need a person tag and are dropped when it is revoked. */
export const FROM_SIGNING: number = Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

/** The names accepted on the command line for each claim bit. */
export const CLAIM_NAMES: Readonly<Record<string, number>> = {
  auth: Claim.AUTH,
  identity: Claim.IDENTITY,
  age18: Claim.AGE_18,
  age20: Claim.AGE_20,
};

/** Every claim bit this version knows. */
export const KNOWN_CLAIMS_MASK = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

/**
 * Parses a comma-separated list of claim names (`"age18,age20"`, case-insensitive, blanks ignored) into a mask.
 * The result always includes `AUTH`: a binding without the authentication claim is meaningless.
 * @throws KycError `CLAIMS_UNKNOWN_NAME` for a name that is not a claim.
 */
export function parseDisclose(list: string | undefined): number {
  let mask: number = Claim.AUTH;
  for (const raw of (list ?? "").split(",")) {
    const name = raw.trim().toLowerCase();
    if (name === "") continue;
    const bit = CLAIM_NAMES[name];
    if (bit === undefined) {
      throw new KycError(
        "CLAIMS_UNKNOWN_NAME",
        `unknown claim "${raw.trim()}" (known: ${Object.keys(CLAIM_NAMES).join(", ")})`,
      );
    }
    mask |= bit;
  }
  return mask;
}

/** The names of the bits set in `mask`, in bit order; unknown bits are listed as `bit<N>`. */
export function claimNames(mask: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const value = 2 ** bit;
    if ((mask >>> 0) % (value * 2) < value) continue;
    const name = Object.entries(CLAIM_NAMES).find(([, v]) => v === value)?.[0];
    names.push(name ?? `bit${bit}`);
  }
  return names;
}
