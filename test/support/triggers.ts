// For tests that play an attacker who can change the schema as well as the data: runs `work`
// with every trigger on the named tables lifted, then puts them back as they were.
import { sql } from "kysely";
import type { Database } from "../../src/db/database.ts";

export async function withTriggersOff<T>(database: Database, tables: string[], work: () => Promise<T>): Promise<T> {
  const { db } = database;
  if (database.dialect === "postgres") {
    for (const table of tables) await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`).execute(db);
    try {
      return await work();
    } finally {
      for (const table of tables) await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`).execute(db);
    }
  }
  const triggers = (
    await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${sql.join(tables)})`.execute(db)
  ).rows;
  for (const trigger of triggers) await sql.raw(`DROP TRIGGER ${trigger.name}`).execute(db);
  try {
    return await work();
  } finally {
    for (const trigger of triggers) await sql.raw(trigger.sql).execute(db);
  }
}
