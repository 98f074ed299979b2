import { TypedDataEncoder, getBytes, hexlify } from "ethers";

import { kycDomain } from "../../binding/kyc-binding.js";
import { keyNullifier } from "../../chain/key-nullifier.js";
import type { TxOutcome } from "../../chain/registry-client.js";
import type { CardSigner } from "../../card/card-signer.js";
import { parseCertificate } from "../../pki/certificate.js";
import { OperatorError } from "../operator-error.js";
import { piiFromCertificate } from "../pii-material.js";
import { parseAddress } from "./admin.js";
import { chainTime, connectRegistry, type OperatorContext } from "./context.js";

/** The EIP-712 type the card signs to revoke. */
export const REVOKE_TYPES = {
  Revoke: [
    { name: "subject", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** Arguments of `kyc revoke-by-card`. */
export interface RevokeByCardArgs {
  readonly card: CardSigner;
  readonly subject: string | undefined;
  /** Asks for the authentication PIN (the holder types it). */
  readonly askPin: () => Promise<string>;
  /** Minutes the card signature stays valid (default 10). */
  readonly deadlineMinutes?: number;
  readonly registry?: string;
}

/**
 * `kyc revoke-by-card`: the holder revokes `subject`'s attestation with the card bound to it (wallet key lost or
 * stolen). The card signs the registry's EIP-712 `Revoke(subject, nonce, deadline)`; any funded account relays.
 */
export async function revokeByCardCommand(ctx: OperatorContext, args: RevokeByCardArgs): Promise<TxOutcome> {
  const subject = parseAddress(args.subject, "subject");
  const client = await connectRegistry(ctx, args.registry);
  const record = await client.attestationOf(subject);
  if (record.statusName === "None" || record.revokedAt !== 0n) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `${subject} has no attestation to revoke (${record.statusName})`);
  }
  const certificate = parseCertificate(await args.card.readAuthCertificate());
  const modulus = hexlify(certificate.rsa.modulus);
  if (!(await client.read<boolean>("isCurrentKey", subject, keyNullifier(modulus)))) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `this card's key is not the one bound to ${subject}`);
  }
  const minutes = args.deadlineMinutes ?? 10;
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new OperatorError("OPERATOR_BAD_INPUT", "--deadline-minutes must be a positive integer");
  const deadline = (await chainTime(ctx.provider)) + BigInt(minutes) * 60n;
  const nonce = await client.nonces(subject);
  const digest = await client.revokeDigest(subject, nonce, deadline);
  const local = TypedDataEncoder.hash(kycDomain(client.chainId, client.address), REVOKE_TYPES, {
    subject,
    nonce,
    deadline,
  });
  if (local !== digest)
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      "the registry's revoke digest differs from the EIP-712 digest computed here",
    );
  const signature = await args.card.sign("auth", getBytes(digest), await args.askPin());
  return client.send("revokeByCard", [subject, deadline, modulus, hexlify(signature)], {
    pii: [piiFromCertificate("authentication certificate", certificate)],
  });
}
