import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { readCardStatus } from "../../../src/card/card-status.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { taskAction } from "../../../src/cli/task-action.js";

interface StatusArgs {
  card: string;
}

export default taskAction(async (args: StatusArgs, _hre: HardhatRuntimeEnvironment) => {
  const card = await openCardSigner(args.card);
  try {
    const s = await readCardStatus(card);
    const tries = (t: number | undefined | "absent") =>
      t === "absent" ? "no signing certificate on this card" : t === undefined ? "unknown" : `${t} tries left`;
    console.log(`Card: ${s.description}`);
    console.log(`Authentication certificate SHA-256: ${s.authCertificateSha256}`);
    console.log(`Authentication PIN: ${tries(s.authTriesLeft)}`);
    console.log(`Signing password: ${tries(s.signTriesLeft)}`);
  } finally {
    await card.close();
  }
});
