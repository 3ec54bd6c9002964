// The police.uk import given damaged files, on SQLite and PostgreSQL: cut short, the wrong
// header, the wrong encoding, mixed line endings, quoted commas, a 10 MB line, binary garbage.
// Each gives a message naming the file and the line, and nothing imported before it is lost.
// Files are built from a SYNTHETIC sample (test/fixtures/police-uk), one month per case.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testConfig } from "../../../test/support/config.ts";
import { writeSyntheticSample } from "../../../test/fixtures/police-uk/sample.ts";
import { createServices, type Services } from "../../services.ts";
import type { FileResult, ImportSummary } from "./police-uk.importer.ts";
import { summaryLines } from "./progress.ts";

const MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06", "2018-07", "2018-08"];
const sample = writeSyntheticSample({ months: MONTHS, rowsPerWeight: 3 });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-malformed-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A month's street file as police.uk publishes it: a header and CRLF-ended rows. */
function monthLines(month: string): { header: string; rows: string[] } {
  const file = fs.readdirSync(sample.folder).find((f) => f.startsWith(month) && f.endsWith("-street.csv"));
  assert.ok(file, month);
  const [header, ...rows] = fs.readFileSync(path.join(sample.folder, file), "utf8").split(/\r?\n/).filter(Boolean);
  return { header: header!, rows };
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Every line the analyst reads about a file at the end of an import (the CLI's summary). */
function linesAbout(summary: ImportSummary, file: string): string[] {
  return summaryLines(summary, 1).filter((line) => line.includes(file));
}

describeEachDatabase("police.uk import of damaged files", (context) => {
  let services: Services;
  let january: string;

  before(async () => {
    services = createServices(testConfig(context().target), context().database);
    const { header, rows } = monthLines("2018-01");
    const { summary } = await services.imports.run([write("2018-01-street.csv", [header, ...rows].join("\r\n"))], { source: "cli" });
    assert.equal(summary.totals.imported, 1);
    january = await digest("2018-01");
  });

  /** Everything held for a month: its rows (ids included), their snap points and its held-month record. */
  async function digest(month: string): Promise<string> {
    const { db } = context().database;
    const rows = await db.selectFrom("policeCrimes as c").leftJoin("snapPoints as p", "p.id", "c.snapPointId").selectAll("c").select(["p.key", "p.location"]).where("c.month", "=", month).orderBy("c.id").execute();
    const held = await db.selectFrom("policeMonths").selectAll().where("month", "=", month).orderBy("kind").execute();
    return crypto.createHash("sha256").update(JSON.stringify([rows, held])).digest("hex");
  }

  async function count(month: string): Promise<number> {
    const row = await context().database.db.selectFrom("policeCrimes").select((eb) => eb.fn.countAll<number>().as("n")).where("month", "=", month).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function run(file: string): Promise<{ summary: ImportSummary; result: FileResult; lines: string[] }> {
    const { summary } = await services.imports.run([file], { source: "cli" });
    return { summary, result: summary.files[0]!, lines: linesAbout(summary, file) };
  }

  /** What every case ends with: the month imported before the damaged files is exactly as it was. */
  async function nothingLost(): Promise<void> {
    assert.equal(await digest("2018-01"), january, "what was imported before is kept");
  }

  /** The row problems as the analyst reads them: "<file> line <n>: <reason>". */
  function assertLineMessages(lines: string[], file: string, expected: Array<[number, RegExp]>): void {
    for (const [line, reason] of expected) {
      const found = lines.find((l) => l.startsWith(`  ${file} line ${line}: `));
      assert.ok(found, `no message for line ${line} of ${file} in:\n${lines.join("\n")}`);
      assert.match(found, reason);
      assert.ok(found.length < 400, "a message short enough to read");
    }
  }

  it("imports a file cut short part-way through a row, naming the cut row, and a cut copy of a month already held loses none of it", async () => {
    const { header, rows } = monthLines("2018-02");
    const whole = write("2018-02-street.csv", [header, ...rows].join("\r\n"));
    assert.equal((await run(whole)).result.status, "imported");
    const before = await digest("2018-02");
    const held = await count("2018-02");
    assert.ok(rows.some((r) => r.startsWith(",")), "the month has rows without an id (anti-social behaviour)");

    const half = Math.floor(rows.length / 2);
    const cut = write("2018-02-street-cut.csv", [header, ...rows.slice(0, half), rows[half]!.slice(0, 50)].join("\r\n"));
    const { result, lines } = await run(cut);
    assert.equal(result.status, "imported");
    assert.equal(result.rowsRead, half + 1);
    assert.equal(result.skipped, 1);
    assertLineMessages(lines, cut, [[half + 2, /expected 12 fields, found \d+/]]);
    assert.equal(result.removedWithoutId, 0, "rows missing from a damaged file are not taken as removed");
    assert.equal(await count("2018-02"), held);
    assert.equal(await digest("2018-02"), before);
    await nothingLost();
  });

  it("names the row where a quoted field never ends, and imports the rows before it", async () => {
    const { header, rows } = monthLines("2018-03");
    const file = write("2018-03-street-open-quote.csv", [header, ...rows.slice(0, 5), `"${rows[5]!}`].join("\r\n"));
    const { result, lines } = await run(file);
    assert.equal(result.status, "imported");
    assert.equal(result.inserted, 5);
    assertLineMessages(lines, file, [[7, /not valid CSV \(Quoted field unterminated\)/]]);
    assert.equal(await count("2018-03"), 5);
    await nothingLost();
  });

  it("refuses a file whose header is not police.uk's, saying what line 1 holds, and imports nothing from it", async () => {
    const { rows } = monthLines("2018-04");
    const file = write("2018-04-street-renamed.csv", ["Crime reference,Month,Force,Lon,Lat", ...rows].join("\r\n"));
    const { result, lines } = await run(file);
    assert.equal(result.status, "refused");
    assert.deepEqual(lines, [`  ${file}: ${result.message}`]);
    assert.match(result.message!, /not a police\.uk street or outcomes file \(its first line is: "Crime reference,Month,Force,Lon,Lat"\), judging by line 1/);
    assert.equal(await count("2018-04"), 0);

    const wrongColumns = write("2018-04-street-columns.csv", ["Crime ID,Month,Reported by,Falls within,Crime type", ...rows].join("\r\n"));
    const columns = await run(wrongColumns);
    assert.match(columns.result.message!, /a street-level crime file with an unexpected header \(5 columns: .*\), judging by line 1/);
    const empty = await run(write("2018-04-street-empty.csv", ""));
    assert.match(empty.result.message!, /refused: this is an empty file/);
    assert.equal(await count("2018-04"), 0);
    await nothingLost();
  });

  it("reads UTF-8 with a byte-order mark as without one", async () => {
    const { header, rows } = monthLines("2018-05");
    const plain = await run(write("2018-05-street.csv", [header, ...rows].join("\r\n")));
    assert.equal(plain.result.inserted, rows.length);
    const before = await digest("2018-05");
    const bom = await run(write("2018-05-street-bom.csv", `\uFEFF${[header, ...rows].join("\r\n")}`));
    assert.equal(bom.result.status, "imported");
    assert.deepEqual([bom.result.inserted, bom.result.updated, bom.result.skipped], [0, rows.length, 0]);
    assert.equal(await digest("2018-05"), before);
    await nothingLost();
  });

  it("skips rows saved as Latin-1 or Windows-1252, naming each line and the encoding, and stores no mangled text", async () => {
    const { header, rows } = monthLines("2018-06");
    const changed = [2, 5, 9];
    const latin1 = rows.map((row, i) => (changed.includes(i) ? row.replace("On or near ", i === 9 ? "On or near St Mary\u2019s " : "On or near Café ") : row));
    const bytes = Buffer.concat(
      [header, ...latin1].map((line, i) => {
        // Windows-1252 writes ’ as 0x92; Latin-1 writes é as 0xE9.
        const encoded = Buffer.from(line.replace("\u2019", "\u0092"), "latin1");
        return i === 0 ? encoded : Buffer.concat([Buffer.from("\r\n"), encoded]);
      }),
    );
    const file = write("2018-06-street-latin1.csv", bytes);
    const { result, lines } = await run(file);
    assert.equal(result.status, "imported");
    assert.equal(result.skipped, changed.length);
    assertLineMessages(lines, file, changed.map((i) => [i + 2, /not UTF-8 text .*Latin-1 or Windows-1252.*CSV UTF-8/] as [number, RegExp]));
    assert.equal(await count("2018-06"), rows.length - changed.length);
    const mangled = await context().database.db.selectFrom("snapPoints").select("location").where("location", "like", "%\uFFFD%").execute();
    assert.deepEqual(mangled, []);
    await nothingLost();
  });

  it("reads CRLF, LF and both mixed in one file as the same rows", async () => {
    const { header, rows } = monthLines("2018-07");
    const lf = await run(write("2018-07-street-lf.csv", `${[header, ...rows].join("\n")}\n`));
    assert.deepEqual([lf.result.inserted, lf.result.skipped], [rows.length, 0]);
    const before = await digest("2018-07");
    const crlf = await run(write("2018-07-street-crlf.csv", `${[header, ...rows].join("\r\n")}\r\n`));
    assert.deepEqual([crlf.result.inserted, crlf.result.updated, crlf.result.skipped], [0, rows.length, 0]);
    // Rows appended by another program: CRLF for the first half, LF after.
    const mixed = [header, ...rows].map((line, i) => `${line}${i < rows.length / 2 ? "\r\n" : "\n"}`).join("");
    const both = await run(write("2018-07-street-mixed.csv", mixed));
    assert.deepEqual([both.result.rowsRead, both.result.inserted, both.result.updated, both.result.skipped], [rows.length, 0, rows.length, 0]);
    assert.equal(await digest("2018-07"), before);
    await nothingLost();
  });

  it("keeps quoted commas and quotes inside a field", async () => {
    const { header, rows } = monthLines("2018-08");
    const quoted = rows.slice(0, 4).map((row) => {
      const fields = row.split(",");
      fields[6] = `"On or near Shops, ""The Parade"""`;
      fields[11] = `"Seen at 21:00, again at 23:00"`;
      return fields.join(",");
    });
    const file = write("2018-08-street-quoted.csv", [header, ...quoted].join("\r\n"));
    const { result } = await run(file);
    assert.deepEqual([result.status, result.inserted, result.skipped], ["imported", 4, 0]);
    const { db } = context().database;
    const stored = await db.selectFrom("policeCrimes as c").innerJoin("snapPoints as p", "p.id", "c.snapPointId").select(["p.location", "c.context"]).where("c.month", "=", "2018-08").execute();
    assert.equal(stored.length, 4);
    for (const row of stored) assert.deepEqual(row, { location: `On or near Shops, "The Parade"`, context: "Seen at 21:00, again at 23:00" });
    await nothingLost();
  });

  it("names a 10 MB line in a few words and imports the rows around it; refuses a file that is one 10 MB line", async () => {
    const { header, rows } = monthLines("2018-02");
    const huge = `${"A".repeat(5 * 1024 * 1024)},${"B".repeat(5 * 1024 * 1024)}`;
    const file = write("2018-02-street-huge-line.csv", [header, ...rows.slice(0, 3), huge, ...rows.slice(3, 6)].join("\r\n"));
    const started = performance.now();
    const { result, lines } = await run(file);
    assert.equal(result.status, "imported");
    assert.deepEqual([result.rowsRead, result.skipped], [7, 1]);
    assertLineMessages(lines, file, [[5, /the line is longer than 100,000 characters: not a police\.uk row/]]);
    assert.ok(lines.every((l) => l.length < 400), "no line of the summary repeats the 10 MB");

    // Quickly: the parser is not given the whole line again with every chunk.
    assert.ok(performance.now() - started < 4000, `${Math.round(performance.now() - started)} ms for a 10 MB line`);

    const single = write("one-line.csv", "x,".repeat(5 * 1024 * 1024));
    const refused = await run(single);
    assert.equal(refused.result.status, "refused");
    assert.match(refused.result.message!, /its first line is: "x,x,x.*…"\), judging by line 1/);
    assert.ok(refused.result.message!.length < 400);
    await nothingLost();
  });

  it("refuses binary garbage, and names the lines of garbage after good rows without losing the good ones", async () => {
    let state = 20180101;
    const garbage = (length: number) =>
      Buffer.from(
        Array.from({ length }, () => {
          state = (state * 1664525 + 1013904223) >>> 0;
          return state >>> 24;
        }),
      );
    const binary = await run(write("2018-03-street-binary.csv", garbage(200_000)));
    assert.equal(binary.result.status, "refused");
    assert.match(binary.result.message!, /a binary file, not text, judging by line 1/);
    assert.deepEqual(binary.lines, [`  ${path.join(work, "2018-03-street-binary.csv")}: ${binary.result.message}`]);

    // The good rows fill more than the first 4 KB, where a file's kind is judged; garbage follows.
    const { header, rows } = monthLines("2018-04");
    const good = rows.slice(0, 40);
    const file = write("2018-04-street-garbage.csv", Buffer.concat([Buffer.from(`${[header, ...good].join("\r\n")}\r\n`), garbage(20_000)]));
    const { result, lines } = await run(file);
    assert.equal(result.status, "imported");
    assert.equal(result.inserted, good.length);
    assert.ok(result.skipped > 0);
    assert.ok(result.problems.every((p) => p.line > good.length + 1), "only lines of garbage are named");
    assert.ok(lines.some((l) => new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line ${good.length + 2}: `).test(l)), lines.join("\n"));
    assert.equal(await count("2018-04"), good.length);
    const { db } = context().database;
    const odd = await db.selectFrom("policeCrimes").select("context").where("month", "=", "2018-04").where("context", "is not", null).execute();
    assert.deepEqual(odd, []);
    await nothingLost();
  });

  it("names a row holding a NUL byte instead of failing the whole file", async () => {
    const { header, rows } = monthLines("2018-05");
    const withNul = rows.map((row, i) => (i === 45 ? `${row}Seen\u0000twice` : row));
    const file = write("2018-05-street-nul.csv", [header, ...withNul].join("\r\n"));
    const before = await count("2018-05");
    const { result, lines } = await run(file);
    assert.equal(result.status, "imported", result.message ?? "");
    assertLineMessages(lines, file, [[47, /NUL|binary/]]);
    assert.equal(await count("2018-05"), before);
    await nothingLost();
  });
});
