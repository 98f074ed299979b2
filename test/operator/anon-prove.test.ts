// `kyc anon prove` / `kyc anon verify`: a holder who opted in at bind time proves AGE_20 from the chain's events alone
// (no operator involved), the proof claims on AnonAgeGatedAirdrop from a fresh address, and proof.json holds nothing
// that identifies the holder. Refusals: no leaf, a revoked holder once the root without its leaf is published, a root
// that is not usable, a root the events do not give, claims that lack a bit; a root overwritten in the attester's ring
// of 64 is neither chosen nor accepted, and a proof file whose rootRef names another entry is refused.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { Contract, Wallet, toBeHex } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  createSecretBackup,
  deriveAnonSecret,
  loadAnonHasher,
  readAnonRegistryEvents,
  readAnonRootPublications,
  readAnonRootState,
  ANON_ROOT_RING,
  releaseCurve,
  writeSecretBackupFile,
  type AnonArtifacts,
} from "../../src/anon/index.js";
import type { AnonProofFile } from "../../src/anon/anon-proof-file.js";
import { calldataOfFile, readAnonProofFile } from "../../src/anon/proof-file.js";
import { REGISTRY_ABI } from "../../src/chain/registry-abi.js";
import { proveAnonHolder } from "../../src/binding/prove-anon-holder.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Claim } from "../../src/claims.js";
import { anonRootsCommand } from "../../src/operator/commands/anon.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { defaultStorePath } from "../../src/operator/commands/context.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { DevPkiHolder } from "../../src/pki/dev-pki/manifest.js";
import proveAction from "../../tasks/actions/anon/prove.js";
import verifyAction from "../../tasks/actions/anon/verify.js";
import { DAY, Reason } from "../helpers/registry-fixture.js";
import { makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";
import { runAction as run } from "../helpers/run-action.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
const PIN_ENV = "KYC_TEST_ANON_PROVE_PIN";
const PASS_ENV = "KYC_TEST_ANON_PROVE_PASSPHRASE";
const PASSPHRASE = "a long enough backup passphrase";

/** Every way a value can appear in a JSON file: 0x-hex, bare hex (any case), decimal. */
function spellings(value: bigint | string): string[] {
  const n = BigInt(value);
  const hex = n.toString(16);
  return [hex, hex.padStart(64, "0"), n.toString(10)].filter((s) => s.length >= 16);
}

describe("kyc anon prove / verify: the holder proves from the chain's events, the proof file is anonymous", function () {
  this.timeout(300_000);
  let w: DevWorld;
  let tmp: string;
  let artifacts: AnonArtifacts;
  useDevWorld(
    "kyc-anon-prove-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );
  before(async function () {
    this.timeout(20 * 60_000);
    artifacts = (await ensureDevArtifacts()).artifacts;
  });
  after(releaseCurve);
  afterEach(function () {
    delete process.env[PIN_ENV];
    delete process.env[PASS_ENV];
  });

  /** A registry with the world's anchors, an airdrop for adults, and helpers to opt in, publish and prove. */
  async function setup() {
    const world = await operatorWorld(w, tmp);
    const { ethers, f, ctx, base } = world;
    const hre = {
      network: { create: async () => ({ ethers }) },
      config: { paths: { root: tmp } },
      globalOptions: {},
    } as unknown as HardhatRuntimeEnvironment;
    const airdrop = (await ethers.deployContract("AnonAgeGatedAirdrop", [f.address, DAY])) as unknown as Contract;
    const scope = (await airdrop.getFunction("ANON_SCOPE")()) as bigint;
    const cardOf = (holder: DevPkiHolder) => `virtual:${join(w.dir, "holders", holder.id)}`;
    const pinOf = (holder: DevPkiHolder) =>
      (JSON.parse(readFileSync(join(w.dir, holder.card), "utf8")) as { authPin: string }).authPin;
    const secretOf = async (holder: DevPkiHolder) => {
      const card = await openCardSigner(cardOf(holder));
      try {
        return await deriveAnonSecret((digest) => card.sign("auth", digest, pinOf(holder)));
      } finally {
        await card.close();
      }
    };
    const hasher = await loadAnonHasher();
    let n = 0;
    /** The holder binds `wallet` with the opt-in (the card derives the secret) and the operator attests. */
    const optIn = async (holder: DevPkiHolder, wallet = f.alice, anon = true) => {
      const request = join(tmp, `request-${++n}.json`);
      await makeProofRequest(w, ethers.provider, {
        holder,
        registry: f.address,
        wallet,
        attester: f.attester.address,
        disclose: ALL,
        deadline: world.now + 3600n,
        withSign: true,
        out: request,
        ...(anon ? { anonCommitment: toBeHex(hasher.commitment(await secretOf(holder)), 32) } : {}),
      });
      return attestCommand(ctx(), { ...base, request });
    };
    const publish = (validFor?: number) =>
      anonRootsCommand(ctx(), { registry: f.address, publish: true, ...(validFor ? { validFor } : {}) });
    /** `kyc anon prove` as the holder would run it (PIN from the environment). */
    const prove = (holder: DevPkiHolder, extra: Record<string, unknown> = {}) => {
      process.env[PIN_ENV] = pinOf(holder);
      const out = join(tmp, `proof-${++n}.json`);
      const args = {
        scope: scope.toString(),
        signal: Wallet.createRandom().address,
        claims: "AGE_20",
        attester: f.attester.address,
        root: undefined,
        rootRef: undefined,
        card: cardOf(holder),
        pinEnv: PIN_ENV,
        anonBackup: undefined,
        anonBackupPassphraseEnv: undefined,
        artifacts: undefined,
        lookbackBlocks: 4,
        out,
        registry: f.address,
        json: false,
        ...extra,
      };
      return run(proveAction, args as never, hre).then((r) => ({ ...r, out: args.out, signal: args.signal }));
    };
    const verify = (proof: string, extra: Record<string, unknown> = {}) =>
      run(
        verifyAction,
        {
          proof,
          scope: undefined,
          signal: undefined,
          claims: undefined,
          artifacts: undefined,
          registry: undefined,
          json: false,
          ...extra,
        } as never,
        hre,
      );
    /** The ref of the latest publication of `root` by the world's attester. */
    const refOf = async (root: string) =>
      (await readAnonRootPublications(ethers.provider, f.address, { attester: f.attester.address, root })).at(-1)!.ref;
    /** The library call, for typed errors. */
    const proveDirect = async (holder: DevPkiHolder, root?: string, rootRef?: bigint) => {
      const card = await openCardSigner(cardOf(holder));
      try {
        return await proveAnonHolder({
          provider: ethers.provider,
          registry: f.address,
          attester: f.attester.address,
          secretFrom: { card, askPin: async () => pinOf(holder) },
          scope,
          signal: BigInt(Wallet.createRandom().address),
          claimsMask: Claim.AGE_20,
          artifacts,
          ...(root !== undefined ? { root } : {}),
          ...(rootRef !== undefined ? { rootRef } : {}),
          print: () => {},
        });
      } finally {
        await card.close();
      }
    };
    return { ...world, hre, airdrop, scope, hasher, secretOf, optIn, publish, prove, verify, proveDirect, refOf };
  }

  it("an adult proves AGE_20 for a fresh recipient; a fresh address claims on AnonAgeGatedAirdrop; once per person; verify checks it", async function () {
    const s = await setup();
    const adult = w.holder("adult");
    const attested = await s.optIn(adult);
    const published = await s.publish();
    const ref = await s.refOf(published.publishedRoot!);

    const proved = await s.prove(adult);
    expect(proved.exitCode, proved.stderr).to.equal(undefined);
    expect(proved.stdout).to.match(/^Card: virtual card/m);
    expect(proved.stdout).to.contain(
      `against root ${published.publishedRoot} at ref ${ref} of attester ${s.f.attester.address}`,
    );
    expect(proved.stdout).to.match(/nullifier +\d+ /);
    expect(proved.stdout).to.contain(`valid until ${new Date(published.validUntil! * 1000).toISOString()}`);
    expect(proved.stdout).to.match(/time +\d+\.\d s proving, \d+\.\d s in all/);
    const file: AnonProofFile = readAnonProofFile(proved.out);
    const { chainId } = await s.ethers.provider.getNetwork();
    expect(file).to.include({
      format: "jpki-kyc/anon-proof@2",
      chainId: chainId.toString(),
      registry: s.f.address,
      attester: s.f.attester.address,
      root: published.publishedRoot,
      rootRef: ref.toString(),
      validUntil: published.validUntil,
      scope: s.scope.toString(),
      signal: BigInt(proved.signal).toString(),
      claimsMask: Claim.AGE_20,
    });
    expect(file.publicSignals).to.have.length(4);
    expect(file.calldata.proof).to.have.length(8);
    expect(file.calldata.rootRef).to.equal(ref.toString());
    expect(BigInt(published.publishedRoot!) < 2n ** 176n, "the published root is the 176-bit one").to.equal(true);

    // Privacy: nothing in the file (nor on the screen) names the subject, the card key, the person, the commitment
    // or the secret, in any spelling.
    const secret = await s.secretOf(adult);
    const store = OperatorStore.open(defaultStorePath(tmp, chainId));
    const [row] = await store.bySubject(chainId, s.f.address, s.f.alice.address);
    await store.close();
    expect(row?.personTag).to.match(/^0x[0-9a-f]{64}$/);
    const [leaf] = (await readAnonRegistryEvents(s.ethers.provider, s.f.address)).filter((e) => e.kind === "anonLeaf");
    const identifying: Record<string, string[]> = {
      subject: [s.f.alice.address.slice(2).toLowerCase()],
      "key nullifier": spellings(attested.keyNullifier),
      "person tag": spellings(row!.personTag!),
      commitment: spellings(s.hasher.commitment(secret)),
      secret: spellings(secret),
    };
    expect(leaf && leaf.kind === "anonLeaf" && leaf.commitment).to.equal(s.hasher.commitment(secret));
    const text = readFileSync(proved.out, "utf8").toLowerCase();
    const screen = proved.stdout.toLowerCase();
    for (const [what, forms] of Object.entries(identifying)) {
      for (const form of forms) {
        expect(text, `${what} in proof.json`).to.not.contain(form.toLowerCase());
        expect(screen, `${what} on screen`).to.not.contain(form.toLowerCase());
      }
    }
    // (the search is not vacuous: each value is in the operator's row or the registry's event, in these spellings)
    const known = `${row!.subject} ${row!.keyNullifier} ${row!.personTag} ${toBeHex(leaf!.kind === "anonLeaf" ? leaf!.commitment : 0n, 32)}`;
    for (const what of ["subject", "key nullifier", "person tag", "commitment"]) {
      expect(
        identifying[what]!.some((form) => known.toLowerCase().includes(form)),
        what,
      ).to.equal(true);
    }

    // off chain: valid; another signal or claims mask, or an altered file, is invalid (exit 1)
    const ok = await s.verify(proved.out);
    expect([ok.exitCode, ok.stderr]).to.deep.equal([undefined, ""]);
    expect(ok.stdout).to.contain(`${proved.out}: VALID`);
    expect(ok.stdout).to.contain(`nullifier ${file.nullifier}`);
    expect(ok.stdout).to.contain(`root ${published.publishedRoot} at ref ${ref} of attester ${s.f.attester.address}`);
    const otherSignal = await s.verify(proved.out, { signal: Wallet.createRandom().address });
    expect(otherSignal.exitCode).to.equal(1);
    expect(otherSignal.stdout).to.match(/INVALID \[ANON_STATEMENT_MISMATCH\] the proof's signal/);
    const otherClaims = await s.verify(proved.out, { claims: "age18" });
    expect(otherClaims.stdout).to.match(/INVALID \[ANON_STATEMENT_MISMATCH\] the proof's claimsMask/);
    const altered = join(tmp, "altered.json");
    const stolen = ((BigInt(file.calldata.nullifierSignal) >> 160n) << 160n) | BigInt(s.f.stranger.address);
    writeFileSync(
      altered,
      JSON.stringify({
        ...file,
        signal: BigInt(s.f.stranger.address).toString(),
        publicSignals: [stolen.toString(), ...file.publicSignals.slice(1)],
        calldata: { ...file.calldata, nullifierSignal: stolen.toString() },
      }),
    );
    const redirected = await s.verify(altered);
    expect([redirected.exitCode, redirected.stdout]).to.deep.equal([
      1,
      `${altered}: INVALID [ANON_INVALID_PROOF] the proof does not verify against its public signals\n`,
    ]);

    // attacker: a valid proof whose file carries calldata for another recipient (a dApp that sends the file's calldata)
    const swapped = join(tmp, "swapped.json");
    writeFileSync(
      swapped,
      JSON.stringify({ ...file, calldata: { ...file.calldata, nullifierSignal: stolen.toString() } }),
    );
    const swap = await s.verify(swapped);
    expect([swap.exitCode, swap.stdout]).to.deep.equal([
      1,
      `${swapped}: INVALID [ANON_STATEMENT_MISMATCH] the file's calldata.nullifierSignal is not the proof's\n`,
    ]);

    // attacker: the file's rootRef changed to another entry (the operator's next root) is refused off chain; on chain
    // the consumer reads that entry's root, which the proof is not against
    const next = await s.publish();
    const nextRef = await s.refOf(next.publishedRoot!);
    expect(nextRef).to.not.equal(ref);
    const moved = join(tmp, "moved.json");
    const at = (r: bigint) => ({
      ...file,
      rootRef: r.toString(),
      calldata: { ...file.calldata, rootRef: r.toString() },
    });
    writeFileSync(moved, JSON.stringify(at(nextRef)));
    const movedVerdict = await s.verify(moved);
    expect([movedVerdict.exitCode, movedVerdict.stdout]).to.deep.equal([
      1,
      `${moved}: INVALID [ANON_WRONG_ROOT] ref ${nextRef} (attester #${nextRef >> 8n}, entry ${nextRef & 0xffn}) holds ` +
        `the root ${next.publishedRoot}, not the proof's root ${published.publishedRoot} (the entry was overwritten in ` +
        "its attester's ring, or the ref names another entry)\n",
    ]);
    // an entry nothing was published at (the ring has 64 entries: entry 255 is never written)
    const nowhere = join(tmp, "nowhere.json");
    writeFileSync(nowhere, JSON.stringify(at(ref | 0xffn)));
    const nowhereVerdict = await s.verify(nowhere);
    expect(nowhereVerdict.exitCode).to.equal(1);
    expect(nowhereVerdict.stdout).to.contain(`INVALID [ANON_WRONG_ROOT] nothing is published at ref ${ref | 0xffn}`);
    // one of the two refs changed: the file disagrees with itself
    const half = join(tmp, "half.json");
    writeFileSync(half, JSON.stringify({ ...file, rootRef: nextRef.toString() }));
    expect((await s.verify(half)).stdout).to.equal(
      `${half}: INVALID [ANON_STATEMENT_MISMATCH] the file's calldata.rootRef is not its rootRef\n`,
    );
    // the file names another attester than the one whose entry holds the root
    const foreign = join(tmp, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ ...file, attester: s.f.attester2.address }));
    expect((await s.verify(foreign)).stdout).to.equal(
      `${foreign}: INVALID [ANON_WRONG_ROOT] attester ${s.f.attester2.address} never published the proof's root at ` +
        `ref ${ref} (attester #${ref >> 8n}, entry ${ref & 0xffn}): the file names another attester than the root's\n`,
    );

    // on chain: a fresh, funded address sends the claim; the recipient is the proof's signal
    const relayer = Wallet.createRandom().connect(s.ethers.provider);
    await s.networkHelpers.setBalance(relayer.address, 10n ** 18n);
    const c = calldataOfFile(file);
    await expect(
      s.airdrop.connect(relayer).getFunction("claim")(c.proof, nextRef, c.nullifierSignal),
    ).to.be.revertedWithCustomError(s.airdrop, "InvalidAnonProof");
    expect(c.rootRef).to.equal(ref);
    await expect(s.airdrop.connect(relayer).getFunction("claim")(c.proof, c.rootRef, c.nullifierSignal))
      .to.emit(s.airdrop, "Claimed")
      .withArgs(proved.signal);
    expect(await s.airdrop.getFunction("anonNullifierUsed")(BigInt(file.nullifier))).to.equal(true);
    // the same person again, for another recipient: the same nullifier, refused
    const again = await s.prove(w.holder("adult"));
    expect(again.exitCode, again.stderr).to.equal(undefined);
    const second = readAnonProofFile(again.out);
    expect(second.nullifier).to.equal(file.nullifier);
    expect(second.signal).to.not.equal(file.signal);
    const c2 = calldataOfFile(second);
    await expect(s.airdrop.connect(relayer).getFunction("claim")(c2.proof, c2.rootRef, c2.nullifierSignal))
      .to.be.revertedWithCustomError(s.airdrop, "NullifierUsed")
      .withArgs(BigInt(file.nullifier));
    // the secret from the encrypted backup (a renewed card) gives the same nullifier
    const backup = join(tmp, "anon-secret.json");
    writeSecretBackupFile(backup, await createSecretBackup(secret, PASSPHRASE, s.hasher));
    process.env[PASS_ENV] = PASSPHRASE;
    const restored = await s.prove(adult, {
      card: "virtual:/nonexistent",
      anonBackup: backup,
      anonBackupPassphraseEnv: PASS_ENV,
    });
    expect(restored.exitCode, restored.stderr).to.equal(undefined);
    expect(restored.stdout).to.contain(`Anonymous-proof secret: from the backup ${backup}`);
    expect(readAnonProofFile(restored.out).nullifier).to.equal(file.nullifier);
    // an existing output file is never overwritten (checked before the card is asked)
    const clash = await s.prove(adult, { out: proved.out });
    expect(clash.stderr).to.equal(`Error [ANON_PROOF_FILE]: ${proved.out} exists: choose another file\n`);

    // the attester is removed: its ring is closed, the file is refused and its root is not proved against
    await s.f.registry.connect(s.f.admin).revokeRole(await s.f.registry.ATTESTER_ROLE(), s.f.attester.address);
    const closed = await s.verify(proved.out);
    expect([closed.exitCode, closed.stdout]).to.deep.equal([
      1,
      `${proved.out}: INVALID [ANON_WRONG_ROOT] the root at ref ${ref} (attester #${ref >> 8n}, entry ${ref & 0xffn}) ` +
        "is unusable: its attester was removed\n",
    ]);
    await rejects(
      s.proveDirect(adult, published.publishedRoot),
      "ANON_ROOT_UNUSABLE",
      new RegExp(`at ref ${ref} .* is unusable: attester ${s.f.attester.address} was removed, which closed its roots$`),
    );
    await rejects(s.proveDirect(adult), "ANON_ROOT_UNUSABLE", /\(\d+ published: \d+ closed by its removal\)/);
  });

  it("refuses with typed errors: no leaf, claims lacking a bit, a revoked holder once the new root is out, unusable and unknown roots", async function () {
    const s = await setup();
    const adult = w.holder("adult");
    const minor = w.holder("age-19");
    // nobody opted in yet: no root at all
    await s.optIn(adult, s.f.alice, false);
    await rejects(s.proveDirect(adult), "ANON_ROOT_UNUSABLE", /has no usable root .*\(0 published\)/);
    // the adult opts in, the 19-year-old opts in too (claims without AGE_20); a root is published
    await s.optIn(adult, s.f.alice);
    await s.optIn(minor, s.f.bob);
    const first = await s.publish();
    // a card that never opted in with this attester
    await rejects(
      s.proveDirect(w.holder("age-17")),
      "ANON_NOT_A_MEMBER",
      /no AnonLeaf of attester .* carries your commitment/,
    );
    await rejects(s.proveDirect(minor), "ANON_UNSATISFIABLE", /claims \(auth, identity, age18\) lack age20/);
    const minorCli = await s.prove(minor);
    expect(minorCli.exitCode).to.equal(2);
    expect(minorCli.stderr).to.match(/^Error \[ANON_UNSATISFIABLE\]/);

    // the adult is revoked; once the operator publishes the next root, the default (latest) root has no leaf
    await s.f.registry.connect(s.f.attester).revoke(s.f.alice.address, Reason.Operator);
    const after = await s.publish();
    expect(after.publishedRoot).to.not.equal(first.publishedRoot);
    await rejects(s.proveDirect(adult), "ANON_NOT_A_MEMBER", /your leaf is not in the tree of the root .*revoked/);
    await rejects(s.proveDirect(adult, after.publishedRoot), "ANON_NOT_A_MEMBER", /not in the tree/);

    // roots: never published, published by another attester's key is not ours, published but not the events' tree
    await rejects(s.proveDirect(adult, toBeHex(12345n, 32)), "ANON_ROOT_UNUSABLE", /was never published/);
    const validUntil = BigInt((await s.ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const forged = toBeHex(s.hasher.publishedRoot(777n, validUntil), 32);
    await s.f.registry.connect(s.f.attester).publishAnonRoot(forged, validUntil, 3);
    await rejects(s.proveDirect(adult, forged), "ANON_ROOT_UNUSABLE", /is not Poseidon\(tree, validUntil\)/);
    // the same root published by another attester is not this attester's root
    const copied = toBeHex(s.hasher.publishedRoot(778n, validUntil), 32);
    await s.f.registry.connect(s.f.attester2).publishAnonRoot(copied, validUntil, 3);
    await rejects(
      s.proveDirect(adult, copied),
      "ANON_ROOT_UNUSABLE",
      new RegExp(`was published by ${s.f.attester2.address}, not by ${s.f.attester.address}`),
    );
    // a ref: the root the attester published there (the one without the leaf), none where it published nothing
    await rejects(s.proveDirect(adult, undefined, await s.refOf(after.publishedRoot!)), "ANON_NOT_A_MEMBER", /revoked/);
    await rejects(
      s.proveDirect(adult, undefined, 0xff00n),
      "ANON_ROOT_UNUSABLE",
      /never published a root at ref 65280 \(attester #255, entry 0\)/,
    );

    // the first root (which holds the adult's leaf) past its validUntil: not usable, refused before proving
    await s.networkHelpers.time.increaseTo(BigInt(first.validUntil!) + 1n);
    await s.f.registry.connect(s.f.attester).recordCrlSync();
    const firstRef = await s.refOf(first.publishedRoot!);
    await rejects(
      s.proveDirect(adult, first.publishedRoot),
      "ANON_ROOT_UNUSABLE",
      new RegExp(`at ref ${firstRef} \\(attester #1, entry \\d+\\) is past its validUntil .*: consumers refuse it$`),
    );
    const cli = await s.prove(adult, { root: first.publishedRoot });
    expect(cli.stderr).to.match(
      /^Error \[ANON_ROOT_UNUSABLE\]: the root 0x[0-9a-f]{64} at ref \d+ .* is past its validUntil/,
    );
    const byRef = await s.prove(adult, { rootRef: firstRef.toString() });
    expect(byRef.stderr).to.match(
      /^Error \[ANON_ROOT_UNUSABLE\]: the root 0x[0-9a-f]{64} at ref \d+ .* is past its validUntil/,
    );
    // the default is the latest usable root (the one without the leaf); once it too has expired there is none
    await rejects(s.proveDirect(adult), "ANON_NOT_A_MEMBER", /not in the tree/);
    await s.networkHelpers.time.increaseTo(BigInt(after.validUntil!) + 1n);
    await s.f.registry.connect(s.f.attester).recordCrlSync();
    // (every publication of the attester: the operator's own after each opt-in, first, after, forged)
    const n = (await readAnonRootPublications(s.ethers.provider, s.f.address, { attester: s.f.attester.address }))
      .length;
    await rejects(
      s.proveDirect(adult),
      "ANON_ROOT_UNUSABLE",
      new RegExp(
        `has no usable root in the registry ${s.f.address} \\(${n} published: ${n} past their validUntil\\): ask`,
      ),
    );
  });

  it("a root overwritten in the attester's ring of 64 is neither chosen nor proved against, and its proof file is refused", async function () {
    const s = await setup();
    const adult = w.holder("adult");
    await s.optIn(adult);
    const published = await s.publish();
    const ref = await s.refOf(published.publishedRoot!);
    const proved = await s.prove(adult);
    expect(proved.exitCode, proved.stderr).to.equal(undefined);
    const file = readAnonProofFile(proved.out);
    expect(file.rootRef).to.equal(ref.toString());
    expect((await s.verify(proved.out)).exitCode).to.equal(undefined);

    // 64 more roots (trees of nobody, usable ten minutes): the ring's 64 entries are all rewritten, `published`'s too
    const ring = (await new Contract(s.f.address, REGISTRY_ABI, s.ethers.provider).getFunction(
      "ANON_ROOT_RING",
    )()) as bigint;
    expect(ring).to.equal(BigInt(ANON_ROOT_RING));
    const shortUntil = BigInt((await s.ethers.provider.getBlock("latest"))!.timestamp + 600);
    const forged = Array.from({ length: ANON_ROOT_RING }, (_, i) =>
      toBeHex(s.hasher.publishedRoot(5000n + BigInt(i), shortUntil), 32),
    );
    for (const root of forged) await s.f.registry.connect(s.f.attester).publishAnonRoot(root, shortUntil, 1);
    const now = await readAnonRootState(s.ethers.provider, s.f.address, ref);
    expect(now.root).to.not.equal(published.publishedRoot);
    expect(forged).to.include(now.root);

    // the file is refused off chain (exit 1) and its claim fails on chain: the consumer reads another root at its ref
    const stale = await s.verify(proved.out);
    expect([stale.exitCode, stale.stdout]).to.deep.equal([
      1,
      `${proved.out}: INVALID [ANON_WRONG_ROOT] ref ${ref} (attester #${ref >> 8n}, entry ${ref & 0xffn}) holds the ` +
        `root ${now.root}, not the proof's root ${published.publishedRoot} (the entry was overwritten in its ` +
        "attester's ring, or the ref names another entry)\n",
    ]);
    const c = calldataOfFile(file);
    await expect(
      s.airdrop.connect(s.f.stranger).getFunction("claim")(c.proof, c.rootRef, c.nullifierSignal),
    ).to.be.revertedWithCustomError(s.airdrop, "InvalidAnonProof");
    // the overwritten root, asked for by name, is refused with the reason (before any proving)
    await rejects(
      s.proveDirect(adult, published.publishedRoot),
      "ANON_ROOT_UNUSABLE",
      new RegExp(
        `^the root ${published.publishedRoot} was overwritten in attester ${s.f.attester.address}'s ring of 64 ` +
          `\\(ref ${ref} .*\\) now holds ${now.root}\\): prove against a newer root$`,
      ),
    );
    const cli = await s.prove(adult, { root: published.publishedRoot });
    expect([cli.exitCode, cli.stderr.split(":")[0]]).to.deep.equal([2, "Error [ANON_ROOT_UNUSABLE]"]);
    expect(cli.stderr).to.contain("was overwritten in attester");
    // its ref now holds a root the events do not give
    await rejects(s.proveDirect(adult, undefined, ref), "ANON_ROOT_UNUSABLE", /is not Poseidon\(tree, validUntil\)/);

    // once the 64 newer roots are past their validUntil, the default does not fall back to the overwritten root,
    // although by its validUntil alone it would still be usable
    await s.networkHelpers.time.increase(700);
    expect((await s.ethers.provider.getBlock("latest"))!.timestamp).to.be.below(published.validUntil!);
    const n = (await readAnonRootPublications(s.ethers.provider, s.f.address, { attester: s.f.attester.address }))
      .length;
    expect(n).to.be.greaterThan(ANON_ROOT_RING);
    await rejects(
      s.proveDirect(adult),
      "ANON_ROOT_UNUSABLE",
      new RegExp(
        `has no usable root in the registry ${s.f.address} \\(${n} published: ${n - ANON_ROOT_RING} overwritten in ` +
          `its ring of 64, ${ANON_ROOT_RING} past their validUntil\\): ask the operator to publish one`,
      ),
    );
    // the operator's next root is chosen again
    const fresh = await s.publish();
    const again = await s.prove(adult);
    expect(again.exitCode, again.stderr).to.equal(undefined);
    expect(readAnonProofFile(again.out)).to.include({
      root: fresh.publishedRoot,
      rootRef: (await s.refOf(fresh.publishedRoot!)).toString(),
    });
  });

  it("refuses bad arguments before the card is asked", async function () {
    const s = await setup();
    const adult = w.holder("adult");
    const cases: [Record<string, unknown>, string][] = [
      [{ out: undefined }, "Error [ANON_BAD_ARGUMENT]: --out <proof.json> is required\n"],
      [
        { scope: "twelve" },
        "Error [ANON_BAD_ARGUMENT]: --scope must be a decimal or 0x-hex number (the consumer's ANON_SCOPE)\n",
      ],
      [
        { scope: (2n ** 254n).toString() },
        "Error [ANON_OUT_OF_FIELD]: --scope is not an element of the BN254 scalar field\n",
      ],
      [
        { signal: "0x1234" },
        "Error [ANON_BAD_ARGUMENT]: --signal 0x1234 starts with 0x but is not an address (20 bytes)\n",
      ],
      [{ claims: "age21" }, 'Error [ANON_BAD_ARGUMENT]: unknown claim "age21" (known: auth, identity, age18, age20)\n'],
      [{ attester: "operator" }, "Error [ANON_BAD_ARGUMENT]: --attester must be an address (0x, 20 bytes)\n"],
      [{ root: "0x12" }, "Error [ANON_BAD_ARGUMENT]: --root must be 32 bytes of 0x-hex\n"],
      [
        { rootRef: "-1" },
        "Error [ANON_BAD_ARGUMENT]: --root-ref must be a decimal or 0x-hex uint256 (AnonRootPublished.ref)\n",
      ],
      [
        { rootRef: (2n ** 256n).toString() },
        "Error [ANON_BAD_ARGUMENT]: --root-ref must be a decimal or 0x-hex uint256 (AnonRootPublished.ref)\n",
      ],
      [
        { card: "virtual:/nonexistent", pinEnv: undefined, claims: "" },
        "Error [ANON_BAD_ARGUMENT]: --claims needs at least one claim name, e.g. age20\n",
      ],
    ];
    for (const [extra, stderr] of cases) {
      const r = await s.prove(adult, extra);
      expect([r.exitCode, r.stderr], JSON.stringify(extra)).to.deep.equal([2, stderr]);
    }
    const missing = await s.verify(join(tmp, "none.json"));
    expect([missing.exitCode, missing.stderr]).to.deep.equal([
      2,
      `Error [ANON_PROOF_FILE]: cannot read ${join(tmp, "none.json")}\n`,
    ]);
    writeFileSync(join(tmp, "bad.json"), JSON.stringify({ format: "jpki-kyc/anon-proof@2" }));
    const bad = await s.verify(join(tmp, "bad.json"));
    expect(bad.stderr).to.equal("Error [ANON_PROOF_FILE]: not a jpki-kyc/anon-proof@2 file: chainId is missing\n");
    // a file of the earlier format (the 254-bit root, claim(proof, root, nullifierSignal)) is not taken for this one
    writeFileSync(join(tmp, "v1.json"), JSON.stringify({ format: "jpki-kyc/anon-proof@1" }));
    const v1 = await s.verify(join(tmp, "v1.json"));
    expect(v1.stderr).to.equal(
      'Error [ANON_PROOF_FILE]: not a jpki-kyc/anon-proof@2 file: format is "jpki-kyc/anon-proof@1"\n',
    );
  });
});
