import { getAddress, type Provider } from "ethers";

import { claimNames } from "../claims.js";
import type { AnonArtifacts } from "./anon-artifacts-type.js";
import { AnonError } from "./anon-error.js";
import type { AnonHasher } from "./anon-hasher.js";
import type { AnonHolder } from "./anon-holder.js";
import type { AnonHolderProof } from "./anon-holder-proof.js";
import type { AnonRootPublication } from "./anon-root-publication.js";
import type { AnonTree } from "./anon-tree.js";
import { anonCalldata } from "./calldata.js";
import { SNARK_SCALAR_FIELD } from "./field.js";
import { loadAnonHasher } from "./poseidon.js";
import { proveAnon } from "./prove.js";
import { isUnpublished, readAnonRootPublications, readAnonRootState } from "./published-roots.js";
import type { AnonRegistryEvent } from "./registry-event.js";
import { readAnonRegistryEvents } from "./registry-events.js";
import { AnonRegistryLeaves } from "./registry-leaves.js";
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
  /** A published root (0x-hex bytes32); default: the attester's latest root that is usable now. */
  readonly root?: string;
  /** The circuit's wasm and proving key (`devArtifacts()`, or a ceremony's `artifactsIn(dir)`). */
  readonly artifacts: Pick<AnonArtifacts, "wasm" | "zkey">;
  /**
   * Also try the trees at the ends of this many blocks before the root's publication (the operator may have read
   * the chain a few blocks before its transaction, as `kyc anon check-root` allows). Default 4.
   */
  readonly lookbackBlocks?: number;
}

const UINT32 = 2n ** 32n;

/** One version of a leaf the holder's commitment had with this attester (an `AnonLeaf`, or it after a claim drop). */
interface LeafCandidate {
  readonly claims: bigint;
  readonly expiresAt: bigint;
  readonly blockNumber: number;
}

/**
 * The holder side of an anonymous proof, from the chain alone (no operator involved): picks the root (the given one,
 * or the attester's latest usable root), rebuilds the attester's tree from the registry's events as of that root's
 * publication (as `kyc anon check-root` does, with a small lookback) and checks that Poseidon(treeRoot, validUntil)
 * is the published root, finds the leaf of Poseidon(secret) in it (the latest `AnonLeaf` of this attester carrying
 * the commitment, or that leaf after a claim drop), and proves with snarkjs.
 * @throws AnonError `ANON_BAD_ARGUMENT` (an address, the mask), `ANON_OUT_OF_FIELD`, `ANON_OUT_OF_RANGE`,
 * `ANON_ROOT_UNUSABLE` (the root is unknown, another attester's, not usable now, or not the tree of the events; no
 * usable root), `ANON_NOT_A_MEMBER` (no leaf of this secret with this attester, or not in the root's tree: revoked,
 * replaced, added after the publication), `ANON_UNSATISFIABLE` (claims lack a mask bit, the leaf expires by the
 * root's validUntil), `ANON_ARTIFACTS_MISSING`, `ANON_REGISTRY_UNREADABLE`, `ANON_EVENT_ORDER`.
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

  const root = await chooseRoot(o.provider, registry, attester, o.root);
  const publications = (await readAnonRootPublications(o.provider, registry, { attester, root })).reverse();
  const events = await readAnonRegistryEvents(o.provider, registry);
  const candidates = leafCandidates(events, attester, commitment);
  if (candidates.length === 0) {
    throw new AnonError(
      "ANON_NOT_A_MEMBER",
      `no AnonLeaf of attester ${attester} carries your commitment: opt in with \`kyc bind --anon\` and have that ` +
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
    validUntil: publication.validUntil,
    publishedInBlock: publication.blockNumber,
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

/** The given root if this attester published it and it is usable now; else the attester's latest usable root. */
async function chooseRoot(provider: Provider, registry: string, attester: string, given?: string): Promise<string> {
  if (given !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(given)) {
      throw new AnonError("ANON_BAD_ARGUMENT", "--root must be 32 bytes of 0x-hex");
    }
    const root = given.toLowerCase();
    const state = await readAnonRootState(provider, registry, root);
    if (isUnpublished(state)) {
      throw new AnonError("ANON_ROOT_UNUSABLE", `the root ${root} was never published in the registry ${registry}`);
    }
    if (getAddress(state.attester) !== attester) {
      throw new AnonError("ANON_ROOT_UNUSABLE", `the root ${root} was published by ${state.attester}, not ${attester}`);
    }
    if (!state.usable) {
      throw new AnonError(
        "ANON_ROOT_UNUSABLE",
        `the root ${root} is not usable now (past its validUntil ${iso(state.validUntil)}, or its attester lost ` +
          "its role or let its CRL heartbeat go stale): consumers refuse it",
      );
    }
    return root;
  }
  const published = await readAnonRootPublications(provider, registry, { attester });
  const seen = new Set<string>();
  for (const p of published.reverse()) {
    if (seen.has(p.root)) continue;
    seen.add(p.root);
    if ((await readAnonRootState(provider, registry, p.root)).usable) return p.root;
  }
  throw new AnonError(
    "ANON_ROOT_UNUSABLE",
    `attester ${attester} has no usable root in the registry ${registry} (${published.length} published): ask the ` +
      "operator to publish one (`kyc anon roots --publish`)",
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
