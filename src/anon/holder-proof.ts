import { getAddress, type Provider } from "ethers";

import { claimNames } from "../claims.js";
import type { AnonArtifacts } from "./anon-artifacts-type.js";
import { AnonError } from "./anon-error.js";
import type { AnonHasher } from "./anon-hasher.js";
import type { AnonHolder } from "./anon-holder.js";
import type { AnonHolderProof } from "./anon-holder-proof.js";
import type { AnonRootPublication } from "./anon-root-publication.js";
import type { AnonRootState } from "./anon-root-state.js";
import type { AnonTree } from "./anon-tree.js";
import { anonCalldata } from "./calldata.js";
import { SNARK_SCALAR_FIELD } from "./field.js";
import { loadAnonHasher } from "./poseidon.js";
import { proveAnon } from "./prove.js";
import { isUnpublished, readAnonRootPublications, readAnonRootState } from "./published-roots.js";
import type { AnonRegistryEvent } from "./registry-event.js";
import { readAnonRegistryEvents } from "./registry-events.js";
import { AnonRegistryLeaves } from "./registry-leaves.js";
import { ANON_ROOT_RING, describeRootRef } from "./root-ring.js";
import { ANON_SIGNAL_BITS, unpackNullifierSignal } from "./signals.js";
import { anonWitnessInput } from "./witness-input.js";

/** What `proveAsHolder` needs: the holder's secret, the consumer's statement, and where the roots are. */
export interface AnonHolderProofRequest {
  readonly provider: Provider;
  readonly registry: string;
  /** The attester (operator) that attested the holder with the opt-in, and publishes the roots. */
  readonly attester: string;
  /** The holder's secret (derived with the card, or from the encrypted backup); never leaves this call. */
  readonly secret: bigint;
  /** The consumer's scope (a field element, e.g. `AnonAgeGatedAirdrop.ANON_SCOPE()`). */
  readonly scope: bigint;
  /** The 160-bit signal (a recipient address as a number, or `signalOfMessage`). */
  readonly signal: bigint;
  /** The claim bits to show (uint32, non-zero). */
  readonly claimsMask: bigint;
  /**
   * A published root (0x-hex bytes32): prove against the attester's latest publication of it whose ref still holds it
   * and is usable. Default: the attester's latest such publication of any root.
   */
  readonly root?: string;
  /** A publication's ref (`AnonRootPublished.ref`): prove against the root the attester published there. */
  readonly rootRef?: bigint;
  /** The circuit's wasm and proving key (`devArtifacts()`, or a ceremony's `artifactsIn(dir)`). */
  readonly artifacts: Pick<AnonArtifacts, "wasm" | "zkey">;
  /**
   * Also try the trees at the ends of this many blocks before the root's publication (the operator may have read
   * the chain a few blocks before its transaction, as `kyc anon check-root` allows). Default 4.
   */
  readonly lookbackBlocks?: number;
}

const UINT32 = 2n ** 32n;
const UINT256 = 2n ** 256n;

/** One version of a leaf the holder's commitment had with this attester (an `AnonLeaf`, or it after a claim drop). */
interface LeafCandidate {
  readonly claims: bigint;
  readonly expiresAt: bigint;
  readonly blockNumber: number;
}

/**
 * The holder side of an anonymous proof, from the chain alone (no operator involved): picks the publication (the
 * attester's latest whose ref still holds its root and is usable now; of the given root, or at the given ref), rebuilds
 * the attester's tree from the registry's events as of that root's publication (as `kyc anon check-root` does, with a
 * small lookback) and checks that Poseidon(treeRoot, validUntil) is the published root, finds the leaf of
 * Poseidon(secret) in it (the latest `AnonLeaf` of this attester carrying the commitment, or that leaf after a claim
 * drop), and proves with snarkjs.
 * @throws AnonError `ANON_BAD_ARGUMENT` (an address, the mask), `ANON_OUT_OF_FIELD`, `ANON_OUT_OF_RANGE`,
 * `ANON_ROOT_UNUSABLE` (the root or ref is unknown, another attester's, overwritten in the ring, past validUntil or
 * closed by the attester's removal, or not the tree of the events; no usable root), `ANON_NOT_A_MEMBER` (no leaf of
 * this secret with this attester, or not in the root's tree: revoked, replaced, added after the publication),
 * `ANON_UNSATISFIABLE` (claims lack a mask bit, the leaf expires by the root's validUntil), `ANON_ARTIFACTS_MISSING`,
 * `ANON_REGISTRY_UNREADABLE`, `ANON_EVENT_ORDER`.
 */
