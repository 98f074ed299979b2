import { Contract, ZeroHash, toBeHex, type EventLog, type Provider } from "ethers";

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
    ref: BigInt(log.args.getValue("ref") as bigint),
    validUntil: BigInt(log.args.getValue("validUntil") as bigint),
    leafCount: Number(log.args.getValue("leafCount")),
    blockNumber: log.blockNumber,
  }));
}

/**
 * `anonRootAt(ref)` of the registry: the root held at `ref`, when it was published, until when it may be used, and
 * whether it is usable as of the latest block.
 * @throws AnonError `ANON_REGISTRY_UNREADABLE`.
 */
export async function readAnonRootState(provider: Provider, registry: string, ref: bigint): Promise<AnonRootState> {
  const contract = new Contract(registry, REGISTRY_ABI, provider);
  try {
    const [[root, publishedAt, validUntil], block] = await Promise.all([
      contract.getFunction("anonRootAt")(ref) as Promise<[string, bigint, bigint]>,
      provider.getBlock("latest"),
    ]);
    const now = BigInt(block?.timestamp ?? 0);
    return { root, publishedAt, validUntil, usable: root !== ZeroHash && now <= validUntil };
  } catch (cause) {
    throw new AnonError("ANON_REGISTRY_UNREADABLE", `cannot read anonRootAt(${ref}) from the registry at ${registry}`, {
      cause,
    });
  }
}

/** Whether a root state says "nothing published at this ref". */
export function isUnpublished(state: AnonRootState): boolean {
  return state.root === ZeroHash;
}
