import { expect } from "chai";

import { KycError } from "../../../src/errors.js";

/**
 * Awaits `promise` and expects a one-line `KycError` with `code` (and a message matching `pattern`); returns it.
 * Fails the test when the promise resolves or rejects with anything else.
 */
export async function rejects(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<KycError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(KycError);
    expect((error as KycError).code, (error as Error).message).to.equal(code);
    expect((error as KycError).message).not.to.include("\n");
    if (pattern !== undefined) expect((error as KycError).message).to.match(pattern);
    return error as KycError;
  }
  expect.fail(`expected ${code}`);
}
