import { createPrivateKey, type KeyObject } from "node:crypto";

import type { Drbg } from "./drbg.js";

/**
 * Deterministic RSA key generation for synthetic fixtures (node:crypto cannot seed its key generator).
 * Two primes of bits/2 with the top two bits set (so n has exactly `bits` bits), found by an incremental
 * search from a DRBG-chosen odd start with a small-prime sieve, a base-2 Fermat test and Miller–Rabin.
 * e = 65537. Test keys only: the DRBG is seeded from a public number.
 */
export function deterministicRsaKey(drbg: Drbg, bits = 2048): KeyObject {
  const e = 65537n;
  for (;;) {
    const p = randomPrime(drbg, bits / 2, e);
    const q = randomPrime(drbg, bits / 2, e);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const phi = (p - 1n) * (q - 1n);
    const d = modInverse(e, phi);
    const jwk = {
      kty: "RSA",
      n: b64u(n),
      e: b64u(e),
      d: b64u(d),
      p: b64u(p),
      q: b64u(q),
      dp: b64u(d % (p - 1n)),
      dq: b64u(d % (q - 1n)),
      qi: b64u(modInverse(q, p)),
    };
    return createPrivateKey({ key: jwk, format: "jwk" });
  }
}

const SMALL_PRIMES: number[] = (() => {
  const limit = 20000;
  const sieve = new Uint8Array(limit);
  const out: number[] = [];
  for (let i = 2; i < limit; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return out;
})();

function randomPrime(drbg: Drbg, bits: number, e: bigint): bigint {
  const bytes = drbg.bytes(bits / 8);
  bytes[0]! |= 0xc0;
  bytes[bytes.length - 1]! |= 0x01;
  let start = BigInt("0x" + Buffer.from(bytes).toString("hex"));
  const residues = SMALL_PRIMES.map((sp) => Number(start % BigInt(sp)));
  for (let delta = 0; ; delta += 2) {
    let composite = false;
    for (let i = 0; i < SMALL_PRIMES.length; i++) {
      const sp = SMALL_PRIMES[i]!;
      if ((residues[i]! + delta) % sp === 0) {
        composite = true;
        break;
      }
    }
    if (composite) continue;
    const c = start + BigInt(delta);
    if (c.toString(2).length !== bits) {
      start = c; // overflow is practically impossible with the top bits set; keep searching
      continue;
    }
    if ((c - 1n) % e === 0n) continue;
    if (modPow(2n, c - 1n, c) !== 1n) continue;
    if (millerRabin(c, [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n])) return c;
  }
}

function millerRabin(n: bigint, bases: bigint[]): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (const a of bases) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** base^exp mod m with a 4-bit fixed window. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  const table: bigint[] = [1n];
  const b = base % m;
  for (let i = 1; i < 16; i++) table.push((table[i - 1]! * b) % m);
  const hex = exp.toString(16);
  let r = 1n;
  for (let i = 0; i < hex.length; i++) {
    if (i > 0) {
      r = (r * r) % m;
      r = (r * r) % m;
      r = (r * r) % m;
      r = (r * r) % m;
    }
    const w = parseInt(hex[i]!, 16);
    if (w) r = (r * table[w]!) % m;
  }
  return r;
}

/** a^-1 mod m (a and m coprime). */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % m) + m) % m;
}

function b64u(v: bigint): string {
  let hex = v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  return Buffer.from(hex, "hex").toString("base64url");
}
