import {
  BaseWallet,
  Contract,
  Transaction,
  Interface,
  getAddress,
  isError,
  type ContractRunner,
  type LogDescription,
  type Provider,
  type Signer,
  type TransactionReceipt,
} from "ethers";

import { KycError } from "../errors.js";
import { assertNoPii, type PiiMaterial } from "../privacy/pii-guard.js";
import { ChainError } from "./chain-error.js";
import { KYC_STATUS_NAMES, REGISTRY_ABI } from "./registry-abi.js";

/** The registry's roles (names of the `bytes32 public constant`s). */
export type RoleName = "DEFAULT_ADMIN_ROLE" | "ATTESTER_ROLE" | "REVOKER_ROLE" | "PAUSER_ROLE" | "ANCHOR_MANAGER_ROLE";

/** `attestationOf(subject)`, decoded. */
export interface AttestationView {
  readonly attester: string;
  readonly status: number;
  readonly statusName: string;
  readonly claims: number;
  readonly expiresAt: bigint;
  readonly caId: number;
  readonly attestedAt: bigint;
  readonly revokedAt: bigint;
  readonly reason: number;
  readonly personTag: string;
}

/** `trustAnchor(caId)`, decoded. */
export interface TrustAnchorView {
  readonly caId: number;
  /** 0 authentication, 1 signing. */
  readonly kind: number;
  readonly keyHash: string;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  readonly enabled: boolean;
}

/** A mined, successful transaction. */
export interface TxOutcome {
  readonly hash: string;
  readonly gasUsed: bigint;
  readonly blockNumber: number;
  /** The registry's events in the receipt, decoded. */
  readonly events: LogDescription[];
  readonly receipt: TransactionReceipt;
}

/** Options of {@link RegistryClient.send}. */
export interface SendOptions {
  /** Certificates involved: the PII guard refuses calldata containing any of their data. Required. */
  readonly pii: readonly PiiMaterial[];
  /**
   * Called right before the signed transaction is handed to the node: from here on it may be on chain even if
   * this call fails, so a caller must not mark it failed without checking the chain (or the binding's deadline).
   */
  readonly onSending?: () => void;
  /**
   * Called with the hash as soon as it is known: before the broadcast for a signer that holds its key, right after
   * the node accepted it otherwise (before it is mined). Record it durably.
   */
  readonly onSent?: (hash: string) => void | Promise<void>;
  /** How long to wait for the receipt (ms); default 120 s. */
  readonly timeoutMs?: number;
}

/** Errors meaning the caller lacks authority. */
const ROLE_ERRORS = new Set(["NotAttester", "AccessControlUnauthorizedAccount", "NotAuthorizedToRevoke"]);

/**
 * A thin client of a deployed KycRegistry over ethers v6: typed reads, and writes that always pass the
 * PII guard, pre-check the sender's funds, and turn reverts, timeouts and node errors into {@link ChainError}s.
 * No hidden state besides the connection.
 */
export class RegistryClient {
  /** The registry ABI as an ethers Interface. */
  static readonly iface = new Interface(REGISTRY_ABI);

  readonly contract: Contract;

  private constructor(
    /** The registry address (checksummed). */
    readonly address: string,
    readonly runner: ContractRunner,
    readonly provider: Provider,
    /** The connected chain's id. */
    readonly chainId: bigint,
  ) {
    this.contract = new Contract(address, RegistryClient.iface, runner);
  }

  /**
   * Connects to the registry at `address` and checks that a registry is deployed there.
   * @param runner a Signer (to send) or a Provider (read-only)
   * @throws ChainError `CHAIN_REGISTRY_NOT_DEPLOYED` (no code, or not a registry), `CHAIN_UNAVAILABLE`
   */
  static async connect(runner: Signer | Provider, address: string): Promise<RegistryClient> {
    const provider = "provider" in runner && runner.provider !== null ? runner.provider : (runner as Provider);
    let chainId: bigint;
    let code: string;
    try {
      chainId = (await provider.getNetwork()).chainId;
      code = await provider.getCode(address);
    } catch (cause) {
      throw new ChainError("CHAIN_UNAVAILABLE", `cannot reach the node: ${firstLine(cause)}`, { cause });
    }
    if (code === "0x") {
      throw new ChainError("CHAIN_REGISTRY_NOT_DEPLOYED", `no contract at ${address} on chain ${chainId}`);
    }
    const client = new RegistryClient(getAddress(address), runner, provider, chainId);
    try {
      await client.contract.getFunction("version").staticCall();
    } catch (cause) {
      throw new ChainError("CHAIN_REGISTRY_NOT_DEPLOYED", `the contract at ${address} is not a KYC registry`, {
        cause,
      });
    }
    return client;
  }

