/**
 * The one place the interop tests obtain KYC holders in each state. Everything else in test/interop talks to the
 * registry through `IKycRegistry` (isVerified / hasClaims / kycStatus) only, so when the registry's write side
 * changes (protocol v2) this file is the only one to re-point.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id } from "ethers";

import { Claims, EXPIRY_GRID, FROM_SIGNING, gridFloor, keyNullifier, testCard } from "../../helpers/card-proof.js";
import { Reason, attestWith, deployRegistryFixture, makeRequest } from "../../helpers/registry-fixture.js";

/** Claim masks of the holders (AUTH = 1, IDENTITY = 2, AGE_18 = 4, AGE_20 = 8). */
export const ALL_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20;
export const ADULT_CLAIMS = Claims.AUTH | Claims.IDENTITY | Claims.AGE_18;

export interface KycHolders {
  /** the registry's address; consumers must use it as an `IKycRegistry` */
  registry: string;
  /** deploys and owns the tokens / readers of the tests; holds no attestation */
  deployer: HardhatEthersSigner;
  /** Active with ALL_CLAIMS */
  verified: HardhatEthersSigner;
  /** Active with ADULT_CLAIMS (no AGE_20) */
  verified2: HardhatEthersSigner;
  /** Active with AUTH only (lacks IDENTITY and the age claims) */
  authOnly: HardhatEthersSigner;
  /** Revoked (had ALL_CLAIMS) */
  revoked: HardhatEthersSigner;
  /** Expired (had ALL_CLAIMS) */
  expired: HardhatEthersSigner;
  /** StaleOperator: its attester lost the role (had ALL_CLAIMS) */
  stale: HardhatEthersSigner;
  /** never attested */
  unverified: HardhatEthersSigner;
  /** Revokes `holder`'s attestation in the registry (as an operator would), e.g. between two transfers. */
  revoke(holder: string): Promise<void>;
}

/** Options: who signs the chain's transactions is Hardhat's default accounts; holders are accounts 10 to 16. */
export async function kycHolders(ethers: HardhatEthers): Promise<KycHolders> {
  const f = await deployRegistryFixture(ethers);
  const signers = await ethers.getSigners();
  const [verified, verified2, authOnly, revoked, expired, stale, unverified] = signers.slice(10, 17);
  if (unverified === undefined) throw new Error("kycHolders needs 17 signers");
  const tag = (n: string) => id(`synthetic person ${n}`);
  const attest = async (
    attester: HardhatEthersSigner,
    card: number,
    holder: HardhatEthersSigner,
    claims: number,
    expiryCap?: bigint,
  ) => {
    const personTag = claims & FROM_SIGNING ? tag(holder.address) : undefined;
    const req = await makeRequest(ethers, holder.address, {
      claims,
      ...(personTag === undefined ? {} : { personTag }),
      ...(expiryCap === undefined ? {} : { expiryCap }),
    });
    await (await attestWith(f.registry, attester, testCard(card), req)).wait();
  };

  // the expired holder first, with the nearest expiry the registry accepts, then move past it
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await attest(f.attester, 20, expired!, ALL_CLAIMS, gridFloor(now) + 2n * EXPIRY_GRID);
  const [, , expiresAt] = await f.registry.kycStatus(expired!.address);
  await ethers.provider.send("evm_setNextBlockTimestamp", [Number(expiresAt)]);
  await ethers.provider.send("evm_mine", []);
  // fresh heartbeats after the jump, then the holders that stay valid
  await f.registry.connect(f.attester).recordCrlSync();
  await f.registry.connect(f.attester2).recordCrlSync();
  await attest(f.attester, 21, verified!, ALL_CLAIMS);
  await attest(f.attester, 22, verified2!, ADULT_CLAIMS);
  await attest(f.attester, 23, authOnly!, Claims.AUTH);
  await attest(f.attester, 24, revoked!, ALL_CLAIMS);
  await attest(f.attester2, 25, stale!, ALL_CLAIMS);
  // its authentication certificate is listed in the CRL: the operator burns the key and revokes the record
  await f.registry.connect(f.attester).revokeInvalidKeys([keyNullifier(testCard(24).modulus)]);
  await f.registry.connect(f.admin).revokeRole(await f.registry.ATTESTER_ROLE(), f.attester2.address);

  return {
    registry: f.address,
    deployer: f.stranger,
    verified: verified!,
    verified2: verified2!,
    authOnly: authOnly!,
    revoked: revoked!,
    expired: expired!,
    stale: stale!,
    unverified,
    revoke: async (holder) => {
      await (await f.registry.connect(f.revoker).revoke(holder, Reason.Operator)).wait();
    },
  };
}
