// Every repository and API test runs on both engines, the way Kysely's own suite does: one
// describe block per dialect, each with its own fresh database (a temporary SQLite file, or a
// private schema in the test PostgreSQL database, dropped afterwards).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { after, before, describe } from "node:test";
import type { DatabaseTarget } from "../../src/config.ts";
import { openDatabase, type Database, type Dialect } from "../../src/db/database.ts";
import { prepareDatabase } from "../../src/db/prepare.ts";

export const POSTGRES_URL = process.env.OPENBEAT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function testDialects(): Dialect[] {
  const chosen = (process.env.OPENBEAT_TEST_DATABASES ?? "sqlite,postgres").split(",").map((d) => d.trim());
  return chosen.filter((d): d is Dialect => d === "sqlite" || d === "postgres");
}

export interface TestDatabase {
  database: Database;
  target: DatabaseTarget;
  schema?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect, options: { prepare?: boolean } = {}): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-db-"));
    const target: DatabaseTarget = { dialect: "sqlite", file: path.join(directory, "test.sqlite") };
    const database = await openDatabase(target);
    if (options.prepare !== false) await prepareDatabase(database);
    return {
      database,
      target,
      drop: async () => {
        await database.close();
        fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  // The run's id (set by scripts/test.mjs) lets the runner drop this run's schemas at the end.
  const schema = `t_${process.env.OPENBEAT_TEST_RUN ?? "x"}_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const target: DatabaseTarget = { dialect: "postgres", url: POSTGRES_URL };
  const database = await openDatabase(target, { schema, poolSize: 4 });
  if (options.prepare !== false) await preparedDespiteOtherRuns(database);
  return {
    database,
    target,
    schema,
    // Schemas are not dropped while other test files run: a DROP SCHEMA racing another
    // process's catalogue introspection (Kysely's migrator reads every schema's tables) makes
    // that process fail with "schema … does not exist". scripts/test.mjs drops them at the end.
    drop: async () => {
      await database.close();
    },
  };
}

/**
 * Kysely's migrator reads the catalogue of every schema; another test run on the same server
 * dropping its own schemas at that moment makes it fail with "schema … does not exist" for a
 * schema, sometimes naming ours though it stands. That is not this test's failure: try again
 * (if ours had really gone, every attempt fails and the error stands).
 */
async function preparedDespiteOtherRuns(database: Database): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await prepareDatabase(database);
      return;
    } catch (error) {
      if (!/schema "[^"]+" does not exist/.test((error as Error).message) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** The tables of this test database only (PostgreSQL's introspection sees every schema). */
export async function tablesOf(test: TestDatabase) {
  const tables = await test.database.db.introspection.getTables();
  return tables.filter((table) => (test.schema ? table.schema === test.schema : true) && !table.name.startsWith("kysely_"));
}

/** describe() once per dialect, with a fresh prepared database for the block. */
export function describeEachDatabase(name: string, body: (context: () => TestDatabase, dialect: Dialect) => void): void {
  for (const dialect of testDialects()) {
    describe(`${name} [${dialect}]`, () => {
      let current: TestDatabase | null = null;
      before(async () => {
        current = await createTestDatabase(dialect);
      });
      after(async () => {
        await current?.drop();
      });
      body(() => {
        if (!current) throw new Error("The test database is not ready yet");
        return current;
      }, dialect);
    });
  }
}
