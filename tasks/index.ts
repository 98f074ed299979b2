import { emptyTask } from "hardhat/config";

import { anonTasks } from "./anon.js";
import { cardTasks } from "./card.js";
import { operatorTasks } from "./operator.js";
import { pkiTasks } from "./pki.js";
import { serviceTasks } from "./service.js";

/**
 * Every task of the `kyc` namespace. Declarations only: each action lives in its own lazily imported file
 * under `tasks/actions/`, which calls into `src/`.
 */
export const kycTasks = [
  emptyTask("kyc", "JPKI KYC registry: PKI tools, card binding, operator tasks").build(),
  ...pkiTasks,
  ...cardTasks,
  ...operatorTasks,
  ...anonTasks,
  ...serviceTasks,
];
