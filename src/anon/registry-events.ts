import { Contract, type EventLog, type Log, type Provider } from "ethers";

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

/**
 * Reads the events that shape anonymous-proof trees (`Attested`, `AnonLeaf`, `Revoked`, `SigningClaimsDropped`,
 * `TrustAnchorStatusChanged`) from a registry, in chain order, for {@link AnonRegistryLeaves}.
 * @throws AnonError `ANON_REGISTRY_UNREADABLE` when the node cannot be read.
 */
export async function readAnonRegistryEvents(
  provider: Provider,
  registry: string,
  options: ReadAnonEventsOptions = {},
): Promise<AnonRegistryEvent[]> {
  const contract = new Contract(registry, REGISTRY_ABI, provider);
  const logs: EventLog[] = [];
  try {
    const toBlock = options.toBlock ?? (await provider.getBlockNumber());
    const chunk = options.chunk ?? 10_000;
    for (let from = options.fromBlock ?? 0; from <= toBlock; from += chunk) {
      const to = Math.min(toBlock, from + chunk - 1);
      for (const name of EVENTS) {
        const found = await contract.queryFilter(contract.getEvent(name), from, to);
        logs.push(...found.filter((l: Log): l is EventLog => "args" in l));
      }
    }
  } catch (cause) {
    throw new AnonError("ANON_REGISTRY_UNREADABLE", `cannot read the events of the registry at ${registry}`, { cause });
  }
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return logs.map((log) => ({ ...toEvent(log), blockNumber: log.blockNumber }));
}

function toEvent(log: EventLog): AnonRegistryEventBody {
  const a = log.args;
  switch (log.eventName) {
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
