// The registry's side of anonymous proofs: the binding's opt-in (AnonLeaf) and root publication into each attester's
// ring of roots (publishAnonRoot, anonRootAt).
import { expect } from "chai";
import { ZeroHash, id, toBeHex, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { SNARK_SCALAR_FIELD } from "../../src/anon/field.js";
import { ANON_ROOT_BITS } from "../../src/anon/signals.js";
import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import { publishedRef } from "../helpers/anon-root-ref.js";
import { Claims, bindingProof, gridFloor, keyNullifier, testCard } from "../helpers/card-proof.js";
import {
  DAY,
  MAX_AGE,
  MAX_STALENESS,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);
const IDENTITY_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
/** A commitment below the BN254 scalar field order (what Poseidon(secret) looks like). */
const commitment = (label: string) => toBeHex(BigInt(id(`anon commitment ${label}`)) % SNARK_SCALAR_FIELD, 32);
/** Roots are 176 bits (the low bits of Poseidon(treeRoot, validUntil)): one ring slot holds a root and its times. */
const ROOT_LIMIT = 1n << ANON_ROOT_BITS;
const root = (label: string) => toBeHex(BigInt(id(`anon root ${label}`)) % ROOT_LIMIT, 32);
/** The registry's bound on a root's validUntil after its publication (KycRegistryStorage: 7 days). */
const MAX_ANON_ROOT_VALIDITY = 7n * DAY;
/** How many roots each attester's ring keeps (KycRegistryStorage). */
const ANON_ROOT_RING = 64n;
/** The fixture grants ATTESTER_ROLE to `attester`, then to `attester2`: the registry numbers them 1 and 2. */
const ATTESTER_ID = 1n;
const ATTESTER2_ID = 2n;
/** Where the registry keeps a root: attesterId << 8 | ring index. */
const refOf = (attesterId: bigint, index: bigint) => (attesterId << 8n) | index;

describe("KycRegistry v2: anonymous-proof opt-in and roots", function () {
  describe("opt-in (KycBinding.anonCommitment)", function () {
    it("emits AnonLeaf with the commitment, claims and expiry of the new record; none without the opt-in", async function () {
      const { registry, attester, alice, bob } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const c = commitment("alice");
      const req = await makeRequest(ethers, alice.address, {
        claims: IDENTITY_CLAIMS,
        personTag: id("person alice"),
        anonCommitment: c,
      });
      const tx = await attestWith(registry, attester, card, req);
      const expiresAt = gridFloor((await latestTime(ethers)) + MAX_AGE);
      await expect(tx)
        .to.emit(registry, "AnonLeaf")
        .withArgs(attester.address, keyNullifier(card.modulus), BigInt(c), IDENTITY_CLAIMS, expiresAt);
      const plain = await makeRequest(ethers, bob.address);
      expect(plain.anonCommitment).to.equal(ZeroHash);
      await expect(attestWith(registry, attester, testCard(1), plain)).to.not.emit(registry, "AnonLeaf");
    });

    it("attacker: an operator cannot put its own commitment in place of the holder's (the card signed it)", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      const card = testCard(0);
      const signed = await makeRequest(ethers, alice.address, { anonCommitment: commitment("holder") });
      const proof = await bindingProof(registry, card, alice, signed, attester.address);
      for (const anonCommitment of [commitment("operator"), ZeroHash]) {
        await expect(
          registry
            .connect(attester)
            .attest({ ...signed, anonCommitment }, card.modulus, proof.cardSignature, proof.subjectSignature),
        ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      }
      // and a binding without the opt-in cannot be given one
      const plain = await makeRequest(ethers, alice.address);
      const plainProof = await bindingProof(registry, card, alice, plain, attester.address);
      await expect(
        registry
          .connect(attester)
          .attest(
            { ...plain, anonCommitment: commitment("operator") },
            card.modulus,
            plainProof.cardSignature,
            plainProof.subjectSignature,
          ),
      ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
      await expect(
        registry.connect(attester).attest(signed, card.modulus, proof.cardSignature, proof.subjectSignature),
      ).to.emit(registry, "AnonLeaf");
    });

    it("refuses a commitment that is not a field element (InvalidAnonCommitment), even when signed", async function () {
      const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
      for (const value of [SNARK_SCALAR_FIELD, 2n ** 256n - 1n]) {
        const req = await makeRequest(ethers, alice.address, { anonCommitment: toBeHex(value, 32) });
        await expect(attestWith(registry, attester, testCard(0), req)).to.be.revertedWithCustomError(
          registry,
          "InvalidAnonCommitment",
        );
      }
      const last = await makeRequest(ethers, alice.address, { anonCommitment: toBeHex(SNARK_SCALAR_FIELD - 1n, 32) });
      await expect(attestWith(registry, attester, testCard(0), last)).to.emit(registry, "AnonLeaf");
    });
  });

  describe("publishAnonRoot / anonRootAt (a ring of ANON_ROOT_RING roots per attester)", function () {
    /** A validUntil `ahead` seconds after the latest block (the publication's block comes one second later). */
    const until = async (ahead: bigint = DAY) => (await latestTime(ethers)) + ahead;
    const NOTHING = [ZeroHash, 0n, 0n];

    it("writes root, publishedAt and validUntil at ref attesterId << 8 | index (0, 1, 2, ...), the same root again at a new ref; a second attester's refs carry its id", async function () {
      const { registry, attester, attester2 } = await networkHelpers.loadFixture(fixture);
      expect(await registry.ANON_ROOT_RING()).to.equal(ANON_ROOT_RING);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal(NOTHING);
      const written: [string, bigint, bigint][] = [];
      // "a" twice: a republication takes a new entry with a fresh publishedAt
      for (const [i, label] of ["a", "b", "a"].entries()) {
        const r = root(label);
        const validUntil = await until(DAY + BigInt(i));
        const tx = await registry.connect(attester).publishAnonRoot(r, validUntil, 7 + i);
        const ref = refOf(ATTESTER_ID, BigInt(i));
        await expect(tx)
          .to.emit(registry, "AnonRootPublished")
          .withArgs(attester.address, r, ref, validUntil, 7 + i);
        expect(await publishedRef(registry, tx)).to.equal(ref);
        written.push([r, await latestTime(ethers), validUntil]);
      }
      for (const [i, entry] of written.entries()) {
        expect(await registry.anonRootAt(refOf(ATTESTER_ID, BigInt(i))), `index ${i}`).to.deep.equal(entry);
      }
      expect(written[2]![1]).to.be.greaterThan(written[0]![1]);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 3n))).to.deep.equal(NOTHING);
      const r2 = root("attester2");
      const validUntil2 = await until();
      const tx2 = await registry.connect(attester2).publishAnonRoot(r2, validUntil2, 1);
      await expect(tx2)
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester2.address, r2, refOf(ATTESTER2_ID, 0n), validUntil2, 1);
      expect(await registry.anonRootAt(refOf(ATTESTER2_ID, 0n))).to.deep.equal([
        r2,
        await latestTime(ethers),
        validUntil2,
      ]);
      // the first attester's ring is as it was
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal(written[0]);
    });

    it("attacker: a zero root or one wider than 176 bits is refused (InvalidAnonRoot) and takes no ring entry", async function () {
      const { registry, attester } = await networkHelpers.loadFixture(fixture);
      for (const bad of [0n, ROOT_LIMIT, ROOT_LIMIT + 1n, SNARK_SCALAR_FIELD - 1n, 2n ** 256n - 1n]) {
        await expect(
          registry.connect(attester).publishAnonRoot(toBeHex(bad, 32), await until(), 1),
          `root ${bad}`,
        ).to.be.revertedWithCustomError(registry, "InvalidAnonRoot");
      }
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal(NOTHING);
      // the bounds themselves: 2^176 - 1 and 1, at the first two indexes
      for (const [i, good] of [ROOT_LIMIT - 1n, 1n].entries()) {
        const validUntil = await until();
        await expect(registry.connect(attester).publishAnonRoot(toBeHex(good, 32), validUntil, 1))
          .to.emit(registry, "AnonRootPublished")
          .withArgs(attester.address, toBeHex(good, 32), refOf(ATTESTER_ID, BigInt(i)), validUntil, 1);
      }
    });

    it("attacker: a validUntil in the past, at now, or more than MAX_ANON_ROOT_VALIDITY ahead is refused (InvalidAnonRootValidity), with or without maxStaleness", async function () {
      const { registry, admin, attester } = await networkHelpers.loadFixture(fixture);
      expect(await registry.MAX_ANON_ROOT_VALIDITY()).to.equal(MAX_ANON_ROOT_VALIDITY);
      const publishAt = async (t: bigint, validUntil: bigint, r = root("validity")) => {
        await networkHelpers.time.setNextBlockTimestamp(t);
        return registry.connect(attester).publishAnonRoot(r, validUntil, 1);
      };
      const next = async () => (await latestTime(ethers)) + 100n;
      for (const maxStaleness of [MAX_STALENESS, 0n]) {
        await registry.connect(admin).setMaxStaleness(maxStaleness);
        await registry.connect(attester).recordCrlSync();
        for (const validUntilAt of [
          () => 0n,
          (t: bigint) => t - 50n,
          (t: bigint) => t,
          (t: bigint) => t + MAX_ANON_ROOT_VALIDITY + 1n,
          () => 2n ** 64n - 1n,
        ]) {
          const t = await next();
          const validUntil = validUntilAt(t);
          await expect(publishAt(t, validUntil), `maxStaleness ${maxStaleness}, validUntil = t + ${validUntil - t}`)
            .to.be.revertedWithCustomError(registry, "InvalidAnonRootValidity")
            .withArgs(validUntil);
        }
      }
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n)), "nothing written").to.deep.equal(NOTHING);
      // the bounds themselves (maxStaleness 0 now): one second after now, and exactly MAX_ANON_ROOT_VALIDITY ahead
      for (const [i, ahead] of [1n, MAX_ANON_ROOT_VALIDITY].entries()) {
        const t = await next();
        const r = root(`validity ${i}`);
        await expect(publishAt(t, t + ahead, r))
          .to.emit(registry, "AnonRootPublished")
          .withArgs(attester.address, r, refOf(ATTESTER_ID, BigInt(i)), t + ahead, 1);
        expect(await registry.anonRootAt(refOf(ATTESTER_ID, BigInt(i)))).to.deep.equal([r, t, t + ahead]);
      }
    });

    it("attacker: with maxStaleness set, a root cannot outlive its attester's CRL heartbeat (AnonRootOutlivesCrlSync); exactly lastCrlSync + maxStaleness is accepted", async function () {
      const { registry, admin, attester, attester2 } = await networkHelpers.loadFixture(fixture);
      expect(await registry.maxStaleness()).to.equal(MAX_STALENESS);
      await networkHelpers.time.increase(DAY);
      const synced = await registry.lastCrlSync(attester.address);
      const staleAt = synced + MAX_STALENESS;
      const publish = (validUntil: bigint, label = "heartbeat") =>
        registry.connect(attester).publishAnonRoot(root(label), validUntil, 1);
      // within MAX_ANON_ROOT_VALIDITY, but past the moment the attester turns stale without a new heartbeat
      for (const validUntil of [staleAt + 1n, staleAt + DAY]) {
        await expect(publish(validUntil))
          .to.be.revertedWithCustomError(registry, "AnonRootOutlivesCrlSync")
          .withArgs(validUntil, staleAt);
      }
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n)), "nothing written").to.deep.equal(NOTHING);
      await expect(publish(staleAt))
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester.address, root("heartbeat"), refOf(ATTESTER_ID, 0n), staleAt, 1);
      expect((await registry.anonRootAt(refOf(ATTESTER_ID, 0n)))[2]).to.equal(staleAt);
      // another attester's fresh heartbeat does not lend this one time
      await registry.connect(attester2).recordCrlSync();
      await expect(publish(staleAt + 1n))
        .to.be.revertedWithCustomError(registry, "AnonRootOutlivesCrlSync")
        .withArgs(staleAt + 1n, staleAt);
      // its own new heartbeat moves the bound
      await registry.connect(attester).recordCrlSync();
      const resynced = await registry.lastCrlSync(attester.address);
      expect(resynced).to.be.greaterThan(synced);
      await expect(publish(resynced + MAX_STALENESS, "resynced"))
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester.address, root("resynced"), refOf(ATTESTER_ID, 1n), resynced + MAX_STALENESS, 1);
      // a lowered maxStaleness bounds later publications; earlier entries keep their validUntil until someone runs
      // clampAnonRoots (test/contracts/anon-root-clamp.test.ts)
      await registry.connect(admin).setMaxStaleness(DAY);
      await expect(publish(resynced + DAY + 1n))
        .to.be.revertedWithCustomError(registry, "AnonRootOutlivesCrlSync")
        .withArgs(resynced + DAY + 1n, resynced + DAY);
      await expect(publish(resynced + DAY, "lowered")).to.emit(registry, "AnonRootPublished");
      expect((await registry.anonRootAt(refOf(ATTESTER_ID, 1n)))[2]).to.equal(resynced + MAX_STALENESS);
      expect((await registry.anonRootAt(refOf(ATTESTER_ID, 2n)))[2]).to.equal(resynced + DAY);
    });

    it("with maxStaleness 0, validUntil is bounded by MAX_ANON_ROOT_VALIDITY alone (no heartbeat bound)", async function () {
      const { registry, admin, attester } = await networkHelpers.loadFixture(fixture);
      await registry.connect(admin).setMaxStaleness(0n);
      // the heartbeat is older than the former maxStaleness, and validUntil a week past it
      await networkHelpers.time.increase(2n * MAX_STALENESS);
      const synced = await registry.lastCrlSync(attester.address);
      const t = (await latestTime(ethers)) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      const validUntil = t + MAX_ANON_ROOT_VALIDITY;
      expect(validUntil - synced > MAX_STALENESS + MAX_ANON_ROOT_VALIDITY).to.equal(true);
      await expect(registry.connect(attester).publishAnonRoot(root("no bound"), validUntil, 1))
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester.address, root("no bound"), refOf(ATTESTER_ID, 0n), validUntil, 1);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal([root("no bound"), t, validUntil]);
    });

    it("attacker: a non-attester cannot publish (NotAttester) and writes nothing", async function () {
      const { registry, admin, attester, stranger } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(stranger).publishAnonRoot(root("stranger"), await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(stranger.address);
      // the admin holds every role it can grant, but not ATTESTER_ROLE
      await expect(registry.connect(admin).publishAnonRoot(root("admin"), await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(admin.address);
      await registry.connect(admin).revokeRole(await registry.ATTESTER_ROLE(), attester.address);
      await expect(registry.connect(attester).publishAnonRoot(root("removed"), await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(attester.address);
      for (const id of [0n, ATTESTER_ID, ATTESTER2_ID, 3n]) {
        expect(await registry.anonRootAt(refOf(id, 0n)), `attester id ${id}`).to.deep.equal(NOTHING);
      }
    });

    it("the ring keeps the last ANON_ROOT_RING roots: the 65th publication overwrites the first entry, the next one the second; other rings untouched", async function () {
      const { registry, attester, attester2 } = await networkHelpers.loadFixture(fixture);
      const theirs = root("attester2 ring");
      await registry.connect(attester2).publishAnonRoot(theirs, await until(), 1);
      const theirEntry = await registry.anonRootAt(refOf(ATTESTER2_ID, 0n));
      const validUntil = await until(2n * DAY);
      const roots: string[] = [];
      for (let i = 0n; i <= ANON_ROOT_RING + 1n; i++) {
        const r = root(`ring ${i}`);
        const tx = await registry.connect(attester).publishAnonRoot(r, validUntil, Number(i));
        expect(await publishedRef(registry, tx), `publication ${i}`).to.equal(refOf(ATTESTER_ID, i % ANON_ROOT_RING));
        roots.push(r);
        if (i === ANON_ROOT_RING - 1n) {
          // the ring is full: every entry holds its root, the first one still the first root
          for (let j = 0n; j < ANON_ROOT_RING; j++) {
            expect((await registry.anonRootAt(refOf(ATTESTER_ID, j)))[0]).to.equal(roots[Number(j)]);
          }
        }
      }
      // 66 publications: entries 0 and 1 hold the 65th and 66th roots, entries 2..63 the 3rd..64th
      expect((await registry.anonRootAt(refOf(ATTESTER_ID, 0n)))[0]).to.equal(roots[64]);
      expect((await registry.anonRootAt(refOf(ATTESTER_ID, 1n)))[0]).to.equal(roots[65]);
      for (let j = 2n; j < ANON_ROOT_RING; j++) {
        const [r, , storedUntil] = await registry.anonRootAt(refOf(ATTESTER_ID, j));
        expect([r, storedUntil], `entry ${j}`).to.deep.equal([roots[Number(j)], validUntil]);
      }
      // the index stays within the attester's 256 refs: nothing beyond the ring
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, ANON_ROOT_RING))).to.deep.equal(NOTHING);
      expect(await registry.anonRootAt(refOf(ATTESTER2_ID, 0n))).to.deep.equal(theirEntry);
      expect(await registry.anonRootAt(refOf(ATTESTER2_ID, 1n))).to.deep.equal(NOTHING);
    });

    it("attacker: revoking ATTESTER_ROLE makes every root of the attester unusable (validUntil 0), a full ring included; other attesters keep theirs; a new grant revives none", async function () {
      const { registry, admin, attester, attester2 } = await networkHelpers.loadFixture(fixture);
      const ATTESTER_ROLE = await registry.ATTESTER_ROLE();
      const theirs = root("attester2 keeps");
      await registry.connect(attester2).publishAnonRoot(theirs, await until(), 1);
      const theirEntry = await registry.anonRootAt(refOf(ATTESTER2_ID, 0n));
      // a wrapped ring (65 publications: the write index is back at 1), so that every entry is written
      const validUntil = await until(2n * DAY);
      for (let i = 0n; i <= ANON_ROOT_RING; i++) {
        await registry.connect(attester).publishAnonRoot(root(`closed ${i}`), validUntil, 1);
      }
      const before: [string, bigint, bigint][] = [];
      for (let j = 0n; j < ANON_ROOT_RING; j++) {
        const [r, publishedAt, until_] = await registry.anonRootAt(refOf(ATTESTER_ID, j));
        expect(until_).to.equal(validUntil);
        before.push([r, publishedAt, until_]);
      }
      await registry.connect(admin).revokeRole(ATTESTER_ROLE, attester.address);
      const closed = async () => {
        for (let j = 0n; j < ANON_ROOT_RING; j++) {
          const [r, publishedAt] = before[Number(j)]!;
          // the root stays (who published what remains readable), its validUntil is zero: unusable
          expect(await registry.anonRootAt(refOf(ATTESTER_ID, j)), `entry ${j}`).to.deep.equal([r, publishedAt, 0n]);
        }
      };
      await closed();
      expect(await registry.anonRootAt(refOf(ATTESTER2_ID, 0n))).to.deep.equal(theirEntry);
      // granting the role again revives none of them
      await registry.connect(admin).grantRole(ATTESTER_ROLE, attester.address);
      await closed();
      // the attester publishes again (after a heartbeat): a new, usable entry at the next index
      await registry.connect(attester).recordCrlSync();
      const fresh = root("after re-grant");
      const freshUntil = await until();
      await expect(registry.connect(attester).publishAnonRoot(fresh, freshUntil, 1))
        .to.emit(registry, "AnonRootPublished")
        .withArgs(attester.address, fresh, refOf(ATTESTER_ID, 1n), freshUntil, 1);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 1n))).to.deep.equal([
        fresh,
        await latestTime(ethers),
        freshUntil,
      ]);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal([before[0]![0], before[0]![1], 0n]);
    });

    it("attacker: an attester renouncing ATTESTER_ROLE closes its own ring (a partly written one), not another attester's", async function () {
      const { registry, attester, attester2 } = await networkHelpers.loadFixture(fixture);
      const ATTESTER_ROLE = await registry.ATTESTER_ROLE();
      const mine = root("attester keeps");
      await registry.connect(attester).publishAnonRoot(mine, await until(), 1);
      const myEntry = await registry.anonRootAt(refOf(ATTESTER_ID, 0n));
      const theirs: [string, bigint, bigint][] = [];
      for (let i = 0n; i < 3n; i++) {
        const validUntil = await until();
        await registry.connect(attester2).publishAnonRoot(root(`renounced ${i}`), validUntil, 1);
        theirs.push([root(`renounced ${i}`), await latestTime(ethers), validUntil]);
      }
      await registry.connect(attester2).renounceRole(ATTESTER_ROLE, attester2.address);
      expect(await registry.hasRole(ATTESTER_ROLE, attester2.address)).to.equal(false);
      for (const [i, [r, publishedAt]] of theirs.entries()) {
        expect(await registry.anonRootAt(refOf(ATTESTER2_ID, BigInt(i)))).to.deep.equal([r, publishedAt, 0n]);
      }
      expect(await registry.anonRootAt(refOf(ATTESTER2_ID, 3n))).to.deep.equal(NOTHING);
      expect(await registry.anonRootAt(refOf(ATTESTER_ID, 0n))).to.deep.equal(myEntry);
      await expect(registry.connect(attester2).publishAnonRoot(root("renounced again"), await until(), 1))
        .to.be.revertedWithCustomError(registry, "NotAttester")
        .withArgs(attester2.address);
    });

    it("clampAnonRoots is served only through the registry (the extension called directly reverts NotDelegated)", async function () {
      const { extension, attester } = await networkHelpers.loadFixture(fixture);
      const ext = await ethers.getContractAt("KycRegistryAdmin", extension);
      await expect(ext.clampAnonRoots(attester.address)).to.be.revertedWithCustomError(ext, "NotDelegated");
    });
  });
});
