// Fresh databases for benchmarks and fault tests: an SQLite file in a temporary folder on the
// real disk (so fsync costs what it costs), or a private schema on the shared PostgreSQL server,
// dropped afterwards. `url` is what a child process gets as DATABASE_URL.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../../src/config.ts";
import { openDatabase, type Database, type Dialect } from "../../src/db/database.ts";
import { prepareDatabase } from "../../src/db/prepare.ts";

export const BENCH_POSTGRES_URL = process.env.OPENBEAT_BENCH_POSTGRES_URL ?? process.env.OPENBEAT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface BenchDatabase {
  dialect: Dialect;
  /** DATABASE_URL for a child process (for PostgreSQL it selects the private schema). */
  url: string;
  target: DatabaseTarget;
  schema?: string;
  /** Opens a connection (pool) of this process to it. */
  open(options?: { poolSize?: number }): Promise<Database>;
  drop(): Promise<void>;
}

/** A PostgreSQL URL whose connections use `schema` (pg reads `options` from the URL). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return parsed.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new, empty database; migrated and with the default categories unless `prepare` is false. */
export async function freshDatabase(dialect: Dialect, options: { prepare?: boolean; postgresUrl?: string; label?: string } = {}): Promise<BenchDatabase> {
  const label = (options.label ?? "bench").replace(/[^a-z0-9]/gi, "_").toLowerCase();
  if (dialect === "sqlite") {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), `openbeat-${label}-`));
    const file = path.join(directory, "openbeat.sqlite");
    const target: DatabaseTarget = { dialect: "sqlite", file };
    const database: BenchDatabase = {
      dialect,
      url: `sqlite:${file}`,
      target,
      open: () => openDatabase(target),
      drop: async () => fs.rmSync(directory, { recursive: true, force: true }),
    };
    if (options.prepare !== false) await withDatabase(database, (db) => prepareDatabase(db));
    return database;
  }
  const server = options.postgresUrl ?? BENCH_POSTGRES_URL;
  // Under `npm test` (the fault tests) the schema is named after the test run and left for
  // scripts/test.mjs to drop when every file has finished: a DROP SCHEMA while another test
  // process migrates (Kysely's migrator reads every schema's tables) fails that process.
  const testRun = process.env.OPENBEAT_TEST_RUN;
  const schema = `${testRun ? `t_${testRun}_` : ""}${label}_${process.pid}_${crypto.randomBytes(3).toString("hex")}`;
  await adminQuery(server, `CREATE SCHEMA ${schema}`);
  const target: DatabaseTarget = { dialect: "postgres", url: server };
  const database: BenchDatabase = {
    dialect,
    url: withSearchPath(server, schema),
    target,
    schema,
    open: (open = {}) => openDatabase(target, { schema, poolSize: open.poolSize ?? 4 }),
    drop: () => (testRun ? Promise.resolve() : adminQuery(server, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
  if (options.prepare !== false) await withDatabase(database, (db) => prepareDatabase(db));
  return database;
}

export async function withDatabase<T>(database: BenchDatabase, work: (db: Database) => Promise<T>, options?: { poolSize?: number }): Promise<T> {
  const opened = await database.open(options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
