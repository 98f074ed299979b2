/**
 * The demo's anonymous-proof part (issue #10), run by `runDemo` after the attestation flow: holder A opts in at bind
 * time, the operator publishes its tree's root, and holder A proves AGE_20 to `AnonAgeGatedAirdrop` with
 * `kyc anon prove`'s function for a fresh recipient, sent by a fresh address; the same person cannot claim twice,
 * also after re-binding the card to a new wallet; once a new CRL revokes the card, crl-sync publishes a root without
 * the holder's leaf with `replaceAnonRoots`, which ends every earlier root: the holder's proof against the old root is
 * refused at once, and still an hour later.
 *
 * Nothing personal is logged: wallet, contract and recipient addresses, roots, nullifiers, error names, times.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Wallet, toBeHex, toQuantity, type Contract, type Interface, type Signer } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { AnonError } from "../../src/anon/anon-error.js";
import type { AnonHolderProof } from "../../src/anon/anon-holder-proof.js";
import type { AnonProofFile } from "../../src/anon/anon-proof-file.js";
import type { AnonArtifacts } from "../../src/anon/anon-artifacts-type.js";
import { releaseCurve } from "../../src/anon/curve.js";
import { readAnonRootState } from "../../src/anon/published-roots.js";
import { readAnonRegistryEvents } from "../../src/anon/registry-events.js";
import { loadVerificationKey } from "../../src/anon/verification-key-file.js";
import { verifyAnonProofFile } from "../../src/anon/verify-proof-file.js";
import { proveAnonHolder } from "../../src/binding/prove-anon-holder.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { revertData } from "../../src/chain/registry-client.js";
import { Claim } from "../../src/claims.js";
import type { AnonAutoPublication } from "../../src/operator/anon-publish.js";
import { anonRefText } from "../../src/operator/anon-publish-line.js";
import { revokeSelfCommand } from "../../src/operator/commands/admin.js";
import { anonCheckRootCommand, anonRootsCommand } from "../../src/operator/commands/anon.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import type { OperatorContext } from "../../src/operator/commands/context.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { openOperatorStore } from "../../src/operator/store/open-store.js";
import { issueCrl, loadDevPkiManifest } from "../../src/pki/dev-pki/issue-crl.js";
import type { DevPkiHolder } from "../../src/pki/dev-pki/manifest.js";
import { ensureDevArtifacts } from "../zk/dev-setup.js";
import type { AnonIdentifier } from "./privacy-audit.js";

/** What the anonymous part needs from the demo: its chain, actors, files and step log. */
export interface AnonDemoKit {
  readonly connection: NetworkConnection;
  readonly registry: string;
  readonly admin: Signer;
  readonly operator: Signer;
  /** Holder A's current wallet (active, not opted in yet). */
  readonly walletA2: Signer;
  /** Holder A's earlier wallet (revoked by card): also one of the person's subjects. */
  readonly subjectA: string;
  readonly holderA: DevPkiHolder;
  readonly pkiDir: string;
  readonly crlDir: string;
  readonly caDir: string;
  readonly store: string;
  readonly ctx: (signer: Signer) => OperatorContext;
  /** `kyc bind` for holder A's card (with `anon`: `kyc bind --anonymous`); returns the proof request file. */
  readonly bind: (wallet: Signer, subject: string, tag: string, anon: boolean) => Promise<string>;
  readonly begin: (title: string) => void;
  readonly say: (line: string) => void;
  readonly done: () => void;
  readonly record: (what: string, tx: { hash: string; gasUsed: bigint } | undefined) => void;
  readonly fail: (message: string) => Error;
}

/** A refused call: the custom error's name and its rendering. */
export interface AnonRefusal {
  readonly name: string;
  readonly error: string;
}

