import type { AttestResult } from "./attest.js";

/** The JSON summary and the human-readable lines `kyc attest` prints for one result. */
export interface AttestReport {
  readonly summary: Record<string, unknown>;
  readonly lines: string[];
}

/**
 * What `kyc attest` reports: no certificate data, only what went on chain (or into the relay file). A
 * re-attestation (the subject's active record, same card key, replaced) says so in both forms.
 */
export function attestReport(r: AttestResult & { relayFile?: string }): AttestReport {
  const summary = {
    mode: r.mode,
    subject: r.subject,
    claims: r.claimNames,
    caId: r.caId,
    expiryCap: new Date(Number(r.expiryCap) * 1000).toISOString(),
    identity: r.identity,
    reattestation: r.reattestation,
    storeId: r.storeId,
    ...(r.tx !== undefined ? { hash: r.tx.hash, gasUsed: r.tx.gasUsed } : {}),
    ...(r.relayFile !== undefined ? { relayFile: r.relayFile, relayDeadline: r.relay?.relayDeadline } : {}),
  };
  const lines = [`all checks passed for ${r.subject}: claims ${r.claimNames.join(", ")}, trust anchor #${r.caId}`];
  if (r.reattestation) {
    lines.push(
      `re-attestation: ${r.subject} already holds an active record bound to this card key; ` +
        (r.mode === "direct" ? "it was replaced" : "the relayed attestation replaces it"),
    );
  }
  if (r.tx !== undefined) lines.push(`attested: tx ${r.tx.hash} (gas ${r.tx.gasUsed})`);
  if (r.relayFile !== undefined) {
    lines.push(
      `wrote the operator-signed relay file ${r.relayFile}; anyone can submit it with \`npx hardhat kyc relay --in ${r.relayFile}\``,
    );
  }
  return { summary, lines };
}
