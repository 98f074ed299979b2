import { toBeHex, type Provider } from "ethers";

import { deriveAnonSecret } from "../anon/holder-secret.js";
import { loadAnonHasher } from "../anon/poseidon.js";
import { openSecretBackup, readSecretBackupFile } from "../anon/secret-backup.js";

import { claimNames } from "../claims.js";
import type { CardKey, CardSigner } from "../card/card-signer.js";
import { CardError } from "../card/card-error.js";
import { BindingError } from "./binding-error.js";
import { createProofRequest } from "./create-proof-request.js";
import { writeProofRequest } from "./proof-request-file.js";
import type { ProofRequest } from "./proof-request.js";
import { readBindingFromRegistry } from "./registry-binding.js";
import { signBindingWithWallet, type WalletSigner } from "./wallet-consent.js";

/** Inputs of the holder's `kyc bind` flow. */
export interface BindHolderOptions {
  provider: Provider;
  card: CardSigner;
  registry: string;
  subject: string;
  /** The operator (attester) the holder chose: named in the binding, no other operator can use it. */
  attester: string;
  /**
   * The subject's consent: its wallet (signs the binding with eth_signTypedData_v4), or a signature made elsewhere
   * (a smart account's ERC-1271 signature, a hardware wallet) over the digest printed by a first run.
   */
  wallet: { signer: WalletSigner } | { signature: Uint8Array };
  disclose: number;
  /** Minutes from the chain's latest block time to the binding deadline. */
  deadlineMinutes: number;
  withSignCert: boolean;
  /**
   * Opt in to anonymous proofs: the card derives the holder's secret (`deriveAnonSecret`, src/anon/README.md) and
   * the binding carries Poseidon(secret). The card is then asked first (the wallet signs the commitment too).
   */
  anon?: boolean;
  /**
   * With `anon`: the secret comes from this encrypted backup (`kyc anon backup`, src/anon/README.md "Recovering the
   * secret") instead of the card, for a renewed card or a smartphone key of a person who opted in with another card.
   * Refused (`AnonError`) when it does not open with the passphrase or its secret does not give its commitment.
   */
  anonBackup?: { path: string; askPassphrase: () => Promise<string> };
  out: string;
  /** Asked only when needed, after the card was found; `key` says which PIN. */
  askPin: (key: CardKey, triesLeft: number | undefined) => Promise<string>;
  /** Progress lines for the user (no secrets, no certificate content). */
  print: (line: string) => void;
}

/**
 * The holder side of the flow: reads the binding from the registry, has the card sign it, writes the proof request
 * (owner-only) and says on screen what the file contains.
 */
export async function bindHolder(o: BindHolderOptions): Promise<ProofRequest> {
  if (!Number.isInteger(o.deadlineMinutes) || o.deadlineMinutes < 1 || o.deadlineMinutes > 60 * 24 * 30) {
    throw new BindingError("BINDING_BAD_ARGUMENT", "--deadline-minutes must be 1..43200");
  }
  if (o.anonBackup !== undefined && o.anon !== true) {
    throw new BindingError("BINDING_BAD_ARGUMENT", "--anon-backup needs --anonymous");
  }
  const ask = async (key: CardKey): Promise<string> => {
    const left = await o.card.pinTriesLeft(key);
    if (left === 0) {
      throw new CardError(
        "CARD_PIN_LOCKED",
        `the ${key === "auth" ? "authentication PIN" : "signing password"} is locked; the municipality office can reset it`,
        { triesLeft: 0 },
      );
    }
    return o.askPin(key, left);
  };
  const block = await o.provider.getBlock("latest");
  const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  // With the anonymous-proof opt-in the card comes first: the commitment is part of what the wallet signs.
  let anonPin: string | undefined;
  let anonCommitment: string | undefined;
  if (o.anonBackup !== undefined) {
    // Read and checked before anything is asked: a malformed file costs no passphrase and no PIN.
    const backup = readSecretBackupFile(o.anonBackup.path);
    o.print(`Anonymous-proof secret: from the backup ${o.anonBackup.path} (commitment ${backup.commitment})`);
    const hasher = await loadAnonHasher();
    const secret = await openSecretBackup(backup, await o.anonBackup.askPassphrase(), hasher);
    anonCommitment = toBeHex(hasher.commitment(secret), 32);
  } else if (o.anon === true) {
    o.print(`Card: ${o.card.description} (derives your anonymous-proof secret; it never leaves this machine)`);
    await o.card.readAuthCertificate();
    anonPin = await ask("auth");
    const pin = anonPin;
    const secret = await deriveAnonSecret((digest) => o.card.sign("auth", digest, pin));
    anonCommitment = toBeHex((await loadAnonHasher()).commitment(secret), 32);
  }
  const binding = await readBindingFromRegistry(o.provider, {
    registry: o.registry,
    subject: o.subject,
    attester: o.attester,
    disclose: o.disclose,
    deadline: now + BigInt(o.deadlineMinutes) * 60n,
    ...(anonCommitment !== undefined ? { anonCommitment } : {}),
  });
  if (anonCommitment !== undefined) o.print(`Anonymous-proof commitment: ${anonCommitment}`);
  o.print(`Registry ${binding.registry} on chain ${binding.chainId}`);
  o.print(
    `Binding: subject ${binding.subject}, operator ${binding.attester}, disclose ${claimNames(binding.disclose).join("+")}, nonce ${binding.nonce}, deadline ${new Date(Number(binding.deadline) * 1000).toISOString()}`,
  );
  o.print(`Digest to sign: ${binding.digest}`);
  // The wallet first: if its owner declines, no PIN is asked and no card try is spent.
  let subjectSignature: Uint8Array;
  if ("signer" in o.wallet) {
    o.print(`Wallet ${binding.subject}: sign the binding (your consent to be attested by ${binding.attester})`);
    subjectSignature = await signBindingWithWallet(o.wallet.signer, binding);
  } else {
    subjectSignature = o.wallet.signature;
  }
  o.print(`Card: ${o.card.description}`);

  // Read the certificate first so that a missing card fails before the PIN is asked.
  await o.card.readAuthCertificate();
  const pin = anonPin ?? (await ask("auth"));
  const signPassword = o.withSignCert ? await ask("sign") : undefined;
  const request = await createProofRequest({
    card: o.card,
    binding,
    subjectSignature,
    pin,
    ...(signPassword === undefined ? {} : { signPassword }),
  });
  const { personalData } = writeProofRequest(o.out, request);
  o.print(`Wrote ${o.out} (owner-only, mode 0600).`);
  if (personalData) {
    o.print(
      "NOTE: this file holds PERSONAL DATA: your signing certificate contains your name, address, date of birth and gender.",
    );
    o.print(
      "      Give it only to the registered JPKI verifier (operator) and delete it once the attestation is recorded.",
    );
  } else {
    o.print(
      "NOTE: the authentication certificate in this file identifies your card and reveals your municipality and birthday;",
    );
    o.print("      give it only to the registered JPKI verifier (operator).");
  }
  return request;
}
