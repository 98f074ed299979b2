// The encrypted backup of the holder's anonymous-proof secret (src/anon/secret-backup.ts): round trip, and every way
// a backup must refuse to open.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  ANON_BACKUP_MIN_PASSPHRASE_LENGTH,
  ANON_BACKUP_SCRYPT,
  ANON_SECRET_BACKUP_FORMAT,
  SNARK_SCALAR_FIELD,
  createSecretBackup,
  loadAnonHasher,
  openSecretBackup,
  parseSecretBackup,
  readSecretBackupFile,
  serializeSecretBackup,
  writeSecretBackupFile,
  type AnonHasher,
  type AnonSecretBackup,
} from "../../src/anon/index.js";
import { rejects } from "../operator/helpers/rejects.js";

const PASSPHRASE = "correct horse battery staple";
const SECRET = 0x1234_5678_9abc_def0_1122_3344_5566_7788_99aa_bbcc_ddee_ff00_1020_3040_5060_70n;

/** Flips one bit of the byte at `index` of a hex field. */
function flipHex(hex: string, index = 0): string {
  const bytes = Buffer.from(hex, "hex");
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString("hex");
}

describe("anonymous-proof secret backup (scrypt + AES-256-GCM)", function () {
  this.timeout(120_000); // each open or create runs one scrypt at N = 2^17 (about a second on a shared core)
  let hasher: AnonHasher;
  let backup: AnonSecretBackup;
  let dir: string;

  before(async function () {
    hasher = await loadAnonHasher();
    backup = await createSecretBackup(SECRET, PASSPHRASE, hasher);
    dir = mkdtempSync(join(tmpdir(), "anon-backup-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("round trip: the file names the commitment in clear, never the secret, and opens to the same secret", async function () {
    expect(backup.format).to.equal(ANON_SECRET_BACKUP_FORMAT);
    expect(BigInt(backup.commitment)).to.equal(hasher.commitment(SECRET));
    expect(backup.commitment).to.match(/^0x[0-9a-f]{64}$/);
    expect(backup.kdf).to.include({ name: "scrypt", ...ANON_BACKUP_SCRYPT });
    expect(backup.kdf.salt).to.match(/^[0-9a-f]{32}$/);
    expect(backup).to.include({ cipher: "aes-256-gcm" });
    const path = join(dir, "backup.json");
    writeSecretBackupFile(path, backup);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    const text = readFileSync(path, "utf8");
    for (const leak of [SECRET.toString(16), SECRET.toString(10), PASSPHRASE]) expect(text).to.not.contain(leak);
    expect(await openSecretBackup(readSecretBackupFile(path), PASSPHRASE, hasher)).to.equal(SECRET);
    // a backup is never overwritten
    await rejects(
      Promise.resolve().then(() => writeSecretBackupFile(path, backup)),
      "ANON_BACKUP_IO",
      /exists/,
    );
    // a new backup of the same secret shares no salt, IV or ciphertext with the first
    const again = await createSecretBackup(SECRET, PASSPHRASE, hasher);
    expect(again.commitment).to.equal(backup.commitment);
    expect([again.kdf.salt, again.iv, again.ciphertext]).to.not.include.members([
      backup.kdf.salt,
      backup.iv,
      backup.ciphertext,
    ]);
  });

  it("the passphrase is NFC-normalised: the same words typed decomposed open the backup", async function () {
    const composed = "パスフレーズは、がぎぐげご";
    const made = await createSecretBackup(SECRET, composed, hasher);
    expect(composed.normalize("NFD")).to.not.equal(composed);
    expect(await openSecretBackup(made, composed.normalize("NFD"), hasher)).to.equal(SECRET);
  });

  it("attacker: a wrong passphrase does not open it (ANON_BACKUP_WRONG_PASSPHRASE)", async function () {
    await rejects(
      openSecretBackup(backup, PASSPHRASE.replace("staple", "stapler"), hasher),
      "ANON_BACKUP_WRONG_PASSPHRASE",
    );
    await rejects(openSecretBackup(backup, "", hasher), "ANON_BACKUP_WRONG_PASSPHRASE");
  });

  it("attacker: a flipped ciphertext, tag or IV byte, or another commitment in clear, is refused as tampered", async function () {
    const other =
      "0x" +
      hasher
        .commitment(SECRET + 1n)
        .toString(16)
        .padStart(64, "0");
    const cases: Array<[string, AnonSecretBackup]> = [
      ["ciphertext", { ...backup, ciphertext: flipHex(backup.ciphertext, 31) }],
      ["tag", { ...backup, tag: flipHex(backup.tag, 15) }],
      ["iv", { ...backup, iv: flipHex(backup.iv) }],
      ["commitment", { ...backup, commitment: other }],
    ];
    for (const [what, altered] of cases) {
      const error = await rejects(openSecretBackup(altered, PASSPHRASE, hasher), "ANON_BACKUP_TAMPERED", /altered/);
      expect(error.message, what).to.not.contain(SECRET.toString(16));
    }
    // the key-derivation fields feed the key: altered, they read as a wrong passphrase
    await rejects(
      openSecretBackup({ ...backup, kdf: { ...backup.kdf, salt: flipHex(backup.kdf.salt) } }, PASSPHRASE, hasher),
      "ANON_BACKUP_WRONG_PASSPHRASE",
    );
  });

  it("a malformed file is refused before any key derivation (ANON_BACKUP_MALFORMED)", async function () {
    const good = JSON.parse(serializeSecretBackup(backup)) as Record<string, unknown>;
    const kdf = good["kdf"] as Record<string, unknown>;
    const texts: Array<[string, string, RegExp]> = [
      ["not JSON", "{ definitely not json", /not valid JSON/],
      ["an array", "[]", /not a JSON object/],
      ["another format", JSON.stringify({ ...good, format: "jpki-kyc/anon-secret-backup@2" }), /"format"/],
      ["no tag", JSON.stringify({ ...good, tag: undefined }), /"tag" must be 16 bytes/],
      ["a short ciphertext", JSON.stringify({ ...good, ciphertext: "00" }), /"ciphertext" must be 32 bytes/],
      ["uppercase hex", JSON.stringify({ ...good, iv: (good["iv"] as string).toUpperCase() }), /"iv"/],
      ["an unknown field", JSON.stringify({ ...good, secret: "1" }), /unknown field "secret"/],
      ["a zero commitment", JSON.stringify({ ...good, commitment: "0x" + "00".repeat(32) }), /"commitment"/],
      [
        "a commitment out of the field",
        JSON.stringify({ ...good, commitment: "0x" + SNARK_SCALAR_FIELD.toString(16).padStart(64, "0") }),
        /"commitment"/,
      ],
      ["another KDF", JSON.stringify({ ...good, kdf: { ...kdf, name: "pbkdf2" } }), /"kdf.name"/],
      ["N not a power of two", JSON.stringify({ ...good, kdf: { ...kdf, n: 3 * 2 ** 15 } }), /power of two/],
      ["N too small", JSON.stringify({ ...good, kdf: { ...kdf, n: 2 ** 10 } }), /"kdf.n"/],
      ["a memory bomb", JSON.stringify({ ...good, kdf: { ...kdf, n: 2 ** 20, r: 32 } }), /exceed the bounds/],
      ["another cipher", JSON.stringify({ ...good, cipher: "aes-256-cbc" }), /"cipher"/],
    ];
    for (const [what, text, pattern] of texts) {
      const started = Date.now();
      const path = join(dir, `malformed-${texts.findIndex((t) => t[0] === what)}.json`);
      writeFileSync(path, text);
      await rejects(
        Promise.resolve().then(() => readSecretBackupFile(path)),
        "ANON_BACKUP_MALFORMED",
        pattern,
      );
      // a typed object that bypassed the parser is checked again when opened
      await rejects(
        openSecretBackup(JSON.parse(text.startsWith("{ def") ? "{}" : text) as AnonSecretBackup, PASSPHRASE, hasher),
        "ANON_BACKUP_MALFORMED",
      );
      expect(Date.now() - started, `${what}: no scrypt was run`).to.be.lessThan(500);
    }
    await rejects(
      Promise.resolve().then(() => readSecretBackupFile(join(dir, "missing.json"))),
      "ANON_BACKUP_IO",
    );
  });

  it("a passphrase shorter than the minimum is refused when the backup is made (ANON_BACKUP_WEAK_PASSPHRASE)", async function () {
    expect(ANON_BACKUP_MIN_PASSPHRASE_LENGTH).to.equal(12);
    await rejects(createSecretBackup(SECRET, "x".repeat(11), hasher), "ANON_BACKUP_WEAK_PASSPHRASE", /12 characters/);
    await rejects(createSecretBackup(SECRET, "", hasher), "ANON_BACKUP_WEAK_PASSPHRASE");
    // characters are counted, not UTF-8 bytes: eleven kanji (33 bytes) are still too short
    await rejects(
      createSecretBackup(SECRET, "合言葉合言葉合言葉合言".slice(0, 11), hasher),
      "ANON_BACKUP_WEAK_PASSPHRASE",
    );
    const twelve = await createSecretBackup(SECRET, "合言葉合言葉合言葉合言葉", hasher);
    expect(await openSecretBackup(twelve, "合言葉合言葉合言葉合言葉", hasher)).to.equal(SECRET);
    // a secret outside the field cannot be backed up (no circuit could use it)
    await rejects(createSecretBackup(0n, PASSPHRASE, hasher), "ANON_OUT_OF_FIELD");
    await rejects(createSecretBackup(SNARK_SCALAR_FIELD, PASSPHRASE, hasher), "ANON_OUT_OF_FIELD");
  });

  it("a backup whose decrypted secret does not give its commitment is refused (a faulty or lying tool wrote it)", async function () {
    // The writer's hasher lies: the file is authentic (right passphrase, valid tag) but names another commitment.
    const lying = { commitment: (secret: bigint) => hasher.commitment(secret + 1n) };
    const forged = await createSecretBackup(SECRET, PASSPHRASE, lying);
    expect(BigInt(forged.commitment)).to.not.equal(hasher.commitment(SECRET));
    await rejects(openSecretBackup(forged, PASSPHRASE, hasher), "ANON_BACKUP_COMMITMENT_MISMATCH", /faulty/);
  });
});
