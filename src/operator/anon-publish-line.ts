import type { AnonPublishOutcome } from "./anon-publish.js";

/** One line for the CLI about what {@link publishAnonRootIfChanged} did. */
export function anonPublishLine(o: AnonPublishOutcome): string {
  if (o.reason === "empty") return "anonymous-proof tree: no leaf yet, no root published";
  const until = o.validUntil !== undefined ? new Date(o.validUntil * 1000).toISOString() : "?";
  if (!o.published) return `anonymous-proof root ${o.root} unchanged (valid until ${until})`;
  const why = o.reason === "refresh" ? "refreshed" : "published";
  return `anonymous-proof root ${why}: ${o.root} over ${o.leafCount} position(s), valid until ${until}, tx ${o.tx?.hash} (gas ${o.tx?.gasUsed})`;
}
