import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, tablesOf, testDialects, type TestDatabase } from "../../test/support/databases.ts";

// The logical type each engine's column type stands for, so the two schemas can be compared.
const LOGICAL: Record<string, string> = {
  integer: "integer",
  int4: "integer",
  int8: "bigint",
  text: "text",
  real: "real",
  float8: "real",
  timestamptz: "timestamp",
  date: "date",
  jsonb: "json",
  bool: "boolean",
  bytea: "binary",
};

describe("the migrated schemas of SQLite and PostgreSQL", { skip: testDialects().length < 2 ? "needs both databases" : false }, () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  before(async () => {
    [sqlite, postgres] = await Promise.all([createTestDatabase("sqlite"), createTestDatabase("postgres")]);
  });
  after(async () => {
    await Promise.all([sqlite?.drop(), postgres?.drop()]);
  });

  async function shape(test: TestDatabase) {
    const relevant = await tablesOf(test);
    return Object.fromEntries(
      relevant
        .map((t) => [t.name, Object.fromEntries(t.columns.map((c) => [c.name, { nullable: c.isNullable, type: c.dataType.toLowerCase(), generated: c.isAutoIncrementing }]))] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }

  it("have the same tables, columns and nullability", async () => {
    const [a, b] = await Promise.all([shape(sqlite), shape(postgres)]);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
    for (const table of Object.keys(a)) {
      assert.deepEqual(Object.keys(a[table]!).sort(), Object.keys(b[table]!).sort(), `columns of ${table}`);
      for (const column of Object.keys(a[table]!)) {
        // SQLite reports its rowid-alias key as nullable, though it can never be NULL.
        if (a[table]![column]!.generated || b[table]![column]!.generated) continue;
        assert.equal(a[table]![column]!.nullable, b[table]![column]!.nullable, `nullability of ${table}.${column}`);
      }
    }
  });

  it("use matching types, where SQLite's declared type tells", async () => {
    const [a, b] = await Promise.all([shape(sqlite), shape(postgres)]);
    for (const table of Object.keys(b)) {
      for (const [column, { type }] of Object.entries(b[table]!)) {
        const logical = LOGICAL[type];
        assert.ok(logical, `unexpected PostgreSQL type ${type} for ${table}.${column}`);
        const sqliteType = a[table]![column]!.type;
        const expected = { timestamp: "text", date: "text", json: "text", boolean: "integer", real: "real", integer: "integer", bigint: "bigint", text: "text", binary: "blob" }[logical];
        assert.equal(sqliteType, expected, `${table}.${column}: PostgreSQL ${type}, SQLite ${sqliteType}`);
      }
    }
  });
});
