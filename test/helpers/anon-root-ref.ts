import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";

import type { IKycRegistryFull } from "../../types/ethers-contracts/index.js";

/**
 * The ref of the one `AnonRootPublished` of a publication (`publishAnonRoot` / `replaceAnonRoots`), read from its
 * receipt with the registry's interface: where consumers find the root (`anonRootAt(ref)`).
 */
export async function publishedRef(
  registry: IKycRegistryFull,
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse>,
): Promise<bigint> {
  const receipt = await (await tx).wait();
  const refs = receipt!.logs.flatMap((log) => {
    const parsed = registry.interface.parseLog(log);
    return parsed?.name === "AnonRootPublished" ? [parsed.args.getValue("ref") as bigint] : [];
  });
  expect(refs).to.have.length(1);
  return refs[0]!;
}
