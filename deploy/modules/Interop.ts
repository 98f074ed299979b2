import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import KycRegistryModule from "./KycRegistry.js";

/**
 * Deploys the interop faces of the registry of `KycRegistryModule` (deployed too if it is not yet), both reading
 * `IKycRegistry` only (see contracts/interop/README.md):
 * - `KycIdentityRegistryAdapter`: an ERC-3643 (T-REX) identity registry; `trexClaims` = the claim mask a token
 *   holder needs (default IDENTITY = 2). Pass its address to the T-REX token's `init` / `setIdentityRegistry`.
 * - `KycEasReadFace`: EAS's read calls and a Coinbase-style indexer; `easClaims` = the claim mask a holder needs to
 *   have an attestation of the face's schema (default 0: any record). Configure EAS readers with the face's
 *   address as both EAS and indexer, and its `schemaUid()`.
 *
 * One adapter or face serves one claim policy: deploy this module again under another id for another mask.
 *
 *     npx hardhat ignition deploy deploy/modules/Interop.ts --network localhost --parameters deploy/parameters/local.json
 */
export default buildModule("KycInteropModule", (m) => {
  const { registry } = m.useModule(KycRegistryModule);
  const trexAdapter = m.contract("KycIdentityRegistryAdapter", [registry, m.getParameter("trexClaims", 2)]);
  const easReadFace = m.contract("KycEasReadFace", [registry, m.getParameter("easClaims", 0)]);
  return { registry, trexAdapter, easReadFace };
});