export async function proveAsHolder(o: AnonHolderProofRequest): Promise<AnonHolderProof> {
  const registry = address(o.registry, "registry");
  const attester = address(o.attester, "attester");
  if (o.claimsMask <= 0n || o.claimsMask >= UINT32) {
    throw new AnonError("ANON_OUT_OF_RANGE", "the claims mask must be a non-zero uint32");
  }
  for (const [name, value] of [
    ["secret", o.secret],
    ["scope", o.scope],
  ] as const) {
    if (value < 0n || value >= SNARK_SCALAR_FIELD) {
      throw new AnonError("ANON_OUT_OF_FIELD", `the ${name} is not an element of the BN254 scalar field`);
    }
  }
  if (o.signal < 0n || o.signal >= 1n << ANON_SIGNAL_BITS) {
    throw new AnonError("ANON_OUT_OF_RANGE", "the signal is not a 160-bit value");
  }
  const lookback = o.lookbackBlocks ?? 4;
  const hasher = await loadAnonHasher();
  const commitment = hasher.commitment(o.secret);
  const { chainId } = await o.provider.getNetwork();

  const chosen = await chooseRoot(o.provider, registry, attester, {
    ...(o.root !== undefined ? { root: o.root } : {}),
    ...(o.rootRef !== undefined ? { rootRef: o.rootRef } : {}),
  });
  const root = chosen.root;
  // the tree is looked for at the chosen publication first, then at the root's other publications (the same tree)
  const others = (await readAnonRootPublications(o.provider, registry, { attester, root }))
    .reverse()
    .filter((p) => p.ref !== chosen.ref || p.blockNumber !== chosen.blockNumber);
  const publications = [chosen, ...others];
  const events = await readAnonRegistryEvents(o.provider, registry);
  const candidates = leafCandidates(events, attester, commitment);
  if (candidates.length === 0) {
    throw new AnonError(
      "ANON_NOT_A_MEMBER",
      `no AnonLeaf of attester ${attester} carries your commitment: opt in with \`kyc bind --anonymous\` and have that ` +
        "operator attest the binding",
    );
  }
  const found = treeOfRoot(hasher, events, attester, root, publications, lookback);
  if (found === undefined) {
    throw new AnonError(
      "ANON_ROOT_UNUSABLE",
      `the root ${root} is not Poseidon(tree, validUntil) of attester ${attester}'s tree rebuilt from the registry's ` +
        "events before its publication (see `kyc anon check-root`): refusing to prove against it",
    );
  }
  const { tree, publication } = found;
  const holder = holderIn(hasher, tree, o.secret, commitment, candidates);
  if (holder === undefined) {
    const after = candidates.every((c) => c.blockNumber > found.block);
    throw new AnonError(
      "ANON_NOT_A_MEMBER",
      after
        ? `your leaf was added after the root ${root} was published (block ${publication.blockNumber}): wait for ` +
            "the operator's next root"
        : `your leaf is not in the tree of the root ${root}: the attestation was revoked, replaced or moved before ` +
            "it was published",
    );
  }
  if ((holder.claims & o.claimsMask) !== o.claimsMask) {
    const missing = claimNames(Number(o.claimsMask & ~holder.claims));
    throw new AnonError(
      "ANON_UNSATISFIABLE",
      `your attestation's claims (${claimNames(Number(holder.claims)).join(", ") || "none"}) lack ${missing.join(", ")}`,
    );
  }
  if (holder.expiresAt <= publication.validUntil) {
    throw new AnonError(
      "ANON_UNSATISFIABLE",
      `your attestation expires at ${iso(holder.expiresAt)}, not after the root's validUntil ` +
        `${iso(publication.validUntil)}: prove against a shorter-lived root, or renew the attestation`,
    );
  }
  const statement = {
    treeRoot: tree.root,
    validUntil: publication.validUntil,
    claimsMask: o.claimsMask,
    scope: o.scope,
    signal: o.signal,
  };
  const input = anonWitnessInput(hasher, tree, holder, statement);
  const started = Date.now();
  const proof = await proveAnon(input, o.artifacts);
  const proveMs = Date.now() - started;
  const calldata = anonCalldata(proof);
  if (calldata.root !== root) throw new Error(`the proof's root ${calldata.root} is not ${root}`); // a bug, not input
  return {
    chainId,
    registry,
    attester,
    root,
    rootRef: chosen.ref,
    validUntil: publication.validUntil,
    publishedInBlock: chosen.blockNumber,
    scope: o.scope,
    signal: o.signal,
    claimsMask: o.claimsMask,
    nullifier: unpackNullifierSignal(calldata.nullifierSignal).nullifier,
    proof,
    calldata,
    proveMs,
  };
}

