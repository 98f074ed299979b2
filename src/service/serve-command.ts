import { connectRegistry, operatorSecret, storeLocation, type OperatorContext } from "../operator/commands/context.js";
import { openOperatorStore } from "../operator/store/open-store.js";
import { OperatorError } from "../operator/operator-error.js";
import { commandActions } from "./command-actions.js";
import { createOperatorService, type OperatorService } from "./operator-service.js";
import type { OperatorServiceOptions } from "./service-options.js";

/** Name of the configuration variable holding the admin routes' bearer token. */
export const ADMIN_TOKEN_VARIABLE = "KYC_ADMIN_TOKEN";

/** Arguments of `kyc serve`. */
export interface ServeArgs {
  readonly crl: string | undefined;
  readonly caDir: string | undefined;
  readonly registry?: string;
  readonly store?: string;
  readonly host: string;
  readonly port: number;
  /** Minutes between scheduled crl-sync runs (0: off). */
  readonly crlSyncMinutes: number;
  readonly rateLimit: number;
  readonly bodyLimit: number;
  readonly concurrency: number;
}

/**
 * `kyc serve`: connects to the registry with the operator's account, opens the store, reads the HMAC secret and the
 * admin token (`KYC_ADMIN_TOKEN`, keystore or environment; at least 24 characters), and starts the service. The
 * caller closes the returned service, then `store.close()`.
 */
export async function serveCommand(
  ctx: OperatorContext,
  args: ServeArgs,
  extra: Partial<OperatorServiceOptions> = {},
): Promise<{ service: OperatorService; url: string; close: () => Promise<void> }> {
  if (args.crl === undefined || args.crl === "") throw new OperatorError("OPERATOR_BAD_INPUT", "--crl is required");
  if (args.caDir === undefined || args.caDir === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--ca-dir is required");
  if (ctx.signer === undefined)
    throw new OperatorError("OPERATOR_BAD_INPUT", "no account is configured for this network");
  const client = await connectRegistry(ctx, args.registry);
  const secret = await operatorSecret(ctx, client.chainId);
  const token = (await ctx.readConfigVariable?.(ADMIN_TOKEN_VARIABLE)) ?? process.env[ADMIN_TOKEN_VARIABLE];
  if (token !== undefined && token.length < 24) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `${ADMIN_TOKEN_VARIABLE} must be at least 24 characters`);
  }
  if (token === undefined) ctx.log?.(`${ADMIN_TOKEN_VARIABLE} is not set: the admin routes are off`);
  const location = await storeLocation(ctx, client.chainId, args.store);
  const store = await openOperatorStore(location);
  ctx.log?.(`operator store: ${store.path}`);
  try {
    const service = await createOperatorService({
      client,
      store,
      secret: secret.bytes,
      caDir: args.caDir,
      crl: args.crl,
      actions: commandActions(ctx, {
        registry: client.address,
        storePath: location,
        crl: args.crl,
        caDir: args.caDir,
      }),
      ...(token !== undefined ? { adminToken: token } : {}),
      crlSyncIntervalMs: args.crlSyncMinutes * 60_000,
      rateLimitPerMinute: args.rateLimit,
      bodyLimit: args.bodyLimit,
      submissionConcurrency: args.concurrency,
      ...extra,
    });
    const url = await service.listen(args.host, args.port);
    return {
      service,
      url,
      close: async () => {
        await service.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
