/**
 * Coarse, bounded metric labels for failed checks (the check texts themselves may name addresses; labels never do).
 * Ordered: the first pattern that matches a check text names its reason.
 */
const REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/names another operator/, "wrong-attester"],
  [/deadline passed/, "deadline"],
  [/nonce is stale/, "stale-nonce"],
  [/digest differs/, "digest"],
  [/subject's signature/, "wallet-signature"],
  [/revoked \(listed in the CRL\)/, "revoked"],
  [/CRL .*cannot be used|no CRL for/, "crl"],
  [/not valid now/, "validity"],
  [/trust anchor|chained to a CA|no CA in the CA folder/, "trust-anchor"],
  [/card signature .* does not verify/, "card-signature"],
  [/lacks the JPKI policy|is not a JPKI/, "policy"],
  [/exponent|RSA 2048/, "key-shape"],
  [/attributes cannot be read/, "attributes"],
  [/already backs an active attestation/, "key-in-use"],
  [/can no longer be attested/, "key-burned"],
  [/expires within the current half-year/, "expiring"],
];

/** The metric label of one failed check (`other` when no pattern matches). */
export function checkReason(failure: string): string {
  for (const [pattern, reason] of REASONS) if (pattern.test(failure)) return reason;
  return "other";
}

/** Every label a failed check can get (for documentation and tests). */
export const CHECK_REASONS: readonly string[] = [...REASONS.map(([, r]) => r), "other"];