function address(text: string, option: string): string {
  try {
    return getAddress(text);
  } catch {
    throw new AnonError("ANON_BAD_ARGUMENT", `--${option} ${JSON.stringify(text)} is not an address`);
  }
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** How `chooseRoot` found one publication: what the registry holds at its ref now. */
interface Examined {
  readonly publication: AnonRootPublication;
  readonly state: AnonRootState;
}

/** Why the registry's entry at a publication's ref cannot be proved against now (one line). */
function refusalOf({ publication: p, state }: Examined, attester: string): string {
  const where = describeRootRef(p.ref);
  if (state.root !== p.root) {
    return (
      `the root ${p.root} was overwritten in attester ${attester}'s ring of ${ANON_ROOT_RING} (${where} now holds ` +
      `${isUnpublished(state) ? "nothing" : state.root}): prove against a newer root`
    );
  }
  if (state.validUntil === 0n) {
    return `the root ${p.root} at ${where} is unusable: attester ${attester} was removed, which closed its roots`;
  }
  return `the root ${p.root} at ${where} is past its validUntil ${iso(state.validUntil)}: consumers refuse it`;
}

/**
 * The publication to prove against: the latest of `attester`'s publications (of `root`, at `rootRef`, when given)
 * whose ref still holds its root (the ring may have overwritten it) and is usable now (not past validUntil, the
 * attester not removed).
 */
async function chooseRoot(
  provider: Provider,
  registry: string,
  attester: string,
  given: { root?: string; rootRef?: bigint },
): Promise<AnonRootPublication> {
  let root: string | undefined;
  if (given.root !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(given.root)) {
      throw new AnonError("ANON_BAD_ARGUMENT", "--root must be 32 bytes of 0x-hex");
    }
    root = given.root.toLowerCase();
  }
  const ref = given.rootRef;
  if (ref !== undefined && (ref < 0n || ref >= UINT256)) {
    throw new AnonError("ANON_BAD_ARGUMENT", "--root-ref must be a uint256");
  }
  const published = await readAnonRootPublications(provider, registry, { attester, ...(root ? { root } : {}) });
  const candidates = (ref === undefined ? published : published.filter((p) => p.ref === ref)).reverse();
  if (candidates.length === 0) {
    if (ref !== undefined) {
      throw new AnonError(
        "ANON_ROOT_UNUSABLE",
        `attester ${attester} never published ${root !== undefined ? `the root ${root}` : "a root"} at ` +
          `${describeRootRef(ref)} of the registry ${registry}`,
      );
    }
    if (root !== undefined) {
      const other = (await readAnonRootPublications(provider, registry, { root })).at(-1);
      throw new AnonError(
        "ANON_ROOT_UNUSABLE",
        other !== undefined
          ? `the root ${root} was published by ${getAddress(other.attester)}, not by ${attester}`
          : `the root ${root} was never published in the registry ${registry}`,
      );
    }
    throw new AnonError(
      "ANON_ROOT_UNUSABLE",
      `attester ${attester} has no usable root in the registry ${registry} (0 published): ask the operator to ` +
        "publish one (`kyc anon roots --publish`)",
    );
  }
  // Of an attester's publications only the latest ANON_ROOT_RING can still be held: an attester keeps its id (and
  // its ring) for good, so each later one overwrote the entry of the one ANON_ROOT_RING before it. A given root or
  // ref is looked up in full (few publications).
  const examined: Examined[] = [];
  const states = new Map<bigint, AnonRootState>();
  const limit = root === undefined && ref === undefined ? ANON_ROOT_RING : candidates.length;
  for (const publication of candidates.slice(0, limit)) {
    let state = states.get(publication.ref);
    if (state === undefined) {
      state = await readAnonRootState(provider, registry, publication.ref);
      states.set(publication.ref, state);
    }
    if (state.root === publication.root && state.usable) return publication;
    examined.push({ publication, state });
  }
  if (root !== undefined || ref !== undefined) {
    // the latest entry that still holds the root tells more (past validUntil, closed) than an overwritten one
    const held = examined.find((e) => e.state.root === e.publication.root);
    throw new AnonError("ANON_ROOT_UNUSABLE", refusalOf(held ?? examined[0]!, attester));
  }
  const count = (test: (e: Examined) => boolean) => examined.filter(test).length;
  const overwritten = count((e) => e.state.root !== e.publication.root) + candidates.length - examined.length;
  const parts = [
    [overwritten, `overwritten in its ring of ${ANON_ROOT_RING}`],
    [count((e) => e.state.root === e.publication.root && e.state.validUntil !== 0n), "past their validUntil"],
    [count((e) => e.state.root === e.publication.root && e.state.validUntil === 0n), "closed by its removal"],
  ] as const;
  const why = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  throw new AnonError(
    "ANON_ROOT_UNUSABLE",
    `attester ${attester} has no usable root in the registry ${registry} (${candidates.length} published: ` +
      `${why.join(", ")}): ask the operator to publish one (\`kyc anon roots --publish\`)`,
  );
}

