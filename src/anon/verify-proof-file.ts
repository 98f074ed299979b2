import { getAddress, type Provider } from "ethers";

import type { AnonExpectation } from "./anon-expectation.js";
import { AnonError } from "./anon-error.js";
import type { AnonProofFile } from "./anon-proof-file.js";
import type { AnonProofFileVerdict } from "./anon-proof-file-verdict.js";
import { anonCalldata } from "./calldata.js";
import { proofOfFile } from "./proof-file.js";
import { isUnpublished, readAnonRootState } from "./published-roots.js";
import type { AnonVerificationKey } from "./verification-key.js";
import { verifyAnonProof } from "./verify.js";

/** What a verifier of a proof file requires beyond the proof: fields left out are taken from the file. */
export interface AnonProofFileCheck {
  readonly provider: Provider;
  readonly verificationKey: AnonVerificationKey;
  /** The registry whose usable roots are accepted (default: the file's; another one than the file's is refused). */
  readonly registry?: string;
  readonly scope?: bigint;
  readonly signal?: bigint;
  readonly claimsMask?: bigint;
}

function mismatch(what: string): never {
  throw new AnonError("ANON_STATEMENT_MISMATCH", what);
}

/**
 * Verifies a proof file off chain as a consumer would on chain: the file is for this chain and registry, its
 * calldata and fields are the proof's own public signals, its root is one the registry accepts now (published and
 * usable: `anonRoot(root).usable`), its scope, signal and claims mask are the expected ones, and the Groth16
 * pairing check passes (`verifyAnonProof`). Nullifier reuse is the consumer's record, not checked here.
 * @throws AnonError `ANON_STATEMENT_MISMATCH` (another chain or registry, the file's fields or calldata differ from
 * the public signals, or scope / signal / mask differ from the expected ones), `ANON_WRONG_ROOT` (unknown or
 * unusable root), `ANON_MALFORMED_PROOF`, `ANON_POINT_NOT_ON_CURVE`, `ANON_OUT_OF_FIELD`, `ANON_INVALID_PROOF`,
 * `ANON_REGISTRY_UNREADABLE`.
 */
export async function verifyAnonProofFile(
  file: AnonProofFile,
  check: AnonProofFileCheck,
): Promise<AnonProofFileVerdict> {
  const { chainId } = await check.provider.getNetwork();
  if (file.chainId !== chainId.toString()) mismatch(`the proof is for chain ${file.chainId}, not chain ${chainId}`);
  const registry = getAddress(file.registry);
  if (check.registry !== undefined && getAddress(check.registry) !== registry) {
    mismatch(`the proof names the registry ${registry}, not ${getAddress(check.registry)}`);
  }
  const proof = proofOfFile(file);
  const calldata = anonCalldata(proof); // checks the proof's shape, curve points and public signals
  const [nullifierSignal, root, scope, claimsMask] = calldata.publicSignals as [bigint, bigint, bigint, bigint];
  const fields: [string, boolean][] = [
    ["calldata.proof", file.calldata.proof.join(",") !== calldata.proof.join(",")],
    ["calldata.root", file.calldata.root.toLowerCase() !== calldata.root],
    ["calldata.nullifierSignal", BigInt(file.calldata.nullifierSignal) !== nullifierSignal],
    ["root", BigInt(file.root) !== root],
    ["scope", BigInt(file.scope) !== scope],
    ["claimsMask", BigInt(file.claimsMask) !== claimsMask],
    ["signal", BigInt(file.signal) !== (nullifierSignal & ((1n << 160n) - 1n))],
    ["nullifier", BigInt(file.nullifier) !== nullifierSignal >> 160n],
  ];
  for (const [name, differs] of fields) if (differs) mismatch(`the file's ${name} is not the proof's`);
  const state = await readAnonRootState(check.provider, registry, calldata.root);
  if (isUnpublished(state)) {
    throw new AnonError("ANON_WRONG_ROOT", `the proof's root ${calldata.root} was never published in ${registry}`);
  }
  if (!state.usable) {
    throw new AnonError(
      "ANON_WRONG_ROOT",
      `the proof's root ${calldata.root} is not usable now (past its validUntil, or its attester ${state.attester} ` +
        "lost its role or let its CRL heartbeat go stale)",
    );
  }
  const expected: AnonExpectation = {
    roots: [root],
    claimsMask: check.claimsMask ?? BigInt(file.claimsMask),
    scope: check.scope ?? BigInt(file.scope),
    signal: check.signal ?? BigInt(file.signal),
  };
  const signals = await verifyAnonProof(check.verificationKey, proof, expected);
  return { registry, signals, root: state };
}