/** The outcome of the anonymous part. */
export interface AnonDemoResult {
  readonly airdrop: string;
  /** The second airdrop (a new scope) of the revocation step. */
  readonly airdrop2: string;
  /** Holder A's nullifier in the first airdrop's scope. */
  readonly nullifier: string;
  /**
   * The first claim: recipient (a fresh address, the proof's signal), sender (another fresh address), the nullifier
   * the airdrop recorded (`anonNullifierUsed`), the root ref it took and its gas.
   */
  readonly claimed: {
    readonly recipient: string;
    readonly sender: string;
    readonly nullifier: string;
    readonly rootRef: bigint;
    readonly gasUsed: bigint;
  };
  /** The second claim of the same person (same wallet), then after re-binding the card to a new wallet. */
  readonly secondClaim: AnonRefusal;
  readonly afterRebind: AnonRefusal & {
    readonly sameNullifier: boolean;
    readonly rootChanged: boolean;
    readonly rootRefChanged: boolean;
  };
  /**
   * The revoked holder: the prover's refusal against the new root, the airdrop's against the old root (UnusableRoot:
   * the new root ended it; StaleRoot would mean only the airdrop's age bound refused it).
   */
  readonly revoked: {
    readonly proveError: string;
    /** Whether the old root was still accepted (eth_call) right after the revocation, before its age bound. */
    readonly acceptedBeforeBound: boolean;
    /** The refusal (eth_call) right after the revocation: the new root ended the old one (replaceAnonRoots). */
    readonly atOnce: AnonRefusal;
    readonly claim: AnonRefusal;
    /** The ref of the old root the revoked holder's proof took. */
    readonly rootRef: bigint;
  };
  /** Every proof file the holder made (public values only). */
  readonly proofs: readonly AnonProofFile[];
  /** The claim transactions' calldata (successful or refused). */
  readonly claimCalldata: readonly { readonly where: string; readonly hex: string }[];
  /** Holder A's identifiers that must not appear in any proof or claim. */
  readonly identifiers: readonly AnonIdentifier[];
}

/** The airdrop's bound on a root's age (seconds): one hour. */
export const DEMO_MAX_ROOT_AGE = 3600;

/** Runs the anonymous part (seven numbered steps); throws on the first unexpected outcome. */
export async function runAnonDemo(kit: AnonDemoKit): Promise<AnonDemoResult> {
  try {
    return await anonSteps(kit);
  } finally {
    await releaseCurve(); // snarkjs' worker threads would keep the process alive
  }
}

