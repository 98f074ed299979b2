import { expect } from "chai";
import { network } from "hardhat";
import crypto from "node:crypto";

import { modPow } from "../../../src/pki/dev-pki/rsa-keygen.js";
import type { RsaPkcs1Harness } from "../../../types/ethers-contracts/index.js";
import {
  E65537,
  SHA256_DIGEST_INFO,
  type TestKey,
  encodeEm,
  nodeVerify,
  rsaKey,
  sha256,
  signMessage,
  syntheticKey,
  toBigInt,
  toBytes,
  validEm,
} from "./rsa-fixtures.js";

const msg = Buffer.from("KycBinding digest stand-in");
const digest = sha256(msg);

/** sig^e mod n as bytes: proves that a rejected vector is a mathematically valid signature of `em`. */
function recover(key: TestKey, sig: Buffer, e: Buffer = key.e): Buffer {
  return toBytes(modPow(toBigInt(sig), toBigInt(e), toBigInt(key.n)), key.n.length);
}

describe("RsaPkcs1: accepts exactly the valid encodings, rejects the malformed corpus", function () {
  let harness: RsaPkcs1Harness;

  before(async function () {
    const { ethers } = await network.create();
    harness = await ethers.deployContract("RsaPkcs1Harness");
  });

  /** Both entry points (the e = 65537 one only when the exponent is 65537) must give `expected`. */
  async function expectResult(d: Buffer, sig: Buffer, e: Buffer, n: Buffer, expected: boolean): Promise<void> {
    expect(await harness.verify(d, sig, e, n), "pkcs1Sha256").to.equal(expected);
    if (e.equals(E65537)) {
      expect(await harness.verifyE65537(d, sig, n), "pkcs1Sha256e65537").to.equal(expected);
    }
  }

  describe("valid signatures (the baselines every rejection below departs from)", function () {
    for (const bits of [2048, 3072, 4096]) {
      it(`accepts a node:crypto ${bits}-bit signature`, async function () {
        const key = rsaKey(bits);
        const sig = signMessage(key, msg);
        expect(nodeVerify(key, msg, sig)).to.equal(true);
        await expectResult(digest, sig, key.e, key.n, true);
      });
    }

    it("accepts the exact size boundaries: 2048-bit and 4096-bit synthetic moduli, 2049-bit (257 bytes)", async function () {
      for (const bits of [2048, 2049, 4096]) {
        const key = syntheticKey(bits);
        await expectResult(digest, signMessage(key, msg), key.e, key.n, true);
      }
    });

    it("accepts an exponent with leading zero bytes up to the modulus length (same value)", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      expect(await harness.verify(digest, sig, Buffer.concat([Buffer.alloc(1), E65537]), key.n)).to.equal(true);
      const padded = Buffer.concat([Buffer.alloc(key.n.length - 3), E65537]);
      expect(await harness.verify(digest, sig, padded, key.n)).to.equal(true);
    });
  });

  describe("signature length and range", function () {
    it("rejects a leading 00 added to the signature", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      await expectResult(digest, Buffer.concat([Buffer.alloc(1), sig]), key.e, key.n, false);
    });

    it("rejects a leading 00 added to both the signature and the modulus (non-canonical modulus)", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      const z = Buffer.alloc(1);
      await expectResult(digest, Buffer.concat([z, sig]), key.e, Buffer.concat([z, key.n]), false);
    });

    it("rejects a signature whose leading 00 was removed (as OpenSSL does)", async function () {
      const key = rsaKey(2048);
      let found: { m: Buffer; sig: Buffer } | undefined;
      for (let i = 0; i < 5000 && !found; i++) {
        const m = Buffer.from(`message ${i}`);
        const sig = signMessage(key, m);
        if (sig[0] === 0) found = { m, sig };
      }
      expect(found, "a signature with a leading zero byte").to.not.equal(undefined);
      const short = found!.sig.subarray(1);
      expect(nodeVerify(key, found!.m, short), "OpenSSL rejects the short form").to.equal(false);
      await expectResult(sha256(found!.m), short, key.e, key.n, false);
      await expectResult(sha256(found!.m), found!.sig, key.e, key.n, true);
    });

    it("rejects truncated, extended, empty signatures", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      await expectResult(digest, sig.subarray(0, sig.length - 1), key.e, key.n, false);
      await expectResult(digest, Buffer.concat([sig, Buffer.alloc(1)]), key.e, key.n, false);
      await expectResult(digest, Buffer.alloc(0), key.e, key.n, false);
    });

    it("rejects s + n (same length, same value mod n) on a 257-byte modulus", async function () {
      const key = syntheticKey(2049);
      const sig = signMessage(key, msg);
      const plusN = toBytes(toBigInt(sig) + toBigInt(key.n), key.n.length);
      expect(recover(key, plusN).equals(validEm(key.n.length, digest)), "s + n is a valid signature mod n").to.equal(
        true,
      );
      await expectResult(digest, plusN, key.e, key.n, false);
    });

    it("rejects s + n on a node:crypto 2048-bit key (OpenSSL rejects it too)", async function () {
      const key = rsaKey(2048);
      const n = toBigInt(key.n);
      let found: { m: Buffer; plusN: Buffer } | undefined;
      for (let i = 0; i < 5000 && !found; i++) {
        const m = Buffer.from(`s+n ${i}`);
        const s = toBigInt(signMessage(key, m)) + n;
        if (s < 1n << 2048n) found = { m, plusN: toBytes(s, 256) };
      }
      expect(found, "a signature s with s + n < 2^2048").to.not.equal(undefined);
      expect(nodeVerify(key, found!.m, found!.plusN)).to.equal(false);
      await expectResult(sha256(found!.m), found!.plusN, key.e, key.n, false);
    });

    it("rejects s = n, s = n + 1 and s = 0", async function () {
      const key = rsaKey(2048);
      const n = toBigInt(key.n);
      await expectResult(digest, key.n, key.e, key.n, false);
      await expectResult(digest, toBytes(n + 1n, 256), key.e, key.n, false);
      await expectResult(digest, Buffer.alloc(256), key.e, key.n, false);
    });
  });

  describe("modulus", function () {
    it("rejects a 1024-bit key and a 2047-bit key (256 bytes, top bit clear) that OpenSSL accepts", async function () {
      for (const bits of [1024, 2047]) {
        const key = rsaKey(bits);
        const sig = signMessage(key, msg);
        expect(nodeVerify(key, msg, sig)).to.equal(true);
        await expectResult(digest, sig, key.e, key.n, false);
      }
    });

    it("rejects a 4097-bit modulus (513 bytes) with a mathematically valid signature", async function () {
      const key = syntheticKey(4097);
      const sig = signMessage(key, msg);
      expect(recover(key, sig).equals(validEm(key.n.length, digest))).to.equal(true);
      await expectResult(digest, sig, key.e, key.n, false);
    });

    it("rejects an even modulus with a mathematically valid signature", async function () {
      const key = syntheticKey(2048, { even: true });
      const sig = signMessage(key, msg);
      expect(recover(key, sig).equals(validEm(key.n.length, digest))).to.equal(true);
      await expectResult(digest, sig, key.e, key.n, false);
    });

    it("rejects a signature checked against another key of the same size", async function () {
      const key = rsaKey(2048);
      const other = syntheticKey(2048);
      await expectResult(digest, signMessage(key, msg), other.e, other.n, false);
    });
  });

  describe("exponent", function () {
    it("rejects an empty or zero exponent", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      for (const e of [Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(3), Buffer.alloc(256)]) {
        expect(await harness.verify(digest, sig, e, key.n)).to.equal(false);
      }
    });

    it("rejects an exponent longer than the modulus, even with the right value", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      const long = Buffer.concat([Buffer.alloc(key.n.length - 2), E65537]);
      expect(long.length).to.equal(key.n.length + 1);
      expect(await harness.verify(digest, sig, long, key.n)).to.equal(false);
    });

    it("rejects e = 1, under which the encoded message itself is a 'signature'", async function () {
      const key = rsaKey(2048);
      const em = validEm(256, digest);
      expect(await harness.verify(digest, em, Buffer.from([1]), key.n)).to.equal(false);
      expect(await harness.verify(digest, em, Buffer.from([0, 0, 1]), key.n)).to.equal(false);
    });

    it("rejects an even exponent", async function () {
      const key = rsaKey(2048);
      expect(await harness.verify(digest, signMessage(key, msg), Buffer.from([2]), key.n)).to.equal(false);
      expect(await harness.verify(digest, signMessage(key, msg), Buffer.from("010000", "hex"), key.n)).to.equal(false);
    });

    it("rejects an exponent not below the modulus even when it verifies mathematically (e + k·φ(n) ≥ n)", async function () {
      // Synthetic 2049-bit key: n has a 0x01 top byte, so e + k·φ(n) in [n, 2n) still fits in n.length bytes.
      const key = syntheticKey(2049);
      const sig = signMessage(key, msg);
      const n = toBigInt(key.n);
      const phi = key.phi!;
      let big = 65537n;
      while (big < n) big += phi;
      const bigE = toBytes(big, key.n.length);
      expect(recover(key, sig, bigE).equals(validEm(key.n.length, digest)), "valid under e + k·φ(n)").to.equal(true);
      expect(await harness.verify(digest, sig, bigE, key.n)).to.equal(false);
      expect(await harness.verify(digest, sig, toBytes(big - phi, key.n.length), key.n), "e + (k-1)·φ(n) < n").to.equal(
        true,
      );
      expect(await harness.verify(digest, sig, key.n, key.n), "e = n").to.equal(false);
    });

    it("accepts e = 3 keys (the generic exponent path)", async function () {
      const key = syntheticKey(2048, { e: 3n });
      const sig = signMessage(key, msg);
      expect(await harness.verify(digest, sig, Buffer.from([3]), key.n)).to.equal(true);
      expect(await harness.verify(digest, sig, E65537, key.n)).to.equal(false);
    });
  });

  describe("encoded message", function () {
    const key = (): TestKey => rsaKey(2048);
    const di = Buffer.from(SHA256_DIGEST_INFO, "hex");
    const len = 256;

    /** Signs `em` raw, checks that OpenSSL's verdict is `false`, and that ours is `false` too. */
    async function rejectsEm(em: Buffer): Promise<void> {
      expect(em.length).to.equal(len);
      const sig = key().rawSign(em);
      expect(recover(key(), sig).equals(em)).to.equal(true);
      expect(nodeVerify(key(), msg, sig), "OpenSSL verdict").to.equal(false);
      await expectResult(digest, sig, key().e, key().n, false);
    }

    it("accepts the valid encoding signed raw (the harness of this group works)", async function () {
      const sig = key().rawSign(validEm(len, digest));
      expect(nodeVerify(key(), msg, sig)).to.equal(true);
      await expectResult(digest, sig, key().e, key().n, true);
    });

    it("rejects a DigestInfo without the NULL parameter", async function () {
      await rejectsEm(encodeEm(len, Buffer.concat([Buffer.from("302f300b06096086480165030402010420", "hex"), digest])));
    });

    it("rejects other hash OIDs (SHA-512/256 with a 32-byte digest, SHA-384, SHA-1)", async function () {
      const sha512t256 = Buffer.from("3031300d060960864801650304020605000420", "hex");
      await rejectsEm(encodeEm(len, Buffer.concat([sha512t256, digest])));
      const sha384 = Buffer.from("3041300d060960864801650304020205000430", "hex");
      await rejectsEm(encodeEm(len, Buffer.concat([sha384, crypto.createHash("sha384").update(msg).digest()])));
      const sha1 = Buffer.from("3021300906052b0e03021a05000414", "hex");
      await rejectsEm(encodeEm(len, Buffer.concat([sha1, crypto.createHash("sha1").update(msg).digest()])));
    });

    it("rejects trailing data after the digest, and an OCTET STRING one byte longer ending in the digest", async function () {
      await rejectsEm(encodeEm(len, Buffer.concat([di, digest, Buffer.alloc(1)])));
      await rejectsEm(encodeEm(len, Buffer.concat([di, digest, Buffer.from("0500", "hex")])));
      const longer = Buffer.from("3032300d060960864801650304020105000421", "hex");
      await rejectsEm(encodeEm(len, Buffer.concat([longer, Buffer.alloc(1), digest])));
    });

    it("rejects a wrong digest (another message, first or last byte flipped)", async function () {
      await rejectsEm(validEm(len, sha256(Buffer.from("another message"))));
      for (const i of [0, 31]) {
        const d = Buffer.from(digest);
        d[i]! ^= 0x01;
        await rejectsEm(validEm(len, d));
      }
    });

    it("rejects a short padding (7 FF bytes) followed by junk before the DigestInfo", async function () {
      const t = Buffer.concat([di, digest]);
      const junk = crypto.randomBytes(len - 3 - 7 - t.length);
      await rejectsEm(Buffer.concat([Buffer.from("0001", "hex"), Buffer.alloc(7, 0xff), Buffer.alloc(1), junk, t]));
    });

    it("rejects one non-FF byte anywhere in the padding string (first, middle, last)", async function () {
      const valid = validEm(len, digest);
      const psEnd = len - 52; // index of the 00 separator
      for (const i of [2, 33, 100, psEnd - 33, psEnd - 1]) {
        const em = Buffer.from(valid);
        em[i] = 0xfe;
        await rejectsEm(em);
      }
    });

    it("rejects block types 00 and 02, a leading 01, a missing or moved separator", async function () {
      const valid = validEm(len, digest);
      const bt0 = Buffer.from(valid);
      bt0[1] = 0x00;
      await rejectsEm(bt0);
      const bt2 = Buffer.from(valid);
      bt2[1] = 0x02;
      await rejectsEm(bt2);
      const lead = Buffer.from(valid);
      lead[0] = 0x01;
      expect(toBigInt(lead) < toBigInt(key().n)).to.equal(true);
      await rejectsEm(lead);
      const noSep = Buffer.from(valid);
      noSep[len - 52] = 0xff;
      await rejectsEm(noSep);
      const moved = Buffer.from(valid);
      moved[len - 53] = 0x00;
      await rejectsEm(moved);
    });
  });

  describe("MODEXP failure", function () {
    it("returns false (no revert, never true) when the MODEXP call is starved of gas", async function () {
      const key = rsaKey(2048);
      const sig = signMessage(key, msg);
      for (const [name, call] of [
        ["pkcs1Sha256e65537", (g: bigint) => harness.verifyE65537WithGas(g, digest, sig, key.n)],
        ["pkcs1Sha256", (g: bigint) => harness.verifyWithGas(g, digest, sig, key.e, key.n)],
      ] as const) {
        const outcomes: { gas: bigint; outcome: string }[] = [];
        for (let gas = 40_000n; gas >= 30_000n; gas -= 50n) {
          const [reverted, valid] = await call(gas);
          outcomes.push({ gas, outcome: reverted ? "revert" : String(valid) });
        }
        expect(outcomes[0]!.outcome, `${name} with enough gas`).to.equal("true");
        const firstNotTrue = outcomes.findIndex((o) => o.outcome !== "true");
        expect(firstNotTrue, name).to.be.greaterThan(0);
        const below = outcomes.slice(firstNotTrue).map((o) => o.outcome);
        expect(below, `${name}: never true once the MODEXP call lacks gas`).to.not.include("true");
        expect(below, `${name}: the starved MODEXP call yields false`).to.include("false");
      }
    });
  });
});