/** Every leaf the commitment had with this attester, latest first (an `AnonLeaf`, then its claim drops). */
function leafCandidates(events: readonly AnonRegistryEvent[], attester: string, commitment: bigint): LeafCandidate[] {
  const out: LeafCandidate[] = [];
  const bySubject = new Map<string, LeafCandidate[]>();
  let attested: { subject: string; transactionHash: string } | undefined;
  for (const e of events) {
    const blockNumber = e.blockNumber ?? 0;
    if (e.kind === "attested") {
      attested = { subject: e.subject.toLowerCase(), transactionHash: e.transactionHash.toLowerCase() };
    } else if (e.kind === "anonLeaf") {
      if (e.attester.toLowerCase() !== attester.toLowerCase() || e.commitment !== commitment) continue;
      const c = { claims: e.claims, expiresAt: e.expiresAt, blockNumber };
      out.push(c);
      if (attested !== undefined && attested.transactionHash === e.transactionHash.toLowerCase()) {
        bySubject.set(attested.subject, [c]);
      }
    } else if (e.kind === "claimsDropped") {
      const mine = bySubject.get(e.subject.toLowerCase());
      const last = mine?.at(-1);
      if (mine === undefined || last === undefined) continue;
      const c = { claims: e.claims, expiresAt: last.expiresAt, blockNumber };
      mine.push(c);
      out.push(c);
    }
  }
  return out.reverse();
}

/** The tree of `attester` over the events up to `block`. */
function treeAt(hasher: AnonHasher, events: readonly AnonRegistryEvent[], attester: string, block: number): AnonTree {
  const leaves = new AnonRegistryLeaves(attester);
  for (const e of events) {
    if ((e.blockNumber ?? 0) > block) break;
    leaves.apply(e);
  }
  return leaves.tree(hasher);
}

/**
 * The tree whose Poseidon(treeRoot, validUntil) is `root`, trying each publication of the root (latest first) at its
 * block and up to `lookback` blocks before.
 */
function treeOfRoot(
  hasher: AnonHasher,
  events: readonly AnonRegistryEvent[],
  attester: string,
  root: string,
  publications: readonly AnonRootPublication[],
  lookback: number,
): { tree: AnonTree; publication: AnonRootPublication; block: number } | undefined {
  // a tree changes only at blocks with events: key the (full, path-giving) builds by the last such block
  const eventBlocks = events.map((e) => e.blockNumber ?? 0);
  const lastEventBlock = (block: number) => eventBlocks.filter((b) => b <= block).at(-1) ?? -1;
  const trees = new Map<number, AnonTree>();
  for (const publication of publications) {
    for (let block = publication.blockNumber; block >= Math.max(0, publication.blockNumber - lookback); block--) {
      const key = lastEventBlock(block);
      let tree = trees.get(key);
      if (tree === undefined) {
        tree = treeAt(hasher, events, attester, block);
        trees.set(key, tree);
      }
      if (hasher.publishedRoot(tree.root, publication.validUntil) === BigInt(root)) return { tree, publication, block };
    }
  }
  return undefined;
}

/** The holder's leaf in `tree`: the latest candidate present. */
function holderIn(
  hasher: AnonHasher,
  tree: AnonTree,
  secret: bigint,
  commitment: bigint,
  candidates: readonly LeafCandidate[],
): AnonHolder | undefined {
  for (const c of candidates) {
    if (tree.indexOf(hasher.leaf(commitment, c.claims, c.expiresAt)) >= 0) {
      return { secret, claims: c.claims, expiresAt: c.expiresAt };
    }
  }
  return undefined;
}
