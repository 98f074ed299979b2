import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the KycRegistry (protocol v2): first its admin extension `KycRegistryAdmin` (batches, pluggable verifiers,
 * trust anchors, parameters; reached through the registry's fallback by DELEGATECALL), then `KycRegistry` naming it.
 *
 * Parameters (module id `KycRegistryModule`; per-network files in `deploy/parameters/`):
 * - `admin`: DEFAULT_ADMIN_ROLE holder (default: the deploying account). Transfers are two-step with `adminDelay`.
 * - `adminDelay`: seconds an admin transfer waits (default 2 days).
 * - `maxAge`: the longest an attestation lives, seconds (default 365 days; at least EXPIRY_GRID, half a mean
 *   Gregorian year = 15,778,476 s).
 * - `maxStaleness`: the longest an attester may go without a CRL-sync heartbeat before its attestations read as
 *   unverified, seconds (default 3 days; 0 disables).
 *
 * Roles (attesters, anchor managers) and trust anchors are added afterwards with `kyc attester grant` and
 * `kyc ca add`, from the admin account. Talk to the registry through `IKycRegistryFull` at `registry`'s address.
 *
 *     npx hardhat ignition deploy deploy/modules/KycRegistry.ts --network localhost --parameters deploy/parameters/local.json
 */
export default buildModule("KycRegistryModule", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 2n * 24n * 3600n);
  const maxAge = m.getParameter("maxAge", 365n * 24n * 3600n);
  const maxStaleness = m.getParameter("maxStaleness", 3n * 24n * 3600n);
  const extension = m.contract("KycRegistryAdmin", []);
  const registry = m.contract("KycRegistry", [admin, adminDelay, maxAge, maxStaleness, extension]);
  return { registry, extension };
});
