import { randomBytes } from "node:crypto";

import pg from "pg";

import type { OperatorStore } from "../../../src/operator/store/operator-store.js";
import { PostgresOperatorStore } from "../../../src/operator/store/postgres-store.js";
import { SqliteOperatorStore } from "../../../src/operator/store/sqlite-store.js";

/** Name of the environment variable with the test PostgreSQL server's URL (`scripts/ci/start-postgres.sh`). */
export const TEST_PG_URL_VARIABLE = "KYC_TEST_PG_URL";

/** A store backend the store tests run against. */
export interface StoreBackend {
  readonly name: "sqlite" | "postgres";
  /** A fresh, empty store (SQLite in memory; PostgreSQL in a new schema of the test database). */
  open(options?: { now?: () => number }): Promise<OperatorStore>;
  /**
   * Mocha hooks: PostgreSQL checks the server once (with `CI=true` an unreachable server fails the suite; locally the
   * backend's tests are skipped with the reason printed) and drops the test schemas after the suite.
   */
  hooks(): void;
  /** `it` for tests about the SQLite file itself (modes, journal, migrations of old files); not registered otherwise. */
  readonly fileIt: (title: string, fn: Mocha.AsyncFunc) => void;
}

/** Why PostgreSQL cannot be used for the tests, or undefined when it can. */
async function unavailable(url: string | undefined): Promise<string | undefined> {
  if (url === undefined || url === "") {
    return `${TEST_PG_URL_VARIABLE} is not set (start a server: eval "$(scripts/ci/start-postgres.sh)")`;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `the PostgreSQL server of ${TEST_PG_URL_VARIABLE} is not reachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name for one test store. */
function schemaName(): string {
  return `kyc_test_${randomBytes(6).toString("hex")}`;
}

/** The PostgreSQL test backend's schemas, dropped after the suite. */
export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Checks the test PostgreSQL server in a `before` hook: with `CI=true` an unreachable or unconfigured server fails
 * (the tests must not silently skip in CI); locally the suite is skipped with the reason printed.
 */
export function requirePostgres(ctx: Mocha.Context, reason: string | undefined): void {
  if (reason === undefined) return;
  if (process.env.CI === "true") throw new Error(`PostgreSQL store tests cannot run in CI: ${reason}`);
  console.log(`      (PostgreSQL store tests skipped: ${reason})`);
  ctx.skip();
}

/** The backends every store test runs against: SQLite and PostgreSQL. */
export function backends(): StoreBackend[] {
  const url = process.env[TEST_PG_URL_VARIABLE];
  const schemas: string[] = [];
  return [
    {
      name: "sqlite",
      open: async (options = {}) => SqliteOperatorStore.open(":memory:", options),
      hooks: () => undefined,
      fileIt: (title, fn) => it(title, fn),
    },
    {
      name: "postgres",
      open: async (options = {}) => {
        const schema = schemaName();
        schemas.push(schema);
        return PostgresOperatorStore.connect(url!, { ...options, schema });
      },
      hooks: () => {
        before(async function () {
          requirePostgres(this, await unavailable(url));
        });
        after(async function () {
          if (url !== undefined) await dropSchemas(url, schemas.splice(0));
        });
      },
      fileIt: () => undefined,
    },
  ];
}

/** Whether the test PostgreSQL server is configured and reachable (see {@link requirePostgres}). */
export function postgresUnavailable(): Promise<string | undefined> {
  return unavailable(process.env[TEST_PG_URL_VARIABLE]);
}
