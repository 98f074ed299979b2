/**
 * An encrypted backup of the holder's anonymous-proof secret (`jpki-kyc/anon-secret-backup@1`, see
 * `secret-backup.ts`): scrypt derives a key from the holder's passphrase, AES-256-GCM encrypts the secret. The
 * commitment stays in clear (it is public on chain in `AnonLeaf` anyway), so a tool can tell which attestation a
 * backup belongs to without the passphrase; it is authenticated with the rest of the header.
 */
export interface AnonSecretBackup {
  /** Always `jpki-kyc/anon-secret-backup@1`. */
  readonly format: "jpki-kyc/anon-secret-backup@1";
  /** Poseidon(secret) as 0x-prefixed lowercase hex of 32 bytes: the binding's `anonCommitment`. */
  readonly commitment: string;
  /** The key derivation: scrypt over the NFC-normalised passphrase (UTF-8) with a random salt. */
  readonly kdf: {
    readonly name: "scrypt";
    /** CPU/memory cost, a power of two. */
    readonly n: number;
    /** Block size. */
    readonly r: number;
    /** Parallelism. */
    readonly p: number;
    /** 16 random bytes, lowercase hex. */
    readonly salt: string;
  };
  /** Always `aes-256-gcm` (the header, commitment included, is its additional authenticated data). */
  readonly cipher: "aes-256-gcm";
  /** The 12-byte GCM nonce, lowercase hex (random per backup). */
  readonly iv: string;
  /** The encrypted secret (32 bytes, big-endian), lowercase hex. */
  readonly ciphertext: string;
  /** The 16-byte GCM authentication tag, lowercase hex. */
  readonly tag: string;
  /**
   * 32 bytes, lowercase hex: SHA-256 over a domain string and the second half of the scrypt output (the key is the
   * first half). It tells a wrong passphrase from an altered ciphertext; it gives a guesser nothing the GCM tag does
   * not already give (each guess still costs one scrypt).
   */
  readonly check: string;
}
