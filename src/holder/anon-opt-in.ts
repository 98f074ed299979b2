import { Interface, toBeHex, type Provider } from "ethers";

import { deriveAnonSecret } from "../anon/holder-secret.js";
import { loadAnonHasher } from "../anon/poseidon.js";
import type { CardSigner } from "../card/card-signer.js";
import { REGISTRY_ABI } from "../chain/registry-abi.js";

/** Which anonymous-proof lock of the operator refused a commitment: the card key's, or the person's. */
export type AnonLock = "card" | "person";

/**
 * The holder page's anonymous-proof opt-in, done in the local process exactly as `kyc bind --anonymous` does it: the
 * card's authentication key signs the fixed, domain-separated digest of `src/anon/holder-secret.ts` with the holder's
 * PIN, secret = hashToField(signature), and only the commitment Poseidon(secret) (0x bytes32) comes out. The signature
 * and the secret exist in this function's scope only: they are not returned, stored, logged or sent anywhere; the same
 * card gives the same secret again whenever the holder needs it.
 * @throws CardError from the card (wrong PIN with the tries left, locked PIN, no card, card removed).
 */
export async function anonCommitmentWithCard(card: CardSigner, pin: string): Promise<string> {
  const hasher = await loadAnonHasher();
  const secret = await deriveAnonSecret((digest) => card.sign("auth", digest, pin));
  return toBeHex(hasher.commitment(secret), 32);
}

const REGISTRY_EVENTS = new Interface(REGISTRY_ABI);

/**
 * Whether the attestation transaction `txHash` emitted the registry's `AnonLeaf` with `commitment`: what the page shows
 * as "anonymous proofs are enabled" is read from the chain, not assumed from the binding.
 */
export async function anonLeafEmitted(
  provider: Provider,
  registry: string,
  txHash: string,
  commitment: string,
): Promise<boolean> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null || receipt.status !== 1) return false;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registry.toLowerCase()) continue;
    const parsed = REGISTRY_EVENTS.parseLog(log);
    if (parsed?.name === "AnonLeaf" && (parsed.args.getValue("commitment") as bigint) === BigInt(commitment)) {
      return true;
    }
  }
  return false;
}

const LOCK_MESSAGES: ReadonlyArray<readonly [RegExp, AnonLock]> = [
  [/\bcard key opted in to anonymous proofs with another commitment\b/, "card"],
  [/\bperson opted in to anonymous proofs with another commitment\b/, "person"],
];

/**
 * The operator's commitment lock in one of its refusals (`OPERATOR_CHECK_FAILED` from `kyc attest`'s lock: a card
 * key, and at identity level a person, keeps its first commitment), so that the page can say it in plain words;
 * undefined for any other refusal.
 */
export function anonLockOf(refusal: unknown): AnonLock | undefined {
  const error = (refusal as { error?: { code?: unknown; message?: unknown; failures?: unknown } } | null)?.error;
  if (error?.code !== "OPERATOR_CHECK_FAILED") return undefined;
  const texts = [error.message, ...(Array.isArray(error.failures) ? (error.failures as unknown[]) : [])].filter(
    (t): t is string => typeof t === "string",
  );
  for (const [pattern, lock] of LOCK_MESSAGES) if (texts.some((t) => pattern.test(t))) return lock;
  return undefined;
}
