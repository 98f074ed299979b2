import { expect } from "chai";
import { TypedDataEncoder, ZeroHash, concat, id, keccak256 } from "ethers";
import { network } from "hardhat";

import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import {
  ATTESTATION_TYPES,
  attestationDigest,
  requestTuple,
  signAttestation,
} from "../../src/operator/attestation-request.js";
import {
  Claims,
  bindingDigestOf,
  bindingProof,
  cardSign,
  keyNullifier,
  subjectSignature,
  testCard,
} from "../helpers/card-proof.js";
import {
  attestBySigWith,
  attestWith,
  deployRegistryFixture,
  latestTime,
  makeRequest,
  relayAuthorization,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployRegistryFixture(ethers);

describe("KycRegistry v2: relayed attestation (attestBySig)", function () {
  it("the operator library's Attestation digest is the registry's attestationDigest", async function () {
    const { registry, attester, alice, address } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const binding = await bindingDigestOf(registry, { ...req, attester: attester.address });
    const { chainId } = await ethers.provider.getNetwork();
    const relayDeadline = req.deadline + 5n;
    const n = keyNullifier(card.modulus);
    expect(await registry.attestationDigest(binding, req, n, relayDeadline)).to.equal(
      attestationDigest(chainId, address, { binding, request: req, keyNullifier: n, relayDeadline }),
    );
    expect(TypedDataEncoder.from(ATTESTATION_TYPES).encodeType("Attestation")).to.equal(
      "Attestation(bytes32 binding,uint32 claims,bytes32 personTag,uint64 expiryCap,uint16 caId,bytes32 keyNullifier," +
        "bytes32 recordCommitment,uint64 relayDeadline)",
    );
    // requestTuple encodes like the struct
    expect(
      registry.interface.encodeFunctionData("attestationDigest", [binding, requestTuple(req) as never, n, 1n]),
    ).to.equal(registry.interface.encodeFunctionData("attestationDigest", [binding, req, n, 1n]));
  });

  it("anyone relays an attester-authorised attestation; the holder nonce is consumed", async function () {
    const { registry, attester, alice, stranger } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    await expect(attestBySigWith(registry, attester, stranger, card, req))
      .to.emit(registry, "Attested")
      .withArgs(
        alice.address,
        attester.address,
        keyNullifier(card.modulus),
        Claims.AUTH,
        (x: bigint) => x > 0n,
        1,
        req.recordCommitment,
      );
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect(await registry.nonces(alice.address)).to.equal(1n);
    expect((await registry.attestationOf(alice.address)).attester).to.equal(attester.address);
  });

  it("an ERC-1271 attester (a smart-account operator) can authorise relays", async function () {
    const { registry, admin, alice, bob, stranger } = await networkHelpers.loadFixture(fixture);
    const account = await ethers.deployContract("SmartAccountMock", [bob.address]);
    const op = await account.getAddress();
    await registry.connect(admin).grantRole(await registry.ATTESTER_ROLE(), op);
    await account
      .connect(bob)
      .execute(await registry.getAddress(), registry.interface.encodeFunctionData("recordCrlSync"));
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const proof = await bindingProof(registry, card, alice, req, op);
    const binding = proof.digest;
    const { chainId } = await ethers.provider.getNetwork();
    // bob (the account's owner) signs the Attestation; the account approves it through ERC-1271
    const signature = await signAttestation(bob, chainId, await registry.getAddress(), {
      binding,
      request: req,
      keyNullifier: keyNullifier(card.modulus),
      relayDeadline: req.deadline,
    });
    // the same authorisation signed by someone who does not own the account is refused
    const notOwner = await signAttestation(stranger, chainId, await registry.getAddress(), {
      binding,
      request: req,
      keyNullifier: keyNullifier(card.modulus),
      relayDeadline: req.deadline,
    });
    await expect(
      registry.connect(stranger).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, {
        attester: op,
        deadline: req.deadline,
        signature: notOwner,
      }),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    await registry.connect(stranger).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, {
      attester: op,
      deadline: req.deadline,
      signature,
    });
    expect((await registry.attestationOf(alice.address)).attester).to.equal(op);
  });

  it("RelayDeadlineExpired, NotAttester, InvalidAttesterSignature (wrong signer, changed request, deadline or key)", async function () {
    const { registry, attester, revoker, alice, bob } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const proof = await bindingProof(registry, card, alice, req, attester.address);
    const now = await latestTime(ethers);
    const r = registry.connect(bob);
    const send = (q: typeof req, relay: { attester: string; deadline: bigint; signature: string }, m = card.modulus) =>
      r.attestBySig(q, m, proof.cardSignature, proof.subjectSignature, relay);
    const late = await relayAuthorization(registry, attester, req, card.modulus, now);
    await expect(send(req, late)).to.be.revertedWithCustomError(registry, "RelayDeadlineExpired").withArgs(now);
    const dl = now + 600n;
    const byRevoker = await relayAuthorization(registry, revoker, req, card.modulus, dl);
    await expect(send(req, byRevoker)).to.be.revertedWithCustomError(registry, "NotAttester").withArgs(revoker.address);
    // signed by someone else but claiming to be the attester
    await expect(send(req, { ...byRevoker, attester: attester.address })).to.be.revertedWithCustomError(
      registry,
      "InvalidAttesterSignature",
    );
    const good = await relayAuthorization(registry, attester, req, card.modulus, dl);
    for (const changed of [
      { ...req, claims: Claims.AUTH | Claims.AGE_18, personTag: id("t") },
      { ...req, expiryCap: req.expiryCap - 15_778_476n },
      { ...req, recordCommitment: id("another record") },
    ]) {
      await expect(send(changed, good)).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    }
    await expect(send(req, { ...good, deadline: dl + 1n })).to.be.revertedWithCustomError(
      registry,
      "InvalidAttesterSignature",
    );
    // another card key than the one authorised
    const otherProof = await bindingProof(registry, testCard(1), alice, req, attester.address);
    await expect(
      r.attestBySig(req, testCard(1).modulus, otherProof.cardSignature, otherProof.subjectSignature, good),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    await send(req, good);
    expect(await registry.isVerified(alice.address)).to.equal(true);
  });

  it("check order on the relayed path: RegistryPaused, RelayDeadlineExpired, NotAttester, …, InvalidModulus, InvalidAttesterSignature, InvalidCardSignature, InvalidSubjectSignature", async function () {
    const { registry, attester, pauser, alice, bob, stranger } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const proof = await bindingProof(registry, card, alice, req, attester.address);
    const now = await latestTime(ethers);
    const good = await relayAuthorization(registry, attester, req, card.modulus, now + 600n);
    const r = registry.connect(stranger);
    await registry.connect(pauser).pause();
    await expect(
      r.attestBySig(req, "0x", "0x", "0x", { attester: stranger.address, deadline: 0n, signature: "0x" }),
    ).to.be.revertedWithCustomError(registry, "RegistryPaused");
    await registry.connect(pauser).unpause();
    await expect(
      r.attestBySig(req, "0x", "0x", "0x", { attester: stranger.address, deadline: 0n, signature: "0x" }),
    ).to.be.revertedWithCustomError(registry, "RelayDeadlineExpired");
    await expect(
      r.attestBySig({ ...req, deadline: 0n }, "0x", "0x", "0x", { ...good, attester: stranger.address }),
    ).to.be.revertedWithCustomError(registry, "NotAttester");
    await expect(r.attestBySig({ ...req, deadline: 0n }, "0x", "0x", "0x", good)).to.be.revertedWithCustomError(
      registry,
      "DeadlineExpired",
    );
    await expect(r.attestBySig(req, "0x", "0x", "0x", { ...good, signature: "0x" }))
      .to.be.revertedWithCustomError(registry, "InvalidModulus")
      .withArgs(0);
    await expect(
      r.attestBySig(req, card.modulus, "0x", "0x", { ...good, signature: "0x" }),
    ).to.be.revertedWithCustomError(registry, "InvalidAttesterSignature");
    await expect(r.attestBySig(req, card.modulus, "0x", "0x", good)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
    const bobSig = await subjectSignature(registry, bob, { ...req, attester: attester.address });
    await expect(r.attestBySig(req, card.modulus, proof.cardSignature, bobSig, good)).to.be.revertedWithCustomError(
      registry,
      "InvalidSubjectSignature",
    );
    await r.attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, good);
  });
});

describe("KycRegistry v2: binding replay", function () {
  it("across nonces: an old binding (card and wallet signatures) is dead once its nonce is consumed", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address, { deadline: 2n ** 40n });
    const proof = await bindingProof(registry, card, alice, req, attester.address);
    const a = registry.connect(attester);
    await a.attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
    await registry.connect(alice).revokeSelf();
    await expect(
      a.attest(req, card.modulus, proof.cardSignature, proof.subjectSignature),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    await attestWith(registry, attester, card, req);
    expect(await registry.isVerified(alice.address)).to.equal(true);
  });

  it("across deadlines: expired, and a changed deadline breaks the signatures", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    const proof = await bindingProof(registry, card, alice, req, attester.address);
    const a = registry.connect(attester);
    await expect(
      a.attest({ ...req, deadline: req.deadline + 3600n }, card.modulus, proof.cardSignature, proof.subjectSignature),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    await networkHelpers.time.increaseTo(req.deadline + 1n);
    await registry.connect(attester).recordCrlSync();
    await expect(a.attest(req, card.modulus, proof.cardSignature, proof.subjectSignature))
      .to.be.revertedWithCustomError(registry, "DeadlineExpired")
      .withArgs(req.deadline);
  });

  it("across registry addresses on the same chain", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const other = await deployRegistryFixture(ethers);
    expect(other.address).to.not.equal(await registry.getAddress());
    const card = testCard(0);
    const req = await makeRequest(ethers, alice.address);
    // same attester account in both fixtures (signer #1)
    expect(other.attester.address).to.equal(attester.address);
    const proof = await bindingProof(registry, card, alice, req, attester.address);
    await expect(
      other.registry.connect(other.attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature),
    ).to.be.revertedWithCustomError(other.registry, "InvalidCardSignature");
    await registry.connect(attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
  });

  it("across chain ids: the same registry address on another chain rejects the proof", async function () {
    const a = await network.create({ override: { chainId: 1111 } });
    const b = await network.create({ override: { chainId: 2222 } });
    const fa = await deployRegistryFixture(a.ethers);
    const fb = await deployRegistryFixture(b.ethers);
    expect(fa.address).to.equal(fb.address); // same deployer, same nonce: same address
    const card = testCard(0);
    const req = await makeRequest(a.ethers, fa.alice.address);
    const proof = await bindingProof(fa.registry, card, fa.alice, req, fa.attester.address);
    expect(
      await fb.registry.bindingDigest(req.subject, fb.attester.address, req.disclose, 0n, req.deadline, ZeroHash),
    ).to.not.equal(proof.digest);
    await expect(
      fb.registry.connect(fb.attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature),
    ).to.be.revertedWithCustomError(fb.registry, "InvalidCardSignature");
    await fa.registry.connect(fa.attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
    expect(await fa.registry.isVerified(fa.alice.address)).to.equal(true);
  });

  it("a Revoke signature does not outlive the record it was made for", async function () {
    const { registry, attester, alice } = await networkHelpers.loadFixture(fixture);
    const card = testCard(0);
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    const deadline = (await latestTime(ethers)) + 10n ** 9n;
    const revokeSig = cardSign(card, await registry.revokeDigest(alice.address, 1n, deadline));
    // re-attested with the same key: the nonce moved on, the old Revoke is dead
    await attestWith(registry, attester, card, await makeRequest(ethers, alice.address));
    await expect(registry.revokeByCard(alice.address, deadline, card.modulus, revokeSig)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
  });
});

describe("KycRegistry v2: pluggable card key verifiers", function () {
  async function verifierFixture() {
    const f = await deployRegistryFixture(ethers);
    const verifier = await ethers.deployContract("MockCardKeyVerifier");
    await f.registry.connect(f.admin).setKeyVerifier(1, await verifier.getAddress());
    return { ...f, verifier };
  }
  const publicKey = "0x04" + "ab".repeat(96); // stands in for an uncompressed P-384 point
  const mockSign = (digest: string) => keccak256(concat([publicKey, digest]));

  async function verifierProof(
    registry: IKycRegistryFull,
    wallet: Parameters<typeof bindingProof>[2],
    req: Awaited<ReturnType<typeof makeRequest>>,
    attester: string,
  ) {
    const p = await bindingProof(registry, testCard(0), wallet, req, attester);
    return { cardSignature: mockSign(p.digest), subjectSignature: p.subjectSignature };
  }

  it("attestWithVerifier binds keccak256(keyType ‖ publicKey); revokeByCardWithVerifier revokes and frees it", async function () {
    const { registry, attester, alice, bob, stranger, verifier } = await networkHelpers.loadFixture(verifierFixture);
    expect(await registry.keyVerifier(1)).to.equal(await verifier.getAddress());
    const req = await makeRequest(ethers, alice.address);
    const p = await verifierProof(registry, alice, req, attester.address);
    const n = keyNullifier(publicKey, 1);
    await expect(registry.connect(attester).attestWithVerifier(req, 1, publicKey, p.cardSignature, p.subjectSignature))
      .to.emit(registry, "Attested")
      .withArgs(alice.address, attester.address, n, Claims.AUTH, (x: bigint) => x > 0n, 1, req.recordCommitment);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect(await registry.keyState(n)).to.deep.equal([alice.address, true, false]);
    const deadline = req.deadline;
    const rsig = mockSign(await registry.revokeDigest(alice.address, await registry.nonces(alice.address), deadline));
    await expect(
      registry.connect(stranger).revokeByCardWithVerifier(alice.address, deadline, 1, publicKey, "0x01"),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    await expect(registry.connect(stranger).revokeByCardWithVerifier(alice.address, deadline, 2, publicKey, rsig))
      .to.be.revertedWithCustomError(registry, "UnknownKeyType")
      .withArgs(2);
    await registry.connect(stranger).revokeByCardWithVerifier(alice.address, deadline, 1, publicKey, rsig);
    expect(await registry.isVerified(alice.address)).to.equal(false);
    const reqB = await makeRequest(ethers, bob.address);
    const pB = await verifierProof(registry, bob, reqB, attester.address);
    await registry.connect(attester).attestWithVerifier(reqB, 1, publicKey, pB.cardSignature, pB.subjectSignature);
    expect(await registry.keyState(n)).to.deep.equal([bob.address, true, false]);
  });

  it("InvalidKeyType, UnknownKeyType, InvalidCardSignature (bad signature, reverting verifier), InvalidKeyVerifier", async function () {
    const { registry, admin, attester, alice, verifier } = await networkHelpers.loadFixture(verifierFixture);
    await expect(registry.connect(admin).setKeyVerifier(0, await verifier.getAddress()))
      .to.be.revertedWithCustomError(registry, "InvalidKeyType")
      .withArgs(0);
    const req = await makeRequest(ethers, alice.address);
    const p = await verifierProof(registry, alice, req, attester.address);
    const a = registry.connect(attester);
    await expect(a.attestWithVerifier(req, 2, publicKey, p.cardSignature, p.subjectSignature))
      .to.be.revertedWithCustomError(registry, "UnknownKeyType")
      .withArgs(2);
    await expect(
      a.attestWithVerifier(req, 1, publicKey, keccak256("0x01"), p.subjectSignature),
    ).to.be.revertedWithCustomError(registry, "InvalidCardSignature");
    // the mock reverts on an empty key: fail closed
    await expect(a.attestWithVerifier(req, 1, "0x", p.cardSignature, p.subjectSignature)).to.be.revertedWithCustomError(
      registry,
      "InvalidCardSignature",
    );
    await expect(a.attestWithVerifier(req, 1, publicKey, p.cardSignature, "0x")).to.be.revertedWithCustomError(
      registry,
      "InvalidSubjectSignature",
    );
    await expect(registry.connect(admin).setKeyVerifier(3, alice.address))
      .to.be.revertedWithCustomError(registry, "InvalidKeyVerifier")
      .withArgs(alice.address);
    await expect(registry.connect(admin).setKeyVerifier(1, ethers.ZeroAddress))
      .to.emit(registry, "KeyVerifierSet")
      .withArgs(1, ethers.ZeroAddress);
    await expect(
      a.attestWithVerifier(req, 1, publicKey, p.cardSignature, p.subjectSignature),
    ).to.be.revertedWithCustomError(registry, "UnknownKeyType");
  });

  it("the generic path enforces the same request checks and uniqueness", async function () {
    const { registry, attester, pauser, alice, bob } = await networkHelpers.loadFixture(verifierFixture);
    const a = registry.connect(attester);
    const bad = await makeRequest(ethers, alice.address, { claims: Claims.AUTH | Claims.AGE_20, disclose: 1 });
    await expect(a.attestWithVerifier(bad, 1, publicKey, "0x", "0x")).to.be.revertedWithCustomError(
      registry,
      "ClaimsNotDisclosed",
    );
    const ok = await makeRequest(ethers, alice.address);
    const p = await verifierProof(registry, alice, ok, attester.address);
    await a.attestWithVerifier(ok, 1, publicKey, p.cardSignature, p.subjectSignature);
    const forBob = await makeRequest(ethers, bob.address);
    const pB = await verifierProof(registry, bob, forBob, attester.address);
    await expect(a.attestWithVerifier(forBob, 1, publicKey, pB.cardSignature, pB.subjectSignature))
      .to.be.revertedWithCustomError(registry, "KeyAlreadyBound")
      .withArgs(keyNullifier(publicKey, 1));
    await registry.connect(pauser).pause();
    await expect(a.attestWithVerifier(forBob, 1, publicKey, "0x", "0x")).to.be.revertedWithCustomError(
      registry,
      "RegistryPaused",
    );
  });
});
