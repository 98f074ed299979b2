import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

import type { TxOutcome } from "../../chain/registry-client.js";
import { parseCertificate } from "../../pki/certificate.js";
import { OperatorError } from "../operator-error.js";
import { caAddCommand, caListCommand, roleCommand } from "./admin.js";
import { connectRegistry, type OperatorContext } from "./context.js";

/** What {@link devSetupCommand} did. */
export interface DevSetupResult {
  readonly registry: string;
  readonly attester: string;
  /** Trust anchors added (existing ones are kept). */
  readonly anchorsAdded: ReadonlyArray<{ caId: number; kind: string; file: string }>;
  readonly transactions: ReadonlyArray<{ what: string; hash: string; gasUsed: bigint }>;
}

/**
 * Development bootstrap of a fresh registry, from its admin account: grants the admin the anchor-manager role,
 * registers every CA certificate of `caDir` as a (synthetic) trust anchor unless already registered, and grants
 * `attester` (default: the admin) the attester role. Refused on Ethereum mainnet. The attester's first
 * `kyc crl-sync` then records its heartbeat.
 */
export async function devSetupCommand(
  ctx: OperatorContext,
  args: { caDir: string | undefined; attester?: string; registry?: string },
): Promise<DevSetupResult> {
  if (args.caDir === undefined || args.caDir === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--ca-dir is required");
  const client = await connectRegistry(ctx, args.registry);
  if (client.chainId === 1n) throw new OperatorError("OPERATOR_BAD_INPUT", "dev setup is refused on Ethereum mainnet");
  const admin = await client.signer().getAddress();
  const attester = args.attester ?? admin;
  const registry = { registry: client.address };
  const transactions: Array<{ what: string; hash: string; gasUsed: bigint }> = [];
  const note = (what: string, o: TxOutcome | undefined) => {
    if (o !== undefined) transactions.push({ what, hash: o.hash, gasUsed: o.gasUsed });
  };
  note(
    "grant anchor-manager",
    await roleCommand(ctx, { action: "grant", account: admin, role: "anchor-manager", ...registry }),
  );
  const existing = new Set((await caListCommand(ctx, registry)).map((a) => a.keyHash.toLowerCase()));
  const anchorsAdded: Array<{ caId: number; kind: string; file: string }> = [];
  let files: string[];
  try {
    files = readdirSync(args.caDir)
      .filter((n) => /\.(der|pem|crt|cer)$/i.test(n) && !/\.key\.pem$/i.test(n))
      .sort();
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--ca-dir ${args.caDir} is not a readable folder`, { cause });
  }
  for (const name of files) {
    const file = join(args.caDir, name);
    const cert = parseCertificate(readFileSync(file));
    if (!cert.isCa || existing.has(`0x${cert.spkiSha256}`)) continue;
    const added = await caAddCommand(ctx, { file, synthetic: true, ...registry });
    anchorsAdded.push({ caId: added.caId, kind: added.kind, file });
    note(`add trust anchor #${added.caId}`, added.outcome);
  }
  note("grant attester", await roleCommand(ctx, { action: "grant", account: attester, role: "attester", ...registry }));
  return { registry: client.address, attester, anchorsAdded, transactions };
}
