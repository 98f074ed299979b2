import type { Provider } from "ethers";

import { AnonError } from "./anon-error.js";
import type { AnonRootState } from "./anon-root-state.js";
import { isUnpublished, readAnonRootState } from "./published-roots.js";
import { describeRootRef } from "./root-ring.js";

const UINT256 = 2n ** 256n;

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/**
 * The registry's entry at `rootRef`, required to hold `root` and to be usable now, as a consumer contract requires
 * of `claim(proof, rootRef, nullifierSignal)` (`UnknownRoot`, `UnusableRoot`, `StaleRoot`; another root at the ref
 * makes the on-chain pairing check fail). With `maxRootAge` (seconds: the consumer's `ANON_MAX_ROOT_AGE`) a root
 * published longer ago than that is refused too.
 * @throws AnonError `ANON_OUT_OF_RANGE` (rootRef not a uint256), `ANON_WRONG_ROOT` (nothing at the ref, another
 * root there — overwritten in the ring or another entry —, past validUntil, its attester removed, older than
 * maxRootAge), `ANON_REGISTRY_UNREADABLE`.
 */
export async function usableRootAt(
  provider: Provider,
  registry: string,
  rootRef: bigint,
  root: string,
  maxRootAge?: bigint,
): Promise<AnonRootState> {
  if (rootRef < 0n || rootRef >= UINT256) throw new AnonError("ANON_OUT_OF_RANGE", "the rootRef is not a uint256");
  const where = describeRootRef(rootRef);
  const state = await readAnonRootState(provider, registry, rootRef);
  if (isUnpublished(state)) {
    throw new AnonError("ANON_WRONG_ROOT", `nothing is published at ${where} of the registry ${registry}`);
  }
  if (state.root.toLowerCase() !== root.toLowerCase()) {
    throw new AnonError(
      "ANON_WRONG_ROOT",
      `${where} holds the root ${state.root}, not the proof's root ${root.toLowerCase()} (the entry was ` +
        "overwritten in its attester's ring, or the ref names another entry)",
    );
  }
  if (state.validUntil === 0n) {
    throw new AnonError("ANON_WRONG_ROOT", `the root at ${where} is unusable: its attester was removed`);
  }
  if (!state.usable) {
    throw new AnonError("ANON_WRONG_ROOT", `the root at ${where} is past its validUntil ${iso(state.validUntil)}`);
  }
  if (maxRootAge !== undefined) {
    let now: bigint;
    try {
      now = BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);
    } catch (cause) {
      throw new AnonError("ANON_REGISTRY_UNREADABLE", "cannot read the latest block's time", { cause });
    }
    if (state.publishedAt + maxRootAge < now) {
      throw new AnonError(
        "ANON_WRONG_ROOT",
        `the root at ${where} was published at ${iso(state.publishedAt)}, more than ${maxRootAge} s ago (the ` +
          "consumer's age bound)",
      );
    }
  }
  return state;
}
