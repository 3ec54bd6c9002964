// The police.uk import on the real Essex files (Jan–Jul 2018, 115,065 rows), on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { describeEachDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { testConfig } from "../../../test/support/config.ts";
import { policeUkTestData, streetFiles } from "../../../test/fixtures/police-uk/data.ts";
import { writeSyntheticSample } from "../../../test/fixtures/police-uk/sample.ts";
import { writeZip } from "../../../test/fixtures/police-uk/zip.ts";
import { createServices, type Services } from "../../services.ts";
import { importPoliceUk } from "./police-uk.importer.ts";
import { expandInputs, type ImportSource } from "./sources.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, "../../../test/fixtures/police-uk");
const data = policeUkTestData();

function servicesFor(context: TestDatabase): Services {
  return createServices(testConfig(context.target), context.database);
}

/** A digest of every table the import writes: equal digests, identical data (ids included). */
async function digest(context: TestDatabase): Promise<Record<string, string>> {
  const { db } = context.database;
  const hash = (rows: unknown[]) => crypto.createHash("sha256").update(JSON.stringify(rows)).digest("hex");
  return {
    snapPoints: hash(await db.selectFrom("snapPoints").selectAll().orderBy("id").execute()),
    policeCrimes: hash(await db.selectFrom("policeCrimes").selectAll().orderBy("id").execute()),
    policeOutcomes: hash(await db.selectFrom("policeOutcomes").selectAll().orderBy("id").execute()),
    policeMonths: hash(await db.selectFrom("policeMonths").selectAll().orderBy("fallsWithin").orderBy("month").orderBy("kind").execute()),
    areaSnapPoints: hash(await db.selectFrom("areaSnapPoints").selectAll().orderBy("areaId").orderBy("snapPointId").execute()),
  };
}

