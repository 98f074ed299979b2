import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, on a registry of its own (several services may run in one process). */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Every HTTP request answered, by method, route pattern and status. */
  readonly requests: Counter<"method" | "route" | "status">;
  /** Failed proof-request checks and refusals, by coarse reason (`check-reason.ts`, or the error code). */
  readonly checksFailed: Counter<"reason">;
  /** Time from a proof request's arrival to its answer, by outcome. */
  readonly attestLatency: Histogram<"outcome">;
  /** Attestation transactions not yet settled: the store's pending rows plus those in flight. */
  readonly pending: Gauge;
  /** Unix time of the last complete crl-sync run of this service (0: none yet). */
  readonly lastCrlSync: Gauge;

  constructor(pendingTransactions: () => number | Promise<number>, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "kyc_http_requests_total",
      help: "HTTP requests answered, by method, route and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.checksFailed = new Counter({
      name: "kyc_checks_failed_total",
      help: "Proof requests refused, by reason (failed check, or the error code of the refusal)",
      labelNames: ["reason"],
      registers,
    });
    this.attestLatency = new Histogram({
      name: "kyc_attest_duration_seconds",
      help: "Time to answer a proof request, by outcome (attested, relay, refused, error)",
      labelNames: ["outcome"],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.pending = new Gauge({
      name: "kyc_pending_transactions",
      help: "Attestations whose transaction has not settled yet (store rows in status pending)",
      registers,
      async collect() {
        this.set(await pendingTransactions());
      },
    });
    this.lastCrlSync = new Gauge({
      name: "kyc_crl_sync_last_success_seconds",
      help: "Unix time of the last complete crl-sync run inside this service",
      registers,
    });
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
  }
}
