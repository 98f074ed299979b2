import { Interface, type Log, type LogDescription, type Provider } from "ethers";

import { REGISTRY_ABI } from "../chain/registry-abi.js";
import { AnonError } from "./anon-error.js";
import type { AnonRegistryEvent, AnonRegistryEventBody } from "./registry-event.js";

/** Options of {@link readAnonRegistryEvents}. */
export interface ReadAnonEventsOptions {
  /** first block (default 0: the registry's deployment or earlier) */
  readonly fromBlock?: number;
  /** last block (default: the latest) */
  readonly toBlock?: number;
  /** blocks per `eth_getLogs` request (default 10,000; public RPCs limit the range) */
  readonly chunk?: number;
}

const EVENTS = ["Attested", "AnonLeaf", "Revoked", "SigningClaimsDropped", "TrustAnchorStatusChanged"] as const;

const REGISTRY = new Interface(REGISTRY_ABI);
/** topic0 of each event read: one `eth_getLogs` per block range asks for all of them (an OR of topics). */
const TOPICS = EVENTS.map((name) => REGISTRY.getEvent(name)!.topicHash);

/**
 * Reads the events that shape anonymous-proof trees (`Attested`, `AnonLeaf`, `Revoked`, `SigningClaimsDropped`,
 * `TrustAnchorStatusChanged`) from a registry, in chain order, for {@link AnonRegistryLeaves}: one `eth_getLogs` per
 * `chunk` blocks for all five.
 * @throws AnonError `ANON_REGISTRY_UNREADABLE` when the node cannot be read.
 */
export async function readAnonRegistryEvents(
  provider: Provider,
  registry: string,
  options: ReadAnonEventsOptions = {},
): Promise<AnonRegistryEvent[]> {
  const logs: { log: Log; event: LogDescription }[] = [];
  try {
    const toBlock = options.toBlock ?? (await provider.getBlockNumber());
    const chunk = options.chunk ?? 10_000;
    for (let from = options.fromBlock ?? 0; from <= toBlock; from += chunk) {
      const to = Math.min(toBlock, from + chunk - 1);
      for (const log of await provider.getLogs({ address: registry, fromBlock: from, toBlock: to, topics: [TOPICS] })) {
        const event = REGISTRY.parseLog(log);
        if (event !== null) logs.push({ log, event });
      }
    }
  } catch (cause) {
    throw new AnonError("ANON_REGISTRY_UNREADABLE", `cannot read the events of the registry at ${registry}`, { cause });
  }
  logs.sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.index - b.log.index);
  return logs.map(({ log, event }) => ({ ...toEvent(log, event), blockNumber: log.blockNumber }));
}

function toEvent(log: Log, event: LogDescription): AnonRegistryEventBody {
  const a = event.args;
  switch (event.name) {
    case "Attested":
      return {
        kind: "attested",
        subject: String(a.getValue("subject")),
        attester: String(a.getValue("attester")),
        keyNullifier: String(a.getValue("keyNullifier")),
        caId: Number(a.getValue("caId")),
        transactionHash: log.transactionHash,
      };
    case "AnonLeaf":
      return {
        kind: "anonLeaf",
        attester: String(a.getValue("attester")),
        keyNullifier: String(a.getValue("keyNullifier")),
        commitment: BigInt(a.getValue("commitment") as bigint),
        claims: BigInt(a.getValue("claims") as bigint),
        expiresAt: BigInt(a.getValue("expiresAt") as bigint),
        transactionHash: log.transactionHash,
      };
    case "Revoked":
      return { kind: "revoked", subject: String(a.getValue("subject")) };
    case "TrustAnchorStatusChanged":
      return { kind: "anchorStatus", caId: Number(a.getValue("caId")), enabled: Boolean(a.getValue("enabled")) };
    default:
      return {
        kind: "claimsDropped",
        subject: String(a.getValue("subject")),
        claims: BigInt(a.getValue("claims") as bigint),
      };
  }
}
