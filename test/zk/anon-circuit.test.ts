// Witness tests of circuits/anon.circom: every constraint of the statement, from the honest side and the attacker's.
// circom's witness calculator evaluates every constraint while it computes, so an input the constraints reject
// makes it throw ("Assert Failed"); accepted witnesses are also checked against the r1cs.
import { expect } from "chai";
import { wtns } from "snarkjs";

import {
  SNARK_SCALAR_FIELD,
  AnonTree,
  anonWitnessInput,
  releaseCurve,
  type AnonArtifacts,
  type AnonCircuitInput,
} from "../../src/anon/index.js";
import { loadCircomlibPoseidon } from "../../src/anon/poseidon.js";
import { CLAIMS, NOW, anonArtifacts, anonWorld, type AnonWorld } from "./helpers/anon-fixture.js";

const r = SNARK_SCALAR_FIELD;
const modR = (a: bigint) => ((a % r) + r) % r;
function invR(a: bigint): bigint {
  let [result, base, exp] = [1n, modR(a), r - 2n];
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % r;
    base = (base * base) % r;
    exp >>= 1n;
  }
  return result;
}

describe("anon circuit (witness)", function () {
  let artifacts: AnonArtifacts;
  let w: AnonWorld;

  before(async function () {
    this.timeout(20 * 60_000); // a cold development setup compiles and prepares the powers of tau
    artifacts = await anonArtifacts();
    w = await anonWorld();
  });

  after(releaseCurve);

  /** Computes the witness and checks it against the r1cs; returns [1, nullifierSignal, root, scope, claimsMask]. */
  async function witness(input: AnonCircuitInput): Promise<[bigint, bigint, bigint, bigint, bigint]> {
    const file = { type: "mem" };
    await wtns.calculate(input, artifacts.wasm, file);
    const ok: unknown = await wtns.check(artifacts.r1cs, file);
    expect(ok).to.equal(true);
    const values = (await (wtns as unknown as { exportJson(f: unknown): Promise<bigint[]> }).exportJson(file)).slice(
      0,
      5,
    );
    return values.map((v) => BigInt(v)) as [bigint, bigint, bigint, bigint, bigint];
  }

  /**
   * Expects the witness calculator to stop on a failed constraint in `where`, the innermost templates of circom's
   * error trace ("Num2Bits<ClaimsCover": a Num2Bits inside ClaimsCover), so that each test fails if its rule is
   * removed rather than passing for another reason.
   */
  async function refused(input: AnonCircuitInput, where: string): Promise<void> {
    let error: unknown;
    const consoleError = console.error;
    console.error = () => {}; // circom's runtime prints the trace before throwing it
    try {
      await wtns.calculate(input, artifacts.wasm, { type: "mem" });
    } catch (e) {
      error = e;
    } finally {
      console.error = consoleError;
    }
    expect(error, "the circuit accepted the input").to.be.instanceOf(Error);
    const message = (error as Error).message;
    expect(message).to.match(/Assert Failed/);
    const trace = [...message.matchAll(/Error in template (\w+?)_\d+ line: \d+/g)].map((m) => m[1]).join("<");
    expect(trace.startsWith(where), `${where} in ${trace}`).to.equal(true);
  }

  function aliceInput(overrides: Partial<Record<string, string | string[]>> = {}): AnonCircuitInput {
    return { ...anonWitnessInput(w.hasher, w.tree, w.alice, w.statement), ...overrides } as AnonCircuitInput;
  }

  /** The root input that matches a tree root and a validUntil (what the operator would publish). */
  const rootOf = (treeRoot: bigint, validUntil: bigint) => w.hasher.publishedRoot(treeRoot, validUntil).toString();
  const SIGNAL_BITS = 160n;

  it("accepts a member's valid statement; packs the nullifier with the signal and exposes the public inputs in order", async function () {
    const [one, nullifierSignal, root, scope, mask] = await witness(aliceInput());
    expect(one).to.equal(1n);
    const nullifier = w.hasher.nullifier(w.statement.scope, w.alice.secret);
    expect(nullifier < 2n ** 93n).to.equal(true);
    expect(nullifierSignal).to.equal((nullifier << SIGNAL_BITS) | w.statement.signal);
    expect([root, scope, mask]).to.deep.equal([
      w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil),
      w.statement.scope,
      w.statement.claimsMask,
    ]);
  });

  it("accepts every member at its position (left and right children, a tree with a removed slot)", async function () {
    const bobStatement = { ...w.statement, claimsMask: CLAIMS.AGE_18 };
    const [, nullifierSignal] = await witness(anonWitnessInput(w.hasher, w.tree, w.bob, bobStatement));
    expect(nullifierSignal >> SIGNAL_BITS).to.equal(w.hasher.nullifier(w.statement.scope, w.bob.secret));
  });

  describe("membership and the published root", function () {
    it("refuses a root the path does not lead to", async function () {
      await refused(aliceInput({ root: rootOf(w.statement.treeRoot + 1n, w.statement.validUntil) }), "AnonAttestation");
    });

    it("publishes the low 176 bits of Poseidon(treeRoot, validUntil) as the root", async function () {
      const poseidon = await loadCircomlibPoseidon();
      const full = poseidon.F.toObject(poseidon([w.statement.treeRoot, w.statement.validUntil]));
      expect(full >= 2n ** 176n, "the fixture's hash has bits above 176").to.equal(true);
      const [, , root] = await witness(aliceInput());
      expect(root).to.equal(full & (2n ** 176n - 1n));
    });

    it("refuses the whole hash, or the root with any bit above 176 set, as the root", async function () {
      const poseidon = await loadCircomlibPoseidon();
      const full = poseidon.F.toObject(poseidon([w.statement.treeRoot, w.statement.validUntil]));
      await refused(aliceInput({ root: full.toString() }), "AnonAttestation");
      const published = w.hasher.publishedRoot(w.statement.treeRoot, w.statement.validUntil);
      for (const bit of [176n, 200n, 253n]) {
        await refused(aliceInput({ root: (published + (1n << bit)).toString() }), "AnonAttestation");
      }
    });

    it("refuses the tree root itself as the root (the published root commits to validUntil)", async function () {
      await refused(aliceInput({ root: w.statement.treeRoot.toString() }), "AnonAttestation");
    });

    it("refuses a validUntil other than the one the root was published with", async function () {
      await refused(aliceInput({ validUntil: (w.statement.validUntil - 1n).toString() }), "AnonAttestation");
    });

    it("refuses a wrong sibling", async function () {
      const siblings = [...(aliceInput().siblings as string[])];
      siblings[3] = (BigInt(siblings[3]!) + 1n).toString();
      await refused(aliceInput({ siblings }), "AnonAttestation");
    });

    it("refuses a flipped path bit", async function () {
      const indices = [...(aliceInput().indices as string[])];
      indices[0] = indices[0] === "1" ? "0" : "1";
      await refused(aliceInput({ indices }), "AnonAttestation");
    });

    it("refuses a secret that is not the leaf's (another holder's leaf)", async function () {
      await refused(aliceInput({ secret: w.bob.secret.toString() }), "AnonAttestation");
    });

    it("refuses leaf contents that differ from the published leaf (claims raised)", async function () {
      await refused(aliceInput({ claims: (w.alice.claims | CLAIMS.IDENTITY).toString() }), "AnonAttestation");
    });

    it("refuses a non-binary path index that would splice an invented leaf under a real node", async function () {
      // The attacker invents a leaf with every claim and no expiry, then picks a sibling and a selector so that
      // a 'mux' of (node, sibling) yields the real pair at positions 4 and 5. Only the bit constraint stops it.
      const secret = 0xbad5ec2e7n;
      const claims = 2n ** 32n - 1n;
      const expiresAt = 2n ** 64n - 1n;
      const forged = w.hasher.leaf(w.hasher.commitment(secret), claims, expiresAt);
      const a = w.tree.leaf(4);
      const b = w.tree.leaf(5);
      const sibling = modR(a + b - forged);
      const selector = modR((a - forged) * invR(sibling - forged));
      const real = w.tree.path(4);
      // With the selector unconstrained, left = node + t (sibling - node), right = sibling - t (sibling - node):
      const swap = modR(selector * (sibling - forged));
      expect([modR(forged + swap), modR(sibling - swap)]).to.deep.equal([a, b]);
      let node = w.hasher.node(modR(forged + swap), modR(sibling - swap));
      for (let l = 1; l < real.siblings.length; l++) {
        node = real.indices[l] === 1 ? w.hasher.node(real.siblings[l]!, node) : w.hasher.node(node, real.siblings[l]!);
      }
      expect(node, "the forgery reaches the real root").to.equal(w.tree.root);

      await refused(
        {
          ...aliceInput(),
          claimsMask: CLAIMS.IDENTITY.toString(),
          secret: secret.toString(),
          claims: claims.toString(),
          expiresAt: expiresAt.toString(),
          siblings: [sibling, ...real.siblings.slice(1)].map(String),
          indices: [selector, ...real.indices.slice(1)].map(String),
        },
        "MerkleRoot<AnonAttestation",
      );
    });
  });

  describe("claims", function () {
    it("refuses claims lacking one bit of the mask", async function () {
      const input = anonWitnessInput(w.hasher, w.tree, w.bob, { ...w.statement, claimsMask: CLAIMS.AGE_18 });
      await refused(
        { ...input, claimsMask: (CLAIMS.AGE_18 | CLAIMS.AGE_20).toString() },
        "ClaimsCover<AnonAttestation",
      );
    });

    it("accepts the top bit (bit 31) and refuses it when the claims lack it", async function () {
      await witness(aliceInput({ claimsMask: CLAIMS.HIGH.toString() }));
      const input = anonWitnessInput(w.hasher, w.tree, w.bob, { ...w.statement, claimsMask: CLAIMS.AUTH });
      await refused({ ...input, claimsMask: CLAIMS.HIGH.toString() }, "ClaimsCover<AnonAttestation");
    });

    it("refuses claims >= 2^32, even in a leaf of the tree", async function () {
      const holder = { secret: 77n, claims: 2n ** 32n + (CLAIMS.AGE_18 | CLAIMS.AGE_20), expiresAt: NOW + 10n ** 6n };
      const leaf = w.hasher.leaf(w.hasher.commitment(holder.secret), holder.claims, holder.expiresAt);
      const tree = AnonTree.build(w.hasher, [leaf]);
      const path = tree.path(0);
      await refused(
        {
          ...aliceInput(),
          root: rootOf(tree.root, w.statement.validUntil),
          secret: holder.secret.toString(),
          claims: holder.claims.toString(),
          expiresAt: holder.expiresAt.toString(),
          siblings: path.siblings.map(String),
          indices: path.indices.map(String),
        },
        "Num2Bits<ClaimsCover",
      );
    });

    it("refuses a claims mask >= 2^32 (a mask bit above 31 would otherwise be unchecked)", async function () {
      await refused(aliceInput({ claimsMask: (2n ** 32n + CLAIMS.AGE_18).toString() }), "Num2Bits<ClaimsCover");
    });

    it("refuses a claims mask equal to a field-wrapped value (r - 1)", async function () {
      await refused(aliceInput({ claimsMask: (r - 1n).toString() }), "Num2Bits<ClaimsCover");
    });
  });

  describe("expiry against the root's validUntil", function () {
    const until = (validUntil: bigint) => ({
      validUntil: validUntil.toString(),
      root: rootOf(w.tree.root, validUntil),
    });

    it("accepts validUntil = expiresAt - 1", async function () {
      await witness(aliceInput(until(w.alice.expiresAt - 1n)));
    });

    it("refuses validUntil = expiresAt (the leaf must outlive every moment the root may be used)", async function () {
      await refused(aliceInput(until(w.alice.expiresAt)), "StrictlyBefore<AnonAttestation");
    });

    it("refuses an expired leaf (expiresAt < validUntil)", async function () {
      const input = anonWitnessInput(w.hasher, w.tree, w.carol, {
        ...w.statement,
        claimsMask: CLAIMS.AUTH,
        validUntil: w.carol.expiresAt - 1n,
      });
      await witness(input);
      await refused({ ...input, ...until(NOW) }, "StrictlyBefore<AnonAttestation");
    });

    it("refuses validUntil >= 2^64 and validUntil wrapped around the field", async function () {
      await refused(aliceInput(until(2n ** 64n)), "Num2Bits<StrictlyBefore");
      await refused(aliceInput(until(r - 1n)), "Num2Bits<StrictlyBefore");
    });
  });

  describe("signal", function () {
    it("accepts the largest 160-bit signal and keeps it in the low 160 bits", async function () {
      const signal = 2n ** 160n - 1n;
      const [, nullifierSignal] = await witness(aliceInput({ signalValue: signal.toString() }));
      expect(nullifierSignal & signal).to.equal(signal);
      expect(nullifierSignal >> SIGNAL_BITS).to.equal(w.hasher.nullifier(w.statement.scope, w.alice.secret));
    });

    it("refuses a signal >= 2^160 (it would spill into the nullifier bits) and a field-wrapped one", async function () {
      await refused(aliceInput({ signalValue: (2n ** 160n).toString() }), "Num2Bits<AnonAttestation");
      await refused(aliceInput({ signalValue: (r - 1n).toString() }), "Num2Bits<AnonAttestation");
    });
  });

  describe("nullifier", function () {
    const nullifierOf = async (input: AnonCircuitInput) => (await witness(input))[1] >> SIGNAL_BITS;

    it("differs between scopes for the same holder", async function () {
      const n1 = await nullifierOf(aliceInput());
      const n2 = await nullifierOf(aliceInput({ scope: (w.statement.scope + 1n).toString() }));
      expect(n1).to.not.equal(n2);
      expect(n2).to.equal(w.hasher.nullifier(w.statement.scope + 1n, w.alice.secret));
    });

    it("stays the same for the same holder and scope across signals and roots", async function () {
      const n1 = await nullifierOf(aliceInput());
      const later = w.statement.validUntil + 100n;
      const n2 = await nullifierOf(
        aliceInput({ signalValue: "999", validUntil: later.toString(), root: rootOf(w.tree.root, later) }),
      );
      expect(n1).to.equal(n2);
    });

    it("differs between holders in the same scope, and is neither the commitment nor the leaf", async function () {
      const nAlice = await nullifierOf(aliceInput());
      const bobStatement = { ...w.statement, claimsMask: CLAIMS.AGE_18 };
      const nBob = await nullifierOf(anonWitnessInput(w.hasher, w.tree, w.bob, bobStatement));
      expect(nAlice).to.not.equal(nBob);
      const commitment = w.hasher.commitment(w.alice.secret);
      const mask = 2n ** 93n - 1n;
      expect(nAlice).to.not.equal(commitment & mask);
      expect(nAlice).to.not.equal(w.hasher.leaf(commitment, w.alice.claims, w.alice.expiresAt) & mask);
    });
  });
});
