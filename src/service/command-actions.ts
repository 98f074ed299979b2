import { publishAnonRootIfChanged } from "../operator/anon-publish.js";
import { revokeCommand } from "../operator/commands/admin.js";
import { connectRegistry, type OperatorContext } from "../operator/commands/context.js";
import { crlSyncCommand } from "../operator/commands/crl-sync.js";
import type { ServiceActions } from "./service-options.js";

/**
 * The service's admin and schedule actions as the `kyc` commands run them (`crlSyncCommand`, `revokeCommand`),
 * on the store at `storePath` (a SQLite file or a PostgreSQL URL: the commands open their own connection to it).
 */
export function commandActions(
  ctx: OperatorContext,
  args: { registry: string; storePath: string; crl: string; caDir: string },
): ServiceActions {
  return {
    crlSync: () =>
      crlSyncCommand(ctx, { crl: args.crl, caDir: args.caDir, registry: args.registry, store: args.storePath }),
    revoke: (subject, reason) =>
      revokeCommand(ctx, { subject, reason, registry: args.registry, store: args.storePath }),
    publishAnonRoot: async () => publishAnonRootIfChanged(await connectRegistry(ctx, args.registry)),
  };
}
