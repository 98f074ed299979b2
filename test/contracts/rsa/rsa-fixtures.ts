/**
 * RSA material for the RsaPkcs1 tests: node:crypto keys (generated once per process and reused), raw RSA signing of
 * arbitrary encoded messages, PKCS#1 v1.5 encoded-message builders, and "synthetic" keys of exact bit lengths that
 * node:crypto cannot produce (2049 bits, 4097 bits, even moduli), built as products of many small primes so that
 * the private exponent is known without factoring.
 */
import crypto from "node:crypto";

import { modInverse, modPow } from "../../../src/pki/dev-pki/rsa-keygen.js";

/** DER prefix of DigestInfo(SHA-256, NULL parameters) for a 32-byte digest. */
export const SHA256_DIGEST_INFO = "3031300d060960864801650304020105000420";
export const E65537 = Buffer.from("010001", "hex");

/** A public key as the contract takes it, and a way to sign with its private half. */
export interface TestKey {
  readonly label: string;
  readonly n: Buffer;
  readonly e: Buffer;
  /** Raw RSA private operation on a `n.length`-byte message below the modulus (no padding). */
  rawSign(em: Buffer): Buffer;
  /** φ(n) for synthetic keys (whose factors are known). */
  readonly phi?: bigint;
  /** The node:crypto key pair, absent for synthetic keys. */
  readonly node?: { publicKey: crypto.KeyObject; privateKey: crypto.KeyObject };
}

export function sha256(data: Uint8Array): Buffer {
  return crypto.createHash("sha256").update(data).digest();
}

export function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b).toString("hex"));
}

export function toBytes(x: bigint, len: number): Buffer {
  const hex = x.toString(16).padStart(len * 2, "0");
  if (hex.length > len * 2) throw new Error(`integer does not fit in ${len} bytes`);
  return Buffer.from(hex, "hex");
}

/** `00 01 FF..FF 00 || T` for a `len`-byte modulus. */
export function encodeEm(len: number, t: Buffer): Buffer {
  const psLen = len - 3 - t.length;
  if (psLen < 0) throw new Error("T too long");
  return Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(psLen, 0xff), Buffer.from([0x00]), t]);
}

/** The one encoded message the library accepts for `digest`. */
export function validEm(len: number, digest: Buffer): Buffer {
  return encodeEm(len, Buffer.concat([Buffer.from(SHA256_DIGEST_INFO, "hex"), digest]));
}

function nodeKey(bits: number, publicExponent: number): TestKey {
  const pair = crypto.generateKeyPairSync("rsa", { modulusLength: bits, publicExponent });
  const jwk = pair.publicKey.export({ format: "jwk" });
  const n = Buffer.from(jwk.n!, "base64url");
  const e = Buffer.from(jwk.e!, "base64url");
  return {
    label: `node ${bits}-bit e=${publicExponent}`,
    n,
    e,
    node: pair,
    rawSign: (em) => crypto.privateEncrypt({ key: pair.privateKey, padding: crypto.constants.RSA_NO_PADDING }, em),
  };
}

const cache = new Map<string, TestKey>();

/** A node:crypto RSA key (e = 65537 unless told), generated once per process per size and exponent. */
export function rsaKey(bits: number, publicExponent = 65537): TestKey {
  const id = `node-${bits}-${publicExponent}`;
  let key = cache.get(id);
  if (!key) {
    key = nodeKey(bits, publicExponent);
    cache.set(id, key);
  }
  return key;
}

/**
 * A square-free modulus of exactly `bits` bits (and of the requested parity), product of random primes of about
 * 256 bits (and a factor 2 when even), with its private exponent for `e`. Not a secure key: a test vector only.
 */
export function syntheticKey(bits: number, opts: { even?: boolean; e?: bigint } = {}): TestKey {
  const e = opts.e ?? 65537n;
  const id = `synthetic-${bits}-${opts.even ? "even" : "odd"}-${e}`;
  const cached = cache.get(id);
  if (cached) return cached;
  for (;;) {
    const primes: bigint[] = opts.even ? [2n] : [];
    let n = opts.even ? 2n : 1n;
    while (n.toString(2).length < bits - 300) {
      const p = crypto.generatePrimeSync(256, { bigint: true });
      if ((p - 1n) % e === 0n || primes.includes(p)) continue;
      primes.push(p);
      n *= p;
    }
    const missing = bits - n.toString(2).length;
    // the last prime has `missing` or `missing + 1` bits; retry until the product has exactly `bits` bits
    const last = crypto.generatePrimeSync(missing + 1, { bigint: true });
    if ((last - 1n) % e === 0n || primes.includes(last)) continue;
    const full = n * last;
    if (full.toString(2).length !== bits) continue;
    primes.push(last);
    const lambdaLike = primes.reduce((acc, p) => acc * (p - 1n), 1n);
    let d: bigint;
    try {
      d = modInverse(e, lambdaLike);
    } catch {
      continue;
    }
    const len = Math.ceil(bits / 8);
    const key: TestKey = {
      label: `synthetic ${bits}-bit${opts.even ? " even" : ""}`,
      n: toBytes(full, len),
      e: toBytes(e, Math.max(1, Math.ceil(e.toString(16).length / 2))),
      phi: lambdaLike,
      rawSign: (em) => toBytes(modPow(toBigInt(em), d, full), len),
    };
    cache.set(id, key);
    return key;
  }
}

/** PKCS#1 v1.5 SHA-256 signature of `message` (node:crypto for node keys, raw signing otherwise). */
export function signMessage(key: TestKey, message: Buffer): Buffer {
  if (key.node) return crypto.sign("sha256", message, key.node.privateKey);
  return key.rawSign(validEm(key.n.length, sha256(message)));
}

/** What node:crypto (OpenSSL) says about `signature` over `message` for a node key. */
export function nodeVerify(key: TestKey, message: Buffer, signature: Buffer): boolean {
  if (!key.node) throw new Error("not a node:crypto key");
  return crypto.verify("sha256", message, key.node.publicKey, signature);
}

export const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
