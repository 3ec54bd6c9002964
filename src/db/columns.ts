// The two places where SQLite and PostgreSQL column definitions differ, kept together so a
// migration reads the same for both engines.
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from "kysely";
import { sql } from "kysely";
import type { Dialect } from "./database.ts";

export interface ColumnTypes {
  dialect: Dialect;
  /** ISO-8601 UTC instant: text in SQLite, timestamptz in PostgreSQL. */
  timestamp: "text" | "timestamptz";
  /** A calendar date 'YYYY-MM-DD'. */
  date: "text" | "date";
  json: "text" | "jsonb";
  boolean: "integer" | "boolean";
  real: "real" | "double precision";
  /** Bytes (map tiles): blob in SQLite, bytea in PostgreSQL; both read back as a Buffer. */
  binary: "blob" | "bytea";
  /** Adds an auto-numbered primary key called id. */
  id<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, "id">;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  const sqlite = dialect === "sqlite";
  return {
    dialect,
    timestamp: sqlite ? "text" : "timestamptz",
    date: sqlite ? "text" : "date",
    json: sqlite ? "text" : "jsonb",
    boolean: sqlite ? "integer" : "boolean",
    real: sqlite ? "real" : "double precision",
    binary: sqlite ? "blob" : "bytea",
    id: (table) =>
      table.addColumn("id", "integer", (column: ColumnDefinitionBuilder) =>
        sqlite ? column.primaryKey().autoIncrement() : column.primaryKey().generatedByDefaultAsIdentity(),
      ),
  };
}

/** SQL conditions, over OLD (and NEW for an update), under which a change is let through. */
export interface AppendOnlyExceptions {
  deleteWhen?: string;
  updateWhen?: string;
}

/**
 * Makes a table refuse UPDATE and DELETE, whoever asks, except where `exceptions` allow; used
 * for the audit log. Replaces any rule made for the table before, so a migration can tighten it.
 */
export async function makeAppendOnly(db: Kysely<any>, dialect: Dialect, table: string, exceptions: AppendOnlyExceptions = {}): Promise<void> {
  if (dialect === "sqlite") {
    for (const [action, allowedWhen] of [["UPDATE", exceptions.updateWhen], ["DELETE", exceptions.deleteWhen]] as const) {
      const name = `${table}_no_${action.toLowerCase()}`;
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${action} ON ${table}
           ${allowedWhen ? `WHEN NOT (${allowedWhen})` : ""}
           BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           IF ${exceptions.deleteWhen ?? "FALSE"} THEN RETURN OLD; END IF;
         ELSIF ${exceptions.updateWhen ?? "FALSE"} THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION '${table} is append-only';
       END $$`,
    )
    .execute(db);
  await sql.raw(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`).execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
       FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
    )
    .execute(db);
}
