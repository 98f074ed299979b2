/**
 * The birthday observer (DESIGN.md: "no on-chain value, event or timing may narrow the holder's birthday to less than
 * about six months").
 *
 * Synthetic holders (birthdays, card issuance dates, attestations every two to five months over three years, new
 * cards when a certificate runs out, AGE_18 → AGE_20 upgrades) are attested ON CHAIN by the real registry, with the
 * operator's real derivations (`deriveClaims`, which judges ages at `ageReferenceTime(at)` = the start of the
 * current grid period, and `expiryCap`). An observer then takes only what the chain shows — each `Attested` event's
 * block time, `expiresAt`, claims and key nullifier, and `maxAge` — and computes every date of birth consistent with
 * it, knowing the public rules (certificate notAfter = a birthday at 14:59:59Z, the grid, how ages are judged).
 *
 * Asserted: the true birthday is always consistent (the observer is sound), and the consistent month-days — and, for a
 * holder whose AGE_20 appeared, the consistent full dates — never number fewer than 180 days.
 *
 * Controls (same holders, same times, same observer; the world computed by the pure forward model): with the v1 rules
 * (30-day grid, ages at the attestation time) the set narrows to about 30 days, and with the half-year grid but ages
 * judged at the attestation time, an AGE_20 upgrade narrows it well below 180 days. So this test fails if either rule
 * is removed.
 */
import { expect } from "chai";
import { Wallet, id } from "ethers";
import { network } from "hardhat";

import { ageInJst, ageReferenceTime, deriveClaims, expiryCap } from "../../src/operator/derive.js";
import { Claims, EXPIRY_GRID, keyNullifier, testCard } from "../helpers/card-proof.js";
import { attestWith, deployRegistryFixture, latestTime, makeRequest } from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();

const DAY = 86_400;
const YEAR_S = 365.2425 * DAY;
const AGE_BITS = Claims.AGE_18 | Claims.AGE_20;
const ALL = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;

/** The rules a world runs under (and the observer knows). */
interface Rules {
  name: string;
  grid: number;
  /** the instant ages are judged at, for an attestation at `t` (unix seconds) */
  ageAt: (t: number) => number;
}
const floorTo = (t: number, grid: number) => Math.floor(t / grid) * grid;
const V2: Rules = {
  name: "v2 (half-year grid, ages at the grid period's start)",
  grid: Number(EXPIRY_GRID),
  ageAt: (t) => Math.floor(ageReferenceTime(new Date(t * 1000)).getTime() / 1000),
};
const V1: Rules = { name: "v1 (30-day grid, ages at the attestation time)", grid: 30 * DAY, ageAt: (t) => t };
const HALF_YEAR_AGE_NOW: Rules = {
  name: "half-year grid, ages at the attestation time",
  grid: V2.grid,
  ageAt: (t) => t,
};

/** A JPKI certificate's notAfter for a birthday `dob` in `year`: 14:59:59Z (23:59:59 JST) on the birthday. */
function notAfterIn(dob: string, year: number): number {
  const [, m, d] = dob.split("-").map(Number) as [number, number, number];
  return Date.UTC(year, m - 1, d, 14, 59, 59) / 1000;
}
/** The 5th birthday after issuance at `t`. */
function fifthBirthdayAfter(dob: string, t: number): number {
  let y = new Date(t * 1000).getUTCFullYear();
  while (notAfterIn(dob, y) <= t) y++;
  return notAfterIn(dob, y + 4);
}
const ageBits = (dob: string, at: number) => {
  const age = ageInJst(dob, new Date(at * 1000));
  return (age >= 18 ? Claims.AGE_18 : 0) | (age >= 20 ? Claims.AGE_20 : 0);
};
const isoDate = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

/** What the chain shows of one attestation. */
interface Observation {
  t: number;
  expiresAt: number;
  claims: number;
  key: string;
}

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Holder {
  index: number;
  dob: string;
  wallet: Wallet;
  /** card issuance time of the first card */
  issuedAt: number;
  times: number[];
}

interface PlannedAttestation {
  holder: Holder;
  t: number;
  cardIndex: number;
  notAfter: number;
}

/** The holders' card histories: a new card (5 years to the 5th birthday) when the current one's cap is not ahead. */
function planCards(holders: Holder[], rules: Rules): PlannedAttestation[] {
  const plan: PlannedAttestation[] = [];
  let nextCard = 0;
  for (const h of holders) {
    let cardIndex = nextCard++;
    let notAfter = fifthBirthdayAfter(h.dob, h.issuedAt);
    for (const t of h.times) {
      if (floorTo(notAfter, rules.grid) <= t + DAY) {
        cardIndex = nextCard++;
        notAfter = fifthBirthdayAfter(h.dob, t);
      }
      plan.push({ holder: h, t, cardIndex, notAfter });
    }
  }
  return plan.sort((a, b) => a.t - b.t);
}

