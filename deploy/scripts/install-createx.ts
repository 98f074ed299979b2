/**
 * Puts CreateX (the factory of `ignition deploy --strategy create2`) on a chain that lacks it, e.g. Kaia Kairos:
 * the first account sends the keyless deployer 0.3 of the native token, then the presigned transaction is broadcast.
 * Does nothing but check the code when CreateX is already there.
 *
 *     npx hardhat run deploy/scripts/install-createx.ts --network kairos
 */
import { network } from "hardhat";

import { CREATE_X, ensureCreateX } from "../createx.js";

const connection = await network.getOrCreate();
try {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const state = await ensureCreateX(connection.ethers);
  console.log(`CreateX at ${CREATE_X} on chain ${chainId}: ${state}`);
} finally {
  await connection.close();
}
