import { expect } from "chai";
import { AbiCoder, ZeroHash, solidityPackedKeccak256 } from "ethers";
import { network } from "hardhat";

import { Claims } from "../helpers/card-proof.js";
import { deployEas, attestInEas, registerSchema } from "./helpers/eas.js";
import { ALL_CLAIMS, kycHolders } from "./helpers/holders.js";

const { ethers, networkHelpers } = await network.create();
const abi = AbiCoder.defaultAbiCoder();
/** A Coinbase-Verifications-like schema in the real EAS. */
const REAL_SCHEMA = "bool verifiedAccount";

async function fixture() {
  const h = await kycHolders(ethers);
  const [easAttester] = await ethers.getSigners();
  const { schemaRegistry, eas } = await deployEas(h.deployer);
  const realSchema = await registerSchema(schemaRegistry, REAL_SCHEMA);
  const indexer = await ethers.deployContract("ExampleAttestationIndexer", [await eas.getAddress()], h.deployer);
  const readerOnEas = await ethers.deployContract(
    "EasGatedExample",
    [await eas.getAddress(), await indexer.getAddress(), realSchema],
    h.deployer,
  );
  const face = await ethers.deployContract("KycEasReadFace", [h.registry, Claims.AGE_20], h.deployer);
  const faceAddress = await face.getAddress();
  // the same reader, only its configuration changed: EAS and indexer = the face, schema = the face's schema
  const readerOnFace = await ethers.deployContract(
    "EasGatedExample",
    [faceAddress, faceAddress, await face.schemaUid()],
    h.deployer,
  );
  return { ...h, eas, schemaRegistry, realSchema, indexer, readerOnEas, face, readerOnFace, easAttester: easAttester! };
}