async function countRows(context: TestDatabase, where: { crimeType?: string; month?: string; noLocation?: boolean; lsoas?: string[] } = {}): Promise<number> {
  let query = context.database.db
    .selectFrom("policeCrimes as c")
    .leftJoin("snapPoints as p", "p.id", "c.snapPointId")
    .select((eb) => eb.fn.countAll<number>().as("count"));
  if (where.crimeType) query = query.where("c.crimeType", "=", where.crimeType);
  if (where.month) query = query.where("c.month", "=", where.month);
  if (where.noLocation) query = query.where("c.snapPointId", "is", null);
  if (where.lsoas) query = query.where("p.lsoaCode", "in", where.lsoas);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

describeEachDatabase("police.uk import of the Essex files", (context, dialect) => {
  it(`imports all seven files with the documented totals (${data.real ? "real Essex data" : "SYNTHETIC sample"})`, async () => {
    const services = servicesFor(context());
    const started = performance.now();
    const { summary } = await services.imports.run([data.folder], { source: "cli" });
    const seconds = (performance.now() - started) / 1000;
    console.log(`[${dialect}] imported ${summary.totals.rowsRead} rows in ${seconds.toFixed(1)} s (${Math.round(summary.totals.rowsRead / seconds)} rows/s)`);

    const { expected } = data;
    assert.equal(summary.totals.files, 7);
    assert.equal(summary.totals.imported, 7);
    assert.equal(summary.totals.rowsRead, expected.rows);
    assert.equal(summary.totals.inserted, expected.rows);
    assert.equal(summary.totals.updated, 0);
    assert.equal(summary.totals.skipped, 0);
    assert.equal(summary.totals.noLocation, expected.noLocation);

    assert.equal(await countRows(context()), expected.rows);
    assert.equal(await countRows(context(), { crimeType: "Anti-social behaviour" }), expected.antiSocialBehaviour);
    assert.equal(await countRows(context(), { noLocation: true }), expected.noLocation, "No Location rows are kept, on no snap point");
    assert.equal(await countRows(context(), { lsoas: ["E01015840", "E01015894"] }), expected.ambleside);
    for (const [month, rows] of Object.entries(expected.byMonth)) assert.equal(await countRows(context(), { month }), rows, month);

    const { db } = context().database;
    const southend = await db
      .selectFrom("policeCrimes as c")
      .innerJoin("snapPoints as p", "p.id", "c.snapPointId")
      .where("p.lsoaName", "like", "Southend-on-Sea %")
      .select((eb) => [eb.fn.countAll<number>().as("rows"), eb.fn.count<number>("p.lsoaCode").distinct().as("lsoas")])
      .executeTakeFirstOrThrow();
    assert.deepEqual({ rows: Number(southend.rows), lsoas: Number(southend.lsoas) }, expected.southend);

    const held = await services.imports.heldMonths();
    assert.deepEqual(
      held.map((m) => m.month),
      expected.months,
      "each month of the force is recorded as held",
    );
    for (const [month, rows] of Object.entries(expected.byMonth)) assert.equal(held.find((m) => m.month === month)?.rows, rows);

    // Geography is worked out once per snap point: far fewer points than rows, each with its H3 cell.
    const points = await db.selectFrom("snapPoints").select(["h3Cell", "key"]).execute();
    assert.ok(points.length < expected.rows / 4, `${points.length} snap points`);
    assert.ok(points.every((p) => /^89[0-9a-f]{13}$/.test(p.h3Cell)));
    const ambleside = points.filter((p) => p.key.startsWith("0.727421,51.538327,E01015840,On or near Ambleside Drive"));
    assert.equal(ambleside.length, 1);
  });

  it("gives the same database when the same files are imported again", async () => {
    const services = servicesFor(context());
    const before = await digest(context());
    const { summary } = await services.imports.run([data.folder], { source: "cli" });
    assert.equal(summary.totals.inserted, 0);
    assert.equal(summary.totals.updated, data.expected.rows, "every row, with or without an id, is matched and written in place");
    assert.deepEqual(await digest(context()), before);
    const jobs = await services.imports.jobs();
    assert.equal(jobs[0]!.status, "finished");
    assert.equal(jobs[0]!.summary?.totals.rowsRead, data.expected.rows);
  });
});

describeEachDatabase("police.uk import when files are wrong", (context) => {
  const [january, february, march] = streetFiles(data);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-import-test-"));

  it("reports a malformed or truncated row with file, line and reason, and imports the rest", async () => {
    const services = servicesFor(context());
    await services.imports.run([january!], { source: "cli" });
    const januaryRows = await countRows(context());

    const lines = fs.readFileSync(february!, "utf8").split("\r\n");
    const dataLines = lines.filter((l, i) => i > 0 && l !== "").length;
    const broken = [...lines];
    const located = (from: number) => broken.findIndex((l, i) => i >= from && /,-?\d+\.\d+,\d+\.\d+,/.test(l));
    const [bad1, bad2, bad3] = [located(9), located(19), located(29)] as [number, number, number];
    broken[bad1] = broken[bad1]!.replace(/,2018-02,/, ",2018-13,");
    broken[bad2] = broken[bad2]!.replace(/,(-?\d+\.\d+),(\d+\.\d+),/, ",east,$2,");
    broken[bad3] = broken[bad3]!.split(",").slice(0, 7).join(",");
    const withoutEnd = broken.filter((l) => l !== "");
    const last = withoutEnd.pop()!;
    // The file ends part-way through its last row, as a download cut short would.
    const truncated = `${[...withoutEnd, last.slice(0, 40)].join("\r\n")}`;
    const file = path.join(work, "2018-02-street-damaged.csv");
    fs.writeFileSync(file, truncated);

    const { summary } = await services.imports.run([file], { source: "cli" });
    const result = summary.files[0]!;
    assert.equal(result.status, "imported");
    assert.equal(result.rowsRead, dataLines);
    assert.equal(result.skipped, 4);
    assert.deepEqual(
      result.problems.map((p) => p.line),
      [bad1 + 1, bad2 + 1, bad3 + 1, dataLines + 1],
    );
    assert.match(result.problems[0]!.reason, /Month must be YYYY-MM \(found "2018-13"\)/);
    assert.match(result.problems[1]!.reason, /Longitude and Latitude must both be numbers/);
    assert.match(result.problems[2]!.reason, /expected 12 fields, found 7/);
    assert.match(result.problems[3]!.reason, /expected 12 fields/);
    assert.equal(result.name, file);
    assert.equal(await countRows(context(), { month: "2018-01" }), januaryRows, "what was imported before is kept");
    assert.equal(await countRows(context(), { month: "2018-02" }), dataLines - 4);
  });

  it("leaves the database as it was before a file when the import is interrupted part-way", async () => {
    const services = servicesFor(context());
    const before = await digest(context());
    const content = fs.readFileSync(march!);
    // The file's source fails after half its bytes: a disk error, a dropped connection or a stop.
    const failing: ImportSource = {
      name: "2018-03 (interrupted)",
      size: content.length,
      open: async () => {
        const stream = new Readable({ read() {} });
        stream.push(content.subarray(0, Math.floor(content.length / 2)));
        setTimeout(() => stream.destroy(new Error("the source stopped")), 50);
        return stream;
      },
    };
    const connection = await services.imports.openConnection();
    try {
      const summary = await importPoliceUk(connection, [failing], { batchSize: 10 });
      const fileRows = content.toString("utf8").split("\n").length - 2;
      assert.equal(summary.files[0]!.status, "failed");
      assert.match(summary.files[0]!.message ?? "", /the source stopped.*nothing from this file was kept/);
      const read = summary.files[0]!.rowsRead;
      assert.ok(read > 20 && read < fileRows, `it stopped part-way (${read} of ${fileRows} rows), after batches were written`);
    } finally {
      await connection.close();
    }
    assert.deepEqual(await digest(context()), before);

    // The same connection's next file still goes in whole (nothing cached from the failed one).
    const next = await services.imports.openConnection();
    try {
      const inputs = await expandInputs([march!]);
      const summary = await importPoliceUk(next, inputs.sources);
      assert.equal(summary.files[0]!.status, "imported");
    } finally {
      await next.close();
    }
  });

  it("refuses a file of the wrong kind, saying what it is, and imports the others", async () => {
    const services = servicesFor(context());
    const before = await digest(context());
    const pdf = path.join(work, "notes.csv");
    fs.writeFileSync(pdf, "%PDF-1.4\n%synthetic\n");
    const { summary } = await services.imports.run([path.join(fixtures, "stop-and-search-synthetic.csv"), pdf], { source: "cli" });
    assert.equal(summary.totals.refused, 2);
    assert.match(summary.files[0]!.message!, /refused: this is a police\.uk stop-and-search file/);
    assert.match(summary.files[1]!.message!, /refused: this is a PDF document/);
    assert.deepEqual(await digest(context()), before);
  });

  it("imports months and outcomes from a zip archive, and attaches outcomes to their crimes", async () => {
    const services = servicesFor(context());
    const sample = writeSyntheticSample({ months: ["2017-11", "2017-12"], rowsPerWeight: 2 });
    const archive = path.join(work, "synthetic-download.zip");
    writeZip(archive, [
      ...fs.readdirSync(sample.folder).map((f) => ({ name: `${f.slice(0, 7)}/${f}`, content: fs.readFileSync(path.join(sample.folder, f)) })),
      { name: `2017-12/${path.basename(sample.outcomesFile)}`, content: fs.readFileSync(sample.outcomesFile) },
      { name: "README.txt", content: Buffer.from("synthetic") },
    ]);
    const { summary } = await services.imports.run([archive], { source: "cli" });
    assert.equal(summary.totals.imported, 3, JSON.stringify(summary.files.map((f) => [f.name, f.message])));
    assert.equal(summary.totals.rowsRead, sample.expected.rows + summary.files.find((f) => f.kind === "outcomes")!.rowsRead);
    assert.deepEqual(summary.notImported, [{ reason: "not a CSV file: left alone", count: 1, examples: [`${archive}/README.txt`] }]);
    const outcomes = summary.files.find((f) => f.kind === "outcomes")!;
    assert.ok(outcomes.inserted > 0);
    const { db } = context().database;
    const attached = await db
      .selectFrom("policeOutcomes as o")
      .innerJoin("policeCrimes as c", "c.crimeId", "o.crimeId")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(attached.count), outcomes.inserted, "each outcome belongs to a crime held");
    const held = await services.imports.heldMonths();
    assert.ok(held.some((m) => m.kind === "outcomes" && m.month === "2017-12"));
    assert.ok(held.some((m) => m.kind === "street" && m.month === "2017-11"));
  });
});
