// The operator's anonymous-proof lock: one commitment per card key and per person, so one nullifier per scope.
import { join } from "node:path";

import { expect } from "chai";
import { toBeHex } from "ethers";

import { loadAnonHasher } from "../../src/anon/index.js";
import { Claim } from "../../src/claims.js";
import { attestCommand } from "../../src/operator/commands/attest.js";
import { defaultStorePath } from "../../src/operator/commands/context.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import { keyNullifier, testCard } from "../helpers/card-proof.js";
import { attestWith, makeRequest } from "../helpers/registry-fixture.js";
import { makeProofRequest, operatorWorld, useDevWorld, type DevWorld } from "./helpers/dev-world.js";
import { rejects } from "./helpers/rejects.js";

const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

describe("kyc attest: the anonymous-proof commitment lock", function () {
  this.timeout(120_000);
  let w: DevWorld;
  let tmp: string;
  useDevWorld(
    "kyc-anon-lock-",
    (world) => (w = world),
    (dir) => (tmp = dir),
  );

  async function setup() {
    const hasher = await loadAnonHasher();
    const { ethers, f, ctx, now, base } = await operatorWorld(w, tmp);
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
