import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import KycRegistryModule from "./KycRegistry.js";

/**
 * Deploys the example consumers against the registry of `KycRegistryModule` (deployed too if it is not yet):
 * - `KycGatedToken`: an ERC-20 that moves only between verified accounts (`tokenName`, `tokenSymbol`,
 *   `tokenClaims` = the claim mask both ends need, default AUTH = 1; `tokenOwner` default: the deployer).
 * - `AgeGatedClaim`: a one-per-card claim for holders verified with AGE_20.
 *
 *     npx hardhat ignition deploy deploy/modules/Examples.ts --network localhost --parameters deploy/parameters/local.json
 */
export default buildModule("KycExamplesModule", (m) => {
  const { registry, extension } = m.useModule(KycRegistryModule);
  const token = m.contract("KycGatedToken", [
    m.getParameter("tokenName", "KYC Gated Token"),
    m.getParameter("tokenSymbol", "KGT"),
    registry,
    m.getParameter("tokenClaims", 1),
    m.getParameter("tokenOwner", m.getAccount(0)),
  ]);
  const ageGatedClaim = m.contract("AgeGatedClaim", [registry]);
  return { registry, extension, token, ageGatedClaim };
});
