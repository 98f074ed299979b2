import { createHash } from "node:crypto";

import { CardError } from "./card-error.js";
import type { CardSigner } from "./card-signer.js";

/** What `kyc card status` shows: nothing personal, only what helps to check the card before binding. */
export interface CardStatus {
  description: string;
  /** SHA-256 of the authentication certificate DER (hex). */
  authCertificateSha256: string;
  /** Authentication PIN tries left (undefined when the access path cannot tell). */
  authTriesLeft: number | undefined;
  /** Signing password tries left; `"absent"` when the card has no signing certificate (holders under 15). */
  signTriesLeft: number | undefined | "absent";
}

/** Reads a card's status without asking for a PIN and without spending a try. */
export async function readCardStatus(card: CardSigner): Promise<CardStatus> {
  const cert = await card.readAuthCertificate();
  const authTriesLeft = await card.pinTriesLeft("auth");
  let signTriesLeft: CardStatus["signTriesLeft"];
  try {
    signTriesLeft = await card.pinTriesLeft("sign");
  } catch (error) {
    if (!(error instanceof CardError) || error.code !== "CARD_NOT_FOUND") throw error;
    signTriesLeft = "absent";
  }
  return {
    description: card.description,
    authCertificateSha256: createHash("sha256").update(cert).digest("hex"),
    authTriesLeft,
    signTriesLeft,
  };
}
