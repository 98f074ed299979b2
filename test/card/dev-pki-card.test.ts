import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { computeBindingDigest } from "../../src/binding/kyc-binding.js";
import { CardError } from "../../src/card/card-error.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { Claim } from "../../src/claims.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import type { DevPkiManifest } from "../../src/pki/dev-pki/manifest.js";
import { generateDevPki } from "../../src/pki/dev-pki/generate.js";
import { verifyPkcs1Sha256 } from "../../src/pki/rsa.js";

describe("virtual card on a dev-pki holder folder", function () {
  let out: string;
  let manifest: DevPkiManifest;

  before(async function () {
    this.timeout(60_000);
    out = mkdtempSync(join(tmpdir(), "card-devpki-"));
    manifest = await generateDevPki({ out, holders: 4, seed: 7 });
  });

  const holderDir = (scenario: string) => {
    const h = manifest.holders.find((x) => x.scenario === scenario);
    if (h === undefined) throw new Error(`no ${scenario} holder in the dev-pki manifest`);
    return join(out, "holders", h.id);
  };

  const pins = (dir: string) =>
    JSON.parse(readFileSync(join(dir, "card.json"), "utf8")) as { authPin: string; signPassword: string };

  it("serves the synthetic JPKI certificates and signs a binding with their keys", async function () {
    const dir = holderDir("adult");
    const { authPin, signPassword } = pins(dir);
    const card = await openCardSigner(`virtual:${dir}`);
    try {
      const auth = parseCertificate(await card.readAuthCertificate());
      expect(auth.kind).to.equal("auth");
      const sign = parseCertificate(await card.readSignCertificate(signPassword));
      expect(sign.kind).to.equal("sign");
      const b = {
        chainId: 31337n,
        registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        subject: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        attester: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        disclose: Claim.AUTH | Claim.IDENTITY,
        nonce: 0n,
        deadline: 1_900_000_000n,
      };
      const digest = Buffer.from(computeBindingDigest(b).slice(2), "hex");
      const bySign = await card.sign("sign", digest, signPassword);
      const byAuth = await card.sign("auth", digest, authPin);
      expect(verifyPkcs1Sha256(auth.rsa, digest, byAuth)).to.equal(true);
      expect(verifyPkcs1Sha256(sign.rsa, digest, bySign)).to.equal(true);
      expect(verifyPkcs1Sha256(auth.rsa, digest, bySign)).to.equal(false);
    } finally {
      await card.close();
    }
  });

  it("a holder under 15 has no signing certificate: CARD_NOT_FOUND", async function () {
    const card = await openCardSigner(`virtual:${holderDir("minor-12")}`);
    try {
      expect(parseCertificate(await card.readAuthCertificate()).kind).to.equal("auth");
      try {
        await card.readSignCertificate("ABC123");
        throw new Error("expected CARD_NOT_FOUND");
      } catch (error) {
        expect(error).to.be.instanceOf(CardError);
        expect((error as CardError).code).to.equal("CARD_NOT_FOUND");
      }
    } finally {
      await card.close();
    }
  });
});
