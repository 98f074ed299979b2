import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import type { RsaPkcs1Harness } from "../../../types/ethers-contracts/index.js";
import { nodeVerify, rsaKey, sha256, signMessage, toBigInt, validEm } from "./rsa-fixtures.js";

/** One byte edit: index into the buffer, and a non-zero XOR mask (so the byte really changes). */
const edit = (len: number) => fc.record({ at: fc.nat({ max: len - 1 }), mask: fc.integer({ min: 1, max: 255 }) });

function applyEdits(buf: Buffer, edits: readonly { at: number; mask: number }[]): Buffer {
  const out = Buffer.from(buf);
  for (const { at, mask } of edits) out[at]! ^= mask;
  return out;
}

describe("RsaPkcs1: fast-check properties over byte mutations", function () {
  let harness: RsaPkcs1Harness;
  const key = rsaKey(2048);
  const len = key.n.length;
  const message = Buffer.from("property message");
  const digest = sha256(message);

  before(async function () {
    const { ethers } = await network.create();
    harness = await ethers.deployContract("RsaPkcs1Harness");
  });

  it("any mutation of a valid signature is rejected, as OpenSSL rejects it", async function () {
    const sig = signMessage(key, message);
    await fc.assert(
      fc.asyncProperty(fc.array(edit(len), { minLength: 1, maxLength: 4 }), async (edits) => {
        const mutated = applyEdits(sig, edits);
        fc.pre(!mutated.equals(sig));
        expect(nodeVerify(key, message, mutated)).to.equal(false);
        expect(await harness.verify(digest, mutated, key.e, key.n)).to.equal(false);
        expect(await harness.verifyE65537(digest, mutated, key.n)).to.equal(false);
      }),
      { numRuns: 60 },
    );
  });

  it("a signature of any mutated encoded message is accepted iff the message is the valid one, as OpenSSL decides", async function () {
    const em = validEm(len, digest);
    const n = toBigInt(key.n);
    await fc.assert(
      fc.asyncProperty(fc.array(edit(len), { minLength: 1, maxLength: 3 }), async (edits) => {
        const mutated = applyEdits(em, edits);
        fc.pre(toBigInt(mutated) < n); // only integers below n have a signature
        const sig = key.rawSign(mutated);
        const expected = mutated.equals(em);
        expect(nodeVerify(key, message, sig)).to.equal(expected);
        expect(await harness.verify(digest, sig, key.e, key.n)).to.equal(expected);
        expect(await harness.verifyE65537(digest, sig, key.n)).to.equal(expected);
      }),
      { numRuns: 120 },
    );
  });

  it("mutations confined to the padding, separator and DigestInfo (bytes 0..len-33) are all rejected", async function () {
    const em = validEm(len, digest);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: len - 33 }), mask: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 2,
        }),
        async (edits) => {
          const mutated = applyEdits(em, edits);
          fc.pre(!mutated.equals(em) && toBigInt(mutated) < toBigInt(key.n));
          const sig = key.rawSign(mutated);
          expect(await harness.verifyE65537(digest, sig, key.n)).to.equal(false);
        },
      ),
      { numRuns: 80 },
    );
  });
});
