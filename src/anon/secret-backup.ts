import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type ScryptOptions,
} from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";

import type { AnonHasher } from "./anon-hasher.js";
import { AnonError } from "./anon-error.js";
import type { AnonSecretBackup } from "./anon-secret-backup.js";
import { SNARK_SCALAR_FIELD } from "./field.js";

/** The `format` of a secret backup file, version 1. */
export const ANON_SECRET_BACKUP_FORMAT = "jpki-kyc/anon-secret-backup@1";

/** The shortest passphrase a backup is made with, in Unicode code points after NFC normalisation. */
export const ANON_BACKUP_MIN_PASSPHRASE_LENGTH = 12;

/**
 * The scrypt cost of new backups: N = 2^17, r = 8, p = 1 (128 MiB; about a second per try on one shared core of the
 * project's test machine, a backup is opened rarely).
 */
export const ANON_BACKUP_SCRYPT = { n: 2 ** 17, r: 8, p: 1 } as const;

/** Bounds a backup's KDF parameters must respect to be opened: enough work, and no memory bomb. */
const MIN_N = 2 ** 14;
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 2 ** 30; // 128 · N · r bytes
const MAX_WORK = 2 ** 24; // N · r · p

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SECRET_BYTES = 32;
const CHECK_DOMAIN = "jpki-kyc/anon-secret-backup@1: passphrase check";
const MAX_FILE_CHARS = 64 * 1024;

const TOP_KEYS = ["format", "commitment", "kdf", "cipher", "iv", "ciphertext", "tag", "check"];
const KDF_KEYS = ["name", "n", "r", "p", "salt"];

/**
 * Checks a new backup's passphrase and returns it NFC-normalised (so the same passphrase typed on another system,
 * or with another input method, opens the backup).
 * @throws AnonError `ANON_BACKUP_WEAK_PASSPHRASE` for fewer than {@link ANON_BACKUP_MIN_PASSPHRASE_LENGTH} characters.
 */
export function checkBackupPassphrase(passphrase: string): string {
  const normalised = passphrase.normalize("NFC");
  if ([...normalised].length < ANON_BACKUP_MIN_PASSPHRASE_LENGTH) {
    throw new AnonError(
      "ANON_BACKUP_WEAK_PASSPHRASE",
      `the backup passphrase must have at least ${ANON_BACKUP_MIN_PASSPHRASE_LENGTH} characters (use several words)`,
    );
  }
  return normalised;
}

/**
 * Encrypts the holder's secret under `passphrase`: scrypt ({@link ANON_BACKUP_SCRYPT}, a random 16-byte salt) gives
 * 64 bytes, the first 32 are the AES-256-GCM key (random 12-byte IV; the header is the additional authenticated
 * data), the other 32 give the passphrase check. The commitment, Poseidon(secret), is written in clear.
 * @throws AnonError `ANON_BACKUP_WEAK_PASSPHRASE`, `ANON_OUT_OF_FIELD` for a secret not in [1, r).
 */
export async function createSecretBackup(
  secret: bigint,
  passphrase: string,
  hasher: Pick<AnonHasher, "commitment">,
): Promise<AnonSecretBackup> {
  const normalised = checkBackupPassphrase(passphrase);
  if (secret <= 0n || secret >= SNARK_SCALAR_FIELD) {
    throw new AnonError("ANON_OUT_OF_FIELD", "the secret must be a non-zero BN254 scalar field element");
  }
  const commitment = bytes32Hex(hasher.commitment(secret));
  const kdf = { name: "scrypt" as const, ...ANON_BACKUP_SCRYPT, salt: randomBytes(SALT_BYTES).toString("hex") };
  const derived = await deriveKey(normalised, kdf);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derived.subarray(0, 32), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(header(commitment, kdf));
  const plaintext = Buffer.from(secret.toString(16).padStart(SECRET_BYTES * 2, "0"), "hex");
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  const backup: AnonSecretBackup = {
    format: ANON_SECRET_BACKUP_FORMAT,
    commitment,
    kdf,
    cipher: "aes-256-gcm",
    iv: iv.toString("hex"),
    ciphertext: ciphertext.toString("hex"),
    tag: cipher.getAuthTag().toString("hex"),
    check: passphraseCheck(derived).toString("hex"),
  };
  derived.fill(0);
  return backup;
}