  /** The same registry through another runner (e.g. a different signer). */
  withRunner(runner: Signer): RegistryClient {
    return new RegistryClient(this.address, runner, this.provider, this.chainId);
  }

  /** The signer writes come from. @throws KycError when the client is read-only. */
  signer(): Signer {
    const runner = this.runner as Partial<Signer>;
    if (typeof runner.sendTransaction !== "function" || typeof runner.getAddress !== "function") {
      throw new KycError("CHAIN_NO_SIGNER", "this command needs an account to send from (none configured)");
    }
    return this.runner as Signer;
  }

  /**
   * Throws when the connected chain is not `expected` (a proof request, relay file or deployment for another chain).
   * @throws ChainError `CHAIN_WRONG_NETWORK`
   */
  requireChain(expected: bigint, what: string): void {
    if (expected !== this.chainId) {
      throw new ChainError(
        "CHAIN_WRONG_NETWORK",
        `${what} is for chain ${expected}, but the connected network is chain ${this.chainId} (use --network)`,
      );
    }
  }

  // ------------------------------------------------------------------ reads

  /** Calls a view function, mapping errors. */
  async read<T = unknown>(fn: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.contract.getFunction(fn).staticCall(...args)) as T;
    } catch (error) {
      throw toChainError(error, `${fn}()`);
    }
  }

  async nonces(subject: string): Promise<bigint> {
    return this.read<bigint>("nonces", subject);
  }

  async bindingDigest(
    subject: string,
    attester: string,
    disclose: number,
    nonce: bigint,
    deadline: bigint,
    anonCommitment: string,
  ): Promise<string> {
    return this.read<string>("bindingDigest", subject, attester, disclose, nonce, deadline, anonCommitment);
  }

  async revokeDigest(subject: string, nonce: bigint, deadline: bigint): Promise<string> {
    return this.read<string>("revokeDigest", subject, nonce, deadline);
  }

  async isVerified(account: string): Promise<boolean> {
    return this.read<boolean>("isVerified", account);
  }

  async kycStatus(account: string): Promise<{ status: number; statusName: string; claims: number; expiresAt: bigint }> {
    const r = await this.read<[bigint, bigint, bigint]>("kycStatus", account);
    const status = Number(r[0]);
    return {
      status,
      statusName: KYC_STATUS_NAMES[status] ?? `Unknown(${status})`,
      claims: Number(r[1]),
      expiresAt: r[2],
    };
  }

  async attestationOf(subject: string): Promise<AttestationView> {
    const v = await this.read<readonly unknown[]>("attestationOf", subject);
    const status = Number(v[1]);
    return {
      attester: String(v[0]),
      status,
      statusName: KYC_STATUS_NAMES[status] ?? `Unknown(${status})`,
      claims: Number(v[2]),
      expiresAt: BigInt(v[3] as bigint),
      caId: Number(v[4]),
      attestedAt: BigInt(v[5] as bigint),
      revokedAt: BigInt(v[6] as bigint),
      reason: Number(v[7]),
      personTag: String(v[8]),
    };
  }

  /** `keyState(keyNullifier)`: the subject the key was last bound to, whether that record is active, burned. */
  async keyState(keyNullifier: string): Promise<{ subject: string; active: boolean; burned: boolean }> {
    const r = await this.read<[string, boolean, boolean]>("keyState", keyNullifier);
    return { subject: String(r[0]), active: Boolean(r[1]), burned: Boolean(r[2]) };
  }

  async trustAnchor(caId: number): Promise<TrustAnchorView> {
    const v = await this.read<readonly unknown[]>("trustAnchor", caId);
    return {
      caId,
      kind: Number(v[0]),
      keyHash: String(v[1]),
      notBefore: BigInt(v[2] as bigint),
      notAfter: BigInt(v[3] as bigint),
      enabled: Boolean(v[4]),
    };
  }

  /** Every trust anchor (ids 1..count). */
  async trustAnchors(): Promise<TrustAnchorView[]> {
    const count = Number(await this.read<bigint>("trustAnchorCount"));
    const anchors: TrustAnchorView[] = [];
    for (let id = 1; id <= count; id++) anchors.push(await this.trustAnchor(id));
    return anchors;
  }

  async lastCrlSync(attester: string): Promise<bigint> {
    return this.read<bigint>("lastCrlSync", attester);
  }

  async roleId(role: RoleName): Promise<string> {
    return this.read<string>(role);
  }

  async hasRole(role: RoleName, account: string): Promise<boolean> {
    return this.read<boolean>("hasRole", await this.roleId(role), account);
  }

  /** @throws ChainError `CHAIN_MISSING_ROLE` when `account` lacks `role`. */
  async requireRole(role: RoleName, account: string): Promise<void> {
    if (!(await this.hasRole(role, account))) {
      throw new ChainError("CHAIN_MISSING_ROLE", `${account} does not hold ${role} on the registry ${this.address}`);
    }
  }

  /** The registry's `Attested` events for `subject` (oldest first). */
  async attestedEvents(subject: string, fromBlock = 0): Promise<LogDescription[]> {
    const filter = this.contract.getEvent("Attested")(subject);
    try {
      const logs = await this.contract.queryFilter(filter, fromBlock);
      return logs.map((log) => RegistryClient.iface.parseLog(log)).filter((d): d is LogDescription => d !== null);
    } catch (error) {
      throw toChainError(error, "reading Attested events");
    }
  }

  // ------------------------------------------------------------------ writes

  /** Calldata of a registry call (for the PII guard, relays and tests). */
  encode(fn: string, args: readonly unknown[]): string {
    return RegistryClient.iface.encodeFunctionData(fn, args);
  }

  /**
   * Sends a registry call from the client's signer. Order: encode → PII guard (refuses before anything leaves the
   * process) → gas estimate (a revert is reported here with its custom error, nothing is sent) → funds check →
   * send → `onSent(hash)` → wait for the receipt.
   * @throws PiiGuardError, ChainError
   */
  async send(fn: string, args: readonly unknown[], options: SendOptions): Promise<TxOutcome> {
    const data = this.encode(fn, args);
    assertNoPii(data, options.pii);
    const signer = this.signer();
    const from = await signer.getAddress();
    const request = { to: this.address, data, from };
    let gasLimit: bigint;
    try {
      gasLimit = await signer.estimateGas(request);
    } catch (error) {
      throw toChainError(error, fn);
    }
    await this.requireFunds(from, gasLimit);
    let hash: string;
    let wait: (confirms?: number, timeout?: number) => Promise<TransactionReceipt | null>;
    const tx = { to: this.address, data, gasLimit: (gasLimit * 12n) / 10n };
    const local = await this.signLocally(signer, tx);
    if (local !== undefined) {
      // The hash is known (and recorded) before the node sees the transaction: if the call times out after the
      // node accepted it, the caller still knows exactly what to look for.
      hash = local.hash;
      await options.onSent?.(hash);
      options.onSending?.();
      try {
        await this.provider.broadcastTransaction(local.raw);
      } catch (error) {
        throw toChainError(error, fn, hash);
      }
      wait = (confirms, timeout) => this.provider.waitForTransaction(hash, confirms, timeout);
    } else {
      options.onSending?.();
      try {
        const response = await signer.sendTransaction(tx);
        hash = response.hash;
        wait = response.wait.bind(response);
      } catch (error) {
        throw toChainError(error, fn);
      }
      await options.onSent?.(hash);
    }
    let receipt: TransactionReceipt | null;
    try {
      receipt = await wait(1, options.timeoutMs ?? 120_000);
    } catch (error) {
      throw toChainError(error, fn, hash);
    }
    if (receipt === null) {
      throw new ChainError("CHAIN_DROPPED", `${fn}: transaction ${hash} was not mined (dropped or replaced)`);
    }
    const events = receipt.logs
      .filter((log) => log.address.toLowerCase() === this.address.toLowerCase())
      .map((log) => RegistryClient.iface.parseLog(log))
      .filter((d): d is LogDescription => d !== null);
    return { hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber, events, receipt };
  }

  /**
   * Signs `tx` without sending it when the signer holds its key (an ethers `Wallet`, e.g. the operator key from the
   * keystore); undefined for signers that only send (a node-managed account, a browser wallet).
   */
  private async signLocally(
    signer: Signer,
    tx: { to: string; data: string; gasLimit: bigint },
  ): Promise<{ raw: string; hash: string } | undefined> {
    if (!(signer instanceof BaseWallet)) return undefined;
    try {
      const populated = await signer.populateTransaction(tx);
      const raw = await signer.signTransaction(populated);
      return { raw, hash: Transaction.from(raw).hash! };
    } catch (error) {
      throw toChainError(error, "signing the transaction");
    }
  }

  private async requireFunds(from: string, gasLimit: bigint): Promise<void> {
    try {
      const [balance, fees] = await Promise.all([this.provider.getBalance(from), this.provider.getFeeData()]);
      const price = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
      const needed = gasLimit * price;
      if (balance < needed) {
        throw new ChainError(
          "CHAIN_INSUFFICIENT_FUNDS",
          `${from} has ${balance} wei but the transaction may cost up to ${needed} wei on chain ${this.chainId}`,
        );
      }
    } catch (error) {
      if (error instanceof ChainError) throw error;
      throw toChainError(error, "checking the balance");
    }
  }
}