/** The pure forward model: what the chain would show under `rules` (used for the controls and to check the chain). */
function simulate(plan: PlannedAttestation[], rules: Rules, maxAge: number): Map<number, Observation[]> {
  const out = new Map<number, Observation[]>();
  for (const p of plan) {
    const cap = floorTo(p.notAfter, rules.grid);
    const expiresAt = Math.min(cap, floorTo(p.t + maxAge, rules.grid));
    const claims = Claims.AUTH | Claims.IDENTITY | ageBits(p.holder.dob, rules.ageAt(p.t));
    const list = out.get(p.holder.index) ?? [];
    list.push({ t: p.t, expiresAt, claims, key: `card ${p.cardIndex}` });
    out.set(p.holder.index, list);
  }
  return out;
}

/** Every date of birth in `candidates` consistent with `obs` under `rules` (the observer). */
function consistentBirthdays(obs: Observation[], rules: Rules, maxAge: number, candidates: string[]): string[] {
  const byKey = new Map<string, Observation[]>();
  for (const o of obs) byKey.set(o.key, [...(byKey.get(o.key) ?? []), o]);
  return candidates.filter((dob) => {
    if (!obs.every((o) => (o.claims & AGE_BITS) === ageBits(dob, rules.ageAt(o.t)))) return false;
    for (const group of byKey.values()) {
      const y0 = new Date(group[0]!.t * 1000).getUTCFullYear();
      let some = false;
      for (let y = y0; y <= y0 + 6 && !some; y++) {
        const cap = floorTo(notAfterIn(dob, y), rules.grid);
        some = group.every((o) => o.expiresAt === Math.min(cap, floorTo(o.t + maxAge, rules.grid)));
      }
      if (!some) return false;
    }
    return true;
  });
}

const monthDays = (dobs: string[]) => new Set(dobs.map((d) => d.slice(5)));
const hasCappedObservation = (obs: Observation[], rules: Rules, maxAge: number) =>
  obs.some((o) => o.expiresAt < floorTo(o.t + maxAge, rules.grid));
const sawUpgrade = (obs: Observation[]) =>
  obs.some((o) => (o.claims & Claims.AGE_20) === 0) && obs.some((o) => (o.claims & Claims.AGE_20) !== 0);

