import { Signature, getAddress, isAddress, recoverAddress, type Provider } from "ethers";

import { BindingError } from "../binding/binding-error.js";
import { KYC_BINDING_TYPES, bindingTypedData, computeBindingDigest } from "../binding/kyc-binding.js";
import type { SignedBinding } from "../binding/proof-request.js";
import { readBindingFromRegistry } from "../binding/registry-binding.js";
import { CLAIMS, claimMask } from "./claims.js";
import type { Eip1193Provider } from "./eip1193-provider.js";
import { SdkError } from "./sdk-error.js";

/**
 * A binding ready for the wallet and the card: chain, registry, subject, attester, disclose, nonce, deadline and its
 * EIP-712 digest (lowercase hex), as the registry computes it.
 */
export type KycBindingToSign = SignedBinding;

/** Inputs of `buildBinding`. */
export interface BuildBindingOptions {
  /** A provider on the registry's chain (`new BrowserProvider(window.ethereum)`, a `JsonRpcProvider`). */
  provider: Provider;
  registry: string;
  /** The holder's wallet: it receives the attestation and signs the binding. */
  subject: string;
  /** The operator the holder chose (only it can attest this binding). */
  attester: string;
  /** The claims the holder allows the operator to publish: names (`["auth", "age20"]`) or a mask; must hold `auth`. */
  disclose: number | readonly string[];
  /** Unix seconds after which the binding is void. */
  deadline: bigint | number;
}

/**
 * Builds the binding the holder's wallet and card sign: reads `nonces(subject)` and the registry's
 * `bindingDigest(...)` and checks that digest against the EIP-712 digest computed here (the project's
 * `readBindingFromRegistry`).
 * @throws SdkError `SDK_INVALID_ADDRESS`, `SDK_INVALID_CLAIMS`, `SDK_INVALID_BINDING` (before any request),
 * `SDK_NOT_A_REGISTRY`, `SDK_DIGEST_MISMATCH`, `SDK_UNAVAILABLE`.
 */
export async function buildBinding(options: BuildBindingOptions): Promise<KycBindingToSign> {
  const registry = toAddress(options.registry, "registry");
  const subject = toAddress(options.subject, "subject");
  const attester = toAddress(options.attester, "attester");
  if (BigInt(subject) === 0n) throw new SdkError("SDK_INVALID_ADDRESS", "the subject must not be the zero address");
  const disclose = claimMask(options.disclose);
  if ((disclose & CLAIMS.auth) === 0) {
    throw new SdkError("SDK_INVALID_CLAIMS", "disclose must include auth (the card's authentication claim)");
  }
  const deadline = toDeadline(options.deadline);
  try {
    return await readBindingFromRegistry(options.provider, { registry, subject, attester, disclose, deadline });
  } catch (error) {
    if (error instanceof BindingError) {
      const code =
        error.code === "BINDING_DIGEST_MISMATCH"
          ? "SDK_DIGEST_MISMATCH"
          : error.code === "BINDING_NO_REGISTRY"
            ? "SDK_NOT_A_REGISTRY"
            : "SDK_INVALID_BINDING";
      throw new SdkError(code, error.message, { cause: error });
    }
    throw new SdkError("SDK_UNAVAILABLE", `cannot read the binding from the node (${oneLine(error)})`, {
      cause: error,
    });
  }
}

/**
 * The binding as the JSON typed data of `eth_signTypedData_v4`: the `EIP712Domain` type included (wallets expect
 * it), uint256/uint64 values (chain id, nonce, deadline) as decimal strings. For wallet libraries that take the
 * parts (viem `signTypedData`, ethers `signTypedData`), use `domain`, `types` without `EIP712Domain`, `message`.
 */
export function bindingTypedDataForWallet(binding: KycBindingToSign) {
  const { domain, primaryType, message } = bindingTypedData(binding);
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      ...KYC_BINDING_TYPES,
    },
    primaryType,
    domain: { ...domain, chainId: domain.chainId.toString() },
    message: { ...message, nonce: message.nonce.toString(), deadline: message.deadline.toString() },
  };
}

