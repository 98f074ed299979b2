/**
 * Where a mined transaction's gas goes, from `debug_traceTransaction` (Hardhat's EDR serves it): the intrinsic 21,000,
 * the calldata (4 per zero byte, 16 per other byte), and the execution split by part — each precompile call (with its
 * address), each call into a contract as a whole, and the caller's own opcodes (PUSH/DUP/SWAP as "stack" unless
 * `byOp`). Used by the gas profiles of the benches.
 */
import { getBytes } from "ethers";

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

/** The gas parts of one transaction. */
export interface TxGasParts {
  readonly total: number;
  readonly calldata: number;
  readonly calldataBytes: number;
  readonly zeroBytes: number;
  readonly execution: number;
  /** Execution gas by part, largest first. */
  readonly parts: Record<string, number>;
}

const CALLS = ["STATICCALL", "CALL", "DELEGATECALL"];
const isStack = (op: string) => op.startsWith("PUSH") || op.startsWith("DUP") || op.startsWith("SWAP");

/** Splits the gas of the mined transaction `tx` (its hash and input) that used `gasUsed`. */
export async function txGasParts(
  provider: { request(args: { method: string; params?: unknown[] }): Promise<unknown> },
  tx: { hash: string; data: string },
  gasUsed: bigint,
  options: { byOp?: boolean } = {},
): Promise<TxGasParts> {
  const data = getBytes(tx.data);
  const zeroBytes = data.filter((b) => b === 0).length;
  const calldata = zeroBytes * 4 + (data.length - zeroBytes) * 16;
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [tx.hash, { disableStorage: true, disableMemory: true }],
  })) as { structLogs: Step[] };
  const logs = trace.structLogs;
  const parts = new Map<string, number>();
  const add = (key: string, gas: number) => parts.set(key, (parts.get(key) ?? 0) + gas);
  for (let i = 0; i < logs.length; i++) {
    const s = logs[i]!;
    if (s.depth > 1) continue; // inside a call: counted with the call
    if (CALLS.includes(s.op)) {
      const next = logs[i + 1];
      if (next !== undefined && next.depth === s.depth) {
        // a precompile returns at once: what it cost is the gas gone until the next step
        const target = s.stack ? BigInt(s.stack[s.stack.length - 2]!) : -1n;
        add(`precompile 0x${target.toString(16).padStart(2, "0")}`, s.gas - next.gas);
      } else {
        let j = i + 1;
        while (j < logs.length && logs[j]!.depth > s.depth) j++;
        add(`${s.op} (the whole call)`, s.gas - (logs[j]?.gas ?? s.gas));
      }
      continue;
    }
    add(!options.byOp && isStack(s.op) ? "stack" : s.op, s.gasCost);
  }
  const total = Number(gasUsed);
  return {
    total,
    calldata,
    calldataBytes: data.length,
    zeroBytes,
    execution: total - 21_000 - calldata,
    parts: Object.fromEntries([...parts.entries()].sort((a, b) => b[1] - a[1])),
  };
}
