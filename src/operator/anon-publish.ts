import { toBeHex } from "ethers";

import { loadAnonHasher } from "../anon/poseidon.js";
import { readAnonRootPublications, readAnonRootState } from "../anon/published-roots.js";
import { readAnonRegistryEvents } from "../anon/registry-events.js";
import { anonRegistryTreeRoot } from "../anon/registry-tree-root.js";
import type { RegistryClient, TxOutcome } from "../chain/registry-client.js";
import { anonRootRemovesLeaves } from "./anon-removal.js";
import { OperatorError } from "./operator-error.js";

/** How long a published root may be used by default: one day. */
export const DEFAULT_ANON_ROOT_VALIDITY_SECONDS = 86_400;
/** The registry's bound on a root's validity (`MAX_ANON_ROOT_VALIDITY`): seven days. */
export const MAX_ANON_ROOT_VALIDITY_SECONDS = 7 * 86_400;

/** What {@link publishAnonRootIfChanged} did. */
export interface AnonPublishOutcome {
  /** Whether a root was sent. */
  readonly published: boolean;
  /**
   * `changed`: the tree differs from the last published one; `refresh`: same tree, but the last root has at most half
   * of the validity a new publication would get left (or its ring entry no longer holds it); `unchanged`: nothing to
   * do; `empty`: this attester has no anonymous-proof leaf.
   */
  readonly reason: "changed" | "refresh" | "unchanged" | "empty";
  /** The tree root rebuilt from the registry's events. */
  readonly treeRoot: string;
  /** The root the registry holds now for this tree: Poseidon(treeRoot, validUntil) mod 2^176 (absent when empty). */
  readonly root?: string;
  /** Where the registry holds `root` (`AnonRootPublished.ref`): what consumers take as `rootRef` (absent when empty). */
  readonly ref?: bigint;
  readonly validUntil?: number;
  /**
   * The attester's CRL heartbeat deadline (lastCrlSync + maxStaleness, unix seconds) a publication's validUntil may
   * not pass; absent when the registry's maxStaleness is 0 or nothing was sent.
   */
  readonly staleAt?: number;
  /** The number of leaf positions published with it. */
  readonly leafCount: number;
  /**
   * Sent with `replaceAnonRoots`: the new tree removes or changes a leaf of the last published one, so every earlier
   * root of the attester ended with this publication (`AnonRootsClamped`). Absent when nothing was sent.
   */
  readonly replaced?: boolean;
  /** The publication, when one was sent. */
  readonly tx?: TxOutcome;
}

/** The validUntil a publication sent now gets, and what bounds it. */
export interface AnonRootValidity {
  /** The latest block's time (unix seconds). */
  readonly now: bigint;
  /** min(now + validFor, staleAt): the root commits to it. */
  readonly validUntil: bigint;
  /** lastCrlSync(attester) + maxStaleness; undefined when the registry's maxStaleness is 0 (no bound). */
  readonly staleAt?: bigint;
}

/** A publication sent by {@link sendAnonRoot}. */
export interface AnonRootSent {
  readonly root: string;
  readonly ref: bigint;
  readonly validUntil: number;
  readonly staleAt?: number;
  /** Sent with `replaceAnonRoots` (every earlier root of the attester ended), else `publishAnonRoot`. */
  readonly replaced: boolean;
  readonly tx: TxOutcome;
}

/** Checks a `validFor` in seconds (1 s to the registry's 7 days). */
export function checkAnonRootValidity(validFor: number): number {
  if (!Number.isSafeInteger(validFor) || validFor <= 0 || validFor > MAX_ANON_ROOT_VALIDITY_SECONDS) {
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      `a root's validity must be 1 to ${MAX_ANON_ROOT_VALIDITY_SECONDS} seconds (the registry's bound)`,
    );
  }
  return validFor;
}

/**
 * The validUntil of a root `attester` publishes now: the latest block's time + `validFor`, clamped to the attester's
 * CRL heartbeat deadline (`lastCrlSync(attester) + maxStaleness()`, when maxStaleness is not 0), which the registry
 * enforces (`AnonRootOutlivesCrlSync`). Read before the root is computed: the root commits to it.
 * @throws OperatorError `OPERATOR_BAD_INPUT` for a bad `validFor`; `OPERATOR_CRL_STALE` when the deadline is not
 *   after the latest block's time (a root published now would be unusable: run crl-sync first).
 */
export async function anonRootValidity(
  client: RegistryClient,
  attester: string,
  validFor: number,
): Promise<AnonRootValidity> {
  checkAnonRootValidity(validFor);
  const [latest, lastCrlSync, maxStaleness] = await Promise.all([
    client.provider.getBlock("latest"),
    client.lastCrlSync(attester),
    client.read<bigint>("maxStaleness"),
  ]);
  const now = BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000));
  const wanted = now + BigInt(validFor);
  if (maxStaleness === 0n) return { now, validUntil: wanted };
  const staleAt = lastCrlSync + maxStaleness;
  if (staleAt <= now) {
    throw new OperatorError(
      "OPERATOR_CRL_STALE",
      `the CRL heartbeat of ${attester} (${lastCrlSync === 0n ? "never recorded" : iso(lastCrlSync)}) is older than ` +
        `the registry's maxStaleness (${maxStaleness} s) since ${iso(staleAt)}: a root published now could not be ` +
        "used, so none was sent; run kyc crl-sync first",
    );
  }
  return { now, validUntil: wanted < staleAt ? wanted : staleAt, staleAt };
}

