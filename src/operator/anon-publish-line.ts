import type { AnonPublishOutcome, AnonPublishRefusal } from "./anon-publish.js";

/** A root ref for people: the number consumers take, with the attester id and ring entry it is made of. */
export function anonRefText(ref: bigint): string {
  return `${ref} (attester #${ref >> 8n}, ring entry ${ref & 0xffn})`;
}

/** One line for the CLI about what {@link publishAnonRootIfChanged} did. */
export function anonPublishLine(o: AnonPublishOutcome): string {
  if (o.reason === "empty") return "anonymous-proof tree: no leaf yet, no root published";
  const until = o.validUntil !== undefined ? new Date(o.validUntil * 1000).toISOString() : "?";
  const at = o.ref !== undefined ? ` at ref ${anonRefText(o.ref)}` : "";
  if (!o.published) return `anonymous-proof root ${o.root}${at} unchanged (valid until ${until})`;
  const why = o.reason === "refresh" ? "refreshed" : "published";
  const clamped = o.staleAt !== undefined && o.staleAt === o.validUntil ? " (the CRL heartbeat's deadline)" : "";
  const replaced =
    o.replaced === true ? "; it removes or changes leaves: every earlier root ended (replaceAnonRoots)" : "";
  return (
    `anonymous-proof root ${why}: ${o.root}${at} over ${o.leafCount} position(s), valid until ${until}${clamped}` +
    `${replaced}, tx ${o.tx?.hash} (gas ${o.tx?.gasUsed})`
  );
}

/** The line (for stderr) of an automatic publication that sent nothing: `Error [CODE]: message`. */
export function anonRefusalLine(r: AnonPublishRefusal): string {
  return `Error [${r.code}]: anonymous-proof root NOT published: ${r.message}`;
}
