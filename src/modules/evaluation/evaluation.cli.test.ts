// Done when: the command line imports the Essex files, creates the Ambleside operation from LSOA
// codes, and evaluates it; every count is checked against the CSV rows counted directly here
// (split on commas, not through the importer).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import { policeUkTestData, streetFiles } from "../../../test/fixtures/police-uk/data.ts";
import type { Evaluation } from "./evaluation.service.ts";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const data = policeUkTestData();
const TARGET = ["E01015840", "E01015894"];
const COMPARISON = ["E01015917", "E01015848"];
const BEFORE = ["2018-01", "2018-02", "2018-03"];
const AFTER = ["2018-04", "2018-05", "2018-06", "2018-07"];

interface CsvRow {
  month: string;
  longitude: number | null;
  latitude: number | null;
  lsoa: string;
  type: string;
}

/** The rows of the street files, read with a plain split: police.uk's files have no quoted fields. */
function csvRows(): CsvRow[] {
  return streetFiles(data).flatMap((file) =>
    fs
      .readFileSync(file, "utf8")
      .split(/\r?\n/)
      .slice(1)
      .filter((line) => line !== "")
      .map((line) => {
        const f = line.split(",");
        assert.equal(f.length, 12, line);
        return { month: f[1]!, longitude: f[4] ? Number(f[4]) : null, latitude: f[5] ? Number(f[5]) : null, lsoa: f[7]!, type: f[9]! };
      }),
  );
}

