import { existsSync } from "node:fs";

import { getAddress, toBeHex, type Provider } from "ethers";

import type { AnonArtifacts } from "../anon/anon-artifacts-type.js";
import { AnonError } from "../anon/anon-error.js";
import type { AnonHolderProof } from "../anon/anon-holder-proof.js";
import type { AnonProofFile } from "../anon/anon-proof-file.js";
import { deriveAnonSecret } from "../anon/holder-secret.js";
import { proveAsHolder } from "../anon/holder-proof.js";
import { loadAnonHasher } from "../anon/poseidon.js";
import { anonProofFile, writeAnonProofFile } from "../anon/proof-file.js";
import { openSecretBackup, readSecretBackupFile } from "../anon/secret-backup.js";
import { CardError } from "../card/card-error.js";
import type { CardSigner } from "../card/card-signer.js";
import { claimNames } from "../claims.js";

/** Where the holder's secret comes from: the card that opted in (derived again), or the encrypted backup. */
export type AnonSecretSource =
  | {
      readonly card: CardSigner;
      /** The authentication PIN, asked after the card was found. */
      readonly askPin: (triesLeft: number | undefined) => Promise<string>;
    }
  | {
      /** A `kyc anon backup` file. */
      readonly backup: string;
      readonly askPassphrase: () => Promise<string>;
    };

/** Inputs of the holder's `kyc anon prove` flow. */
export interface ProveAnonHolderOptions {
  readonly provider: Provider;
  readonly registry: string;
  readonly attester: string;
  readonly secretFrom: AnonSecretSource;
  readonly scope: bigint;
  readonly signal: bigint;
  /** How the signal was given, for the summary: a recipient address or a message. */
  readonly signalKind?: "address" | "message";
  readonly claimsMask: number;
  /** A published root; default: the attester's latest usable root. */
  readonly root?: string;
  /** A publication's ref (`AnonRootPublished.ref`): the root held there. */
  readonly rootRef?: bigint;
  readonly artifacts: Pick<AnonArtifacts, "wasm" | "zkey">;
  readonly lookbackBlocks?: number;
  /** The proof file to write (never overwritten); none: only returned. */
  readonly out?: string;
  /** Progress and summary lines (never the secret, the commitment, the PIN or the passphrase). */
  readonly print: (line: string) => void;
}

/** The outcome of {@link proveAnonHolder}. */
export interface ProveAnonHolderResult {
  readonly proof: AnonHolderProof;
  /** What was (or would be) written: public values only. */
  readonly file: AnonProofFile;
  /** Wall time of the whole flow, milliseconds (secret, chain reads, tree rebuild, proof). */
  readonly totalMs: number;
}

/** The secret from the card (the same derivation as `kyc bind --anonymous`) or from the backup. */
async function holderSecret(source: AnonSecretSource, print: (line: string) => void): Promise<bigint> {
  if ("backup" in source) {
    const backup = readSecretBackupFile(source.backup); // checked before the passphrase is asked
    print(`Anonymous-proof secret: from the backup ${source.backup}`);
    return openSecretBackup(backup, await source.askPassphrase(), await loadAnonHasher());
  }
  print(`Card: ${source.card.description} (derives your anonymous-proof secret; it never leaves this machine)`);
  await source.card.readAuthCertificate();
  const left = await source.card.pinTriesLeft("auth");
  if (left === 0) {
    throw new CardError("CARD_PIN_LOCKED", "the authentication PIN is locked; the municipality office can reset it", {
      triesLeft: 0,
    });
  }
  const pin = await source.askPin(left);
  return deriveAnonSecret((digest) => source.card.sign("auth", digest, pin));
}

/**
 * The holder side of `kyc anon prove`: takes the secret from the card or the backup, proves the claims against the
 * attester's published root from the chain's events alone (`proveAsHolder`), writes the proof file (public values
 * only) and prints a short summary: nullifier, root, valid until, time taken.
 * @throws AnonError (see `proveAsHolder`; `ANON_PROOF_FILE` when `out` exists), CardError, backup errors.
 */
export async function proveAnonHolder(o: ProveAnonHolderOptions): Promise<ProveAnonHolderResult> {
  const started = Date.now();
  if (o.out !== undefined && existsSync(o.out)) {
    throw new AnonError("ANON_PROOF_FILE", `${o.out} exists: choose another file`);
  }
  const secret = await holderSecret(o.secretFrom, o.print);
  const proof = await proveAsHolder({
    provider: o.provider,
    registry: o.registry,
    attester: o.attester,
    secret,
    scope: o.scope,
    signal: o.signal,
    claimsMask: BigInt(o.claimsMask),
    artifacts: o.artifacts,
    ...(o.root !== undefined ? { root: o.root } : {}),
    ...(o.rootRef !== undefined ? { rootRef: o.rootRef } : {}),
    ...(o.lookbackBlocks !== undefined ? { lookbackBlocks: o.lookbackBlocks } : {}),
  });
  const file = anonProofFile(proof);
  if (o.out !== undefined) writeAnonProofFile(o.out, file);
  const totalMs = Date.now() - started;
  const signal =
    o.signalKind === "message"
      ? `message signal ${toBeHex(proof.signal, 20)}`
      : `recipient ${getAddress(toBeHex(proof.signal, 20))}`;
  o.print(
    `Proved ${claimNames(o.claimsMask).join("+")} for scope ${proof.scope} and ${signal} against root ${proof.root} ` +
      `at ref ${proof.rootRef} of attester ${proof.attester}`,
  );
  o.print(`  nullifier   ${proof.nullifier} (the same for each of your proofs in this scope)`);
  o.print(`  valid until ${new Date(Number(proof.validUntil) * 1000).toISOString()} (the root's validUntil)`);
  o.print(`  time        ${(proof.proveMs / 1000).toFixed(1)} s proving, ${(totalMs / 1000).toFixed(1)} s in all`);
  if (o.out !== undefined) {
    o.print(`Wrote ${o.out}: the proof, its public signals and calldata (nothing that identifies you or your card).`);
  }
  return { proof, file, totalMs };
}
