import type { Writable } from "node:stream";

import type { RegistryClient, TxOutcome } from "../chain/registry-client.js";
import type { AnonAutoPublication, AnonPublishOutcome } from "../operator/anon-publish.js";
import type { CrlSyncResult } from "../operator/crl-sync.js";
import type { OperatorStore } from "../operator/store/operator-store.js";

/**
 * The actions of the admin routes and of the crl-sync schedule (built from the `kyc` commands by
 * `commandActions`; tests pass their own).
 */
export interface ServiceActions {
  /** One `kyc crl-sync` run (with the anonymous-proof root it published after the heartbeat, or why none). */
  crlSync(): Promise<CrlSyncResult & AnonAutoPublication>;
  /** `kyc revoke --subject --reason`. */
  revoke(subject: string, reason: string): Promise<TxOutcome>;
  /**
   * Publish the anonymous-proof root when the tree changed (`publishAnonRootIfChanged`; refused with
   * `OPERATOR_CRL_STALE`, nothing sent, when the attester's CRL heartbeat is too old); absent: never.
   */
  publishAnonRoot?(): Promise<AnonPublishOutcome>;
}

/** Everything the operator service needs; the store and the chain client are passed in (the service opens nothing). */
export interface OperatorServiceOptions {
  /** The registry client, connected with the attester's signer. */
  readonly client: RegistryClient;
  /** The operator store (the service never closes it). */
  readonly store: OperatorStore;
  /** The operator's HMAC secret (person tags). */
  readonly secret: Uint8Array;
  /** Folder of JPKI CA certificates (as `kyc attest --ca-dir`). */
  readonly caDir: string;
  /** CRL file or folder (as `kyc attest --crl`). */
  readonly crl: string;
  readonly actions: ServiceActions;
  /** The admin bearer token (`KYC_ADMIN_TOKEN`); undefined: the admin routes answer `SERVICE_ADMIN_DISABLED`. */
  readonly adminToken?: string;
  /** Where the JSON log lines go (default: stdout). Bodies are never logged. */
  readonly logStream?: Writable;
  /** Log level (default `info`; `silent` for none). */
  readonly logLevel?: string;
  /** Largest accepted body in bytes (default 32 KiB; a proof request with both certificates is ~6 KiB). */
  readonly bodyLimit?: number;
  /** Requests per client (IP address) and minute on the holder routes (default 60). */
  readonly rateLimitPerMinute?: number;
  /** Longest time a request may take before the service answers `SERVICE_TIMEOUT` (default 60 000 ms). */
  readonly handlerTimeoutMs?: number;
  /** Longest time to receive a whole request (Node's `requestTimeout`, default 15 000 ms). */
  readonly requestTimeoutMs?: number;
  /** Attestations sent at the same time (default 1; more only for a node-managed account, see `SubmissionLane`). */
  readonly submissionConcurrency?: number;
  /**
   * Run the read-only checks (`checkProofRequest`) before a request queues for the submission lane, so a failing one is
   * refused at once (default true; the pipeline runs them again in the lane either way).
   */
  readonly precheck?: boolean;
  /** Delay between an attestation that opted in and the root publication that covers it (default 30 000 ms). */
  readonly anonPublishDelayMs?: number;
  /** Interval of the scheduled crl-sync in ms (default one day; 0 turns the schedule off). */
  readonly crlSyncIntervalMs?: number;
  /** How long loaded CRLs are reused (default 5 minutes). */
  readonly crlReloadMs?: number;
  /** Default relay validity in minutes for `?mode=relay` (default 1440). */
  readonly relayMinutes?: number;
  /** Trust `X-Forwarded-For` from a reverse proxy for the rate limit's client address (default false). */
  readonly trustProxy?: boolean;
  /** Process metrics (CPU, memory, event loop) on `/metrics` too (default true). */
  readonly defaultMetrics?: boolean;
}