/**
 * Decrypts a backup and returns the secret, after checking that Poseidon(secret) is the commitment it names.
 * @throws AnonError `ANON_BACKUP_MALFORMED` (shape, KDF parameters out of bounds, a decrypted value that is not a
 * field element), `ANON_BACKUP_WRONG_PASSPHRASE`, `ANON_BACKUP_TAMPERED` (ciphertext, tag, IV or a clear field
 * altered), `ANON_BACKUP_COMMITMENT_MISMATCH`.
 */
export async function openSecretBackup(
  backup: AnonSecretBackup,
  passphrase: string,
  hasher: Pick<AnonHasher, "commitment">,
): Promise<bigint> {
  const b = validateBackup(backup);
  const derived = await deriveKey(passphrase.normalize("NFC"), b.kdf);
  try {
    if (!timingSafeEqual(passphraseCheck(derived), Buffer.from(b.check, "hex"))) {
      throw new AnonError("ANON_BACKUP_WRONG_PASSPHRASE", "the backup does not open with this passphrase");
    }
    const decipher = createDecipheriv("aes-256-gcm", derived.subarray(0, 32), Buffer.from(b.iv, "hex"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(header(b.commitment, b.kdf));
    decipher.setAuthTag(Buffer.from(b.tag, "hex"));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(Buffer.from(b.ciphertext, "hex")), decipher.final()]);
    } catch {
      throw new AnonError(
        "ANON_BACKUP_TAMPERED",
        "the backup was altered: the passphrase is right but its ciphertext, tag, IV or commitment do not authenticate",
      );
    }
    const secret = BigInt("0x" + plaintext.toString("hex"));
    plaintext.fill(0);
    if (secret === 0n || secret >= SNARK_SCALAR_FIELD) {
      throw new AnonError("ANON_BACKUP_MALFORMED", "the backup's decrypted secret is not a BN254 scalar field element");
    }
    if (hasher.commitment(secret) !== BigInt(b.commitment)) {
      throw new AnonError(
        "ANON_BACKUP_COMMITMENT_MISMATCH",
        `the backup's secret does not give its commitment ${b.commitment}: the tool that wrote it is faulty`,
      );
    }
    return secret;
  } finally {
    derived.fill(0);
  }
}

/** The backup as the file holds it: pretty JSON and a final newline. */
export function serializeSecretBackup(backup: AnonSecretBackup): string {
  return JSON.stringify(validateBackup(backup), null, 2) + "\n";
}

/**
 * Parses and strictly validates a backup file's text (no passphrase needed: the commitment can be read at once).
 * @throws AnonError `ANON_BACKUP_MALFORMED`.
 */
export function parseSecretBackup(text: string): AnonSecretBackup {
  if (text.length > MAX_FILE_CHARS) throw malformed("the file is too large to be a secret backup");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed("not valid JSON");
  }
  return validateBackup(value);
}

/**
 * Writes a backup with owner-only permissions (0600). Never overwrites: a holder's only other copy of the secret may
 * be that file.
 * @throws AnonError `ANON_BACKUP_IO` when the file exists or cannot be written.
 */
export function writeSecretBackupFile(path: string, backup: AnonSecretBackup): void {
  const text = serializeSecretBackup(backup);
  try {
    writeFileSync(path, text, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  } catch (cause) {
    const exists = (cause as NodeJS.ErrnoException).code === "EEXIST";
    throw new AnonError(
      "ANON_BACKUP_IO",
      exists ? `${path} exists: a backup is never overwritten, choose another file` : `cannot write ${path}`,
      { cause },
    );
  }
}

/**
 * Reads and validates a backup file.
 * @throws AnonError `ANON_BACKUP_IO` when it cannot be read, `ANON_BACKUP_MALFORMED`.
 */
export function readSecretBackupFile(path: string): AnonSecretBackup {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new AnonError("ANON_BACKUP_IO", `cannot read the secret backup ${path}`, { cause });
  }
  return parseSecretBackup(text);
}

