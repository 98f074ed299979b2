import { toBeHex, type Provider } from "ethers";

import { loadAnonHasher } from "../../anon/poseidon.js";
import { readAnonRegistryEvents } from "../../anon/registry-events.js";
import { anonRegistryTreeRoot } from "../../anon/registry-tree-root.js";
import type { AnonRegistryEvent } from "../../anon/registry-event.js";
import type { TxOutcome } from "../../chain/registry-client.js";
import type { AnonRootState } from "../../anon/anon-root-state.js";
import { readAnonRootPublications, readAnonRootState } from "../../anon/published-roots.js";
import {
  checkAnonRootValidity,
  DEFAULT_ANON_ROOT_VALIDITY_SECONDS,
  sendAnonRoot,
  type AnonRootSent,
} from "../anon-publish.js";
import { anonPublicationStatus, type AnonPublicationStatus } from "../anon-publication-status.js";
import { anonRootRemovesLeaves } from "../anon-removal.js";
import { OperatorError } from "../operator-error.js";
import { parseAddress } from "./admin.js";
import { connectRegistry, type OperatorContext } from "./context.js";

/** A root an attester published (`AnonRootPublished`), with what its ref holds now. */
export interface PublishedAnonRoot {
  readonly root: string;
  readonly attester: string;
  /** where the registry put it (attester id << 8 | ring entry): what consumers take as `rootRef` */
  readonly ref: bigint;
  readonly leafCount: number;
  readonly blockNumber: number;
  /** until when proofs against the root may be used (unix seconds), from the event */
  readonly validUntil: number;
  /** the publication's block time (unix seconds) from `anonRootAt(ref)`; null once the ref was overwritten */
  readonly publishedAt: number | null;
  /**
   * the validUntil the ref holds now: the event's, or earlier once a `replaceAnonRoots` (a root that removed leaves)
   * or `clampAnonRoots` ended it, 0 once the attester was removed; null once the ref was overwritten
   */
  readonly validUntilNow: number | null;
  /** what the ref holds now for this publication: usable, expired, closed (attester removed) or overwritten */
  readonly status: AnonPublicationStatus;
  /** `status === "usable"`: the ref holds the root and the latest block is not past its validUntil */
  readonly usable: boolean;
}

/** `kyc anon roots`: the operator's tree rebuilt from events now, and the roots published (optionally publish). */
export interface AnonRootsReport {
  readonly chainId: string;
  readonly registry: string;
  readonly attester: string;
  /** the root of the tree rebuilt from the registry's events up to the latest block */
  readonly currentTreeRoot: string;
  readonly leafCount: number;
  readonly liveLeaves: number;
  readonly published: readonly PublishedAnonRoot[];
  /** the publication sent by `--publish` */
  readonly publication?: TxOutcome;
  /** the root `--publish` published: Poseidon(currentTreeRoot, validUntil) mod 2^176 */
  readonly publishedRoot?: string;
  /** `--publish` used `replaceAnonRoots` (the tree removes or changes a leaf of the last published one) */
  readonly replaced?: boolean;
  /** where the registry put it (consumers take it as `rootRef`) */
  readonly publishedRef?: bigint;
  /** the validUntil `--publish` published with: now + validFor, at most the CRL heartbeat's deadline */
  readonly validUntil?: number;
  /** the attester's CRL heartbeat deadline (lastCrlSync + maxStaleness) at `--publish`; absent without maxStaleness */
  readonly staleAt?: number;
}

/** `kyc anon check-root`: does a published root match the tree anyone rebuilds from the events before it? */
export interface AnonCheckRootReport {
  readonly root: string;
  readonly attester: string;
  readonly publishedInBlock: number;
  /** where the registry put the (latest) publication of the root */
  readonly ref: bigint;
  /** what that ref holds now for it: usable, expired, closed (attester removed) or overwritten */
  readonly status: AnonPublicationStatus;
  readonly matches: boolean;
  /** the last block of the events whose tree has this root (the operator read the chain up to it) */
  readonly matchedAtBlock: number | null;
  /** the tree root rebuilt from the events up to the publication block */
  readonly rebuiltTreeRoot: string;
  /** the published root's validUntil (the root must be Poseidon(treeRoot, validUntil)) */
  readonly validUntil: number;
  readonly seconds: number;
}

const hex32 = (v: bigint) => toBeHex(v, 32);

/** The tree root of `attester` over `events` (those up to `toBlock` when given), hashed on worker threads. */
async function rebuild(events: readonly AnonRegistryEvent[], attester: string, toBlock?: number) {
  const r = await anonRegistryTreeRoot(events, attester, toBlock !== undefined ? { toBlock } : {});
  return { leaves: r.leaves, root: r.treeRoot, live: r.liveLeaves };
}

/** The publications of `attester` (default: every attester), each with what its ref holds now (one read per ref). */
async function publishedRoots(provider: Provider, registry: string, attester?: string): Promise<PublishedAnonRoot[]> {
  const publications = await readAnonRootPublications(provider, registry, attester !== undefined ? { attester } : {});
  const latestAtRef = new Map<bigint, number>();
  publications.forEach((p, i) => latestAtRef.set(p.ref, i));
  const states = new Map<bigint, AnonRootState>();
  for (const ref of latestAtRef.keys()) states.set(ref, await readAnonRootState(provider, registry, ref));
  return publications.map((p, i) => {
    const state = states.get(p.ref)!;
    const status = anonPublicationStatus(p.root, state, latestAtRef.get(p.ref) !== i);
    return {
      root: p.root,
      attester: p.attester,
      ref: p.ref,
      leafCount: p.leafCount,
      blockNumber: p.blockNumber,
      validUntil: Number(p.validUntil),
      publishedAt: status === "overwritten" ? null : Number(state.publishedAt),
      validUntilNow: status === "overwritten" ? null : Number(state.validUntil),
      status,
      usable: status === "usable",
    };
  });
}

