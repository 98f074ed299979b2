// The operator's leaves rebuilt from registry events (pure), and the holder's secret derivation.
import { generateKeyPairSync, sign } from "node:crypto";

import { expect } from "chai";

import {
  ANON_SECRET_MESSAGE,
  AnonError,
  AnonRegistryLeaves,
  AnonTree,
  SNARK_SCALAR_FIELD,
  anonRegistryTreeRoot,
  anonSecretDigest,
  anonSecretFromSignature,
  deriveAnonSecret,
  loadAnonHasher,
  type AnonHasher,
  type AnonRegistryEvent,
} from "../../src/anon/index.js";

const OP = "0x00000000000000000000000000000000000000a1";
const OTHER_OP = "0x00000000000000000000000000000000000000a2";
const ALICE = "0x00000000000000000000000000000000000000b1";
const BOB = "0x00000000000000000000000000000000000000b2";
const K1 = "0x" + "11".repeat(32);
const K2 = "0x" + "22".repeat(32);
const K3 = "0x" + "33".repeat(32);
const CAROL = "0x00000000000000000000000000000000000000b3";
const EXP = 2_000_000_000n;
const anchor = (caId: number, enabled: boolean): AnonRegistryEvent => ({ kind: "anchorStatus", caId, enabled });

let tx = 0;
/** `Attested` under trust anchor `caId` (+ `AnonLeaf` when `commitment` is given) in one transaction. */
function attest(
  subject: string,
  key: string,
  commitment?: bigint,
  claims = 15n,
  attester = OP,
  caId = 1,
): AnonRegistryEvent[] {
  const transactionHash = "0x" + (++tx).toString(16).padStart(64, "0");
  const out: AnonRegistryEvent[] = [{ kind: "attested", subject, attester, keyNullifier: key, caId, transactionHash }];
  if (commitment !== undefined) {
    out.push({ kind: "anonLeaf", attester, keyNullifier: key, commitment, claims, expiresAt: EXP, transactionHash });
  }
  return out;
}