async function anonSteps(kit: AnonDemoKit): Promise<AnonDemoResult> {
  const { connection, registry, admin, operator, ctx, say, record, fail } = kit;
  const { ethers } = connection;
  const provider = ethers.provider;
  const { chainId } = await provider.getNetwork();
  const operatorAddr = await operator.getAddress();
  const A2 = await kit.walletA2.getAddress();
  const cardDir = join(kit.pkiDir, "holders", kit.holderA.id);
  const pin = (JSON.parse(readFileSync(join(kit.pkiDir, kit.holderA.card), "utf8")) as { authPin: string }).authPin;
  const proofs: AnonProofFile[] = [];
  const claimCalldata: { where: string; hex: string }[] = [];
  let artifacts: Pick<AnonArtifacts, "wasm" | "zkey" | "verificationKey">;

  /** A root the operator published: where the registry holds it (`ref`), until when, over which tree. */
  interface Published {
    readonly root: string;
    readonly ref: bigint;
    readonly validUntil: number;
    readonly staleAt?: number;
    readonly tree: string;
    /** sent with replaceAnonRoots: the tree removes a leaf, every earlier root ended */
    readonly replaced: boolean;
  }
  /** The root the operator's last command (`by`) published, else `kyc anon roots --publish`. */
  const publishRoot = async (after: AnonAutoPublication, by: string): Promise<Published> => {
    // attest and crl-sync publish the new root themselves when the tree changed (`anonRoot` in their result)
    if (after.anonRootRefused !== undefined) throw fail(`${by}: ${after.anonRootRefused.message}`);
    const auto = after.anonRoot;
    if (auto?.tx !== undefined && auto.root !== undefined && auto.ref !== undefined && auto.validUntil !== undefined) {
      record(`${auto.replaced === true ? "replaceAnonRoots" : "publishAnonRoot"} (by ${by})`, auto.tx);
      return {
        root: auto.root,
        ref: auto.ref,
        validUntil: auto.validUntil,
        ...(auto.staleAt !== undefined ? { staleAt: auto.staleAt } : {}),
        tree: auto.treeRoot,
        replaced: auto.replaced === true,
      };
    }
    const r = await anonRootsCommand(ctx(operator), { registry, publish: true });
    record(`${r.replaced === true ? "replaceAnonRoots" : "publishAnonRoot"} (kyc anon roots)`, r.publication);
    return {
      root: r.publishedRoot!,
      ref: r.publishedRef!,
      validUntil: r.validUntil!,
      ...(r.staleAt !== undefined ? { staleAt: r.staleAt } : {}),
      tree: r.currentTreeRoot,
      replaced: r.replaced === true,
    };
  };
  const describeRoot = async (p: Published) => {
    const check = await anonCheckRootCommand(ctx(admin), { registry, root: p.root });
    if (!check.matches) throw fail(`kyc anon check-root: ${p.root} does not match the registry's events`);
    if (check.ref !== p.ref || check.status !== "usable") throw fail(`the registry does not hold ${p.root} usable`);
    const bound = p.staleAt !== undefined ? ` (at most the CRL heartbeat's deadline, ${iso(p.staleAt)})` : "";
    say(`root ${p.root} at ref ${anonRefText(p.ref)}, valid until ${iso(p.validUntil)}${bound}`);
    say(`kyc anon check-root (anyone): matches the events; anonRootAt(${p.ref}) holds it, usable`);
  };
  const deployAirdrop = async (what: string): Promise<Contract> => {
    const contract = (await ethers.deployContract(
      "AnonAgeGatedAirdrop",
      [registry, DEMO_MAX_ROOT_AGE],
      admin,
    )) as unknown as Contract;
    const receipt = await contract.deploymentTransaction()!.wait();
    record(what, receipt ?? undefined);
    return contract;
  };
  /** `kyc anon prove` with holder A's card: AGE_20 for `recipient` in the scope of `airdrop`. */
  const prove = async (airdrop: Contract, recipient: string): Promise<AnonHolderProof> => {
    const card = await openCardSigner(`virtual:${cardDir}`);
    try {
      const { file, proof, totalMs } = await proveAnonHolder({
        provider,
        registry,
        attester: operatorAddr,
        secretFrom: { card, askPin: async () => pin },
        scope: (await airdrop.getFunction("ANON_SCOPE")()) as bigint,
        signal: BigInt(recipient),
        signalKind: "address",
        claimsMask: Claim.AGE_20,
        artifacts,
        print: () => {},
      });
      proofs.push(file);
      say(
        `kyc anon prove (AGE_20, recipient ${recipient}): nullifier ${file.nullifier}, root ${short(file.root)} at ` +
          `ref ${proof.rootRef}, proving ${(proof.proveMs / 1000).toFixed(1)} s (${(totalMs / 1000).toFixed(1)} s ` +
          "with the card and the tree)",
      );
      return proof;
    } finally {
      await card.close();
    }
  };
  /** A fresh address with some ether (set on the local chain): it has no history, no KYC, no link to the holder. */
  const freshSender = async (): Promise<Wallet> => {
    const w = Wallet.createRandom().connect(provider);
    await provider.send("hardhat_setBalance", [w.address, toQuantity(10n ** 17n)]);
    return w as unknown as Wallet;
  };
  /** `claim(proof, rootRef, nullifierSignal)`: the root is found at the ref the holder's proof names. */
  const claimArgs = (p: AnonHolderProof) => [p.calldata.proof, p.rootRef, p.calldata.nullifierSignal] as const;
  /** Sends the claim from `sender`; returns the refusal, or undefined when it was mined. */
  type ClaimOutcome =
    { readonly receipt: { hash: string; gasUsed: bigint; logs: unknown[] } } | { readonly refusal: AnonRefusal };
  const claim = async (airdrop: Contract, p: AnonHolderProof, sender: Wallet, what: string): Promise<ClaimOutcome> => {
    const args = claimArgs(p);
    claimCalldata.push({ where: what, hex: airdrop.interface.encodeFunctionData("claim", args) });
    try {
      const tx = (await airdrop.connect(sender).getFunction("claim")(...args)) as {
        wait(): Promise<{ hash: string; gasUsed: bigint; logs: unknown[] } | null>;
      };
      const receipt = await tx.wait();
      record(what, receipt ?? undefined);
      return { receipt: receipt! };
    } catch (error) {
      const refusal = decode(airdrop.interface, error);
      if (refusal === undefined) throw error;
      return { refusal };
    }
  };
  /** The claim as an eth_call: the refusal, or undefined when it would be accepted. */
  const wouldRefuse = async (airdrop: Contract, p: AnonHolderProof, sender: Wallet) => {
    try {
      await airdrop
        .connect(sender)
        .getFunction("claim")
        .staticCall(...claimArgs(p));
      return undefined;
    } catch (error) {
      const refusal = decode(airdrop.interface, error);
      if (refusal === undefined) throw error;
      return refusal;
    }
  };
  const refused = async (airdrop: Contract, p: AnonHolderProof, sender: Wallet, what: string, expected: string) => {
    const r = await claim(airdrop, p, sender, what);
    if (!("refusal" in r) || r.refusal.name !== expected) throw fail(`${what}: expected ${expected}`);
    say(`${what} from fresh address ${sender.address}: reverted with ${r.refusal.error}`);
    return r.refusal;
  };

  // [16] Opt-in (the demo's step numbers).
  kit.begin(
    "Anonymous proofs: holder A opts in (kyc bind --anonymous: the card derives the secret, the binding carries its commitment); the operator attests and publishes its tree's root",
  );
  artifacts = (await ensureDevArtifacts((line) => say(line))).artifacts;
  const optIn = await attestCommand(ctx(operator), {
    request: await kit.bind(kit.walletA2, A2, `${kit.holderA.id}-A2-anon`, true),
    crl: kit.crlDir,
    caDir: kit.caDir,
    registry,
    store: kit.store,
  });
  record("attest (holder A, A2, opt-in)", optIn.tx);
  say("AnonLeaf: commitment = Poseidon(secret), claims and expiry; the secret never leaves the holder's machine");
  const first = await publishRoot(optIn, "kyc attest");
  await describeRoot(first);
  kit.done();

  // [17] The airdrop.
  kit.begin(
    `Deploy AnonAgeGatedAirdrop: scope = (chain, address), claims mask AGE_20, roots at most ${DEMO_MAX_ROOT_AGE / 3600} hour old`,
  );
  const airdrop = await deployAirdrop("deploy AnonAgeGatedAirdrop");
  say(`AnonAgeGatedAirdrop ${await airdrop.getAddress()}, scope ${await airdrop.getFunction("ANON_SCOPE")()}`);
  kit.done();

  // [18] Prove and claim.
  kit.begin("Holder A proves AGE_20 for a FRESH recipient; a fresh, funded address sends the claim");
  const recipient = Wallet.createRandom().address;
  const proof1 = await prove(airdrop, recipient);
  if (proof1.rootRef !== first.ref) throw fail("the proof does not name the ref of the operator's root");
  const verified = await verifyAnonProofFile(proofs.at(-1)!, {
    provider,
    verificationKey: loadVerificationKey(artifacts.verificationKey),
    scope: proof1.scope,
    signal: BigInt(recipient),
    claimsMask: BigInt(Claim.AGE_20),
  });
  say(`kyc anon verify (off chain, the registry's usable roots): valid, nullifier ${verified.signals.nullifier}`);
  const sender = await freshSender();
  const sent = await claim(airdrop, proof1, sender, "AnonAgeGatedAirdrop.claim");
  if (!("receipt" in sent)) throw fail(`the adult's claim was refused: ${sent.refusal.error}`);
  const claimedLog = sent.receipt.logs
    .map((l) => airdrop.interface.parseLog(l as { topics: string[]; data: string }))
    .find((l) => l?.name === "Claimed");
  if (claimedLog === undefined || claimedLog === null) throw fail("the claim emitted no Claimed event");
  const claimed = {
    recipient: String(claimedLog.args.getValue("recipient")),
    sender: sender.address,
    nullifier: proof1.nullifier.toString(),
    rootRef: proof1.rootRef,
    gasUsed: sent.receipt.gasUsed,
  };
  if (claimed.recipient !== recipient) throw fail("the claim paid another recipient than the proof's");
  if ((await airdrop.getFunction("anonNullifierUsed")(proof1.nullifier)) !== true) {
    throw fail("the claim did not record the proof's nullifier");
  }
  say(
    `claim(proof, rootRef ${claimed.rootRef}, nullifierSignal) sent by ${sender.address}: Claimed(recipient ` +
      `${claimed.recipient}); anonNullifierUsed(${claimed.nullifier}) is now true`,
  );
  say(
    `the claim's gas: ${claimed.gasUsed.toLocaleString("en-US")} (${buildProfileText()}; npm run bench:anon ` +
      "measures the production build)",
  );
  kit.done();

  // [19] Once per person.
  kit.begin("The same person claims again for another recipient: refused (NullifierUsed)");
  const proof2 = await prove(airdrop, Wallet.createRandom().address);
  const secondClaim = await refused(airdrop, proof2, await freshSender(), "claim again", "NullifierUsed");
  kit.done();

  // [20] Once per person, across wallets.
  kit.begin(
    "Holder A re-binds the card to a NEW wallet A3 (kyc revoke-self on A2, then kyc bind --anonymous: the same card, the same secret); a new root; claims again: refused",
  );
  record("revokeSelf (A2)", await revokeSelfCommand(ctx(kit.walletA2), { registry }));
  const walletA3 = Wallet.createRandom().connect(provider);
  const rebound = await attestCommand(ctx(operator), {
    request: await kit.bind(walletA3, walletA3.address, `${kit.holderA.id}-A3-anon`, true),
    crl: kit.crlDir,
    caDir: kit.caDir,
    registry,
    store: kit.store,
  });
  record("attest (holder A, A3, opt-in)", rebound.tx);
  say(`wallet A3 ${walletA3.address}: claims ${rebound.claimNames.join(", ")} (same card key, same commitment)`);
  const second = await publishRoot(rebound, "kyc attest");
  if (second.tree === first.tree) {
    say(
      "the same leaf at the same position (commitment, claims, expiry): the same tree, published with a new validUntil",
    );
  }
  await describeRoot(second);
  const proof3 = await prove(airdrop, Wallet.createRandom().address);
  const afterRebind = {
    ...(await refused(airdrop, proof3, await freshSender(), "claim after re-binding", "NullifierUsed")),
    sameNullifier: proof3.nullifier === proof1.nullifier,
    rootChanged: proof3.root !== proof1.root,
    rootRefChanged: proof3.rootRef === second.ref && proof3.rootRef !== proof1.rootRef,
  };
  if (!afterRebind.sameNullifier || !afterRebind.rootChanged || !afterRebind.rootRefChanged) {
    throw fail("re-binding changed the nullifier, or the proof did not use the new root at its ref");
  }
  kit.done();

  // [21] Revocation.
  kit.begin(
    "Revocation: a second airdrop (a new scope) and a proof of holder A; a new CRL lists A's card, crl-sync revokes A3 and publishes a root without A's leaf that ends every earlier root",
  );
  const airdrop2 = await deployAirdrop("deploy AnonAgeGatedAirdrop (round 2)");
  const proof4 = await prove(airdrop2, Wallet.createRandom().address);
  const late = await freshSender();
  const before = await wouldRefuse(airdrop2, proof4, late);
  if (before !== undefined) throw fail(`holder A's proof is refused before the revocation: ${before.error}`);
  say(`round 2 ${await airdrop2.getAddress()}: the proof would be accepted now (eth_call)`);
  const chainNow = Number((await provider.getBlock("latest"))!.timestamp);
  const manifest = loadDevPkiManifest(kit.pkiDir);
  const ca = manifest.cas.find((c) => c.id === kit.holderA.auth.caId);
  const crl = issueCrl({
    dir: kit.pkiDir,
    kind: "auth",
    partition: kit.holderA.partition,
    ...(ca === undefined ? {} : { generation: ca.generation }),
    revoked: [
      { serialHex: kit.holderA.auth.serialHex, reason: "keyCompromise", at: new Date((chainNow - 120) * 1000) },
    ],
    thisUpdate: new Date((chainNow - 60) * 1000),
  });
  say(`CRL number ${crl.crlNumber} lists holder A's authentication certificate`);
  const sync = await crlSyncCommand(ctx(operator), {
    crl: kit.crlDir,
    caDir: kit.caDir,
    registry,
    store: kit.store,
  });
  for (const b of sync.batches) record(`${b.kind} (${b.changed} of ${b.size})`, b);
  record("crl-sync heartbeat", sync.heartbeat);
  const listed = sync.listed.map((l) => l.subject.toLowerCase());
  if (!listed.includes(walletA3.address.toLowerCase())) throw fail("crl-sync did not revoke wallet A3");
  say(`crl-sync revoked ${walletA3.address} and burned the card key`);
  const third = await publishRoot(sync, "crl-sync");
  if (!third.replaced) throw fail("crl-sync's root removes holder A's leaf but left the earlier roots usable");
  say("the new root removes a leaf: crl-sync sent it with replaceAnonRoots, which ended every earlier root");
  await describeRoot(third);
  let proveError = "";
  try {
    await prove(airdrop2, Wallet.createRandom().address);
  } catch (error) {
    if (!(error instanceof AnonError)) throw error;
    proveError = error.code;
    say(`kyc anon prove (latest root): refused [${error.code}] ${error.message.split(":")[0]}`);
  }
  if (proveError !== "ANON_NOT_A_MEMBER") throw fail("the revoked holder could still prove against the new root");
  // the old root is younger than the airdrop's bound: only its end (replaceAnonRoots) shuts the revoked holder out
  const atOnce = await wouldRefuse(airdrop2, proof4, late);
  const acceptedBeforeBound = atOnce === undefined;
  if (atOnce === undefined) throw fail("the proof against the old root is still accepted after the revocation");
  say(
    `the proof made before the revocation (old root at ref ${proof4.rootRef}, younger than the airdrop's bound of ` +
      `${DEMO_MAX_ROOT_AGE} s): refused at once, ${atOnce.error} (eth_call)`,
  );
  kit.done();

  // [22] The old root stays refused.
  kit.begin(
    `An hour later (local chain: evm_increaseTime ${DEMO_MAX_ROOT_AGE + 1} s): the revoked holder sends the claim against the old root: refused`,
  );
  await provider.send("evm_increaseTime", [DEMO_MAX_ROOT_AGE + 1]);
  await provider.send("evm_mine", []);
  // the old root is still at its ref (a ring keeps the last 64 roots): refused past its validUntil (UnusableRoot:
  // ended by the replacement), else past the airdrop's age bound (StaleRoot)
  const old = await readAnonRootState(provider, registry, proof4.rootRef);
  if (old.root.toLowerCase() !== proof4.root.toLowerCase()) throw fail("the old root's ref was overwritten");
  const later = BigInt((await provider.getBlock("latest"))!.timestamp) + 1n;
  const expected = later > old.validUntil ? "UnusableRoot" : "StaleRoot";
  say(
    `anonRootAt(${proof4.rootRef}): the old root, published ${iso(Number(old.publishedAt))}, valid until ` +
      `${iso(Number(old.validUntil))}`,
  );
  const revokedClaim = await refused(airdrop2, proof4, late, "claim by the revoked holder", expected);
  kit.done();

  // The holder's identifiers, for the privacy audit of the proofs and claims.
  const store = await openOperatorStore(kit.store);
  let personTag: string | null | undefined;
  try {
    personTag = (await store.bySubject(chainId, registry, walletA3.address)).at(-1)?.personTag;
  } finally {
    await store.close();
  }
  const leaf = (await readAnonRegistryEvents(provider, registry)).find(
    (e) => e.kind === "anonLeaf" && e.keyNullifier.toLowerCase() === optIn.keyNullifier.toLowerCase(),
  );
  if (personTag == null || leaf === undefined || leaf.kind !== "anonLeaf") {
    throw fail("holder A's person tag or AnonLeaf not found");
  }
  const identifiers: AnonIdentifier[] = [
    ...[kit.subjectA, A2, walletA3.address].map((s, i) => ({ label: `subject A${i === 0 ? "" : i + 1}`, value: s })),
    { label: "key nullifier", value: optIn.keyNullifier },
    { label: "person tag", value: personTag },
    { label: "commitment", value: toBeHex(leaf.commitment, 32) },
  ];
  return {
    airdrop: await airdrop.getAddress(),
    airdrop2: await airdrop2.getAddress(),
    nullifier: proof1.nullifier.toString(),
    claimed,
    secondClaim,
    afterRebind,
    revoked: { proveError, acceptedBeforeBound, atOnce, claim: revokedClaim, rootRef: proof4.rootRef },
    proofs,
    claimCalldata,
    identifiers,
  };
}

/** The build profile of this run's contracts (`hardhat run --build-profile`, else `default`) and its optimizer. */
function buildProfileText(): string {
  const name = hre.globalOptions.buildProfile ?? "default";
  const compiler = hre.config.solidity.profiles[name]?.compilers[0];
  const optimizer = (compiler?.settings as { optimizer?: { enabled?: boolean; runs?: number } } | undefined)?.optimizer;
  const runs = optimizer?.enabled === true ? `optimizer runs ${optimizer.runs ?? 200}` : "optimizer off";
  return `build profile "${name}": solc ${compiler?.version ?? "?"}, ${runs}`;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function short(hex: string): string {
  return `${hex.slice(0, 10)}…${hex.slice(-4)}`;
}

/** The custom error of a reverted call, decoded with the contract's ABI. */
function decode(iface: Interface, error: unknown): AnonRefusal | undefined {
  const data = revertData(error);
  const parsed = data === undefined ? null : iface.parseError(data);
  if (parsed === null) return undefined;
  return { name: parsed.name, error: `${parsed.name}(${parsed.args.map((a) => String(a)).join(", ")})` };
}
