import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const registryOption = {
  name: "registry",
  description: "KycRegistry address (default: the Ignition deployment of the selected network)",
  type: ArgumentType.STRING_WITHOUT_DEFAULT,
  defaultValue: undefined,
} as const;
const storeOption = {
  name: "store",
  description:
    "Operator store: a SQLite file or a postgres:// URL (default: KYC_STORE_URL, else .kyc/operator-<chainId>.sqlite)",
  type: ArgumentType.STRING_WITHOUT_DEFAULT,
  defaultValue: undefined,
} as const;
const jsonFlag = { name: "json", description: "Print the result as JSON" } as const;

/** A task that talks to a KycRegistry: declared with `--registry <address>` and `--json`. */
export function registryTask(id: string[], description: string) {
  return task(id, description).addOption(registryOption).addFlag(jsonFlag);
}

/** A registry task that also keeps the operator store: `--registry`, `--store <file or postgres:// URL>` and `--json`. */
export function registryStoreTask(id: string[], description: string) {
  return registryTask(id, description).addOption(storeOption);
}
