/**
 * Deploys a protocol-v2 registry (the `KycRegistryAdmin` extension first, then `KycRegistry` — or the test harness —
 * naming it) with one signer per role, an authentication and a signing trust anchor, and fresh attester heartbeats.
 * The registry is returned as `IKycRegistryFull` at the registry's address (its own functions, the extension's and
 * the roles). Shared by the contract tests, the operator tests and the gas benchmark.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroHash, id, type Signer } from "ethers";

import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";
import { signAttestation } from "../../src/operator/attestation-request.js";
import {
  Claims,
  EXPIRY_GRID,
  bindingDigestOf,
  bindingProof,
  gridFloor,
  keyNullifier,
  recordCommitment,
  type AttestationRequest,
  type TestCard,
} from "./card-proof.js";

export const MAX_AGE = 365n * 24n * 3600n;
export const MAX_STALENESS = 3n * 24n * 3600n;
export const ADMIN_DELAY = 3600n;
export const YEAR = 365n * 24n * 3600n;
export const DAY = 24n * 3600n;
export const AnchorKind = { Authentication: 0, Signing: 1 } as const;
export const Reason = { HolderRequest: 0, CertificateInvalid: 1, Superseded: 2, Operator: 3 } as const;
export const Status = { None: 0, Active: 1, Expired: 2, Revoked: 3, StaleOperator: 4, DisabledTrustAnchor: 5 } as const;
export const SkipReason = { NotActive: 0, NotAuthorized: 1, AlreadyBurned: 2, NoSigningClaims: 3 } as const;

export interface RegistryFixture {
  /** The registry, typed as everything callable at its address. */
  registry: IKycRegistryFull;
  address: string;
  /** The admin extension's address (calling it directly reverts NotDelegated). */
  extension: string;
  admin: HardhatEthersSigner;
  attester: HardhatEthersSigner;
  attester2: HardhatEthersSigner;
  revoker: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  anchorManager: HardhatEthersSigner;
  /** holders / subjects (EOAs that sign their bindings) */
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  /** no role at all */
  stranger: HardhatEthersSigner;
  authCa: number;
  signCa: number;
}

/** A compiled contract to deploy instead of the default-profile artifact (e.g. the production build). */
export interface CompiledContract {
  abi: readonly unknown[];
  bytecode: string;
}

export interface DeployOptions {
  /** `KycRegistry` (default) or `KycRegistryHarness` */
  contractName?: string;
  adminDelay?: bigint;
  maxAge?: bigint;
  maxStaleness?: bigint;
  /** deploy these compiled contracts instead of the artifacts of the current build (gas benchmark) */
  compiled?: { registry: CompiledContract; extension: CompiledContract };
}

/** Deploys `KycRegistryAdmin`, then `contractName` (`KycRegistry` or `KycRegistryHarness`) with the 5 arguments. */
export async function deployRegistry(
  ethers: HardhatEthers,
  admin: string,
  options: DeployOptions = {},
): Promise<{ registry: IKycRegistryFull; address: string; extension: string }> {
  const deploy = async (name: string, compiled: CompiledContract | undefined, args: unknown[]) => {
    if (compiled === undefined) return ethers.deployContract(name, args);
    const [signer] = await ethers.getSigners();
    const factory = new ethers.ContractFactory(compiled.abi as never, compiled.bytecode, signer);
    const c = await factory.deploy(...args);
    await c.waitForDeployment();
    return c;
  };
  const ext = await deploy("KycRegistryAdmin", options.compiled?.extension, []);
  const extension = await ext.getAddress();
  const deployed = await deploy(options.contractName ?? "KycRegistry", options.compiled?.registry, [
    admin,
    options.adminDelay ?? ADMIN_DELAY,
    options.maxAge ?? MAX_AGE,
    options.maxStaleness ?? MAX_STALENESS,
    extension,
  ]);
  const address = await deployed.getAddress();
  const registry = (await ethers.getContractAt("IKycRegistryFull", address)) as unknown as IKycRegistryFull;
  return { registry, address, extension };
}

