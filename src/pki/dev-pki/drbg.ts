import { createHmac } from "node:crypto";

/**
 * A deterministic random bit generator: HMAC-SHA256 in counter mode over a key derived from a seed and a label
 * (`block_i = HMAC(key, label ‖ i)`). Used only to make synthetic fixtures reproducible; never for real keys.
 */
export class Drbg {
  private readonly key: Buffer;
  private counter = 0;
  private pool: Buffer = Buffer.alloc(0);

  constructor(seed: number | string, label: string) {
    this.key = createHmac("sha256", "jpki-kyc dev-pki drbg v1").update(`${seed}\u0000${label}`).digest();
  }

  /** The next `n` bytes. */
  bytes(n: number): Uint8Array {
    const chunks: Buffer[] = [this.pool];
    let have = this.pool.length;
    while (have < n) {
      const c = Buffer.alloc(4);
      c.writeUInt32BE(this.counter++);
      const block = createHmac("sha256", this.key).update(c).digest();
      chunks.push(block);
      have += block.length;
    }
    const all = Buffer.concat(chunks);
    this.pool = all.subarray(n);
    return new Uint8Array(all.subarray(0, n));
  }

  /** A uniform integer in [0, max). */
  int(max: number): number {
    if (max <= 1) return 0;
    const limit = Math.floor(0x100000000 / max) * max;
    for (;;) {
      const b = this.bytes(4);
      const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
      if (v < limit) return v % max;
    }
  }

  /** A uniform element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A child generator for an independent purpose. */
  fork(label: string): Drbg {
    return new Drbg(Buffer.from(this.bytes(32)).toString("hex"), label);
  }
}
