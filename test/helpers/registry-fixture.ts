/**
 * Deploys a KycRegistry with one signer per role, an authentication and a signing trust anchor, and a fresh
 * attester heartbeat. Shared by the contract tests and the gas benchmark.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroHash, id } from "ethers";

import type { KycRegistry } from "../../types/ethers-contracts/index.js";
import {
  Claims,
  EXPIRY_GRID,
  bindingSignature,
  gridFloor,
  type AttestationRequest,
  type TestCard,
} from "./card-proof.js";

export const MAX_AGE = 365n * 24n * 3600n;
export const MAX_STALENESS = 3n * 24n * 3600n;
export const ADMIN_DELAY = 3600n;
export const YEAR = 365n * 24n * 3600n;
export const AnchorKind = { Authentication: 0, Signing: 1 } as const;
export const Reason = { HolderRequest: 0, CertificateInvalid: 1, Superseded: 2, Operator: 3 } as const;
export const Status = { None: 0, Active: 1, Expired: 2, Revoked: 3, StaleOperator: 4, DisabledTrustAnchor: 5 } as const;

export interface RegistryFixture {
  registry: KycRegistry;
  address: string;
  admin: HardhatEthersSigner;
  attester: HardhatEthersSigner;
  attester2: HardhatEthersSigner;
  revoker: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  anchorManager: HardhatEthersSigner;
  /** holders / subjects */
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  /** no role at all */
  stranger: HardhatEthersSigner;
  authCa: number;
  signCa: number;
}

export async function deployRegistryFixture(
  ethers: HardhatEthers,
  contractName = "KycRegistry",
): Promise<RegistryFixture> {
  const [admin, attester, attester2, revoker, pauser, anchorManager, alice, bob, carol, stranger] =
    await ethers.getSigners();
  if (stranger === undefined || admin === undefined) throw new Error("need 10 signers");
  const registry = (await ethers.deployContract(contractName, [
    admin.address,
    ADMIN_DELAY,
    MAX_AGE,
    MAX_STALENESS,
  ])) as unknown as KycRegistry;
  const r = registry.connect(admin);
  await r.grantRole(await registry.ATTESTER_ROLE(), attester!.address);
  await r.grantRole(await registry.ATTESTER_ROLE(), attester2!.address);
  await r.grantRole(await registry.REVOKER_ROLE(), revoker!.address);
  await r.grantRole(await registry.PAUSER_ROLE(), pauser!.address);
  await r.grantRole(await registry.ANCHOR_MANAGER_ROLE(), anchorManager!.address);
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const m = registry.connect(anchorManager);
  await m.addTrustAnchor(AnchorKind.Authentication, id("synthetic auth CA gen 1"), now - YEAR, now + 10n * YEAR);
  await m.addTrustAnchor(AnchorKind.Signing, id("synthetic sign CA gen 1"), now - YEAR, now + 10n * YEAR);
  await registry.connect(attester).recordCrlSync();
  await registry.connect(attester2).recordCrlSync();
  return {
    registry,
    address: await registry.getAddress(),
    admin,
    attester: attester!,
    attester2: attester2!,
    revoker: revoker!,
    pauser: pauser!,
    anchorManager: anchorManager!,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    stranger,
    authCa: 1,
    signCa: 2,
  };
}

/** A valid auth-level request for `subject`, built against the chain's latest timestamp. */
export async function makeRequest(
  ethers: HardhatEthers,
  subject: string,
  overrides: Partial<AttestationRequest> = {},
): Promise<AttestationRequest> {
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  return {
    subject,
    disclose: Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20,
    deadline: now + 3600n,
    claims: Claims.AUTH,
    personTag: ZeroHash,
    expiryCap: gridFloor(now + 5n * YEAR),
    caId: 1,
    ...overrides,
  };
}

/** Card-signs the binding for `req` and sends `attest` from `attester`. */
export async function attestWith(
  registry: KycRegistry,
  attester: HardhatEthersSigner,
  card: TestCard,
  req: AttestationRequest,
) {
  const sig = await bindingSignature(registry, card, req.subject, req.disclose, req.deadline);
  return registry.connect(attester).attest(req, card.modulus, sig);
}

export { EXPIRY_GRID };
