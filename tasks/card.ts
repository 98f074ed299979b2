import type { TaskDefinition } from "hardhat/types/tasks";

/** Declarations of the `kyc` card tasks; actions live in `tasks/actions/card/`. */
export const cardTasks: TaskDefinition[] = [];
