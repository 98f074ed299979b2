import type { TaskDefinition } from "hardhat/types/tasks";

/** Declarations of the `kyc` pki tasks; actions live in `tasks/actions/pki/`. */
export const pkiTasks: TaskDefinition[] = [];
