import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { AnonError } from "../../../src/anon/anon-error.js";
import { artifactsIn, devArtifacts } from "../../../src/anon/artifacts.js";
import {
  parseAnonAddress,
  parseAnonClaims,
  parseAnonRoot,
  parseAnonRootRef,
  parseAnonScope,
  parseAnonSignal,
} from "../../../src/anon/prove-arguments.js";
import { proveAnonHolder, type AnonSecretSource } from "../../../src/binding/prove-anon-holder.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import type { CardSigner } from "../../../src/card/card-signer.js";
import { readSecret } from "../../../src/card/read-secret.js";
import { resolveRegistryAddress } from "../../../src/chain/deployment.js";
import { taskAction } from "../../../src/cli/task-action.js";
import { explainInProcess, toJson } from "../operator/context.js";

interface Args {
  scope: string | undefined;
  signal: string | undefined;
  claims: string | undefined;
  attester: string | undefined;
  root: string | undefined;
  rootRef: string | undefined;
  card: string;
  pinEnv: string | undefined;
  anonBackup: string | undefined;
  anonBackupPassphraseEnv: string | undefined;
  artifacts: string | undefined;
  lookbackBlocks: number;
  out: string | undefined;
  registry: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args, hre: HardhatRuntimeEnvironment) => {
  // Every argument is checked before the card or the backup is touched.
  if (args.out === undefined) throw new AnonError("ANON_BAD_ARGUMENT", "--out <proof.json> is required");
  const scope = parseAnonScope(args.scope);
  const { signal, kind } = parseAnonSignal(args.signal);
  const claimsMask = parseAnonClaims(args.claims);
  const attester = parseAnonAddress(args.attester, "attester");
  const root = args.root === undefined ? undefined : parseAnonRoot(args.root);
  const rootRef = args.rootRef === undefined ? undefined : parseAnonRootRef(args.rootRef);
  if (!Number.isSafeInteger(args.lookbackBlocks) || args.lookbackBlocks < 0) {
    throw new AnonError("ANON_BAD_ARGUMENT", "--lookback-blocks must be 0 or more");
  }
  const artifacts = args.artifacts === undefined ? devArtifacts() : artifactsIn(args.artifacts);
  const { ethers } = await hre.network.create();
  let registry: string;
  try {
    const { chainId } = await ethers.provider.getNetwork();
    registry = resolveRegistryAddress(args.registry, chainId, hre.config.paths.root);
  } catch (error) {
    throw explainInProcess(hre, error);
  }
  let card: CardSigner | undefined;
  let secretFrom: AnonSecretSource;
  if (args.anonBackup !== undefined) {
    const envVar = args.anonBackupPassphraseEnv;
    secretFrom = {
      backup: args.anonBackup,
      askPassphrase: () =>
        envVar === undefined && !process.stdin.isTTY
          ? Promise.reject(
              new AnonError(
                "ANON_BAD_ARGUMENT",
                "no terminal to ask the backup passphrase on; use --anon-backup-passphrase-env",
              ),
            )
          : readSecret("Backup passphrase: ", envVar),
    };
  } else {
    card = await openCardSigner(args.card);
    secretFrom = {
      card,
      askPin: (left) => {
        const tries = left === undefined ? "" : ` (${left} ${left === 1 ? "try" : "tries"} left)`;
        return readSecret(`Authentication PIN (4 digits)${tries}: `, args.pinEnv);
      },
    };
  }
  try {
    const r = await proveAnonHolder({
      provider: ethers.provider,
      registry,
      attester,
      secretFrom,
      scope,
      signal,
      signalKind: kind,
      claimsMask,
      artifacts,
      lookbackBlocks: args.lookbackBlocks,
      out: args.out,
      ...(root !== undefined ? { root } : {}),
      ...(rootRef !== undefined ? { rootRef } : {}),
      print: (line) => (args.json ? process.stderr.write(`${line}\n`) : console.log(line)),
    });
    if (args.json) {
      console.log(
        toJson({
          out: args.out,
          nullifier: r.file.nullifier,
          root: r.file.root,
          rootRef: r.file.rootRef,
          validUntil: r.file.validUntil,
          proveMs: r.proof.proveMs,
          totalMs: r.totalMs,
        }),
      );
    }
  } finally {
    await card?.close();
  }
});
