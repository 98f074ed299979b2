import { readProofRequest } from "../../binding/proof-request-file.js";
import { attestProofRequest, type AttestResult } from "../attest.js";
import { publishAnonRootAfter, type AnonAutoPublication } from "../anon-publish.js";
import { loadCaDirectory } from "../ca-directory.js";
import { loadCrls } from "../crl-files.js";
import { admitCrlNumbers, selectCrls } from "../crl-selection.js";
import { OperatorError } from "../operator-error.js";
import { reconcilePending } from "../reconcile.js";
import { writeRelayFile } from "../relay-file.js";
import { chainTime, connectRegistry, openStore, operatorSecret, type OperatorContext } from "./context.js";

/** Arguments of `kyc attest`. */
export interface AttestArgs {
  /** The holder's proof-request file. */
  readonly request: string | undefined;
  /** A CRL file or a folder of CRLs (dev-pki: `<dir>/crl`). */
  readonly crl: string | undefined;
  /** Folder of CA certificates (dev-pki: `<dir>/ca`). */
  readonly caDir: string | undefined;
  /** Write an operator-signed relay file here instead of sending. */
  readonly relayOut?: string;
  /** Minutes the relay authorization stays valid (default 1440). */
  readonly relayMinutes?: number;
  readonly registry?: string;
  readonly store?: string;
}

/** `kyc attest`: verify a proof request off-chain, then attest (or sign for relay). */
export async function attestCommand(
  ctx: OperatorContext,
  args: AttestArgs,
): Promise<AttestResult & { relayFile?: string } & AnonAutoPublication> {
  for (const name of ["request", "crl", "caDir"] as const) {
    if (args[name] === undefined || args[name] === "") {
      throw new OperatorError("OPERATOR_BAD_INPUT", `--${name === "caDir" ? "ca-dir" : name} is required`);
    }
  }
  const request = readProofRequest(args.request!);
  const cas = loadCaDirectory(args.caDir!);
  const client = await connectRegistry(ctx, args.registry);
  if (ctx.signer === undefined)
    throw new OperatorError("OPERATOR_BAD_INPUT", "no account is configured for this network");
  const nowSeconds = await chainTime(ctx.provider);
  const now = new Date(Number(nowSeconds) * 1000);
  const crls = loadCrls(args.crl!, cas, now);
  const secret = await operatorSecret(ctx, client.chainId);
  const store = await openStore(ctx, client.chainId, args.store);
  try {
    await admitCrlNumbers(store, client.chainId, client.address, selectCrls(crls), true);
    await reconcilePending(store, client, nowSeconds);
    const minutes = args.relayMinutes ?? 1440;
    if (!Number.isInteger(minutes) || minutes < 1)
      throw new OperatorError("OPERATOR_BAD_INPUT", "--relay-minutes must be a positive integer");
    const result = await attestProofRequest({
      request,
      caCertificates: cas,
      crls,
      client,
      now,
      store,
      secret: secret.bytes,
      submission:
        args.relayOut === undefined
          ? { mode: "direct" }
          : { mode: "relay", relayDeadline: nowSeconds + BigInt(minutes) * 60n },
    });
    if (result.relay !== undefined && args.relayOut !== undefined) {
      writeRelayFile(args.relayOut, result.relay);
      return { ...result, relayFile: args.relayOut };
    }
    // an attestation that opted in adds a leaf: publish the tree's new root so the holder can prove at once (a
    // stale CRL heartbeat is reported in the result: the attestation is done either way)
    if (result.tx !== undefined && BigInt(request.binding.anonCommitment ?? 0) !== 0n) {
      return { ...result, ...(await publishAnonRootAfter(client)) };
    }
    return result;
  } finally {
    await store.close();
  }
}
