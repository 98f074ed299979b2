/**
 * `jpki-kyc/sdk/anon` reading the root at a proof's `rootRef`, as a dApp does it before it accepts a proof (or relays
 * `claim(proof, rootRef, nullifierSignal)`): an ethers JsonRpcProvider over HTTP to a node (Hardhat's in-process
 * JSON-RPC server), a registry whose attesters publish roots in their rings, typed refusals for every way the ref
 * can be wrong.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { JsonRpcProvider, toBeHex } from "ethers";
import { network } from "hardhat";
import {
  ANON_ROOT_BITS,
  AnonError,
  checkVerificationKey,
  readAnonRootPublications,
  verifyAnonProofAtRef,
  type AnonProof,
  type AnonRefCheck,
  type AnonVerificationKey,
} from "jpki-kyc/sdk/anon";

import { AnonTree, anonWitnessInput, proveAnon, releaseCurve } from "../../src/anon/index.js";
import { deployRegistryFixture, type RegistryFixture } from "../helpers/registry-fixture.js";
import { rejects } from "../operator/helpers/rejects.js";
import { anonArtifacts, anonWorld } from "../zk/helpers/anon-fixture.js";

describe("jpki-kyc/sdk/anon: a dApp checks a proof against the root at its rootRef (over HTTP)", function () {
  this.timeout(20 * 60_000);
  let server: Awaited<ReturnType<typeof network.createServer>>;
  let url: string;
  let setup: Awaited<ReturnType<typeof network.create>>;
  let f: RegistryFixture;
  let provider: JsonRpcProvider;
  let vkey: AnonVerificationKey;
  let proof: AnonProof;
  let root: string;
  let validUntil: bigint;
  /** The statement the holder proved: scope, signal and claims mask. */
  const statement = { scope: 77n, signal: BigInt("0x" + "5a".repeat(20)), claimsMask: 8n };
  /** The refs of the attester's publications, in order. */
  const refs = async (attester: string) =>
    (await readAnonRootPublications(provider, f.address, { attester })).map((p) => p.ref);
  const check = (rootRef: bigint, extra: Partial<AnonRefCheck> = {}): AnonRefCheck => ({
    provider,
    registry: f.address,
    rootRef,
    ...statement,
    ...extra,
  });
  /** A one-line AnonError with `code` (the SDK's typed refusal). */
  async function refused(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
    expect(await rejects(promise, code, pattern)).to.be.instanceOf(AnonError);
  }

  before(async function () {
    server = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    setup = await network.create({ network: "localhost", override: { url } });
    f = await deployRegistryFixture(setup.ethers);
    // no 250 ms cache of identical requests (ethers' default): the test reads again right after each change
    provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
    // a holder with AGE_20 in a tree of one leaf, and a root valid for an hour from the chain's time
    const w = await anonWorld();
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const holder = { secret: 0x5d4n, claims: 1n | 8n, expiresAt: now + 365n * 86_400n };
    const tree = AnonTree.build(w.hasher, [
      w.hasher.leaf(w.hasher.commitment(holder.secret), 1n | 8n, holder.expiresAt),
    ]);
    validUntil = now + 3600n;
    root = toBeHex(w.hasher.publishedRoot(tree.root, validUntil), 32);
    const artifacts = await anonArtifacts();
    vkey = checkVerificationKey(JSON.parse(readFileSync(artifacts.verificationKey, "utf8")));
    proof = await proveAnon(
      anonWitnessInput(w.hasher, tree, holder, { treeRoot: tree.root, validUntil, ...statement }),
      artifacts,
    );
    await f.registry.connect(f.attester).publishAnonRoot(root, validUntil, 1);
  });

  after(async function () {
    provider?.destroy();
    await setup?.close();
    await server?.close();
    await releaseCurve();
  });

  it("accepts the proof at the ref of its root's publication and hands back the nullifier and the entry", async function () {
    const [ref] = await refs(f.attester.address);
    const v = await verifyAnonProofAtRef(vkey, proof, check(ref!));
    expect(v.rootRef).to.equal(ref);
    expect(v.root).to.include({ root, validUntil, usable: true });
    expect(BigInt(v.root.root) < 2n ** ANON_ROOT_BITS).to.equal(true);
    expect(v.signals).to.include({ root: BigInt(root), scope: statement.scope, signal: statement.signal });
    expect(v.signals.nullifier).to.equal(BigInt(proof.publicSignals[0]!) >> 160n);
    // another attester that publishes the same root value holds it at its own ref: a consumer takes that ref too
    await f.registry.connect(f.attester2).publishAnonRoot(root, validUntil, 1);
    const [copy] = await refs(f.attester2.address);
    expect(copy).to.not.equal(ref);
    expect((await verifyAnonProofAtRef(vkey, proof, check(copy!))).root.root).to.equal(root);
  });

  it("refuses a ref that holds another root, or nothing, and an age over the consumer's bound", async function () {
    const [ref] = await refs(f.attester.address);
    // the attester's next root takes the next entry of its ring
    const other = toBeHex(123456789n, 32);
    await f.registry.connect(f.attester).publishAnonRoot(other, validUntil, 1);
    const next = (await refs(f.attester.address)).at(-1)!;
    expect(next).to.equal(ref! + 1n);
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(next)),
      "ANON_WRONG_ROOT",
      new RegExp(`^ref ${next} \\(attester #1, entry 1\\) holds the root ${other}, not the proof's root ${root} `),
    );
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(ref! + 63n)),
      "ANON_WRONG_ROOT",
      new RegExp(`^nothing is published at ref ${ref! + 63n} \\(attester #1, entry 63\\)`),
    );
    // the root was published blocks ago: a consumer bound of 0 seconds refuses it, one of an hour accepts it
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(ref!, { maxRootAge: 0n })),
      "ANON_WRONG_ROOT",
      /was published at .*, more than 0 s ago \(the consumer's age bound\)$/,
    );
    expect((await verifyAnonProofAtRef(vkey, proof, check(ref!, { maxRootAge: 3600n }))).rootRef).to.equal(ref);
    // the statement is still checked: another scope, signal or mask
    for (const extra of [{ scope: 78n }, { signal: 1n }, { claimsMask: 4n }]) {
      await refused(verifyAnonProofAtRef(vkey, proof, check(ref!, extra)), "ANON_STATEMENT_MISMATCH", /expected/);
    }
  });

  it("refuses a removed attester's root and a root past its validUntil; bad arguments and an unreachable node are typed", async function () {
    const [ref] = await refs(f.attester.address);
    const [copy] = await refs(f.attester2.address);
    await f.registry.connect(f.admin).revokeRole(await f.registry.ATTESTER_ROLE(), f.attester2.address);
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(copy!)),
      "ANON_WRONG_ROOT",
      /^the root at ref \d+ \(attester #2, entry 0\) is unusable: its attester was removed$/,
    );
    expect((await verifyAnonProofAtRef(vkey, proof, check(ref!))).root.usable).to.equal(true);
    await setup.networkHelpers.time.increaseTo(validUntil + 1n);
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(ref!)),
      "ANON_WRONG_ROOT",
      new RegExp(
        `^the root at ref ${ref} \\(attester #1, entry 0\\) is past its validUntil ` +
          `${new Date(Number(validUntil) * 1000).toISOString()}$`,
      ),
    );
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(ref!, { registry: "0x1234" })),
      "ANON_BAD_ARGUMENT",
      /0x1234/,
    );
    await refused(verifyAnonProofAtRef(vkey, proof, check(-1n)), "ANON_OUT_OF_RANGE", /rootRef/);
    const down = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
    await refused(
      verifyAnonProofAtRef(vkey, proof, check(ref!, { provider: down })),
      "ANON_REGISTRY_UNREADABLE",
      /anonRootAt/,
    );
    down.destroy();
  });
});
