// The operator's anonymous-proof lock: one commitment per card key and per person, so one nullifier per scope.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";
import { network } from "hardhat";

import { loadAnonHasher } from "../../src/anon/index.js";
import { Claim } from "../../src/claims.js";
import { KycError } from "../../src/errors.js";
import { caAddCommand } from "../../src/operator/commands/admin.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { defaultStorePath, type OperatorContext } from "../../src/operator/commands/context.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { keyNullifier, testCard } from "../helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { devWorld, makeProofRequest, type DevWorld } from "./helpers/dev-world.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(KycError);
    expect((error as KycError).code, (error as Error).message).to.equal(code);
    expect((error as KycError).message).to.match(pattern);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("kyc attest: the anonymous-proof commitment lock", function () {
  this.timeout(120_000);
  let w: DevWorld;
  let tmp: string;
  before(async function () {
    w = await devWorld();
  });
  beforeEach(function () {
    tmp = mkdtempSync(join(tmpdir(), "kyc-anon-lock-"));
  });
  afterEach(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  async function setup() {
    const hasher = await loadAnonHasher();
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const ctx = (signer = f.attester): OperatorContext => ({ provider: ethers.provider, signer, projectRoot: tmp });
    for (const file of readdirSync(join(w.dir, "ca")).filter((n) => n.endsWith(".der"))) {
      await caAddCommand(ctx(f.anchorManager), { file: join(w.dir, "ca", file), synthetic: true, registry: f.address });
    }
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const base = { crl: join(w.dir, "crl"), caDir: join(w.dir, "ca"), registry: f.address };
    let n = 0;
    const attest = async (subject: string, secret: bigint) => {
      const request = join(tmp, `proof-${++n}.json`);
      await makeProofRequest(w, ethers.provider, {
        holder: w.holder("adult"),
        registry: f.address,
        wallet: await ethers.getSigner(subject),
        attester: f.attester.address,
        disclose: ALL,
        deadline: now + 3600n,
        withSign: true,
        out: request,
        anonCommitment: toBeHex(hasher.commitment(secret), 32),
      });
      return attestCommand(ctx(), { ...base, request });
    };
    return { ethers, f, hasher, attest };
  }

  it("attacker: the same card cannot opt in again with another commitment (a second nullifier); the same one is fine", async function () {
    const { f, attest } = await setup();
    const first = await attest(f.alice.address, 1n);
    expect(first.identity).to.equal(true);
    await rejects(attest(f.bob.address, 2n), "OPERATOR_CHECK_FAILED", /card key .*another commitment/);
    await rejects(attest(f.alice.address, 2n), "OPERATOR_CHECK_FAILED", /card key .*another commitment/);
    await attest(f.alice.address, 1n);
  });

  it("attacker: at identity level the person cannot opt in with another commitment through another card key", async function () {
    const { ethers, f, hasher, attest } = await setup();
    const first = await attest(f.alice.address, 1n);
    // The same person (same tag) holds another card key that this operator attested with commitment 2.
    const otherCard = testCard(7);
    await attestWith(
      f.registry,
      f.attester,
      otherCard,
      await makeRequest(ethers, f.carol.address, { anonCommitment: toBeHex(hasher.commitment(2n), 32) }),
    );
    const { chainId } = await ethers.provider.getNetwork();
    const store = OperatorStore.open(defaultStorePath(tmp, chainId));
    const [row] = await store.bySubject(chainId, f.address, f.alice.address);
    expect(row?.personTag).to.match(/^0x[0-9a-f]{64}$/);
    await store.insertPending({
      chainId,
      registry: f.address,
      subject: f.carol.address,
      keyNullifier: keyNullifier(otherCard.modulus),
      personTag: row!.personTag,
      claims: ALL,
      caId: 1,
      expiryCap: 0,
      mode: "direct",
      certificates: [],
    });
    await store.close();
    expect(first.identity).to.equal(true);
    await rejects(attest(f.alice.address, 1n), "OPERATOR_CHECK_FAILED", /person .*another commitment/);
  });
});