/**
 * Has the holder's browser wallet sign the binding with `eth_signTypedData_v4` (the wallet shows the subject, the
 * operator, the claims allowed, the nonce and the deadline) and checks that the signature recovers to the subject.
 * Returns the 65-byte signature (0x-hex, v = 27/28): the proof request's `subjectSignature`.
 * Externally owned accounts only (a smart account's ERC-1271 signature does not recover to it).
 * @throws SdkError `SDK_INVALID_BINDING` (the binding was altered), `SDK_WRONG_CHAIN`, `SDK_WALLET_REFUSED` (EIP-1193
 * 4001), `SDK_WALLET_ERROR`, `SDK_BAD_SIGNATURE`, `SDK_WRONG_ACCOUNT`.
 */
export async function signBindingWithEip1193(ethereum: Eip1193Provider, binding: KycBindingToSign): Promise<string> {
  let digest: string;
  try {
    digest = computeBindingDigest(binding);
  } catch (cause) {
    throw new SdkError("SDK_INVALID_BINDING", `not a binding (${oneLine(cause)})`, { cause });
  }
  if (digest !== binding.digest.toLowerCase()) {
    throw new SdkError("SDK_INVALID_BINDING", "the binding's fields no longer match its digest: build it again");
  }
  const subject = getAddress(binding.subject);
  const walletChain = await ask(ethereum, "eth_chainId", []);
  let chainId: bigint | undefined;
  try {
    chainId = BigInt(walletChain as string);
  } catch {
    chainId = undefined;
  }
  if (chainId !== binding.chainId) {
    throw new SdkError(
      "SDK_WRONG_CHAIN",
      `the wallet is on chain ${String(walletChain)}, the binding is for chain ${binding.chainId}: switch networks in the wallet`,
    );
  }
  const typedData = JSON.stringify(bindingTypedDataForWallet(binding));
  const answer = await ask(ethereum, "eth_signTypedData_v4", [subject, typedData]);
  let signature: Signature;
  try {
    if (typeof answer !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(answer)) throw new Error("not 65 bytes of hex");
    signature = Signature.from(answer);
  } catch (cause) {
    throw new SdkError("SDK_BAD_SIGNATURE", "the wallet did not return a 65-byte ECDSA signature", { cause });
  }
  const signer = recoverAddress(digest, signature);
  if (signer !== subject) {
    throw new SdkError(
      "SDK_WRONG_ACCOUNT",
      `the wallet signed as ${signer}, not as the subject ${subject}: select the subject's account in the wallet`,
    );
  }
  return signature.serialized;
}

/** One EIP-1193 request; a thrown 4001 is the user's refusal, anything else a wallet failure. */
async function ask(ethereum: Eip1193Provider, method: string, params: unknown[]): Promise<unknown> {
  try {
    return await ethereum.request({ method, params });
  } catch (cause) {
    if (eip1193Code(cause) === 4001) {
      throw new SdkError("SDK_WALLET_REFUSED", "the request was rejected in the wallet", { cause });
    }
    throw new SdkError("SDK_WALLET_ERROR", `the wallet failed ${method} (${oneLine(cause)})`, { cause });
  }
}

/** The EIP-1193 error code of a failed request (some wallets nest it under `error`, `data` or `cause`). */
function eip1193Code(error: unknown): number | undefined {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === "number") return code;
    const next = e as { error?: unknown; data?: unknown; cause?: unknown };
    e = next.error ?? next.data ?? next.cause;
  }
  return undefined;
}

function toAddress(value: string, what: string): string {
  if (typeof value !== "string" || !isAddress(value)) {
    throw new SdkError("SDK_INVALID_ADDRESS", `${what} "${String(value)}" is not an address`);
  }
  return getAddress(value);
}

function toDeadline(value: bigint | number): bigint {
  let deadline: bigint;
  try {
    deadline = BigInt(value);
  } catch (cause) {
    throw new SdkError("SDK_INVALID_BINDING", `the deadline ${String(value)} is not a whole number of seconds`, {
      cause,
    });
  }
  if (deadline <= 0n || deadline >= 2n ** 64n) {
    throw new SdkError("SDK_INVALID_BINDING", "the deadline must be a positive uint64 (unix seconds)");
  }
  return deadline;
}

function oneLine(error: unknown): string {
  const message =
    error instanceof Error
      ? ((error as { shortMessage?: string }).shortMessage ?? error.message)
      : typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
        ? (error as { message: string }).message
        : String(error);
  return message.split("\n")[0] ?? "";
}
