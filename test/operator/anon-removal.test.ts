// Which publication must end the earlier roots (replaceAnonRoots): one whose tree removes or changes a leaf of the
// tree the last root was published over. Synthetic events, the tree rules of AnonRegistryLeaves.
import { expect } from "chai";
import { toBeHex } from "ethers";

import type { AnonRootPublication } from "../../src/anon/anon-root-publication.js";
import { loadAnonHasher } from "../../src/anon/poseidon.js";
import type { AnonRegistryEvent } from "../../src/anon/registry-event.js";
import { AnonRegistryLeaves } from "../../src/anon/registry-leaves.js";
import { anonRootRemovesLeaves } from "../../src/operator/anon-removal.js";

const ATTESTER = "0x00000000000000000000000000000000000000a1";
const subject = (n: number) => toBeHex(0x1000 + n, 20);
const key = (n: number) => toBeHex(0x2000 + n, 32);

/** Attested + AnonLeaf of holder `n` (claims 3, one transaction) in `block`. */
function optIn(n: number, block: number, claims = 3n): AnonRegistryEvent[] {
  const tx = toBeHex(block * 1000 + n, 32);
  const base = { attester: ATTESTER, keyNullifier: key(n), transactionHash: tx, blockNumber: block };
  return [
    { kind: "attested", subject: subject(n), caId: 1, ...base },
    { kind: "anonLeaf", commitment: 100n + BigInt(n), claims, expiresAt: 2_000_000_000n, ...base },
  ];
}

const revoked = (n: number, block: number): AnonRegistryEvent => ({
  kind: "revoked",
  subject: subject(n),
  blockNumber: block,
});

describe("operator: does a new root remove leaves of the last published one?", function () {
  this.timeout(60_000);

  /** The publication of the tree at the end of `treeBlock`, mined in `block`. */
  async function publication(events: AnonRegistryEvent[], treeBlock: number, block: number) {
    const hasher = await loadAnonHasher();
    const leaves = new AnonRegistryLeaves(ATTESTER);
    for (const e of events) if ((e.blockNumber ?? 0) <= treeBlock) leaves.apply(e);
    const validUntil = 1_900_000_000n;
    const p: AnonRootPublication = {
      root: toBeHex(hasher.publishedRoot(leaves.tree(hasher).root, validUntil), 32),
      attester: ATTESTER,
      ref: 256n,
      validUntil,
      leafCount: leaves.size,
      blockNumber: block,
    };
    return p;
  }
  function now(events: AnonRegistryEvent[]) {
    const leaves = new AnonRegistryLeaves(ATTESTER);
    for (const e of events) leaves.apply(e);
    return leaves.leafInputs();
  }

  it("no earlier root, or only added leaves: an ordinary publication", async function () {
    const events = [...optIn(1, 10), ...optIn(2, 20)];
    expect(await anonRootRemovesLeaves(events, ATTESTER, undefined, now(events))).to.equal(false);
    const last = await publication(events, 10, 11);
    expect(await anonRootRemovesLeaves(events, ATTESTER, last, now(events))).to.equal(false);
  });

  it("a revoked leaf, a dropped claim or a re-attestation with other values after the last root: replace", async function () {
    const base = [...optIn(1, 10), ...optIn(2, 10)];
    const last = await publication(base, 10, 11);
    const cases: AnonRegistryEvent[][] = [
      [revoked(1, 30)],
      [{ kind: "claimsDropped", subject: subject(2), claims: 1n, blockNumber: 30 }],
      optIn(1, 30, 1n),
      [{ kind: "anchorStatus", caId: 1, enabled: false, blockNumber: 30 }],
    ];
    for (const later of cases) {
      const events = [...base, ...later];
      expect(await anonRootRemovesLeaves(events, ATTESTER, last, now(events)), later[0]!.kind).to.equal(true);
    }
    // a leaf that comes back (its trust anchor enabled again) removes nothing
    const disabled = [...base, { kind: "anchorStatus", caId: 1, enabled: false, blockNumber: 12 } as const];
    const lastDisabled = await publication(disabled, 12, 13);
    const back = [...disabled, { kind: "anchorStatus", caId: 1, enabled: true, blockNumber: 30 } as const];
    expect(await anonRootRemovesLeaves(back, ATTESTER, lastDisabled, now(back))).to.equal(false);
  });

  it("a revocation just before the last root: the tree the root commits to decides; an unknown root: replace", async function () {
    const events = [...optIn(1, 10), ...optIn(2, 10), revoked(1, 14), ...optIn(3, 20)];
    // published in block 15 over the tree read after the revocation: nothing removed since
    expect(await anonRootRemovesLeaves(events, ATTESTER, await publication(events, 14, 15), now(events))).to.equal(
      false,
    );
    // published in block 15 over the tree read before it (block 13): the revoked leaf is in that root
    expect(await anonRootRemovesLeaves(events, ATTESTER, await publication(events, 13, 15), now(events))).to.equal(
      true,
    );
    // a root none of the candidate trees gives: the safe side
    const unknown = { ...(await publication(events, 14, 15)), root: toBeHex(12345n, 32) };
    expect(await anonRootRemovesLeaves(events, ATTESTER, unknown, now(events))).to.equal(true);
    // the candidate trees agree (the revocation is older than the lookback): no hashing needed, nothing removed
    const old = [...optIn(1, 10), ...optIn(2, 10), revoked(1, 11), ...optIn(3, 40)];
    const lastOld = { ...(await publication(old, 20, 30)), root: toBeHex(1n, 32) };
    expect(await anonRootRemovesLeaves(old, ATTESTER, lastOld, now(old))).to.equal(false);
  });
});
