import { getAddress, type Provider } from "ethers";

import type { AnonExpectation } from "./anon-expectation.js";
import { AnonError } from "./anon-error.js";
import type { AnonProofFile } from "./anon-proof-file.js";
import type { AnonProofFileVerdict } from "./anon-proof-file-verdict.js";
import { anonCalldata } from "./calldata.js";
import { proofOfFile } from "./proof-file.js";
import { readAnonRootPublications } from "./published-roots.js";
import { usableRootAt } from "./root-at-ref.js";
import { describeRootRef } from "./root-ring.js";
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
  /** The consumer's bound on a root's age (seconds, its `ANON_MAX_ROOT_AGE`); none: not checked. */
  readonly maxRootAge?: bigint;
}

function mismatch(what: string): never {
  throw new AnonError("ANON_STATEMENT_MISMATCH", what);
}

/**
 * Verifies a proof file off chain as a consumer's `claim(proof, rootRef, nullifierSignal)` would on chain: the file
 * is for this chain and registry, its calldata and fields are the proof's own public signals, the registry's entry
 * at the file's `rootRef` holds the proof's root now and is usable (`anonRootAt(rootRef)`: not overwritten in the
 * ring, not past validUntil, its attester not removed; not older than `maxRootAge` when given), the file's attester
 * published that root at that ref with the file's validUntil (an `AnonRootPublished` event), its scope, signal and
 * claims mask are the expected ones, and the Groth16 pairing check passes (`verifyAnonProof`). Nullifier reuse is
 * the consumer's record, not checked here.
 * @throws AnonError `ANON_STATEMENT_MISMATCH` (another chain or registry, the file's fields or calldata differ from
 * the public signals or from each other, or scope / signal / mask differ from the expected ones), `ANON_WRONG_ROOT`
 * (nothing or another root at the ref, unusable, too old, not the file attester's publication),
 * `ANON_MALFORMED_PROOF`, `ANON_POINT_NOT_ON_CURVE`, `ANON_OUT_OF_FIELD`, `ANON_INVALID_PROOF`,
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
    ["calldata.nullifierSignal", BigInt(file.calldata.nullifierSignal) !== nullifierSignal],
    ["root", BigInt(file.root) !== root],
    ["scope", BigInt(file.scope) !== scope],
    ["claimsMask", BigInt(file.claimsMask) !== claimsMask],
    ["signal", BigInt(file.signal) !== (nullifierSignal & ((1n << 160n) - 1n))],
    ["nullifier", BigInt(file.nullifier) !== nullifierSignal >> 160n],
  ];
  for (const [name, differs] of fields) if (differs) mismatch(`the file's ${name} is not the proof's`);
  const rootRef = BigInt(file.rootRef);
  if (BigInt(file.calldata.rootRef) !== rootRef) mismatch("the file's calldata.rootRef is not its rootRef");
  const state = await usableRootAt(check.provider, registry, rootRef, calldata.root, check.maxRootAge);
  // the ref holds the proof's root: the file's attester and validUntil must be that entry's publication
  const attester = getAddress(file.attester);
  const publication = (await readAnonRootPublications(check.provider, registry, { attester, root: calldata.root }))
    .filter((p) => p.ref === rootRef)
    .at(-1);
  if (publication === undefined) {
    throw new AnonError(
      "ANON_WRONG_ROOT",
      `attester ${attester} never published the proof's root at ${describeRootRef(rootRef)}: the file names ` +
        "another attester than the root's",
    );
  }
  if (BigInt(file.validUntil) !== publication.validUntil) mismatch("the file's validUntil is not the root's");
  const expected: AnonExpectation = {
    roots: [root],
    claimsMask: check.claimsMask ?? BigInt(file.claimsMask),
    scope: check.scope ?? BigInt(file.scope),
    signal: check.signal ?? BigInt(file.signal),
  };
  const signals = await verifyAnonProof(check.verificationKey, proof, expected);
  return { registry, signals, rootRef, root: state, publication };
}
