import { publishAnonRootAfter, type AnonAutoPublication } from "../anon-publish.js";
import { loadCaDirectory } from "../ca-directory.js";
import { crlSync, type CrlSyncResult } from "../crl-sync.js";
import { crlSyncChain } from "../crl-sync-chain.js";
import { loadCrls } from "../crl-files.js";
import { admitCrlNumbers, selectCrls, verifiedPartitions } from "../crl-selection.js";
import { OperatorError } from "../operator-error.js";
import { chainTime, connectRegistry, openStore, type OperatorContext } from "./context.js";

/** Arguments of `kyc crl-sync`. */
export interface CrlSyncArgs {
  readonly crl: string | undefined;
  readonly caDir: string | undefined;
  readonly dryRun?: boolean;
  readonly batchSize?: number;
  readonly registry?: string;
  readonly store?: string;
  /** Seconds a newly published anonymous-proof root may be used (default one day). */
  readonly anonRootValidFor?: number;
  /** Progress callback (the task draws a bar on a TTY). */
  readonly onProgress?: (phase: "scan" | "revoke", done: number, total: number) => void;
}

/**
 * `kyc crl-sync`: verify every CRL and choose the newest per issuer and scope (`selectCrls`; any problem aborts
 * before anything is sent), refuse a CRL-number rollback (`admitCrlNumbers`, recorded unless a dry run), settle
 * pending rows from chain state, burn the card keys of listed authentication certificates (`revokeInvalidKeys`) and
 * drop the claims of listed signing certificates (`dropSigningClaims`) in batches, record the heartbeat once complete,
 * then publish the attester's anonymous-proof root when its tree changed (`publishAnonRootIfChanged`): after the
 * heartbeat, so its validUntil gets the fresh CRL deadline. An incomplete sync records no heartbeat: a stale attester's
 * publication is then refused (`anonRootRefused`, nothing sent) and reported with the sync's result.
 */
export async function crlSyncCommand(
  ctx: OperatorContext,
  args: CrlSyncArgs,
): Promise<CrlSyncResult & AnonAutoPublication> {
  if (args.crl === undefined || args.crl === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--crl <dir> is required");
  if (args.caDir === undefined || args.caDir === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--ca-dir is required");
  const cas = loadCaDirectory(args.caDir);
  const client = await connectRegistry(ctx, args.registry);
  const nowSeconds = await chainTime(ctx.provider);
  const selection = selectCrls(loadCrls(args.crl, cas, new Date(Number(nowSeconds) * 1000)));
  const partitions = verifiedPartitions(selection);
  if (args.dryRun !== true) await client.requireRole("ATTESTER_ROLE", await client.signer().getAddress());
  const store = await openStore(ctx, client.chainId, args.store);
  try {
    await admitCrlNumbers(store, client.chainId, client.address, selection, args.dryRun !== true);
    // crlSync settles the store's pending rows from chain state first (not in a dry run).
    const result = await crlSync({
      store,
      chain: crlSyncChain(client),
      crls: partitions,
      ...(args.batchSize !== undefined ? { batchSize: args.batchSize } : {}),
      dryRun: args.dryRun === true,
      ...(args.onProgress !== undefined ? { onProgress: args.onProgress } : {}),
    });
    if (args.dryRun === true) return result;
    // a revocation or a claim drop changes the anonymous-proof tree: publish its new root (after the heartbeat)
    const anon = await publishAnonRootAfter(
      client,
      args.anonRootValidFor !== undefined ? { validFor: args.anonRootValidFor } : {},
    );
    return { ...result, ...anon };
  } finally {
    await store.close();
  }
}
