import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress, toBeHex } from "ethers";

import { AnonError } from "../../../src/anon/anon-error.js";
import { artifactsIn, devArtifacts } from "../../../src/anon/artifacts.js";
import { readAnonProofFile } from "../../../src/anon/proof-file.js";
import {
  parseAnonAddress,
  parseAnonClaims,
  parseAnonScope,
  parseAnonSignal,
} from "../../../src/anon/prove-arguments.js";
import { loadVerificationKey } from "../../../src/anon/verification-key-file.js";
import { verifyAnonProofFile } from "../../../src/anon/verify-proof-file.js";
import { claimNames } from "../../../src/claims.js";
import { taskAction } from "../../../src/cli/task-action.js";
import { toJson } from "../operator/context.js";

interface Args {
  proof: string | undefined;
  scope: string | undefined;
  signal: string | undefined;
  claims: string | undefined;
  artifacts: string | undefined;
  registry: string | undefined;
  json: boolean;
}

/** The verdicts of a proof that is not valid (exit 1); other errors are bad input (exit 2). */
const INVALID = new Set([
  "ANON_STATEMENT_MISMATCH",
  "ANON_WRONG_ROOT",
  "ANON_MALFORMED_PROOF",
  "ANON_POINT_NOT_ON_CURVE",
  "ANON_OUT_OF_FIELD",
  "ANON_INVALID_PROOF",
]);

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  if (args.proof === undefined) throw new AnonError("ANON_BAD_ARGUMENT", "--proof <proof.json> is required");
  const file = readAnonProofFile(args.proof);
  const expected = {
    ...(args.scope !== undefined ? { scope: parseAnonScope(args.scope) } : {}),
    ...(args.signal !== undefined ? { signal: parseAnonSignal(args.signal).signal } : {}),
    ...(args.claims !== undefined ? { claimsMask: BigInt(parseAnonClaims(args.claims)) } : {}),
    ...(args.registry !== undefined ? { registry: parseAnonAddress(args.registry, "registry") } : {}),
  };
  const verificationKey = loadVerificationKey(
    (args.artifacts === undefined ? devArtifacts() : artifactsIn(args.artifacts)).verificationKey,
  );
  const { ethers } = await hre.network.create();
  try {
    const v = await verifyAnonProofFile(file, { provider: ethers.provider, verificationKey, ...expected });
    if (args.json) {
      console.log(
        toJson({
          valid: true,
          registry: v.registry,
          ...v.signals,
          rootRef: v.rootRef,
          attester: v.publication.attester,
          rootState: v.root,
        }),
      );
      return;
    }
    console.log(`${args.proof}: VALID`);
    console.log(`  nullifier ${v.signals.nullifier}, signal ${toBeHex(v.signals.signal, 20)}`);
    console.log(`  claims ${claimNames(Number(v.signals.claimsMask)).join("+")}, scope ${v.signals.scope}`);
    console.log(
      `  root ${toBeHex(v.signals.root, 32)} at ref ${v.rootRef} of attester ${getAddress(v.publication.attester)}, ` +
        `usable until ${new Date(Number(v.root.validUntil) * 1000).toISOString()}`,
    );
  } catch (error) {
    if (!(error instanceof AnonError) || !INVALID.has(error.code)) throw error;
    if (args.json) console.log(toJson({ valid: false, code: error.code, reason: error.message }));
    else console.log(`${args.proof}: INVALID [${error.code}] ${error.message}`);
    return 1;
  }
});