export async function deployRegistryFixture(
  ethers: HardhatEthers,
  contractName = "KycRegistry",
  compiled?: DeployOptions["compiled"],
): Promise<RegistryFixture> {
  const [admin, attester, attester2, revoker, pauser, anchorManager, alice, bob, carol, stranger] =
    await ethers.getSigners();
  if (stranger === undefined || admin === undefined) throw new Error("need 10 signers");
  const { registry, address, extension } = await deployRegistry(ethers, admin.address, { contractName, compiled });
  const r = registry.connect(admin);
  await r.grantRole(await registry.ATTESTER_ROLE(), attester!.address);
  await r.grantRole(await registry.ATTESTER_ROLE(), attester2!.address);
  await r.grantRole(await registry.REVOKER_ROLE(), revoker!.address);
  await r.grantRole(await registry.PAUSER_ROLE(), pauser!.address);
  await r.grantRole(await registry.ANCHOR_MANAGER_ROLE(), anchorManager!.address);
  const now = await latestTime(ethers);
  const m = registry.connect(anchorManager);
  await m.addTrustAnchor(AnchorKind.Authentication, id("synthetic auth CA gen 1"), now - YEAR, now + 10n * YEAR);
  await m.addTrustAnchor(AnchorKind.Signing, id("synthetic sign CA gen 1"), now - YEAR, now + 10n * YEAR);
  await registry.connect(attester).recordCrlSync();
  await registry.connect(attester2).recordCrlSync();
  return {
    registry,
    address,
    extension,
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

/** The latest block's timestamp. */
export async function latestTime(ethers: HardhatEthers): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
}

/** A valid auth-level request for `subject`, built against the chain's latest timestamp. */
export async function makeRequest(
  ethers: HardhatEthers,
  subject: string,
  overrides: Partial<AttestationRequest> = {},
): Promise<AttestationRequest> {
  const now = await latestTime(ethers);
  return {
    subject,
    disclose: Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20,
    deadline: now + 3600n,
    claims: Claims.AUTH,
    personTag: ZeroHash,
    expiryCap: gridFloor(now + 5n * YEAR),
    caId: 1,
    recordCommitment: recordCommitment(subject),
    anonCommitment: ZeroHash,
    ...overrides,
  };
}

/** The wallet that consents for `req.subject`: `wallet` if given, else the provider's signer for that address. */
async function walletFor(registry: IKycRegistryFull, subject: string, wallet?: Signer): Promise<Signer> {
  if (wallet !== undefined) return wallet;
  const provider = registry.runner?.provider as { getSigner?: (a: string) => Promise<Signer> } | undefined;
  if (provider?.getSigner === undefined) throw new Error("attestWith: pass the subject's wallet");
  return provider.getSigner(subject);
}

/**
 * Has the card and the subject's wallet sign the binding for `req` under `attester`, and sends `attest` from
 * `attester`. `wallet` defaults to the node's account at `req.subject` (the hardhat signers); pass a `Wallet` for a
 * random address, or a smart account's owner for an ERC-1271 subject.
 */
export async function attestWith(
  registry: IKycRegistryFull,
  attester: HardhatEthersSigner,
  card: TestCard,
  req: AttestationRequest,
  wallet?: Signer,
) {
  const proof = await bindingProof(
    registry,
    card,
    await walletFor(registry, req.subject, wallet),
    req,
    attester.address,
  );
  return registry.connect(attester).attest(req, card.modulus, proof.cardSignature, proof.subjectSignature);
}

/** An attester's relay authorisation for `req` and the card `modulus` (v2: over the binding digest, no nonce). */
export async function relayAuthorization(
  registry: IKycRegistryFull,
  attester: Signer,
  req: AttestationRequest,
  modulus: string,
  relayDeadline: bigint,
  keyType = 0,
): Promise<{ attester: string; deadline: bigint; signature: string }> {
  const attesterAddress = await attester.getAddress();
  const binding = await bindingDigestOf(registry, {
    subject: req.subject,
    attester: attesterAddress,
    disclose: req.disclose,
    deadline: req.deadline,
    anonCommitment: req.anonCommitment,
  });
  const { chainId } = await attester.provider!.getNetwork();
  const signature = await signAttestation(attester, chainId, await registry.getAddress(), {
    binding,
    request: req,
    keyNullifier: keyNullifier(modulus, keyType),
    relayDeadline,
  });
  return { attester: attesterAddress, deadline: relayDeadline, signature };
}

/**
 * A relayed attestation: the card and the wallet sign the binding naming `attester`, the attester signs the relay
 * authorisation, and `relayer` sends `attestBySig`.
 */
export async function attestBySigWith(
  registry: IKycRegistryFull,
  attester: HardhatEthersSigner,
  relayer: Signer,
  card: TestCard,
  req: AttestationRequest,
  relayDeadline: bigint = req.deadline,
  wallet?: Signer,
) {
  const proof = await bindingProof(
    registry,
    card,
    await walletFor(registry, req.subject, wallet),
    req,
    attester.address,
  );
  const relay = await relayAuthorization(registry, attester, req, card.modulus, relayDeadline);
  return registry.connect(relayer).attestBySig(req, card.modulus, proof.cardSignature, proof.subjectSignature, relay);
}

export { EXPIRY_GRID };
