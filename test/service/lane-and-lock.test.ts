import { expect } from "chai";

import { KeyedLock } from "../../src/service/keyed-lock.js";
import { ServiceError } from "../../src/service/service-error.js";
import { SubmissionLane } from "../../src/service/submission-lane.js";
import { checkReason, CHECK_REASONS } from "../../src/service/check-reason.js";
import { toHttpRefusal } from "../../src/service/http-error.js";
import { OperatorError } from "../../src/operator/operator-error.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("operator service building blocks", function () {
  it("KeyedLock takes every key or none; a released key can be taken again", function () {
    const lock = new KeyedLock();
    const release = lock.tryAcquire(["subject:a", "key:1"])!;
    expect(release).to.be.a("function");
    // Any overlap refuses the whole set, and takes nothing.
    expect(lock.tryAcquire(["subject:b", "key:1"])).to.equal(undefined);
    expect(lock.tryAcquire(["subject:a"])).to.equal(undefined);
    expect(lock.size).to.equal(2);
    const other = lock.tryAcquire(["subject:b", "key:2", "person:x"])!;
    expect(lock.size).to.equal(5);
    release();
    release();
    expect(lock.size).to.equal(3);
    expect(lock.tryAcquire(["subject:a", "key:1"])).to.be.a("function");
    other();
  });

  it("SubmissionLane runs shared jobs up to its concurrency, an exclusive job alone, in arrival order", async function () {
    const lane = new SubmissionLane(2);
    const events: string[] = [];
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const job = (name: string, gate: { promise: Promise<void> }) => async () => {
      events.push(`start ${name}`);
      await gate.promise;
      events.push(`end ${name}`);
    };
    const a = lane.run(job("a", gates[0]!));
    const b = lane.run(job("b", gates[1]!));
    const x = lane.run(job("x", gates[2]!), true);
    const c = lane.run(job("c", gates[3]!));
    await new Promise((r) => setTimeout(r, 10));
    expect(events).to.deep.equal(["start a", "start b"]);
    expect(lane.active).to.equal(2);
    expect(lane.waiting).to.equal(2);
    gates[0]!.resolve();
    await a;
    await new Promise((r) => setTimeout(r, 10));
    // The exclusive job waits for b; c waits behind the exclusive job.
    expect(events).to.deep.equal(["start a", "start b", "end a"]);
    gates[1]!.resolve();
    await b;
    await new Promise((r) => setTimeout(r, 10));
    expect(events.slice(3)).to.deep.equal(["end b", "start x"]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all([x, c]);
    expect(events.slice(5)).to.deep.equal(["end x", "start c", "end c"]);
  });

  it("SubmissionLane refuses with a typed 503 when its queue is full, and frees a slot when a job throws", async function () {
    const lane = new SubmissionLane(1, 1);
    const gate = deferred();
    const first = lane.run(() => gate.promise);
    const second = lane.run(async () => "second");
    try {
      await lane.run(async () => "third");
      expect.fail("expected SERVICE_UNAVAILABLE");
    } catch (error) {
      expect(error).to.be.instanceOf(ServiceError);
      expect((error as ServiceError).code).to.equal("SERVICE_UNAVAILABLE");
      expect((error as ServiceError).status).to.equal(503);
    }
    gate.resolve();
    await first;
    expect(await second).to.equal("second");
    await lane.run(async () => Promise.reject(new Error("boom"))).catch(() => undefined);
    expect(await lane.run(async () => "after")).to.equal("after");
    expect(lane.active).to.equal(0);
  });

  it("maps failed checks to bounded metric labels with no address in them, and refusals to typed bodies", function () {
    expect(checkReason("the binding names another operator (0x1234); the holder must bind to 0x5678")).to.equal(
      "wrong-attester",
    );
    expect(checkReason("the authentication certificate is revoked (listed in the CRL)")).to.equal("revoked");
    expect(checkReason("something new")).to.equal("other");
    for (const r of CHECK_REASONS) expect(r).to.match(/^[a-z-]+$/);
    const failed = toHttpRefusal(
      new OperatorError("OPERATOR_CHECK_FAILED", "the proof request fails 2 check(s): a; b"),
    );
    expect(failed).to.deep.equal({
      status: 422,
      body: {
        error: {
          code: "OPERATOR_CHECK_FAILED",
          message: "the proof request fails 2 check(s): a; b",
          failures: ["a", "b"],
        },
      },
    });
    // A bug never leaks its message or stack.
    const bug = toHttpRefusal(new TypeError("cannot read x of undefined at /secret/path.ts:1"));
    expect(bug).to.deep.equal({
      status: 500,
      body: { error: { code: "SERVICE_INTERNAL", message: "internal error: the operator has been notified" } },
    });
    // A multi-line message is cut to its first line.
    expect(toHttpRefusal(new OperatorError("OPERATOR_BAD_INPUT", "first\nsecond")).body.error.message).to.equal(
      "first",
    );
  });
});
