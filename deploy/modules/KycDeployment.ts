import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import KycExamplesModule from "./Examples.js";
import KycInteropModule from "./Interop.js";

/**
 * Everything in one deployment: the registry and its admin extension (`KycRegistryModule`), the example consumers
 * (`KycExamplesModule`) and the interop faces (`KycInteropModule`). With `--strategy create2` every contract lands
 * at the same address on every EVM chain, given the same salt (`ignition.strategyConfig.create2.salt` in
 * hardhat.config.ts), the same compiled bytecode (the `production` build profile Ignition's CLI compiles with) and
 * the same parameters, the admin included (docs/use-it-from.md, "One address on every chain").
 *
 *     npx hardhat ignition deploy deploy/modules/KycDeployment.ts --network sepolia --strategy create2 --parameters deploy/parameters/sepolia.json
 */
export default buildModule("KycDeploymentModule", (m) => {
  const { registry, extension, token, ageGatedClaim } = m.useModule(KycExamplesModule);
  const { trexAdapter, easReadFace } = m.useModule(KycInteropModule);
  return { registry, extension, token, ageGatedClaim, trexAdapter, easReadFace };
});
