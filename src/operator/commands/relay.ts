import { ChainError } from "../../chain/chain-error.js";
import type { TxOutcome } from "../../chain/registry-client.js";
import { attestationDigest, requestTuple } from "../attestation-request.js";
import { OperatorError } from "../operator-error.js";
import { readRelayFile } from "../relay-file.js";
import { chainTime, connectRegistry, type OperatorContext } from "./context.js";

/**
 * `kyc relay --in <file>`: submits an operator-signed attestation (`attestBySig`) from the configured account,
 * which pays the gas. Checks the file's chain and registry against the connection, the relay deadline and that the
 * holder's binding is still the current one (its nonce unused) first, so a stale file fails with one line instead
 * of a revert. Relay files stand alone: relaying one never invalidates another.
 */
export async function relayCommand(
  ctx: OperatorContext,
  args: { in: string | undefined; registry?: string },
): Promise<TxOutcome> {
  if (args.in === undefined || args.in === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "--in <relay file> is required");
  const relay = readRelayFile(args.in);
  const client = await connectRegistry(ctx, args.registry ?? relay.registry);
  client.requireChain(relay.chainId, "the relay file");
  if (client.address !== relay.registry) {
    throw new ChainError(
      "CHAIN_WRONG_NETWORK",
      `the relay file is for the registry ${relay.registry}, not ${client.address}`,
    );
  }
  const now = await chainTime(ctx.provider);
  if (relay.relayDeadline <= now) {
    throw new OperatorError(
      "OPERATOR_RELAY",
      `the relay deadline passed at ${new Date(Number(relay.relayDeadline) * 1000).toISOString()}; ask the operator for a new one`,
    );
  }
  if (relay.request.deadline <= now) {
    throw new OperatorError("OPERATOR_RELAY", "the card binding's deadline has passed; bind again");
  }
  const local = attestationDigest(relay.chainId, relay.registry, relay);
  const onChain = await client.read<string>(
    "attestationDigest",
    relay.binding,
    requestTuple(relay.request),
    relay.keyNullifier,
    relay.relayDeadline,
  );
  if (local !== onChain)
    throw new OperatorError("OPERATOR_RELAY", "the relay file does not match the registry's attestation digest");
  const binding = await client.bindingDigest(
    relay.request.subject,
    relay.attester,
    relay.request.disclose,
    await client.nonces(relay.request.subject),
    relay.request.deadline,
    relay.request.anonCommitment,
  );
  if (binding.toLowerCase() !== relay.binding.toLowerCase()) {
    throw new OperatorError(
      "OPERATOR_RELAY",
      "the holder's binding was already used (the subject's nonce moved on); bind again",
    );
  }
  return client.send(
    "attestBySig",
    [
      requestTuple(relay.request),
      relay.modulus,
      relay.cardSignature,
      relay.subjectSignature,
      [relay.attester, relay.relayDeadline, relay.attesterSignature],
    ],
    { pii: [] },
  );
}
