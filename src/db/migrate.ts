import { Migrator, type MigrationResultSet } from "kysely";
import { columnTypes } from "./columns.ts";
import type { Database } from "./database.ts";
import { migrations } from "./migrations/index.ts";

export class MigrationError extends Error {}

function migratorFor(database: Database): Migrator {
  const types = columnTypes(database.dialect);
  return new Migrator({
    db: database.db,
    // Migrations are written on parallel branches and land in any order; each stands alone, so
    // a database that has run a later-numbered one still takes an earlier one that arrives after.
    allowUnorderedMigrations: true,
    // Without a schema Kysely looks for its lock table in every schema, and may find another's.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
    provider: {
      async getMigrations() {
        return Object.fromEntries(
          Object.entries(migrations).map(([name, migration]) => [name, { up: (db) => migration.up(db, types) }]),
        );
      },
    },
  });
}

/** Brings the schema up to date; safe to call at every start, and from several instances at once. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  return applied(await migratorFor(database).migrateToLatest());
}

/** Brings the schema up to the named migration only: for tests of a migration on data written before it. */
export async function migrateTo(database: Database, name: string): Promise<string[]> {
  return applied(await migratorFor(database).migrateTo(name));
}

function applied(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MigrationError(`Migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
