import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import { Claims, keyNullifier, testCard } from "../helpers/card-proof.js";
import {
  ADMIN_DELAY,
  Reason,
  SkipReason,
  attestWith,
  deployRegistryFixture,
  makeRequest,
} from "../helpers/registry-fixture.js";

const { ethers, networkHelpers } = await network.create();

async function fixture() {
  const f = await deployRegistryFixture(ethers);
  await attestWith(
    f.registry,
    f.attester,
    testCard(0),
    await makeRequest(ethers, f.alice.address, { claims: Claims.AUTH | Claims.IDENTITY, personTag: id("alice") }),
  );
  return f;
}

/** `*_SKIPS`: batch functions that skip and report an entry the caller may not act on, instead of reverting. */
type Role =
  | "ADMIN"
  | "ATTESTER"
  | "REVOKER_OR_ISSUER"
  | "REVOKER_OR_ISSUER_SKIPS"
  | "ISSUER_SKIPS"
  | "KEY_REVOKER_OR_ISSUER_SKIPS"
  | "PAUSER"
  | "ANCHOR_MANAGER";
interface Case {
  name: string;
  role: Role;
  call: (r: IKycRegistryFull, alice: string) => Promise<unknown>;
}

const cases: Case[] = [
  { name: "setMaxAge", role: "ADMIN", call: (r) => r.setMaxAge(60n * 24n * 3600n) },
  { name: "setMaxStaleness", role: "ADMIN", call: (r) => r.setMaxStaleness(0) },
  { name: "setKeyVerifier", role: "ADMIN", call: (r) => r.setKeyVerifier(1, ethers.ZeroAddress) },
  { name: "grantRole", role: "ADMIN", call: async (r, a) => r.grantRole(await r.ATTESTER_ROLE(), a) },
  { name: "revokeRole", role: "ADMIN", call: async (r, a) => r.revokeRole(await r.PAUSER_ROLE(), a) },
  { name: "beginDefaultAdminTransfer", role: "ADMIN", call: (r, a) => r.beginDefaultAdminTransfer(a) },
  { name: "changeDefaultAdminDelay", role: "ADMIN", call: (r) => r.changeDefaultAdminDelay(1) },
  { name: "rollbackDefaultAdminDelay", role: "ADMIN", call: (r) => r.rollbackDefaultAdminDelay() },
  { name: "cancelDefaultAdminTransfer", role: "ADMIN", call: (r) => r.cancelDefaultAdminTransfer() },
  { name: "pause", role: "PAUSER", call: (r) => r.pause() },
  { name: "unpause", role: "PAUSER", call: (r) => r.unpause() },
  { name: "addTrustAnchor", role: "ANCHOR_MANAGER", call: (r) => r.addTrustAnchor(0, id("new"), 1, 2) },
  { name: "setTrustAnchorEnabled", role: "ANCHOR_MANAGER", call: (r) => r.setTrustAnchorEnabled(1, false) },
  { name: "recordCrlSync", role: "ATTESTER", call: (r) => r.recordCrlSync() },
  {
    name: "attest",
    role: "ATTESTER",
    call: async (r, a) => r.attest(await makeRequest(ethers, a), testCard(1).modulus, "0x" + "11".repeat(256), "0x"),
  },
  {
    name: "attestWithVerifier",
    role: "ATTESTER",
    call: async (r, a) => r.attestWithVerifier(await makeRequest(ethers, a), 1, "0x04", "0x", "0x"),
  },
  { name: "revoke", role: "REVOKER_OR_ISSUER", call: (r, a) => r.revoke(a, Reason.Operator) },
  { name: "revokeBatch", role: "REVOKER_OR_ISSUER_SKIPS", call: (r, a) => r.revokeBatch([a], Reason.Operator) },
  { name: "dropSigningClaims", role: "ISSUER_SKIPS", call: (r, a) => r.dropSigningClaims([a]) },
  {
    name: "revokeInvalidKeys",
    role: "KEY_REVOKER_OR_ISSUER_SKIPS",
    call: (r) => r.revokeInvalidKeys([keyNullifier(testCard(0).modulus)]),
  },
];