/**
 * The operator's duty after anything that changes its anonymous-proof tree (an attestation that opted in, a
 * crl-sync that revoked or dropped claims): rebuild the tree from the registry's events and publish
 * `Poseidon(treeRoot, validUntil)` when it differs from the last root this attester published, or when that root has
 * at most half of the validity a publication now would get left (so holders always find a usable root; a root cut
 * short by a near CRL heartbeat deadline is not republished until a crl-sync moves the deadline). A tree that removes
 * or changes a leaf of the last published one goes out with `replaceAnonRoots`, which ends every earlier root
 * ({@link anonRootRemovesLeaves}). One transaction at most.
 * @throws OperatorError `OPERATOR_CRL_STALE` (nothing sent): the attester's CRL heartbeat is too old.
 */
export async function publishAnonRootIfChanged(
  client: RegistryClient,
  options: { validFor?: number } = {},
): Promise<AnonPublishOutcome> {
  const validFor = checkAnonRootValidity(options.validFor ?? DEFAULT_ANON_ROOT_VALIDITY_SECONDS);
  const attester = await client.signer().getAddress();
  const events = await readAnonRegistryEvents(client.provider, client.address);
  // the root only (hashed on worker threads): no paths are needed here
  const { leaves, treeRoot: root } = await anonRegistryTreeRoot(events, attester);
  const hasher = await loadAnonHasher();
  const treeRoot = toBeHex(root, 32);
  if (leaves.size === 0) return { published: false, reason: "empty", treeRoot, leafCount: 0 };

  // before the root: the root commits to validUntil (and a stale attester sends nothing)
  const validity = await anonRootValidity(client, attester, validFor);
  const last = (await readAnonRootPublications(client.provider, client.address, { attester })).at(-1);
  let reason: AnonPublishOutcome["reason"] = "changed";
  if (last !== undefined && hasher.publishedRoot(root, last.validUntil) === BigInt(last.root)) {
    // the same tree: what its ring entry holds now (validUntil zero once the attester's role was revoked)
    const state = await readAnonRootState(client.provider, client.address, last.ref);
    const left = state.root.toLowerCase() === last.root ? state.validUntil - validity.now : 0n;
    if (left > (validity.validUntil - validity.now) / 2n) {
      return {
        published: false,
        reason: "unchanged",
        treeRoot,
        root: last.root,
        ref: last.ref,
        validUntil: Number(last.validUntil),
        leafCount: leaves.size,
      };
    }
    reason = "refresh";
  }
  // the same tree removes nothing; a changed one may (a revocation, a claim drop, a disabled trust anchor)
  const replace = reason === "changed" && (await anonRootRemovesLeaves(events, attester, last, leaves.leafInputs()));
  const sent = await sendAt(client, root, leaves.size, validity, replace);
  return { published: true, reason, treeRoot, ...sent, leafCount: leaves.size };
}

/**
 * Sends `publishAnonRoot(Poseidon(treeRoot, validUntil), validUntil, leafCount)` (with `replace`:
 * `replaceAnonRoots`, which first ends every earlier root of the signer) with validUntil = the latest block's time +
 * `validFor` seconds (checked: 1 s to 7 days), clamped to the signer's CRL heartbeat deadline
 * ({@link anonRootValidity}); returns the ring entry (`ref`) the registry wrote.
 * @throws OperatorError `OPERATOR_CRL_STALE` (nothing sent): the signer's CRL heartbeat is too old.
 */
export async function sendAnonRoot(
  client: RegistryClient,
  treeRoot: bigint,
  leafCount: number,
  validFor: number,
  options: { replace?: boolean } = {},
): Promise<AnonRootSent> {
  const validity = await anonRootValidity(client, await client.signer().getAddress(), validFor);
  return sendAt(client, treeRoot, leafCount, validity, options.replace === true);
}

async function sendAt(
  client: RegistryClient,
  treeRoot: bigint,
  leafCount: number,
  validity: AnonRootValidity,
  replace: boolean,
): Promise<AnonRootSent> {
  const { validUntil, staleAt } = validity;
  const root = toBeHex((await loadAnonHasher()).publishedRoot(treeRoot, validUntil), 32);
  const fn = replace ? "replaceAnonRoots" : "publishAnonRoot";
  const tx = await client.send(fn, [root, validUntil, leafCount], { pii: [] });
  const event = tx.events.find((e) => e.name === "AnonRootPublished");
  if (event === undefined) {
    throw new OperatorError("OPERATOR_CHECK_FAILED", `${fn} (tx ${tx.hash}) emitted no AnonRootPublished`);
  }
  return {
    root,
    ref: BigInt(event.args.getValue("ref") as bigint),
    validUntil: Number(validUntil),
    ...(staleAt !== undefined ? { staleAt: Number(staleAt) } : {}),
    replaced: replace,
    tx,
  };
}

/** Why an automatic publication sent nothing: the attester's CRL heartbeat is too old. */
export interface AnonPublishRefusal {
  readonly code: "OPERATOR_CRL_STALE";
  readonly message: string;
}

/** What an automatic publication (after `kyc attest` or `kyc crl-sync`) gave: exactly one of the two. */
export interface AnonAutoPublication {
  readonly anonRoot?: AnonPublishOutcome;
  /** No root was sent: the attester must record a CRL heartbeat first. */
  readonly anonRootRefused?: AnonPublishRefusal;
}

/**
 * {@link publishAnonRootIfChanged} after a command whose own work is done (an attestation, a crl-sync): a stale CRL
 * heartbeat is reported in the result (`anonRootRefused`, nothing sent) instead of hiding that work behind an error.
 */
export async function publishAnonRootAfter(
  client: RegistryClient,
  options: { validFor?: number } = {},
): Promise<AnonAutoPublication> {
  try {
    return { anonRoot: await publishAnonRootIfChanged(client, options) };
  } catch (error) {
    if (error instanceof OperatorError && error.code === "OPERATOR_CRL_STALE") {
      return { anonRootRefused: { code: error.code, message: error.message } };
    }
    throw error;
  }
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
