// readAnonRegistryEvents: every event that shapes an anonymous-proof tree, in chain order, one eth_getLogs per block
// range for all kinds (public RPCs limit both the range and the request rate).
import { expect } from "chai";
import { id, toBeHex, type Provider } from "ethers";
import { network } from "hardhat";

import { SNARK_SCALAR_FIELD, readAnonRegistryEvents } from "../../src/anon/index.js";
import { Claims, testCard } from "../helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";

const { ethers } = await network.create();
const commitment = (label: string) => toBeHex(BigInt(id(`events ${label}`)) % SNARK_SCALAR_FIELD, 32);

/** The provider, counting its eth_getLogs requests. */
function counting(provider: Provider): { provider: Provider; calls: () => number } {
  let calls = 0;
  const wrapped = Object.create(provider) as Provider;
  wrapped.getLogs = async (filter) => {
    calls++;
    return provider.getLogs(filter);
  };
  return { provider: wrapped, calls: () => calls };
}

describe("readAnonRegistryEvents", function () {
  it("reads Attested, AnonLeaf, Revoked, SigningClaimsDropped and TrustAnchorStatusChanged in chain order, one request per range for all kinds", async function () {
    const f = await deployRegistryFixture(ethers);
    const fromBlock = await ethers.provider.getBlockNumber();
    const adult = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
    for (const [i, holder] of [f.alice, f.bob, f.carol].entries()) {
      const req = await makeRequest(ethers, holder.address, {
        claims: adult,
        personTag: id(`events person ${i}`),
        anonCommitment: commitment(String(i)),
      });
      await attestWith(f.registry, f.attester, testCard(i), req);
    }
    await f.registry.connect(f.revoker).revoke(f.bob.address, 3); // Operator
    await f.registry.connect(f.attester).dropSigningClaims([f.carol.address]);
    await f.registry.connect(f.anchorManager).setTrustAnchorEnabled(1, false);
    const toBlock = await ethers.provider.getBlockNumber();

    const whole = counting(ethers.provider);
    const all = await readAnonRegistryEvents(whole.provider, f.address, { fromBlock, toBlock });
    expect(whole.calls()).to.equal(1);
    expect(all.map((e) => e.kind)).to.deep.equal([
      ...["attested", "anonLeaf", "attested", "anonLeaf", "attested", "anonLeaf"],
      "revoked",
      "claimsDropped",
      "anchorStatus",
    ]);
    const blocks = all.map((e) => e.blockNumber!);
    expect(blocks).to.deep.equal([...blocks].sort((a, b) => a - b));

    // block by block: the same events, one request per block
    const chunked = counting(ethers.provider);
    const byBlock = await readAnonRegistryEvents(chunked.provider, f.address, { fromBlock, toBlock, chunk: 1 });
    expect(chunked.calls()).to.equal(toBlock - fromBlock + 1);
    expect(byBlock).to.deep.equal(all);
  });

  it("gives a typed error when the node cannot be read", async function () {
    const broken = Object.create(ethers.provider) as Provider;
    broken.getLogs = async () => {
      throw new Error("range too large");
    };
    const f = await deployRegistryFixture(ethers);
    let code: string | undefined;
    try {
      await readAnonRegistryEvents(broken, f.address);
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).to.equal("ANON_REGISTRY_UNREADABLE");
  });
});
