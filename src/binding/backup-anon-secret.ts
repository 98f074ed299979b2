import { existsSync } from "node:fs";

import { AnonError } from "../anon/anon-error.js";
import { deriveAnonSecret } from "../anon/holder-secret.js";
import { loadAnonHasher } from "../anon/poseidon.js";
import {
  checkBackupPassphrase,
  createSecretBackup,
  openSecretBackup,
  readSecretBackupFile,
  writeSecretBackupFile,
} from "../anon/secret-backup.js";
import { CardError } from "../card/card-error.js";
import type { CardSigner } from "../card/card-signer.js";

/** Inputs of the holder's `kyc anon backup` flow. */
export interface BackupAnonSecretOptions {
  /** The card the holder opted in with (`kyc bind --anonymous`): it derives the secret again. */
  card: CardSigner;
  /** The backup file to write (owner-only; an existing file is never overwritten). */
  out: string;
  /** The authentication PIN, asked after the card was found and the passphrase accepted. */
  askPin: (triesLeft: number | undefined) => Promise<string>;
  /** The backup's new passphrase (on a terminal the caller asks it twice). */
  askPassphrase: () => Promise<string>;
  /** Progress lines for the user (never the secret, the PIN or the passphrase). */
  print: (line: string) => void;
}

/**
 * The holder side of `kyc anon backup`: derives the anonymous-proof secret with the card exactly as `kyc bind
 * --anonymous` does, encrypts it under a passphrase (`createSecretBackup`), writes the file with mode 0600, then reads
 * it back and opens it to be sure the file on disk restores the same commitment. Returns that commitment.
 * @throws AnonError `ANON_BACKUP_IO` (the file exists), `ANON_BACKUP_WEAK_PASSPHRASE` (before any PIN is asked),
 * CardError (card missing, PIN locked or wrong).
 */
export async function backupAnonSecret(o: BackupAnonSecretOptions): Promise<{ commitment: string }> {
  if (existsSync(o.out)) {
    throw new AnonError("ANON_BACKUP_IO", `${o.out} exists: a backup is never overwritten, choose another file`);
  }
  o.print(`Card: ${o.card.description} (derives your anonymous-proof secret; it never leaves this machine)`);
  await o.card.readAuthCertificate();
  const passphrase = checkBackupPassphrase(await o.askPassphrase());
  const left = await o.card.pinTriesLeft("auth");
  if (left === 0) {
    throw new CardError("CARD_PIN_LOCKED", "the authentication PIN is locked; the municipality office can reset it", {
      triesLeft: 0,
    });
  }
  const pin = await o.askPin(left);
  const secret = await deriveAnonSecret((digest) => o.card.sign("auth", digest, pin));
  const hasher = await loadAnonHasher();
  const backup = await createSecretBackup(secret, passphrase, hasher);
  writeSecretBackupFile(o.out, backup);
  if ((await openSecretBackup(readSecretBackupFile(o.out), passphrase, hasher)) !== secret) {
    throw new AnonError("ANON_BACKUP_IO", `${o.out} does not read back as written`);
  }
  o.print(`Wrote ${o.out} (owner-only, mode 0600): your anonymous-proof secret, encrypted with your passphrase.`);
  o.print(`Commitment: ${backup.commitment} (the anonCommitment of your bindings; public on chain)`);
  o.print("Keep a copy away from this machine. With a renewed card or a smartphone key, bind with");
  o.print("  kyc bind --anonymous --anon-backup <this file>  (without it and without this card, the secret is gone).");
  return { commitment: backup.commitment };
}
