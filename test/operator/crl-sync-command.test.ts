import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { Claim } from "../../src/claims.js";
import { RegistryClient } from "../../src/chain/registry-client.js";
import { crlSyncCommand } from "../../src/operator/commands/crl-sync.js";
import { OperatorStore } from "../../src/operator/store/operator-store.js";
import type { CertificateRef } from "../../src/operator/store/types.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { bindingProof, keyNullifier, testCard } from "../helpers/card-proof.js";
import { deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";
import { devWorld } from "./helpers/dev-world.js";

const FULL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

describe("kyc crl-sync over a dev-pki CRL folder against the v2 registry", function () {
  this.timeout(180_000);
  let tmp: string;
  before(function () {
    tmp = mkdtempSync(join(tmpdir(), "kyc-crl-sync-cmd-"));
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("burns the key of a listed authentication certificate, drops the claims of a listed signing certificate, leaves the others, records the heartbeat", async function () {
    const w = await devWorld();
    const { ethers } = await network.create();
    const f = await deployRegistryFixture(ethers);
    const client = await RegistryClient.connect(f.attester, f.address);
    const storePath = join(tmp, "store.sqlite");
    const store = OperatorStore.open(storePath);

    const ref = (role: "auth" | "sign", file: string): CertificateRef => {
      const cert = parseCertificate(readFileSync(join(w.dir, file)));
      return {
        role,
        issuerKeyId: cert.authorityKeyId ?? "",
        partition: cert.crlDistributionPoint?.partition ?? "",
        serialHex: cert.serialHex,
        notAfter: Math.floor(cert.notAfter.getTime() / 1000),
      };
    };
    const cases = [
      { wallet: f.alice, scenario: "revoked-key-compromise", card: 0, claims: Claim.AUTH },
      { wallet: f.bob, scenario: "sign-affiliation-changed", card: 1, claims: FULL },
      { wallet: f.carol, scenario: "adult", card: 2, claims: FULL },
    ];
    const ids: number[] = [];
    for (const [i, c] of cases.entries()) {
      const holder = w.holder(c.scenario);
      const card = testCard(c.card);
      const personTag = c.claims === FULL ? `0x${(i + 1).toString(16).padStart(64, "0")}` : `0x${"00".repeat(32)}`;
      const req = await makeRequest(ethers, c.wallet.address, { claims: c.claims, personTag });
      const nonce = await f.registry.nonces(c.wallet.address);
      const certificates = [ref("auth", holder.auth.cert)];
      if (c.claims === FULL && holder.sign !== undefined) certificates.push(ref("sign", holder.sign.cert));
      const id = await store.insertPending({
        chainId: 31337n,
        registry: f.address,
        subject: c.wallet.address,
        keyNullifier: keyNullifier(card.modulus),
        personTag: c.claims === FULL ? personTag : null,
        claims: c.claims,
        caId: 1,
        expiryCap: Number(req.expiryCap),
        mode: "direct",
        bindingNonce: nonce,
        bindingDeadline: Number(req.deadline),
        certificates,
      });
      const proof = await bindingProof(f.registry, card, c.wallet, req, f.attester.address);
      const sent = await client.send("attest", [req, card.modulus, proof.cardSignature, proof.subjectSignature], {
        pii: [],
      });
      await store.markActive(id, sent.hash);
      ids.push(id);
    }
    store.close();

    const before = await client.lastCrlSync(f.attester.address);
    const ctx = { provider: ethers.provider, signer: f.attester, projectRoot: tmp };
    const result = await crlSyncCommand(ctx, {
      crl: join(w.dir, "crl"),
      caDir: join(w.dir, "ca"),
      registry: f.address,
      store: storePath,
    });
    expect(result.listed.map((l) => [l.attestationId, l.action]).sort()).to.deep.equal([
      [ids[0], "revoke"],
      [ids[1], "drop-claims"],
    ]);
    expect(result.batches.map((b) => [b.kind, b.size, b.changed])).to.deep.equal([
      ["revokeInvalidKeys", 1, 1],
      ["dropSigningClaims", 1, 1],
    ]);
    expect(result.missingPartitions).to.deep.equal([]);
    expect(result.heartbeat).to.not.equal(undefined);
    expect(await client.lastCrlSync(f.attester.address)).to.be.greaterThan(before);

    const alice = await client.attestationOf(f.alice.address);
    const bob = await client.attestationOf(f.bob.address);
    const carol = await client.attestationOf(f.carol.address);
    expect([alice.statusName, bob.statusName, bob.claims, carol.statusName, carol.claims]).to.deep.equal([
      "Revoked",
      "Active",
      Claim.AUTH,
      "Active",
      FULL,
    ]);
    const [, , burned] = await f.registry.keyState(keyNullifier(testCard(0).modulus));
    expect(burned).to.equal(true);

    const after = OperatorStore.open(storePath);
    expect(await Promise.all(ids.map(async (id) => (await after.get(id))?.status))).to.deep.equal([
      "revoked",
      "active",
      "active",
    ]);
    expect(await after.get(ids[1]!)).to.include({ claims: Claim.AUTH, personTag: null });
    after.close();

    // A second run is a no-op apart from the heartbeat.
    const again = await crlSyncCommand(ctx, {
      crl: join(w.dir, "crl"),
      caDir: join(w.dir, "ca"),
      registry: f.address,
      store: storePath,
    });
    expect(again.listed).to.deep.equal([]);
    expect(again.batches).to.deep.equal([]);
    expect(again.heartbeat).to.not.equal(undefined);
  });
});
