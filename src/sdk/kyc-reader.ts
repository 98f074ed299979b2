import { Contract, getAddress, isError, type Provider } from "ethers";

import { KYC_STATUS_NAMES } from "../chain/registry-abi.js";
import { claimMask, claimNames } from "./claims.js";
import { KYC_REGISTRY_READ_ABI } from "./abis.js";
import type { KycStatusName, KycStatusView } from "./kyc-status.js";
import { SdkError } from "./sdk-error.js";

/**
 * Typed reads of a KYC registry through its consumer interface (`IKycRegistry`), for front ends: any ethers v6
 * `Provider` (a `BrowserProvider` over the wallet, a `JsonRpcProvider` over HTTP). No signer is needed.
 * Every failure is an `SdkError` with a stable `code`.
 */
export class KycReader {
  /** The registry's checksummed address. */
  readonly registry: string;
  readonly #contract: Contract;
  readonly #provider: Provider;

  /** @throws SdkError `SDK_INVALID_ADDRESS` when `registry` is not an address. */
  constructor(registry: string, provider: Provider) {
    this.registry = toAddress(registry, "registry");
    this.#provider = provider;
    this.#contract = new Contract(this.registry, KYC_REGISTRY_READ_ABI, provider);
  }

  /** Whether `account` currently holds a valid attestation. */
  async isVerified(account: string): Promise<boolean> {
    const who = toAddress(account, "account");
    return (await this.#call("isVerified", [who])) as boolean;
  }

  /** Whether `account` is verified with every claim in `claims` (names such as `["age20"]`, or a mask). */
  async hasClaims(account: string, claims: number | readonly string[]): Promise<boolean> {
    const who = toAddress(account, "account");
    return (await this.#call("hasClaims", [who, claimMask(claims)])) as boolean;
  }

  /** The status of `account`'s attestation, with status and claim names. */
  async kycStatus(account: string): Promise<KycStatusView> {
    const who = toAddress(account, "account");
    const [status, claims, expiresAt] = (await this.#call("kycStatus", [who])) as [bigint, bigint, bigint];
    const statusName = KYC_STATUS_NAMES[Number(status)] as KycStatusName | undefined;
    if (statusName === undefined) {
      throw new SdkError("SDK_NOT_A_REGISTRY", `${this.registry} returned an unknown status ${status}`);
    }
    return {
      account: who,
      status: Number(status),
      statusName,
      verified: statusName === "Active",
      claims: Number(claims),
      claimNames: claimNames(Number(claims)),
      expiresAt,
      expiresAtDate: expiresAt === 0n ? null : new Date(Number(expiresAt) * 1000),
    };
  }

  async #call(name: string, args: unknown[]): Promise<unknown> {
    try {
      return await this.#contract.getFunction(name).staticCall(...args);
    } catch (error) {
      throw await this.#toSdkError(error, name);
    }
  }

  async #toSdkError(error: unknown, what: string): Promise<SdkError> {
    if (error instanceof SdkError) return error;
    if (isError(error, "BAD_DATA") || isError(error, "CALL_EXCEPTION")) {
      let code = "0x";
      try {
        code = await this.#provider.getCode(this.registry);
      } catch {
        // fall through: reported as not a registry
      }
      const why = code === "0x" ? "no contract is deployed there" : "the contract does not answer like a KYC registry";
      return new SdkError("SDK_NOT_A_REGISTRY", `${what} on ${this.registry} failed: ${why}`, { cause: error });
    }
    const message = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : "";
    return new SdkError("SDK_UNAVAILABLE", `${what}: cannot read from the node (${message.split("\n")[0]})`, {
      cause: error,
    });
  }
}

function toAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch (error) {
    throw new SdkError("SDK_INVALID_ADDRESS", `${what} "${value}" is not an address`, { cause: error });
  }
}
