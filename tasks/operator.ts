import type { TaskDefinition } from "hardhat/types/tasks";

/** Declarations of the `kyc` operator tasks; actions live in `tasks/actions/operator/`. */
export const operatorTasks: TaskDefinition[] = [];
