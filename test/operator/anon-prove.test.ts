// `kyc anon prove` / `kyc anon verify`: a holder who opted in at bind time proves AGE_20 from the chain's events alone
// (no operator involved), the proof claims on AnonAgeGatedAirdrop from a fresh address, and proof.json holds nothing
// that identifies the holder. Refusals: no leaf, a revoked holder once the root without its leaf is published, a root
// that is not usable, a root the events do not give, claims that lack a bit.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, toBeHex, type Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { ensureDevArtifacts } from "../../scripts/zk/dev-setup.js";
import {
  createSecretBackup,
  deriveAnonSecret,
  loadAnonHasher,
  readAnonRegistryEvents,
  releaseCurve,
  writeSecretBackupFile,
  type AnonArtifacts,
} from "../../src/anon/index.js";
import type { AnonProofFile } from "../../src/anon/anon-proof-file.js";
import { calldataOfFile, readAnonProofFile } from "../../src/anon/proof-file.js";
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
    /** The library call, for typed errors. */
    const proveDirect = async (holder: DevPkiHolder, root?: string) => {
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
          print: () => {},
        });
      } finally {
        await card.close();
      }
    };
    return { ...world, hre, airdrop, scope, hasher, secretOf, optIn, publish, prove, verify, proveDirect };
  }

  it("an adult proves AGE_20 for a fresh recipient; a fresh address claims on AnonAgeGatedAirdrop; once per person; verify checks it", async function () {
    const s = await setup();
    const adult = w.holder("adult");
    const attested = await s.optIn(adult);
    const published = await s.publish();

    const proved = await s.prove(adult);
    expect(proved.exitCode, proved.stderr).to.equal(undefined);
    expect(proved.stdout).to.match(/^Card: virtual card/m);
    expect(proved.stdout).to.contain(`against root ${published.publishedRoot} of attester ${s.f.attester.address}`);
    expect(proved.stdout).to.match(/nullifier +\d+ /);
    expect(proved.stdout).to.contain(`valid until ${new Date(published.validUntil! * 1000).toISOString()}`);
    expect(proved.stdout).to.match(/time +\d+\.\d s proving, \d+\.\d s in all/);
    const file: AnonProofFile = readAnonProofFile(proved.out);
    const { chainId } = await s.ethers.provider.getNetwork();
    expect(file).to.include({
      format: "jpki-kyc/anon-proof@1",
      chainId: chainId.toString(),
      registry: s.f.address,
      attester: s.f.attester.address,
      root: published.publishedRoot,
      validUntil: published.validUntil,
      scope: s.scope.toString(),
      signal: BigInt(proved.signal).toString(),
      claimsMask: Claim.AGE_20,
    });
    expect(file.publicSignals).to.have.length(4);
    expect(file.calldata.proof).to.have.length(8);

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

    // on chain: a fresh, funded address sends the claim; the recipient is the proof's signal
    const relayer = Wallet.createRandom().connect(s.ethers.provider);
    await s.networkHelpers.setBalance(relayer.address, 10n ** 18n);
    const c = calldataOfFile(file);
    await expect(s.airdrop.connect(relayer).getFunction("claim")(c.proof, c.root, c.nullifierSignal))
      .to.emit(s.airdrop, "Claimed")
      .withArgs(BigInt(file.nullifier), proved.signal);
    // the same person again, for another recipient: the same nullifier, refused
    const again = await s.prove(w.holder("adult"));
    expect(again.exitCode, again.stderr).to.equal(undefined);
    const second = readAnonProofFile(again.out);
    expect(second.nullifier).to.equal(file.nullifier);
    expect(second.signal).to.not.equal(file.signal);
    const c2 = calldataOfFile(second);
    await expect(s.airdrop.connect(relayer).getFunction("claim")(c2.proof, c2.root, c2.nullifierSignal))
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

    // the first root (which holds the adult's leaf) past its validUntil: not usable, refused before proving
    await s.networkHelpers.time.increaseTo(BigInt(first.validUntil!) + 1n);
    await s.f.registry.connect(s.f.attester).recordCrlSync();
    await rejects(
      s.proveDirect(adult, first.publishedRoot),
      "ANON_ROOT_UNUSABLE",
      /is not usable now \(past its validUntil/,
    );
    const cli = await s.prove(adult, { root: first.publishedRoot });
    expect(cli.stderr).to.match(/^Error \[ANON_ROOT_UNUSABLE\]: the root 0x[0-9a-f]{64} is not usable now/);
    // the default is the latest usable root (the one without the leaf); once it too has expired there is none
    await rejects(s.proveDirect(adult), "ANON_NOT_A_MEMBER", /not in the tree/);
    await s.networkHelpers.time.increaseTo(BigInt(after.validUntil!) + 1n);
    await s.f.registry.connect(s.f.attester).recordCrlSync();
    await rejects(s.proveDirect(adult), "ANON_ROOT_UNUSABLE", /has no usable root in the registry .* published\)/);
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
    writeFileSync(join(tmp, "bad.json"), JSON.stringify({ format: "jpki-kyc/anon-proof@1" }));
    const bad = await s.verify(join(tmp, "bad.json"));
    expect(bad.stderr).to.equal("Error [ANON_PROOF_FILE]: not a jpki-kyc/anon-proof@1 file: chainId is missing\n");
  });
});