describe("AnonRegistryLeaves: the operator's tree from registry events", function () {
  let hasher: AnonHasher;
  before(async function () {
    hasher = await loadAnonHasher();
  });
  const leaf = (c: bigint, claims = 15n) => hasher.leaf(c, claims, EXP);
  const rebuild = (events: AnonRegistryEvent[], attester = OP) => {
    const l = new AnonRegistryLeaves(attester);
    events.forEach((e) => l.apply(e));
    return l;
  };

  it("an opted-in attestation adds a leaf at the next position; one without opt-in adds none", function () {
    const l = rebuild([...attest(ALICE, K1, 7n), ...attest(BOB, K2)]);
    expect(l.leaves(hasher)).to.deep.equal([leaf(7n)]);
    expect(l.size).to.equal(1);
    expect(l.commitmentOfKey(K1)).to.equal(7n);
  });

  it("revocation removes the leaf (0 at its position); a claim drop replaces it with the remaining claims", function () {
    const events = [...attest(ALICE, K1, 7n), ...attest(BOB, K2, 8n)];
    expect(rebuild([...events, { kind: "revoked", subject: ALICE }]).leaves(hasher)).to.deep.equal([0n, leaf(8n)]);
    expect(rebuild([...events, { kind: "claimsDropped", subject: BOB, claims: 1n }]).leaves(hasher)).to.deep.equal([
      leaf(7n),
      leaf(8n, 1n),
    ]);
  });

  it("a later Attested of the subject replaces its leaf: same key in place, a new key elsewhere, no opt-in or another attester removes it", function () {
    const first = attest(ALICE, K1, 7n);
    expect(rebuild([...first, ...attest(ALICE, K1, 7n, 1n)]).leaves(hasher)).to.deep.equal([leaf(7n, 1n)]);
    expect(rebuild([...first, ...attest(ALICE, K2, 7n)]).leaves(hasher)).to.deep.equal([0n, leaf(7n)]);
    expect(rebuild([...first, ...attest(ALICE, K2)]).leaves(hasher)).to.deep.equal([0n]);
    expect(rebuild([...first, ...attest(ALICE, K3, 9n, 15n, OTHER_OP)]).leaves(hasher)).to.deep.equal([0n]);
  });

  it("a key moved to another subject leaves its old subject's leaf; a later revocation of the old subject changes nothing", function () {
    const events = [...attest(ALICE, K1, 7n), ...attest(BOB, K1, 7n), { kind: "revoked", subject: ALICE } as const];
    expect(rebuild(events).leaves(hasher)).to.deep.equal([leaf(7n)]);
  });

  it("another operator's AnonLeaf is not in this tree", function () {
    expect(rebuild([...attest(ALICE, K1, 7n, 15n, OTHER_OP)]).leaves(hasher)).to.deep.equal([]);
    expect(rebuild([...attest(ALICE, K1, 7n, 15n, OTHER_OP)], OTHER_OP).leaves(hasher)).to.deep.equal([leaf(7n)]);
  });

  it("leafInputs gives each position's (commitment, claims, expiresAt), null where removed; leaves hashes them", function () {
    const l = rebuild([
      ...attest(ALICE, K1, 7n),
      ...attest(BOB, K2, 8n),
      { kind: "claimsDropped", subject: BOB, claims: 1n },
      ...attest(CAROL, K3, 9n),
      { kind: "revoked", subject: ALICE },
    ]);
    expect(l.leafInputs()).to.deep.equal([
      null,
      { commitment: 8n, claims: 1n, expiresAt: EXP },
      { commitment: 9n, claims: 15n, expiresAt: EXP },
    ]);
    expect(l.leaves(hasher)).to.deep.equal([0n, leaf(8n, 1n), leaf(9n)]);
  });

  it("a disabled trust anchor takes its holders' leaves out (0 at their positions) until it is enabled again", function () {
    // alice and carol under anchor 1, bob under anchor 3
    const events = [...attest(ALICE, K1, 7n), ...attest(BOB, K2, 8n, 15n, OP, 3), ...attest(CAROL, K3, 9n)];
    const all = [leaf(7n), leaf(8n), leaf(9n)];
    expect(rebuild(events).leaves(hasher)).to.deep.equal(all);
    const disabled = rebuild([...events, anchor(1, false)]);
    expect(disabled.leaves(hasher)).to.deep.equal([0n, leaf(8n), 0n]);
    expect(disabled.leafInputs()).to.deep.equal([null, { commitment: 8n, claims: 15n, expiresAt: EXP }, null]);
    expect(disabled.size).to.equal(3);
    expect(rebuild([...events, anchor(3, false)]).leaves(hasher)).to.deep.equal([leaf(7n), 0n, leaf(9n)]);
    // re-enabled: back at the same positions, with whatever happened meanwhile (a claim drop, a revocation)
    const back = rebuild([
      ...events,
      anchor(1, false),
      anchor(1, false),
      { kind: "claimsDropped", subject: ALICE, claims: 1n },
      { kind: "revoked", subject: CAROL },
      anchor(1, true),
    ]);
    expect(back.leaves(hasher)).to.deep.equal([leaf(7n, 1n), leaf(8n), 0n]);
    // enabling an anchor that was never disabled changes nothing
    expect(rebuild([...events, anchor(1, true)]).leaves(hasher)).to.deep.equal(all);
  });

  it("a disabled anchor follows the record, not the key: a re-attestation under another anchor is in the tree", function () {
    const events = [...attest(ALICE, K1, 7n), anchor(1, false)];
    expect(rebuild(events).leaves(hasher)).to.deep.equal([0n]);
    // the operator re-attests alice (same card key) under anchor 3: same position, live
    expect(rebuild([...events, ...attest(ALICE, K1, 7n, 15n, OP, 3)]).leaves(hasher)).to.deep.equal([leaf(7n)]);
    // and a later re-enable of anchor 1 does not bring back the replaced record
    expect(
      rebuild([...events, ...attest(ALICE, K1, 7n, 15n, OP, 3), anchor(3, false), anchor(1, true)]).leaves(hasher),
    ).to.deep.equal([0n]);
  });

  it("anonRegistryTreeRoot: the root of AnonTree over the leaves, the events up to a block, the live leaves", async function () {
    const at = (block: number, events: AnonRegistryEvent[]) => events.map((e) => ({ ...e, blockNumber: block }));
    const events = [
      ...at(1, attest(ALICE, K1, 7n)),
      ...at(2, attest(BOB, K2, 8n, 15n, OP, 3)),
      ...at(3, [anchor(3, false)]),
      ...at(4, attest(CAROL, K3, 9n)),
    ];
    for (const toBlock of [undefined, 0, 1, 2, 3, 4]) {
      const r = await anonRegistryTreeRoot(events, OP, { workers: 0, ...(toBlock !== undefined ? { toBlock } : {}) });
      const expected = rebuild(events.filter((e) => toBlock === undefined || e.blockNumber <= toBlock));
      expect(r.treeRoot, `to block ${toBlock}`).to.equal(AnonTree.build(hasher, expected.leaves(hasher)).root);
      expect(r.leaves.leafInputs()).to.deep.equal(expected.leafInputs());
      expect(r.liveLeaves).to.equal(expected.leaves(hasher).filter((v) => v !== 0n).length);
    }
    const all = await anonRegistryTreeRoot(events, OP);
    expect([all.leaves.size, all.liveLeaves]).to.deep.equal([3, 2]);
    await anonRegistryTreeRoot([attest(ALICE, K1, 7n)[1]!], OP).then(
      () => expect.fail("expected ANON_EVENT_ORDER"),
      (e: unknown) => expect((e as AnonError).code).to.equal("ANON_EVENT_ORDER"),
    );
  });

  it("refuses an AnonLeaf that does not follow its Attested (ANON_EVENT_ORDER)", function () {
    const [attested, anonLeaf] = attest(ALICE, K1, 7n);
    const l = new AnonRegistryLeaves(OP);
    expect(() => l.apply(anonLeaf!))
      .to.throw(AnonError)
      .with.property("code", "ANON_EVENT_ORDER");
    l.apply(attested!);
    expect(() => l.apply({ ...(anonLeaf as Extract<AnonRegistryEvent, { kind: "anonLeaf" }>), keyNullifier: K2 }))
      .to.throw(AnonError)
      .with.property("code", "ANON_EVENT_ORDER");
  });
});

describe("the holder's secret: hashToField of the card's deterministic signature over a fixed message", function () {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
  const card = async (digest: Uint8Array) => new Uint8Array(sign("sha256", digest, privateKey));

  it("is the same every time (PKCS#1 v1.5 is deterministic), a field element, and differs between cards", async function () {
    const a = await deriveAnonSecret(card);
    expect(await deriveAnonSecret(card)).to.equal(a);
    expect(a > 0n && a < SNARK_SCALAR_FIELD).to.equal(true);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 }).privateKey;
    expect(await deriveAnonSecret(async (d) => new Uint8Array(sign("sha256", d, other)))).to.not.equal(a);
    expect(anonSecretDigest()).to.have.length(32);
    expect(ANON_SECRET_MESSAGE).to.match(/^jpki-kyc\/anon-secret\/v1/);
  });

  it("refuses a signature shorter than an RSA-2048 one", function () {
    expect(() => anonSecretFromSignature(new Uint8Array(64)))
      .to.throw(AnonError)
      .with.property("code", "ANON_OUT_OF_RANGE");
  });
});