/** Finds revert data (0x-hex, at least a selector) in the shapes ethers and Hardhat's providers use. */
export function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["data", "revertData"]) {
      const v = o[key];
      if (typeof v === "string" && /^0x[0-9a-fA-F]{8,}$/.test(v)) return v;
      if (v !== null && typeof v === "object") queue.push(v);
    }
    for (const key of ["error", "info", "cause", "revert"]) queue.push(o[key]);
  }
  return undefined;
}

/**
 * Turns an ethers / provider error into a ChainError with the registry's custom error name.
 * KycErrors pass through unchanged.
 */
export function toChainError(error: unknown, what: string, hash?: string): KycError {
  if (error instanceof KycError) return error;
  const message = firstLine(error);
  if (isError(error, "INSUFFICIENT_FUNDS") || /enough funds|insufficient funds/i.test(message)) {
    return new ChainError("CHAIN_INSUFFICIENT_FUNDS", `${what}: the sending account cannot pay for the transaction`, {
      cause: error,
    });
  }
  if (isError(error, "TIMEOUT")) {
    return new ChainError(
      "CHAIN_DROPPED",
      `${what}: transaction ${hash ?? ""} not mined in time; it stays pending and is reconciled on the next run`,
      { cause: error },
    );
  }
  const data = revertData(error);
  if (data !== undefined) {
    const parsed = RegistryClient.iface.parseError(data);
    if (parsed !== null) {
      const args = parsed.args.map((a) => String(a)).join(", ");
      const code = ROLE_ERRORS.has(parsed.name) ? "CHAIN_MISSING_ROLE" : "CHAIN_REVERTED";
      return new ChainError(code, `${what} reverted: ${parsed.name}(${args})`, {
        cause: error,
        revertName: parsed.name,
      });
    }
    return new ChainError("CHAIN_REVERTED", `${what} reverted with unknown data ${data.slice(0, 10)}`, {
      cause: error,
    });
  }
  if (isError(error, "CALL_EXCEPTION") || /revert/i.test(message)) {
    return new ChainError("CHAIN_REVERTED", `${what} reverted: ${message}`, { cause: error });
  }
  if (
    isError(error, "NETWORK_ERROR") ||
    isError(error, "SERVER_ERROR") ||
    /ECONNREFUSED|fetch failed|socket/i.test(message)
  ) {
    return new ChainError("CHAIN_UNAVAILABLE", `${what}: cannot reach the node (${message})`, { cause: error });
  }
  return new ChainError("CHAIN_UNAVAILABLE", `${what} failed: ${message}`, { cause: error });
}

function firstLine(error: unknown): string {
  const text =
    error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  return text.split("\n")[0] ?? "";
}