describe("KycRegistry v2: role matrix (every privileged function by every non-privileged account)", function () {
  for (const c of cases) {
    it(`${c.name} (${c.role}) rejects every other account`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const holders: Record<Role, HardhatEthersSigner[]> = {
        ADMIN: [f.admin],
        ATTESTER: [f.attester, f.attester2],
        REVOKER_OR_ISSUER: [f.revoker, f.attester], // alice's record was issued by `attester`
        REVOKER_OR_ISSUER_SKIPS: [f.revoker, f.attester],
        KEY_REVOKER_OR_ISSUER_SKIPS: [f.revoker, f.attester],
        ISSUER_SKIPS: [f.attester], // not even a revoker drops claims
        PAUSER: [f.pauser],
        ANCHOR_MANAGER: [f.anchorManager],
      };
      const everyone = [f.admin, f.attester, f.attester2, f.revoker, f.pauser, f.anchorManager, f.alice, f.stranger];
      const outsiders = everyone.filter((s) => !holders[c.role].includes(s));
      expect(outsiders.length).to.be.greaterThan(4);
      // the record is untouched by every outsider (checked after the loop)
      const before = await f.registry.attestationOf(f.alice.address);
      for (const who of outsiders) {
        const p = c.call(f.registry.connect(who), f.alice.address);
        if (c.role === "ATTESTER") {
          await expect(p, `${c.name} by ${who.address}`)
            .to.be.revertedWithCustomError(f.registry, "NotAttester")
            .withArgs(who.address);
        } else if (c.role === "REVOKER_OR_ISSUER") {
          await expect(p, `${c.name} by ${who.address}`)
            .to.be.revertedWithCustomError(f.registry, "NotAuthorizedToRevoke")
            .withArgs(who.address, f.alice.address);
        } else if (c.role === "KEY_REVOKER_OR_ISSUER_SKIPS") {
          await expect(p, `${c.name} by ${who.address}`)
            .to.emit(f.registry, "KeySkipped")
            .withArgs(keyNullifier(testCard(0).modulus), SkipReason.NotAuthorized)
            .and.not.to.emit(f.registry, "CardKeyBurned");
        } else if (c.role.endsWith("_SKIPS")) {
          await expect(p, `${c.name} by ${who.address}`)
            .to.emit(f.registry, "SubjectSkipped")
            .withArgs(f.alice.address, SkipReason.NotAuthorized);
        } else {
          await expect(p, `${c.name} by ${who.address}`).to.be.revertedWithCustomError(
            f.registry,
            "AccessControlUnauthorizedAccount",
          );
        }
      }
      const after = await f.registry.attestationOf(f.alice.address);
      expect(after.status).to.equal(before.status);
      expect(after.claims).to.equal(before.claims);
      expect((await f.registry.keyState(keyNullifier(testCard(0).modulus)))[2]).to.equal(false);
    });
  }

  it("the admin holds no operational role (least privilege)", async function () {
    const { registry, admin } = await networkHelpers.loadFixture(fixture);
    for (const role of ["ATTESTER_ROLE", "REVOKER_ROLE", "PAUSER_ROLE", "ANCHOR_MANAGER_ROLE"] as const) {
      expect(await registry.hasRole(await registry[role](), admin.address)).to.equal(false);
    }
  });

  it("the admin role moves in two steps with a delay, never through grantRole", async function () {
    const { registry, admin, stranger } = await networkHelpers.loadFixture(fixture);
    const ADMIN = ethers.ZeroHash; // DEFAULT_ADMIN_ROLE
    await expect(registry.connect(admin).grantRole(ADMIN, stranger.address)).to.be.revertedWithCustomError(
      registry,
      "AccessControlEnforcedDefaultAdminRules",
    );
    await registry.connect(admin).beginDefaultAdminTransfer(stranger.address);
    await expect(registry.connect(stranger).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(
      registry,
      "AccessControlEnforcedDefaultAdminDelay",
    );
    await networkHelpers.time.increase(ADMIN_DELAY + 1n);
    await registry.connect(stranger).acceptDefaultAdminTransfer();
    expect(await registry.defaultAdmin()).to.equal(stranger.address);
    expect(await registry.hasRole(ADMIN, admin.address)).to.equal(false);
    await registry.connect(stranger).setMaxStaleness(0);
  });

  it("TooManyAttesters: at most MAX_ATTESTERS attester ids are ever issued", async function () {
    const { registry, admin } = await networkHelpers.loadFixture(fixture);
    const ROLE = await registry.ATTESTER_ROLE();
    const max = Number(await registry.MAX_ATTESTERS());
    const r = registry.connect(admin);
    // the fixture granted two attesters
    for (let i = 2; i < max; i++) await r.grantRole(ROLE, ethers.Wallet.createRandom().address);
    await expect(r.grantRole(ROLE, ethers.Wallet.createRandom().address)).to.be.revertedWithCustomError(
      registry,
      "TooManyAttesters",
    );
    // a re-grant of a known attester needs no new id
    const [, attester] = await ethers.getSigners();
    await r.revokeRole(ROLE, attester!.address);
    await r.grantRole(ROLE, attester!.address);
    expect(await registry.hasRole(ROLE, attester!.address)).to.equal(true);
  });

  it("attester ids: a re-granted attester keeps its id and its records read verified again", async function () {
    const { registry, admin, attester, alice, stranger } = await networkHelpers.loadFixture(fixture);
    const ROLE = await registry.ATTESTER_ROLE();
    await registry.connect(admin).revokeRole(ROLE, attester.address);
    await expect(registry.connect(attester).recordCrlSync()).to.be.revertedWithCustomError(registry, "NotAttester");
    await registry.connect(admin).grantRole(ROLE, stranger.address);
    await registry.connect(admin).grantRole(ROLE, attester.address);
    expect(await registry.isVerified(alice.address)).to.equal(true);
    expect((await registry.attestationOf(alice.address)).attester).to.equal(attester.address);
    await registry.connect(stranger).recordCrlSync();
    expect(await registry.lastCrlSync(stranger.address)).to.be.greaterThan(0n);
  });
});