describe("openbeat operations create + evaluate on the Essex files (command line, SQLite)", () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-cli-"));
  const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(directory, "openbeat.sqlite")}`, OPENBEAT_DATA_DIR: directory, OPENBEAT_LOG_LEVEL: "silent" };
  const openbeat = (...args: string[]) => run(process.execPath, [path.join(root, "bin/openbeat.js"), ...args], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  let evaluation: Evaluation;
  let operationId: string;

  it("imports the files, creates the operation (printing its id) and evaluates it as JSON", async () => {
    const started = performance.now();
    const imported = await openbeat("import", "police-uk", data.folder);
    console.log(`[sqlite, command line] ${imported.stdout.split("\n")[0]} (${((performance.now() - started) / 1000).toFixed(1)} s with start-up)`);
    assert.match(imported.stdout, new RegExp(`Rows read ${data.expected.rows.toLocaleString("en-GB")}, inserted ${data.expected.rows.toLocaleString("en-GB")}, already held 0 \\(kept, with any change police.uk made\\), skipped 0`));
    assert.match(imported.stderr, /street file, [\d,]+ rows read/, "progress goes to standard error as plain lines off a terminal");

    const created = await openbeat(
      "operations", "create",
      "--name", "Ambleside",
      "--start", "2018-04-01",
      "--target-lsoas", TARGET.join(","),
      "--buffer", "400",
      "--comparison-lsoas", COMPARISON.join(","),
    );
    operationId = created.stdout.trim();
    assert.match(operationId, /^\d+$/, `prints only the id: ${created.stdout}`);

    const evaluated = await openbeat("evaluate", operationId, "--json");
    evaluation = JSON.parse(evaluated.stdout) as Evaluation;
    assert.equal(String(evaluation.operation.id), operationId);
    assert.equal(evaluation.operation.name, "Ambleside");
  });

  it("compares 2018-01–03 with 2018-04–07 and says the before period is short", () => {
    assert.deepEqual(evaluation.periods.before.from, "2018-01");
    assert.deepEqual(evaluation.periods.before.to, "2018-03");
    assert.deepEqual(evaluation.periods.after.from, "2018-04");
    assert.deepEqual(evaluation.periods.after.to, "2018-07");
    assert.deepEqual(evaluation.periods.before.monthsWithoutData, ["2017-04", "2017-05", "2017-06", "2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12"]);
    assert.ok(evaluation.warnings.some((w) => /Only 3 of the 12 months before the start/.test(w)), evaluation.warnings.join("\n"));
    assert.ok(evaluation.warnings.some((w) => /regression to the mean/.test(w)));
    assert.equal(typeof evaluation.verdict, "string");
    assert.ok(evaluation.verdict.length > 20);
    assert.doesNotMatch(evaluation.verdict, /\bworked\b|\bproves?\b/i);
  });

  it("counts target, buffer and comparison exactly as the CSV rows do, category by category", () => {
    const rows = csvRows();
    const buffer = evaluation.areas.find((a) => a.properties.role === "buffer")!;
    assert.equal(buffer.properties.definition, "ring");
    assert.equal(buffer.properties.ringMetres, 400);
    assert.deepEqual(evaluation.areas.find((a) => a.properties.role === "target")!.properties.lsoaCodes, TARGET);
    const outer = { type: "Polygon" as const, coordinates: [buffer.geometry.type === "Polygon" ? buffer.geometry.coordinates[0]! : []] };
    const role = (row: CsvRow): "target" | "buffer" | "comparison" | null => {
      if (TARGET.includes(row.lsoa)) return "target";
      if (COMPARISON.includes(row.lsoa)) return "comparison";
      if (row.longitude !== null && row.latitude !== null && booleanPointInPolygon([row.longitude, row.latitude], outer)) return "buffer";
      return null;
    };
    const expected = new Map<string, number>();
    const add = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1);
    for (const row of rows) {
      const where = role(row);
      const when = BEFORE.includes(row.month) ? "before" : AFTER.includes(row.month) ? "after" : null;
      if (!where || !when) continue;
      add(`${row.type}|${where}|${when}`);
      if (row.type !== "Anti-social behaviour") add(`all crime|${where}|${when}`);
    }
    const categories = evaluation.sources[0].categories;
    assert.equal(categories.length, 15);
    for (const category of categories) {
      for (const where of ["target", "buffer", "comparison"] as const) {
        for (const when of ["before", "after"] as const) {
          assert.equal(category.counts[where][when], expected.get(`${category.category}|${where}|${when}`) ?? 0, `${category.category}, ${where}, ${when}`);
        }
      }
      assert.equal(category.policeGenerated, ["Drugs", "Public order", "Other crime"].includes(category.category), category.category);
    }
    const all = categories.find((c) => c.category === "all crime")!;
    const asb = categories.find((c) => c.category === "Anti-social behaviour")!;
    const targetTotal = all.counts.target.before! + all.counts.target.after! + asb.counts.target.before! + asb.counts.target.after!;
    assert.equal(targetTotal, data.expected.ambleside, "every row of the two Ambleside LSOAs is in the target");
    assert.ok(all.counts.buffer.before! + all.counts.buffer.after! > 0, "the 400 m ring holds rows");

    // OR = (Rb·Ca)/(Ra·Cb) from the counts above, when no cell is zero.
    const { target, comparison } = all.counts;
    const ratio = all.oddsRatio!;
    if (target.before && target.after && comparison.before && comparison.after) {
      const value = (target.before * comparison.after) / (target.after * comparison.before);
      assert.ok(Math.abs(ratio.value - value) < 1e-9);
      assert.equal(ratio.zeroCorrected, false);
    }
    assert.ok(ratio.ci95Adjusted[0] <= ratio.ci95[0] && ratio.ci95Adjusted[1] >= ratio.ci95[1]);
    assert.equal(typeof all.wdq.reading, "string");
    assert.ok(all.totalNetEffect === null || Number.isFinite(all.totalNetEffect));
    assert.equal(evaluation.sources[1].source, "reports");
  });

  it("refuses a comparison area that overlaps the target, with a message", async () => {
    await assert.rejects(
      openbeat("operations", "create", "--name", "Overlap", "--start", "2018-04-01", "--target-lsoas", TARGET.join(","), "--buffer", "400", "--comparison-lsoas", `${COMPARISON[0]},${TARGET[0]}`),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /comparison area overlaps the target or buffer/);
        return true;
      },
    );
  });
});