describe("birthday privacy: what an observer of the chain learns of a holder's birthday", function () {
  this.timeout(600_000);

  it("never fewer than 180 consistent days (month-day; full date after an AGE_20 upgrade); v1 rules narrow to ~30", async function () {
    const f = await deployRegistryFixture(ethers);
    const { registry, admin, attester } = f;
    await registry.connect(admin).setMaxStaleness(0); // three years of attestations without heartbeats
    const maxAge = Number(await registry.maxAge());
    const now = Number(await latestTime(ethers));
    const T0 = floorTo(now, DAY) + 10 * DAY;
    const SPAN = 3 * YEAR_S;
    const random = rng(20_261_202);
    const holders: Holder[] = [];
    for (let i = 0; i < 20; i++) {
      // 20th birthday inside the run for most holders (an AGE_20 upgrade), the 18th for some
      const turns = i % 5 === 4 ? 18 : 20;
      const birthdayT = T0 + (0.2 + 2.6 * random()) * YEAR_S - turns * YEAR_S;
      const dob = isoDate(floorTo(birthdayT, DAY));
      if (dob.endsWith("-02-29")) continue;
      const times: number[] = [];
      for (let t = T0 + Math.floor(random() * 60) * DAY + Math.floor(random() * DAY); t < T0 + SPAN;) {
        times.push(Math.floor(t));
        t += (60 + Math.floor(random() * 90)) * DAY + Math.floor(random() * DAY);
      }
      holders.push({
        index: holders.length,
        dob,
        wallet: new Wallet(Wallet.createRandom().privateKey, ethers.provider),
        issuedAt: Math.floor(T0 - (2 + 1.6 * random()) * YEAR_S),
        times,
      });
    }

    // ---- the world on chain: the real registry, the operator's real derivations
    const plan = planCards(holders, V2);
    for (let i = 1; i < plan.length; i++) {
      if (plan[i]!.t <= plan[i - 1]!.t) plan[i]!.t = plan[i - 1]!.t + 1; // one block per second at most
    }
    for (const p of plan) {
      await networkHelpers.time.setNextBlockTimestamp(p.t);
      const claims = deriveClaims({
        disclose: ALL,
        signingCertificateVerified: true,
        dateOfBirth: p.holder.dob,
        at: new Date(p.t * 1000),
      });
      const req = await makeRequest(ethers, p.holder.wallet.address, {
        claims,
        personTag: id(`person ${p.holder.index}`),
        expiryCap: BigInt(expiryCap(new Date(p.notAfter * 1000))),
        deadline: BigInt(p.t + 3600),
        recordCommitment: id(`record ${p.holder.index} ${p.t}`),
      });
      await attestWith(registry, attester, testCard(p.cardIndex), req, p.holder.wallet);
    }
    expect(plan.length).to.be.greaterThan(150);

    // ---- the observer: events and block times only
    const onChain = new Map<number, Observation[]>();
    for (const h of holders) {
      const events = await registry.queryFilter(registry.filters.Attested(h.wallet.address), 0, "latest");
      const obs: Observation[] = [];
      for (const e of events) {
        const block = await e.getBlock();
        obs.push({
          t: block.timestamp,
          expiresAt: Number(e.args.expiresAt),
          claims: Number(e.args.claims),
          key: e.args.keyNullifier,
        });
      }
      onChain.set(h.index, obs);
    }
    // the forward model describes the chain exactly (so the controls below are the same world under other rules)
    const modelled = simulate(plan, V2, maxAge);
    for (const h of holders) {
      const chain = onChain.get(h.index)!;
      const model = modelled.get(h.index)!;
      expect(chain.map((o) => [o.t, o.expiresAt, o.claims])).to.deep.equal(
        model.map((o) => [o.t, o.expiresAt, o.claims]),
      );
      // card changes happen where the model says: the chain's key nullifiers are the model's cards
      expect(chain.map((o) => o.key)).to.deep.equal(
        plan.filter((p) => p.holder === h).map((p) => keyNullifier(testCard(p.cardIndex).modulus)),
      );
    }

    const candidatesFor = (h: Holder) => {
      const out: string[] = [];
      const base = Date.parse(h.dob + "T00:00:00Z") / 1000;
      for (let d = -3 * 366; d <= 3 * 366; d++) {
        const c = isoDate(base + d * DAY);
        if (!c.endsWith("-02-29")) out.push(c);
      }
      return out;
    };

    const summary = (rules: Rules, world: Map<number, Observation[]>) =>
      holders.map((h) => {
        const obs = world.get(h.index)!;
        const dobs = consistentBirthdays(obs, rules, maxAge, candidatesFor(h));
        return {
          h,
          obs,
          dobs,
          monthDays: monthDays(dobs).size,
          capped: hasCappedObservation(obs, rules, maxAge),
          upgrade: sawUpgrade(obs),
        };
      });

    // ---- v2 on chain: never fewer than 180 days
    const v2 = summary(V2, onChain);
    expect(v2.filter((s) => s.capped).length, "holders whose expiry was capped by the certificate").to.be.greaterThan(
      12,
    );
    expect(v2.filter((s) => s.upgrade).length, "holders seen gaining AGE_20").to.be.greaterThan(8);
    expect(
      v2.some((s) => s.obs.some((o) => o.claims & Claims.AGE_18) && s.obs.some((o) => !(o.claims & Claims.AGE_18))),
    ).to.equal(true);
    for (const s of v2) {
      expect(s.dobs, `holder ${s.h.index}: the true birthday must be consistent`).to.include(s.h.dob);
      expect(s.monthDays, `holder ${s.h.index} (${s.h.dob}): consistent month-days`).to.be.at.least(180);
      if (s.upgrade) {
        expect(
          s.dobs.length,
          `holder ${s.h.index} (${s.h.dob}): consistent dates of birth after the upgrade`,
        ).to.be.at.least(180);
      }
    }

    // ---- control: the v1 rules narrow the same holders to about 30 days
    const v1 = summary(V1, simulate(planCards(holders, V1), V1, maxAge));
    const v1Capped = v1.filter((s) => s.capped);
    expect(v1Capped.length).to.be.greaterThan(12);
    for (const s of v1) expect(s.dobs).to.include(s.h.dob);
    for (const s of v1Capped) expect(s.monthDays, `v1 holder ${s.h.index}`).to.be.at.most(31);

    // ---- control: the half-year grid alone is not enough; an AGE_20 upgrade judged at the attestation time narrows it
    const ageNow = summary(
      HALF_YEAR_AGE_NOW,
      simulate(planCards(holders, HALF_YEAR_AGE_NOW), HALF_YEAR_AGE_NOW, maxAge),
    );
    const narrowed = ageNow.filter((s) => s.upgrade && s.dobs.length < 180);
    for (const s of ageNow) expect(s.dobs).to.include(s.h.dob);
    expect(
      narrowed.length,
      "upgrades narrowed below 180 days when ages are judged at the attestation time",
    ).to.be.greaterThan(ageNow.filter((s) => s.upgrade).length / 2);

    if (process.env.KYC_PRINT_BIRTHDAY) {
      const row = (s: (typeof v2)[number]) => `${s.monthDays}/${s.dobs.length}`;
      console.table(
        holders.map((h, i) => ({
          dob: h.dob,
          attestations: v2[i]!.obs.length,
          capped: v2[i]!.capped,
          upgrade: v2[i]!.upgrade,
          v2: row(v2[i]!),
          v1: row(v1[i]!),
          halfYearAgeNow: row(ageNow[i]!),
        })),
      );
    }
  });
});
