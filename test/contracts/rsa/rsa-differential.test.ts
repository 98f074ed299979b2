import { expect } from "chai";
import { network } from "hardhat";
import crypto from "node:crypto";

import type { RsaPkcs1Harness } from "../../../types/ethers-contracts/index.js";
import {
  E65537,
  type TestKey,
  nodeVerify,
  rsaKey,
  sha256,
  signMessage,
  syntheticKey,
  toBigInt,
  toBytes,
} from "./rsa-fixtures.js";

const MESSAGES_PER_KEY = 24;

/**
 * Differential testing against node:crypto (OpenSSL): for random keys of 2048, 3072 and 4096 bits (generated once)
 * and many messages, valid and invalid signatures must get the same verdict from `crypto.verify("sha256", ...)` and
 * from both library entry points.
 */
describe("RsaPkcs1: agrees with node:crypto on random keys", function () {
  let harness: RsaPkcs1Harness;

  before(async function () {
    const { ethers } = await network.create();
    harness = await ethers.deployContract("RsaPkcs1Harness");
  });

  async function expectAgreement(key: TestKey, message: Buffer, sig: Buffer, what: string): Promise<boolean> {
    const expected = nodeVerify(key, message, sig);
    const d = sha256(message);
    expect(await harness.verify(d, sig, key.e, key.n), `${key.label} ${what}: pkcs1Sha256`).to.equal(expected);
    if (key.e.equals(E65537)) {
      expect(await harness.verifyE65537(d, sig, key.n), `${key.label} ${what}: pkcs1Sha256e65537`).to.equal(expected);
    }
    return expected;
  }

  for (const [bits, e] of [
    [2048, 65537],
    [3072, 65537],
    [4096, 65537],
    [2048, 3],
  ] as const) {
    it(`${bits}-bit key, e = ${e}: valid signatures, foreign messages, bit flips, random and out-of-range signatures`, async function () {
      const key = rsaKey(bits, e);
      const other = syntheticKey(bits); // another key of the same size
      const len = key.n.length;
      const verdicts = { valid: 0, invalid: 0 };
      for (let i = 0; i < MESSAGES_PER_KEY; i++) {
        const message = crypto.randomBytes(i % 3 === 0 ? 32 : 1 + ((i * 37) % 200));
        const sig = signMessage(key, message);
        expect(await expectAgreement(key, message, sig, "valid")).to.equal(true);
        verdicts.valid++;

        const verdictsInvalid = [
          await expectAgreement(key, crypto.randomBytes(32), sig, "other message"),
          await expectAgreement(key, message, crypto.randomBytes(len), "random signature"),
        ];
        // the synthetic key signs with a plain BigInt exponentiation: a few messages suffice
        if (i < 4) verdictsInvalid.push(await expectAgreement(key, message, signMessage(other, message), "other key"));
        const flipped = Buffer.from(sig);
        const at = crypto.randomInt(len);
        flipped[at]! ^= 1 << crypto.randomInt(8);
        verdictsInvalid.push(await expectAgreement(key, message, flipped, `bit flip at ${at}`));
        // s + n when it fits in the modulus length; s + n is out of range for both
        const plusN = toBigInt(sig) + toBigInt(key.n);
        if (plusN < 1n << BigInt(8 * len)) {
          verdictsInvalid.push(await expectAgreement(key, message, toBytes(plusN, len), "s + n"));
        }
        for (const v of verdictsInvalid) {
          expect(v).to.equal(false);
          verdicts.invalid++;
        }
      }
      expect(verdicts.valid).to.equal(MESSAGES_PER_KEY);
      expect(verdicts.invalid).to.be.at.least(3 * MESSAGES_PER_KEY);
    });
  }

  it("3072-bit signature verified against the 2048-bit key (length mismatch) is rejected by both", async function () {
    const key = rsaKey(2048);
    const message = crypto.randomBytes(32);
    expect(await expectAgreement(key, message, signMessage(rsaKey(3072), message), "3072 sig")).to.equal(false);
  });
});
