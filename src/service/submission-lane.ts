import { ServiceError } from "./service-error.js";

interface Waiter {
  readonly exclusive: boolean;
  readonly start: () => void;
}

/**
 * The lane every transaction of the attester account goes through: up to `concurrency` shared jobs (attestations)
 * at once, or one exclusive job (crl-sync, an admin revocation) alone. Jobs start in arrival order; an exclusive job
 * waits for the running shared ones and holds back those behind it. Keep `concurrency` at 1 for a local-key signer
 * (its nonces are taken from the node one transaction at a time); a node-managed account may run several.
 */
export class SubmissionLane {
  private running = 0;
  private exclusiveRunning = false;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    /** Jobs allowed to wait; one more is refused with `SERVICE_UNAVAILABLE` (503). */
    private readonly maxWaiting = 10_000,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be >= 1");
  }

  /** Jobs running now. */
  get active(): number {
    return this.running;
  }

  /** Jobs waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `job` when its turn comes.
   * @throws ServiceError `SERVICE_UNAVAILABLE` when the queue is full.
   */
  async run<T>(job: () => Promise<T>, exclusive = false): Promise<T> {
    if (this.queue.length >= this.maxWaiting) {
      throw new ServiceError("SERVICE_UNAVAILABLE", 503, "the operator is busy: try again in a minute");
    }
    await new Promise<void>((resolve) => {
      this.queue.push({ exclusive, start: resolve });
      this.pump();
    });
    try {
      return await job();
    } finally {
      this.running--;
      if (exclusive) this.exclusiveRunning = false;
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.exclusiveRunning) {
      const next = this.queue[0]!;
      if (next.exclusive ? this.running > 0 : this.running >= this.concurrency) return;
      this.queue.shift();
      this.running++;
      if (next.exclusive) this.exclusiveRunning = true;
      next.start();
    }
  }
}
