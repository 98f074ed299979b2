import { CardError } from "../card/card-error.js";
import type { CardSigner } from "../card/card-signer.js";
import type { ProofRequest, SignedBinding } from "./proof-request.js";
import { verifyCardSignature } from "./proof-request.js";

/** Inputs of `createProofRequest`. */
export interface CreateProofRequestOptions {
  card: CardSigner;
  binding: SignedBinding;
  /** The subject's signature over the binding digest (see `signBindingWithWallet`). */
  subjectSignature: Uint8Array;
  /** The authentication PIN (4 digits). */
  pin: string;
  /** The signing password; when given, the signing certificate and a second signature are included. */
  signPassword?: string;
  /** Clock for `createdAt` (tests). */
  now?: Date;
}

/**
 * Has the card sign a binding (already signed by the subject's wallet) and assembles the proof request: reads the authentication certificate, signs the
 * 32-byte digest with the authentication key, and with a signing password also reads the signing certificate and
 * signs the same digest with the signing key. Each signature is checked against its certificate before returning.
 * @throws CardError from the card; `CARD_BAD_RESPONSE` when a signature does not match the certificate read.
 */
export async function createProofRequest(options: CreateProofRequestOptions): Promise<ProofRequest> {
  const { card, binding } = options;
  const digest = Uint8Array.from(Buffer.from(binding.digest.slice(2), "hex"));
  const authCertificate = await card.readAuthCertificate();
  const authSignature = await card.sign("auth", digest, options.pin);
  if (!verifyCardSignature(authCertificate, binding.digest, authSignature)) {
    throw new CardError(
      "CARD_BAD_RESPONSE",
      "the card's authentication signature does not match its authentication certificate",
    );
  }
  const request: ProofRequest = {
    binding,
    subjectSignature: options.subjectSignature,
    authCertificate,
    authSignature,
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  if (options.signPassword !== undefined) {
    const signCertificate = await card.readSignCertificate(options.signPassword);
    const signSignature = await card.sign("sign", digest, options.signPassword);
    if (!verifyCardSignature(signCertificate, binding.digest, signSignature)) {
      throw new CardError("CARD_BAD_RESPONSE", "the card's signing signature does not match its signing certificate");
    }
    request.signCertificate = signCertificate;
    request.signSignature = signSignature;
  }
  return request;
}
