// How the importer matches a row to one already held: by month and Crime ID (or, for rows
// without an id, month, force and position), including for data imported before migration 0012
// changed the key to start with the month.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createTestDatabase, describeEachDatabase, testDialects, type TestDatabase } from "../../../test/support/databases.ts";
import { testConfig } from "../../../test/support/config.ts";
import { migrateTo, migrateToLatest } from "../../db/migrate.ts";
import { STREET_HEADER } from "../../domain/police-uk.ts";
import { createServices } from "../../services.ts";

const ID_A = "a".repeat(64);
const ID_B = "b".repeat(64);

const row = (crimeId: string, month: string, type: string, outcome: string) =>
  [crimeId, month, "Essex Police", "Essex Police", "0.727421", "51.538327", "On or near Ambleside Drive", "E01015840", "Southend-on-Sea 014B", type, outcome, ""].join(",");

function writeStreetFile(lines: string[]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-row-keys-"));
  const file = path.join(folder, "2018-03-essex-street.csv");
  fs.writeFileSync(file, `${STREET_HEADER.join(",")}\n${lines.join("\n")}\n`);
  return file;
}

async function crimes(context: TestDatabase) {
  return context.database.db.selectFrom("policeCrimes").select(["rowKey", "crimeId", "lastOutcomeCategory", "sequence"]).orderBy("rowKey").execute();
}

describeEachDatabase("police.uk rows repeated within a file", (context) => {
  const file = writeStreetFile([
    row(ID_A, "2018-03", "Burglary", "Under investigation"),
    row(ID_B, "2018-03", "Vehicle crime", "Under investigation"),
    row("", "2018-03", "Anti-social behaviour", ""),
    row(ID_A, "2018-03", "Burglary", "Offender given a caution"),
  ]);

  it("keeps the file's last row for a repeated Crime ID and counts the repeat as a duplicate", async () => {
    const services = createServices(testConfig(context().target), context().database);
    const { summary } = await services.imports.run([file], { source: "cli" });
    const result = summary.files[0]!;
    assert.equal(result.status, "imported", result.message ?? "");
    assert.deepEqual([result.rowsRead, result.inserted, result.updated, result.duplicates], [4, 3, 0, 1]);
    assert.deepEqual(await crimes(context()), [
      { rowKey: `2018-03|${ID_A}`, crimeId: ID_A, lastOutcomeCategory: "Offender given a caution", sequence: null },
      { rowKey: `2018-03|${ID_B}`, crimeId: ID_B, lastOutcomeCategory: "Under investigation", sequence: null },
      { rowKey: "2018-03|~Essex Police|1", crimeId: null, lastOutcomeCategory: null, sequence: 1 },
    ]);
  });

  it("matches every row in place when the same file is imported again", async () => {
    const services = createServices(testConfig(context().target), context().database);
    const before = await crimes(context());
    const { summary } = await services.imports.run([file], { source: "cli" });
    assert.deepEqual([summary.totals.inserted, summary.totals.updated, summary.totals.duplicates], [0, 3, 1]);
    assert.deepEqual(await crimes(context()), before);
  });
});

for (const dialect of testDialects()) {
  describe(`police.uk rows imported before migration 0012 [${dialect}]`, () => {
    let test: TestDatabase | null = null;
    after(async () => test?.drop());

    it("are given month-first keys, and a later import of their month updates them in place", async () => {
      test = await createTestDatabase(dialect, { prepare: false });
      await migrateTo(test.database, "0011_unplaced_crimes");
      // The keys as the importer wrote them before: the bare Crime ID, or "~force|month|position".
      const old = { crimeId: null, month: "2018-03", reportedBy: "Essex Police", fallsWithin: "Essex Police", snapPointId: null, crimeType: "Burglary", lastOutcomeCategory: "Under investigation", context: null, sequence: null };
      await test.database.db
        .insertInto("policeCrimes")
        .values([
          { ...old, rowKey: ID_A, crimeId: ID_A },
          { ...old, rowKey: "~Essex Police|2018-03|1", crimeType: "Anti-social behaviour", lastOutcomeCategory: null, sequence: 1 },
        ])
        .execute();
      assert.equal((await migrateToLatest(test.database))[0], "0012_month_first_row_keys", "0012 is the next migration to run on these rows");
      assert.deepEqual(
        (await crimes(test)).map((c) => c.rowKey),
        [`2018-03|${ID_A}`, "2018-03|~Essex Police|1"],
      );

      const services = createServices(testConfig(test.target), test.database);
      const file = writeStreetFile([row(ID_A, "2018-03", "Burglary", "Offender given a caution"), row("", "2018-03", "Anti-social behaviour", "")]);
      const { summary } = await services.imports.run([file], { source: "cli" });
      assert.deepEqual([summary.totals.inserted, summary.totals.updated], [0, 2]);
      const after = await crimes(test);
      assert.equal(after.length, 2);
      assert.equal(after[0]!.lastOutcomeCategory, "Offender given a caution");
    });
  });
}