function malformed(what: string): AnonError {
  return new AnonError("ANON_BACKUP_MALFORMED", `secret backup: ${what}`);
}

function hexField(o: Record<string, unknown>, key: string, bytes: number, where = ""): string {
  const v = o[key];
  if (typeof v !== "string" || !new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(v)) {
    throw malformed(`"${where}${key}" must be ${bytes} bytes of lowercase hex`);
  }
  return v;
}

function intField(o: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw malformed(`"kdf.${key}" must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function exactKeys(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw malformed(`unknown field ${where}"${extra[0]}"`);
}

/** Checks every field of a backup (types, lengths, bounds) and returns a clean copy. */
function validateBackup(value: unknown): AnonSecretBackup {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o["format"] !== ANON_SECRET_BACKUP_FORMAT) {
    throw malformed(`"format" is not "${ANON_SECRET_BACKUP_FORMAT}"`);
  }
  exactKeys(o, TOP_KEYS, "");
  const commitment = o["commitment"];
  if (typeof commitment !== "string" || !/^0x[0-9a-f]{64}$/.test(commitment)) {
    throw malformed('"commitment" must be 0x and 32 bytes of lowercase hex');
  }
  if (BigInt(commitment) === 0n || BigInt(commitment) >= SNARK_SCALAR_FIELD) {
    throw malformed('"commitment" is not a non-zero BN254 scalar field element');
  }
  const k = o["kdf"];
  if (typeof k !== "object" || k === null || Array.isArray(k)) throw malformed('"kdf" is not an object');
  const kdfIn = k as Record<string, unknown>;
  exactKeys(kdfIn, KDF_KEYS, "kdf.");
  if (kdfIn["name"] !== "scrypt") throw malformed('"kdf.name" is not "scrypt"');
  const n = intField(kdfIn, "n", MIN_N, MAX_N);
  const r = intField(kdfIn, "r", 1, MAX_R);
  const p = intField(kdfIn, "p", 1, MAX_P);
  if ((n & (n - 1)) !== 0) throw malformed('"kdf.n" is not a power of two');
  if (128 * n * r > MAX_MEMORY || n * r * p > MAX_WORK) throw malformed("the KDF parameters exceed the bounds");
  const kdf = { name: "scrypt" as const, n, r, p, salt: hexField(kdfIn, "salt", SALT_BYTES, "kdf.") };
  if (o["cipher"] !== "aes-256-gcm") throw malformed('"cipher" is not "aes-256-gcm"');
  return {
    format: ANON_SECRET_BACKUP_FORMAT,
    commitment,
    kdf,
    cipher: "aes-256-gcm",
    iv: hexField(o, "iv", IV_BYTES),
    ciphertext: hexField(o, "ciphertext", SECRET_BYTES),
    tag: hexField(o, "tag", TAG_BYTES),
    check: hexField(o, "check", 32),
  };
}

/** The additional authenticated data: every clear field that is not part of the ciphertext, in a fixed order. */
function header(commitment: string, kdf: AnonSecretBackup["kdf"]): Buffer {
  return Buffer.from(
    JSON.stringify([ANON_SECRET_BACKUP_FORMAT, commitment, kdf.name, kdf.n, kdf.r, kdf.p, kdf.salt, "aes-256-gcm"]),
    "utf8",
  );
}

function deriveKey(passphrase: string, kdf: AnonSecretBackup["kdf"]): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.n, r: kdf.r, p: kdf.p, maxmem: 2 * 128 * kdf.n * kdf.r };
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(passphrase, "utf8"), Buffer.from(kdf.salt, "hex"), 64, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}

function passphraseCheck(derived: Buffer): Buffer {
  return createHash("sha256").update(CHECK_DOMAIN, "utf8").update(derived.subarray(32)).digest();
}

function bytes32Hex(value: bigint): string {
  return "0x" + value.toString(16).padStart(64, "0");
}
