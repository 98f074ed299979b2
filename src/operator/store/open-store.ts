import type { OperatorStore } from "./operator-store.js";
import { PostgresOperatorStore, type PostgresStoreOptions } from "./postgres-store.js";
import { SqliteOperatorStore } from "./sqlite-store.js";

/** Name of the configuration variable (keystore or environment) naming the store when `--store` is not given. */
export const STORE_URL_VARIABLE = "KYC_STORE_URL";

/** Whether a store location is a PostgreSQL URL (`postgres://` or `postgresql://`) rather than a SQLite file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the operator store at `location`: a PostgreSQL URL (`postgres://user:password@host:port/db`, several service
 * instances may share it) or a SQLite file path (the default backend; `:memory:` for a throw-away store).
 * @throws OperatorError `OPERATOR_STORE` when the store cannot be opened (the message never holds the URL's password).
 */
export async function openOperatorStore(
  location: string,
  options: Pick<PostgresStoreOptions, "now"> = {},
): Promise<OperatorStore> {
  if (isPostgresUrl(location)) return PostgresOperatorStore.connect(location, options);
  return SqliteOperatorStore.open(location, options);
}
