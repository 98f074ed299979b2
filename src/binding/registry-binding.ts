import { Contract, getAddress, isAddress, type Provider } from "ethers";

import { Claim } from "../claims.js";
import { BindingError } from "./binding-error.js";
import { SNARK_SCALAR_FIELD } from "../anon/field.js";
import { NO_ANON_COMMITMENT, computeBindingDigest } from "./kyc-binding.js";
import type { SignedBinding } from "./proof-request.js";

/** The two registry reads the holder needs (a subset of `KycRegistry`'s ABI). */
export const REGISTRY_BINDING_ABI = [
  "function nonces(address subject) view returns (uint256)",
  "function bindingDigest(address subject, address attester, uint32 disclose, uint256 nonce, uint64 deadline, bytes32 anonCommitment) view returns (bytes32)",
];

/** Inputs of `readBindingFromRegistry`. */
export interface BindingRequest {
  registry: string;
  subject: string;
  /** The operator (attester) the holder chose. */
  attester: string;
  disclose: number;
  /** Unix seconds. */
  deadline: bigint;
  /** 0x bytes32 anonymous-proof opt-in, Poseidon(secret); default zero (none). */
  anonCommitment?: string;
}

/**
 * Reads `nonces(subject)` and `bindingDigest(...)` from the registry and checks the digest against the EIP-712
 * digest computed locally (the card must sign exactly what the registry will verify).
 * @throws BindingError `BINDING_BAD_ARGUMENT`, `BINDING_NO_REGISTRY`, `BINDING_DIGEST_MISMATCH`.
 */
export async function readBindingFromRegistry(provider: Provider, request: BindingRequest): Promise<SignedBinding> {
  for (const [name, value] of [
    ["registry", request.registry],
    ["subject", request.subject],
    ["attester", request.attester],
  ] as const) {
    if (!isAddress(value)) throw new BindingError("BINDING_BAD_ARGUMENT", `--${name} ${value} is not an address`);
  }
  const registry = getAddress(request.registry);
  const subject = getAddress(request.subject);
  const attester = getAddress(request.attester);
  if (subject === "0x0000000000000000000000000000000000000000") {
    throw new BindingError("BINDING_BAD_ARGUMENT", "the subject must not be the zero address");
  }
  if (
    !Number.isInteger(request.disclose) ||
    request.disclose < 0 ||
    request.disclose > 0xffffffff ||
    (request.disclose & Claim.AUTH) === 0
  ) {
    throw new BindingError("BINDING_BAD_ARGUMENT", "disclose must be a uint32 that includes AUTH");
  }
  if (request.deadline <= 0n || request.deadline >= 2n ** 64n) {
    throw new BindingError("BINDING_BAD_ARGUMENT", "the deadline must be a positive uint64");
  }
  const anonCommitment = (request.anonCommitment ?? NO_ANON_COMMITMENT).toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(anonCommitment) || BigInt(anonCommitment) >= SNARK_SCALAR_FIELD) {
    throw new BindingError(
      "BINDING_BAD_ARGUMENT",
      "the anonymous-proof commitment must be 32 bytes of 0x-hex below the BN254 scalar field order",
    );
  }
  const { chainId } = await provider.getNetwork();
  if ((await provider.getCode(registry)) === "0x") {
    throw new BindingError("BINDING_NO_REGISTRY", `no contract at ${registry} on chain ${chainId}`);
  }
  const contract = new Contract(registry, REGISTRY_BINDING_ABI, provider);
  let nonce: bigint;
  let digest: string;
  try {
    nonce = (await contract.getFunction("nonces")(subject)) as bigint;
    digest = (await contract.getFunction("bindingDigest")(
      subject,
      attester,
      request.disclose,
      nonce,
      request.deadline,
      anonCommitment,
    )) as string;
  } catch (cause) {
    throw new BindingError(
      "BINDING_NO_REGISTRY",
      `the contract at ${registry} does not answer nonces/bindingDigest: is it a KycRegistry (protocol v2)?`,
      { cause },
    );
  }
  const binding: SignedBinding = {
    chainId,
    registry,
    subject,
    attester,
    disclose: request.disclose,
    nonce,
    deadline: request.deadline,
    anonCommitment,
    digest: digest.toLowerCase(),
  };
  const local = computeBindingDigest(binding);
  if (local !== binding.digest) {
    throw new BindingError(
      "BINDING_DIGEST_MISMATCH",
      `the registry's bindingDigest (${binding.digest}) differs from the EIP-712 digest computed here (${local}): different registry version?`,
    );
  }
  return binding;
}