/**
 * `kyc anon roots`: rebuilds `attester`'s tree (default: the connected account) from the registry's events, lists
 * the roots it published with their refs and what each ref holds now, and with `publish` sends
 * `publishAnonRoot(Poseidon(treeRoot, validUntil), validUntil, leafCount)` (`replaceAnonRoots` when the tree removes
 * or changes a leaf of the last published one) with validUntil = the latest block's time + `validFor` seconds, at
 * most the attester's CRL heartbeat deadline (refused with `OPERATOR_CRL_STALE`, nothing
 * sent, once that deadline has passed). A holder whose leaf expires before validUntil cannot prove against that root
 * (the circuit checks it), so keep `validFor` short.
 */
export async function anonRootsCommand(
  ctx: OperatorContext,
  args: { registry?: string; attester?: string; publish?: boolean; validFor?: number },
): Promise<AnonRootsReport> {
  const validFor = checkAnonRootValidity(args.validFor ?? DEFAULT_ANON_ROOT_VALIDITY_SECONDS);
  const client = await connectRegistry(args.publish === true ? ctx : { ...ctx, signer: undefined }, args.registry);
  const attester =
    args.attester !== undefined
      ? parseAddress(args.attester, "attester")
      : ctx.signer !== undefined
        ? await ctx.signer.getAddress()
        : parseAddress(undefined, "attester");
  const events = await readAnonRegistryEvents(ctx.provider, client.address);
  const { leaves, root, live } = await rebuild(events, attester);
  let sent: AnonRootSent | undefined;
  if (args.publish === true) {
    if (leaves.size === 0) throw new OperatorError("OPERATOR_CHECK_FAILED", "the tree is empty: nothing to publish");
    // a tree that removes or changes a leaf of the last published one ends every earlier root (replaceAnonRoots)
    const last = (await readAnonRootPublications(ctx.provider, client.address, { attester })).at(-1);
    const replace = await anonRootRemovesLeaves(events, attester, last, leaves.leafInputs());
    sent = await sendAnonRoot(client, root, leaves.size, validFor, { replace });
  }
  return {
    chainId: client.chainId.toString(),
    registry: client.address,
    attester,
    currentTreeRoot: hex32(root),
    leafCount: leaves.size,
    liveLeaves: live,
    published: await publishedRoots(ctx.provider, client.address, attester),
    ...(sent !== undefined
      ? {
          publication: sent.tx,
          publishedRoot: sent.root,
          publishedRef: sent.ref,
          replaced: sent.replaced,
          validUntil: sent.validUntil,
          ...(sent.staleAt !== undefined ? { staleAt: sent.staleAt } : {}),
        }
      : {}),
  };
}

/**
 * `kyc anon check-root`: finds the latest publication of `root` (by its event topic), rebuilds its attester's tree
 * from the registry's events up to that block, and compares; when the operator read the chain a few blocks earlier,
 * the trees at the ends of the `lookbackBlocks` blocks before are tried too. Reports the publication's ref and what
 * that ref holds now.
 */
export async function anonCheckRootCommand(
  ctx: OperatorContext,
  args: { registry?: string; root: string | undefined; lookbackBlocks?: number },
): Promise<AnonCheckRootReport> {
  const started = Date.now();
  if (args.root === undefined || !/^0x[0-9a-fA-F]{64}$/.test(args.root)) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "--root must be 32 bytes of 0x-hex");
  }
  const root = args.root.toLowerCase();
  const client = await connectRegistry({ ...ctx, signer: undefined }, args.registry);
  // the latest publication: a root republished after its leaves changed (a revoked holder kept) must not check
  const publication = (await readAnonRootPublications(ctx.provider, client.address, { root })).at(-1);
  if (publication === undefined) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `the root ${root} was never published in ${client.address}`);
  }
  const state = await readAnonRootState(ctx.provider, client.address, publication.ref);
  const events = await readAnonRegistryEvents(ctx.provider, client.address, { toBlock: publication.blockNumber });
  // the tree first: its workers load their Poseidon while this thread loads its own
  const rebuilt = await rebuild(events, publication.attester, publication.blockNumber);
  const hasher = await loadAnonHasher();
  const validUntil = publication.validUntil;
  const matches = (treeRoot: bigint) => hasher.publishedRoot(treeRoot, validUntil) === BigInt(root);
  let matchedAtBlock: number | null = matches(rebuilt.root) ? publication.blockNumber : null;
  const lookback = args.lookbackBlocks ?? 4;
  for (let b = publication.blockNumber - 1; matchedAtBlock === null && b >= publication.blockNumber - lookback; b--) {
    if (b < 0) break;
    // no event in block b + 1: the tree at the end of b is the one just compared
    if (!events.some((e) => e.blockNumber === b + 1)) continue;
    if (matches((await rebuild(events, publication.attester, b)).root)) matchedAtBlock = b;
  }
  return {
    root,
    attester: publication.attester,
    publishedInBlock: publication.blockNumber,
    ref: publication.ref,
    status: anonPublicationStatus(root, state),
    matches: matchedAtBlock !== null,
    matchedAtBlock,
    rebuiltTreeRoot: hex32(rebuilt.root),
    validUntil: Number(publication.validUntil),
    seconds: (Date.now() - started) / 1000,
  };
}