describe("interop: EAS read face", function () {
  it("the same reader accepts a real EAS attestation on EAS and a KYC record on the read face", async function () {
    const h = await networkHelpers.loadFixture(fixture);
    const uid = await attestInEas(
      h.eas,
      h.easAttester,
      h.realSchema,
      h.verified2.address,
      abi.encode(["bool"], [true]),
    );
    await h.indexer.index(uid);
    await expect(h.readerOnEas.connect(h.verified2).enter())
      .to.emit(h.readerOnEas, "Entered")
      .withArgs(h.verified2.address, uid);
    // verified holds AGE_20, the face's policy
    const faceUid = await h.face.getAttestationUid(h.verified.address, await h.face.schemaUid());
    await expect(h.readerOnFace.connect(h.verified).enter())
      .to.emit(h.readerOnFace, "Entered")
      .withArgs(h.verified.address, faceUid);
    expect(await h.readerOnFace.entered(h.verified.address)).to.equal(true);
    // on real EAS, a revoked attestation is refused by the reader too
    await h.eas.connect(h.easAttester).getFunction("revoke")({ schema: h.realSchema, data: { uid, value: 0n } });
    await expect(h.readerOnEas.requireAttested(h.verified2.address)).to.be.revertedWithCustomError(
      h.readerOnEas,
      "AttestationRevoked",
    );
  });

  it("serves EAS-shaped attestations built from the record; no JPKI data, the registry as attester", async function () {
    const h = await networkHelpers.loadFixture(fixture);
    const schema = await h.face.schemaUid();
    expect(schema).to.equal(
      solidityPackedKeccak256(
        ["string", "address", "bool", "uint32"],
        ["uint32 jpkiKycClaims", ethers.ZeroAddress, true, Claims.AGE_20],
      ),
    );
    const uid = await h.face.getAttestationUid(h.verified.address, schema);
    expect(BigInt(uid) & ((1n << 160n) - 1n)).to.equal(BigInt(h.verified.address));
    const a = await h.face.getAttestation(uid);
    const [, , expiresAt] = await (
      await ethers.getContractAt("IKycRegistry", h.registry)
    ).kycStatus(h.verified.address);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    expect(a.uid).to.equal(uid);
    expect(a.schema).to.equal(schema);
    expect(a.recipient).to.equal(h.verified.address);
    expect(a.attester).to.equal(h.registry);
    expect(a.expirationTime).to.equal(expiresAt);
    expect(a.revocationTime).to.equal(0n);
    expect(a.time).to.equal(now);
    expect(a.refUID).to.equal(ZeroHash);
    expect(a.revocable).to.equal(true);
    expect(abi.decode(["uint32"], a.data)[0]).to.equal(BigInt(ALL_CLAIMS));
    expect(a.data).to.have.length(2 + 64);
    expect(await h.face.isAttestationValid(uid)).to.equal(true);
    expect(await h.face.getSchemaRegistry()).to.equal(await h.face.getAddress());
    const record = await h.face.getSchema(schema);
    expect([record.uid, record.resolver, record.revocable, record.schema]).to.deep.equal([
      schema,
      ethers.ZeroAddress,
      true,
      "uint32 jpkiKycClaims",
    ]);
    expect((await h.face.getSchema(h.realSchema)).uid).to.equal(ZeroHash);
    expect(await h.face.getTimestamp(uid)).to.equal(0n);
    expect(await h.face.getRevokeOffchain(h.verified.address, uid)).to.equal(0n);
  });

  it("revoked, expired, stale, claim-lacking and unknown holders never read valid through the EAS path", async function () {
    const h = await networkHelpers.loadFixture(fixture);
    const schema = await h.face.schemaUid();
    const cases = [
      { who: h.revoked, error: "AttestationRevoked" },
      { who: h.stale, error: "AttestationRevoked" },
      { who: h.expired, error: "AttestationExpired" },
      { who: h.verified2, error: "AttestationNotFound" }, // no AGE_20
      { who: h.authOnly, error: "AttestationNotFound" },
      { who: h.unverified, error: "AttestationNotFound" },
    ];
    for (const { who, error } of cases) {
      await expect(h.readerOnFace.connect(who).enter(), who.address).to.be.revertedWithCustomError(
        h.readerOnFace,
        error,
      );
      const uid = await h.face.getAttestationUid(who.address, schema);
      expect(await h.face.isAttestationValid(uid), who.address).to.equal(false);
      const a = await h.face.getAttestation(uid);
      const refused = a.uid === ZeroHash || a.revocationTime !== 0n;
      expect(refused, who.address).to.equal(true);
    }
    // expired and stale records carry a revocation time as well, so a reader checking only that field refuses them
    for (const who of [h.expired, h.stale, h.revoked]) {
      const a = await h.face.getAttestation(await h.face.getAttestationUid(who.address, schema));
      expect(a.uid, who.address).to.not.equal(ZeroHash);
      expect(a.revocationTime, who.address).to.be.greaterThan(0n);
    }
  });

  it("a revocation in the registry is served on the next read (nothing cached)", async function () {
    const h = await networkHelpers.loadFixture(fixture);
    await h.readerOnFace.connect(h.verified).requireAttested(h.verified.address);
    await h.revoke(h.verified.address);
    await expect(h.readerOnFace.connect(h.verified).enter()).to.be.revertedWithCustomError(
      h.readerOnFace,
      "AttestationRevoked",
    );
  });

  it("an attacker cannot get a valid attestation from forged UIDs or another schema", async function () {
    const h = await networkHelpers.loadFixture(fixture);
    const schema = await h.face.schemaUid();
    const good = BigInt(await h.face.getAttestationUid(h.verified.address, schema));
    // another schema UID (e.g. the real EAS one) finds nothing
    expect(await h.face.getAttestationUid(h.verified.address, h.realSchema)).to.equal(ZeroHash);
    // a UID with a different tag, or a real EAS UID, is unknown to the face
    const otherTag = ethers.toBeHex(good ^ (1n << 200n), 32);
    expect((await h.face.getAttestation(otherTag)).uid).to.equal(ZeroHash);
    expect(await h.face.isAttestationValid(otherTag)).to.equal(false);
    // a UID with the face's tag and the attacker's address reads the attacker's own (absent) record
    const attackerUid = ethers.toBeHex(((good >> 160n) << 160n) | BigInt(h.unverified.address), 32);
    expect((await h.face.getAttestation(attackerUid)).uid).to.equal(ZeroHash);
    // another face (different policy) serves different UIDs and schema: its UIDs are unknown here
    const face2 = await ethers.deployContract("KycEasReadFace", [h.registry, 0]);
    const uid2 = await face2.getAttestationUid(h.verified.address, await face2.schemaUid());
    expect(await face2.isAttestationValid(uid2)).to.equal(true);
    expect(await h.face.isAttestationValid(uid2)).to.equal(false);
    expect(await face2.schemaUid()).to.not.equal(schema);
    // a real EAS attestation for an unverified holder does not make the face-configured reader accept them
    const uid = await attestInEas(
      h.eas,
      h.easAttester,
      h.realSchema,
      h.unverified.address,
      abi.encode(["bool"], [true]),
    );
    await h.indexer.index(uid);
    await expect(h.readerOnFace.connect(h.unverified).enter()).to.be.revertedWithCustomError(
      h.readerOnFace,
      "AttestationNotFound",
    );
  });

  it("refuses a zero registry", async function () {
    const factory = await ethers.getContractFactory("KycEasReadFace");
    await expect(factory.deploy(ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(factory, "ZeroRegistry");
  });
});
