// Recovering the anonymous-proof secret at identity level: the holder opts in with card A and backs the secret up
// (`kyc anon backup`); after a card renewal (card B: the same person, a new key) the secret card B derives is refused
// by the operator's commitment lock, and the backup (`kyc bind --anonymous --anon-backup`) restores the first commitment.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { deriveAnonSecret, loadAnonHasher, readAnonRegistryEvents } from "../../src/anon/index.js";
import { readProofRequest } from "../../src/binding/proof-request-file.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Claim } from "../../src/claims.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import backupAction from "../../tasks/actions/anon/backup.js";
import bindAction from "../../tasks/actions/card/bind.js";
import { operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";
import { runAction as run } from "../helpers/run-action.js";
import { renewedCard } from "./helpers/renewed-card.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
const ENV = { pin: "KYC_TEST_BACKUP_PIN", sign: "KYC_TEST_BACKUP_SIGN", pass: "KYC_TEST_BACKUP_PASSPHRASE" };
const PASSPHRASE = "renewal-proof passphrase 合言葉";

/** Flips the low bit of the first byte of a hex string. */
function flipFirstByte(hex: string): string {
  return (parseInt(hex.slice(0, 2), 16) ^ 1).toString(16).padStart(2, "0") + hex.slice(2);
}

describe("kyc anon backup: the anonymous-proof secret survives a card renewal (identity level)", function () {
  this.timeout(300_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-anon-backup-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );
  afterEach(function () {
    for (const name of Object.values(ENV)) delete process.env[name];
  });

  it("card A opts in and backs up; renewed card B: its own secret is refused by the person lock, the backup restores the first commitment", async function () {
    const { ethers, f, ctx, base } = await operatorWorld(w, tmp);
    const hre = { network: { create: async () => ({ ethers }) } } as unknown as HardhatRuntimeEnvironment;
    const adult = w.holder("adult");
    const pins = JSON.parse(readFileSync(join(w.dir, adult.card), "utf8")) as { authPin: string; signPassword: string };
    process.env[ENV.pin] = pins.authPin;
    process.env[ENV.sign] = pins.signPassword;
    process.env[ENV.pass] = PASSPHRASE;
    const cardA = join(w.dir, "holders", adult.id);
    const cardB = renewedCard(w, adult);
    const hasher = await loadAnonHasher();
    const derived = async (folder: string) => {
      const card = await openCardSigner(`virtual:${folder}`);
      try {
        return await deriveAnonSecret((digest) => card.sign("auth", digest, pins.authPin));
      } finally {
        await card.close();
      }
    };
    const commitmentA = hasher.commitment(await derived(cardA));
    const commitmentB = hasher.commitment(await derived(cardB));
    expect(commitmentB, "a renewed card derives another secret").to.not.equal(commitmentA);

    let n = 0;
    const bind = (card: string, extra: Record<string, unknown> = {}) => {
      const out = join(tmp, `request-${++n}.json`);
      return run(
        bindAction,
        {
          registry: f.address,
          subject: f.alice.address,
          attester: f.attester.address,
          disclose: "identity,age18,age20",
          card: `virtual:${card}`,
          withSignCert: true,
          anonymous: true,
          anonBackup: undefined,
          anonBackupPassphraseEnv: undefined,
          out,
          deadlineMinutes: 60,
          pinEnv: ENV.pin,
          signPasswordEnv: ENV.sign,
          ...extra,
        } as never,
        hre,
      ).then((r) => ({ ...r, out }));
    };
    const leaves = async () =>
      (await readAnonRegistryEvents(ethers.provider, f.address)).flatMap((e) => (e.kind === "anonLeaf" ? [e] : []));

    // 1. Card A opts in at identity level: the registry emits its leaf with card A's commitment.
    const boundA = await bind(cardA);
    expect(boundA.exitCode, boundA.stderr).to.equal(undefined);
    const first = await attestCommand(ctx(), { ...base, request: boundA.out });
    expect([first.identity, first.claims]).to.deep.equal([true, ALL]);
    const [leafA] = await leaves();
    expect(leafA).to.include({ keyNullifier: first.keyNullifier, commitment: commitmentA });

    // 2. The holder backs the secret up with card A (`kyc anon backup`).
    const backup = join(tmp, "anon-secret.json");
    const args = { out: backup, card: `virtual:${cardA}`, pinEnv: ENV.pin, passphraseEnv: ENV.pass };
    const made = await run(backupAction, args, hre);
    expect(made.exitCode, made.stderr).to.equal(undefined);
    expect(statSync(backup).mode & 0o777).to.equal(0o600);
    const commitmentHex = "0x" + commitmentA.toString(16).padStart(64, "0");
    expect(made.stdout).to.contain(`Commitment: ${commitmentHex}`);
    expect(JSON.parse(readFileSync(backup, "utf8"))).to.include({ commitment: commitmentHex });
    // never overwritten; a weak passphrase is refused
    const again = await run(backupAction, args, hre);
    expect([again.exitCode, again.stderr]).to.deep.equal([
      2,
      `Error [ANON_BACKUP_IO]: ${backup} exists: a backup is never overwritten, choose another file\n`,
    ]);
    process.env[ENV.pass] = "too short";
    const weak = await run(backupAction, { ...args, out: join(tmp, "weak.json") }, hre);
    expect(weak.stderr).to.match(/^Error \[ANON_BACKUP_WEAK_PASSPHRASE\]/);
    process.env[ENV.pass] = PASSPHRASE;

    // 3. Attacker / mistake: renewed card B with the secret it derives itself. Card B's key is new to the operator, so
    //    only the identity-level lock (the person tag) stands between this binding and a second nullifier per scope.
    const boundB = await bind(cardB);
    expect(boundB.exitCode, boundB.stderr).to.equal(undefined);
    expect(BigInt(readProofRequest(boundB.out).binding.anonCommitment!)).to.equal(commitmentB);
    await rejects(
      attestCommand(ctx(), { ...base, request: boundB.out }),
      "OPERATOR_CHECK_FAILED",
      /person .*another commitment/,
    );

    // 4. With the backup: a wrong passphrase, a tampered file and --anon-backup without --anonymous are refused ...
    process.env[ENV.pass] = PASSPHRASE + "!";
    const wrong = await bind(cardB, { anonBackup: backup, anonBackupPassphraseEnv: ENV.pass });
    expect(wrong.stderr).to.match(/^Error \[ANON_BACKUP_WRONG_PASSPHRASE\]/);
    process.env[ENV.pass] = PASSPHRASE;
    const tampered = join(tmp, "tampered.json");
    const json = JSON.parse(readFileSync(backup, "utf8")) as { ciphertext: string };
    writeFileSync(tampered, JSON.stringify({ ...json, ciphertext: flipFirstByte(json.ciphertext) }));
    const altered = await bind(cardB, { anonBackup: tampered, anonBackupPassphraseEnv: ENV.pass });
    expect(altered.stderr).to.match(/^Error \[ANON_BACKUP_TAMPERED\]/);
    const noAnon = await bind(cardB, { anonymous: false, anonBackup: backup, anonBackupPassphraseEnv: ENV.pass });
    expect(noAnon.stderr).to.equal("Error [BINDING_BAD_ARGUMENT]: --anon-backup needs --anonymous\n");

    // ... and the right one restores card A's commitment on card B's binding, which the operator accepts.
    const restored = await bind(cardB, { anonBackup: backup, anonBackupPassphraseEnv: ENV.pass });
    expect(restored.exitCode, restored.stderr).to.equal(undefined);
    expect(restored.stdout).to.contain(`from the backup ${backup} (commitment ${commitmentHex})`);
    expect(BigInt(readProofRequest(restored.out).binding.anonCommitment!)).to.equal(commitmentA);
    const renewed = await attestCommand(ctx(), { ...base, request: restored.out });
    expect(renewed.identity).to.equal(true);
    expect(renewed.keyNullifier).to.not.equal(first.keyNullifier);
    const all = await leaves();
    expect(all).to.have.length(2);
    expect(all[1]).to.include({ keyNullifier: renewed.keyNullifier, commitment: commitmentA });
    expect(all[1]!.commitment).to.equal(leafA!.commitment);
  });
});
