import { Contract, ZeroAddress, toBeHex, type EventLog, type Provider } from "ethers";

import { REGISTRY_ABI } from "../chain/registry-abi.js";
import { AnonError } from "./anon-error.js";
import type { AnonRootPublication } from "./anon-root-publication.js";
import type { AnonRootState } from "./anon-root-state.js";

/**
 * The registry's `AnonRootPublished` events in chain order, optionally of one attester and/or one root (both are
 * indexed topics, so the node filters).
 * @throws AnonError `ANON_REGISTRY_UNREADABLE`.
 */
export async function readAnonRootPublications(
  provider: Provider,
  registry: string,
  filter: { attester?: string; root?: string } = {},
): Promise<AnonRootPublication[]> {
  const contract = new Contract(registry, REGISTRY_ABI, provider);
  let logs: EventLog[];
  try {
    const found = await contract.queryFilter(
      contract.filters.AnonRootPublished!(filter.attester ?? null, filter.root ?? null),
    );
    logs = found.filter((l): l is EventLog => "args" in l);
  } catch (cause) {
    throw new AnonError("ANON_REGISTRY_UNREADABLE", `cannot read the published roots of the registry at ${registry}`, {
      cause,
    });
  }
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return logs.map((log) => ({
    root: toBeHex(BigInt(String(log.args.getValue("root"))), 32),
    attester: String(log.args.getValue("attester")),
    validUntil: BigInt(log.args.getValue("validUntil") as bigint),
    leafCount: Number(log.args.getValue("leafCount")),
    blockNumber: log.blockNumber,
  }));
}

/**
 * `anonRoot(root)` of the registry: who published it, when last, until when, and whether it is usable now.
 * @throws AnonError `ANON_REGISTRY_UNREADABLE`.
 */
export async function readAnonRootState(provider: Provider, registry: string, root: string): Promise<AnonRootState> {
  const contract = new Contract(registry, REGISTRY_ABI, provider);
  try {
    const [attester, publishedAt, validUntil, usable] = (await contract.getFunction("anonRoot")(root)) as [
      string,
      bigint,
      bigint,
      boolean,
    ];
    return { attester, publishedAt, validUntil, usable };
  } catch (cause) {
    throw new AnonError("ANON_REGISTRY_UNREADABLE", `cannot read anonRoot(${root}) from the registry at ${registry}`, {
      cause,
    });
  }
}

/** Whether a root state says "never published". */
export function isUnpublished(state: AnonRootState): boolean {
  return state.attester === ZeroAddress;
}
