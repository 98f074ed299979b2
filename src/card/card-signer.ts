/** Which of the card's two JPKI key pairs to use. */
export type CardKey = "auth" | "sign";

/**
 * One way to reach a My Number Card's JPKI application (a real card through PKCS#11 or PC/SC, or the virtual
 * card). Every method may throw a `CardError`. PINs are passed per call and never kept by the signer.
 */
export interface CardSigner {
  /** A short human description, e.g. `virtual card (dir)` or `PC/SC reader "X"`. */
  readonly description: string;

  /** Reads the user authentication certificate (DER). No PIN is needed. */
  readAuthCertificate(): Promise<Uint8Array>;

  /** Reads the digital signature certificate (DER); the card requires the signing password for it. */
  readSignCertificate(signPassword: string): Promise<Uint8Array>;

  /**
   * Signs `message` with RSASSA-PKCS1-v1_5 / SHA-256 using the chosen key: the signer hashes `message` with
   * SHA-256 and has the card sign `DigestInfo(SHA-256, hash)`. For a binding, `message` is the 32-byte EIP-712
   * digest. `pin` is the authentication PIN for `auth`, the signing password for `sign`.
   * Returns the signature (as long as the modulus, 256 bytes for RSA-2048).
   */
  sign(key: CardKey, message: Uint8Array, pin: string): Promise<Uint8Array>;

  /** The PIN tries left for the key's PIN, or `undefined` when the access path cannot tell. */
  pinTriesLeft(key: CardKey): Promise<number | undefined>;

  /** Releases the reader, session or module. Safe to call twice. */
  close(): Promise<void>;
}
