// police.uk import: `openbeat import police-uk FOLDER --json` as an operator runs it, on generated
// files in the real format, into a database that already holds an operation (so area membership
// is worked out again at the end, as after every import). Rows/s are from the command's own
// timing (the import, without Node's start-up and the migration check); peak RSS is the whole
// process's. Ceiling: bench/servers/import-ceiling.ts on the same files, into a fresh database.
import type { Dialect } from "../../src/db/database.ts";
import type { BenchContext } from "../lib/context.ts";
import { freshDatabase, withDatabase, type BenchDatabase } from "../lib/databases.ts";
import { newSecrets, openbeatEnvironment, ROOT, runNode } from "../lib/processes.ts";
import type { SectionResult } from "../lib/report.ts";
import { createBenchOperation, servicesFor } from "../lib/setup.ts";
import { pairedRatio, summarise } from "../lib/stats.ts";
import type { GeneratedFiles } from "../police-uk-generator.ts";

export interface ImportRun {
  rows: number;
  seconds: number;
  peakRssMb: number;
  members: number;
}

/** A database with the benchmark operation, ready to import into. */
export async function databaseWithOperation(dialect: Dialect, label: string): Promise<{ database: BenchDatabase; operation: { id: number; slug: string } }> {
  const database = await freshDatabase(dialect, { label });
  const operation = await withDatabase(database, (opened) => createBenchOperation(servicesFor(database, opened), opened));
  return { database, operation };
}

/** Runs the command line's import of `paths` into `database`. */
export async function importWithCli(database: BenchDatabase, paths: string[]): Promise<ImportRun> {
  const result = await runNode(["import", "police-uk", ...paths, "--json"], openbeatEnvironment(database.url, newSecrets()));
  if (result.code !== 0) throw new Error(`openbeat import failed (${result.code}):\n${result.stderr.slice(-2000)}`);
  const summary = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as { seconds: number; totals: { rowsRead: number; failed: number } };
  const members = await withDatabase(database, async (opened) =>
    Number((await opened.db.selectFrom("areaSnapPoints").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n),
  );
  return { rows: summary.totals.rowsRead, seconds: summary.seconds, peakRssMb: (result.peakRssKb ?? 0) / 1024, members };
}

export async function ceilingImport(database: BenchDatabase, files: string[]): Promise<ImportRun> {
  const result = await runNode([database.url, ...files], process.env, { script: `${ROOT}/bench/servers/import-ceiling.ts`, nodeOptions: ["--import", "tsx"] });
  if (result.code !== 0) throw new Error(`the ceiling import failed (${result.code}):\n${result.stderr.slice(-2000)}`);
  const { rows, seconds } = JSON.parse(result.stdout) as { rows: number; seconds: number };
  return { rows, seconds, peakRssMb: (result.peakRssKb ?? 0) / 1024, members: 0 };
}

export async function runImport(
  context: BenchContext,
  dialect: Dialect,
  files: GeneratedFiles,
  keep: (database: BenchDatabase, operation: { id: number; slug: string }) => void,
): Promise<SectionResult> {
  const app: ImportRun[] = [];
  const ceiling: ImportRun[] = [];
  for (let i = 0; i < context.repeat; i++) {
    const { database, operation } = await databaseWithOperation(dialect, "bench_import");
    const raw = await freshDatabase(dialect, { label: "bench_ceiling", prepare: false });
    const measure = async (which: "app" | "ceiling") => {
      const run = which === "app" ? await importWithCli(database, [files.folder]) : await ceilingImport(raw, files.files);
      (which === "app" ? app : ceiling).push(run);
      context.log(`  import [${dialect}] ${which}: ${run.rows} rows in ${run.seconds.toFixed(1)} s = ${(run.rows / run.seconds).toFixed(0)} rows/s, peak RSS ${run.peakRssMb.toFixed(0)} MB`);
    };
    if (i % 2 === 0) {
      await measure("ceiling");
      await measure("app");
    } else {
      await measure("app");
      await measure("ceiling");
    }
    await raw.drop();
    // The last run's database serves the dashboard benchmark at this size.
    if (i === context.repeat - 1) keep(database, operation);
    else await database.drop();
  }
  const rate = summarise(app.map((r) => r.rows / r.seconds));
  const ratio = pairedRatio(
    app.map((r) => r.rows / r.seconds),
    ceiling.map((r) => r.rows / r.seconds),
  );
  const rss = summarise(app.map((r) => r.peakRssMb));
  const rows = files.rows.toLocaleString("en-GB");
  return {
    title: `police.uk import, ${rows} rows`,
    dialect,
    method: [
      `${files.files.length} generated street files in police.uk's format (${(files.bytes / 1e6).toFixed(0)} MB): ${rows} rows, about 30% anti-social behaviour without ids, 0.2% "No Location".`,
      `App: \`openbeat import police-uk FOLDER --json\` in its own process, into a database holding an operation (target, 400 m ring, comparison): checks each row, snap points with their H3 cell, upsert by Crime ID, months held, then area membership. ${context.repeat} runs, each into a fresh database, alternating with the ceiling.`,
      "Ceiling: papaparse streaming the same files into a prepared INSERT (SQLite, one transaction per file) or COPY (PostgreSQL) of the raw fields into a table without indexes.",
    ],
    figures: [
      { label: "app rows/s", unit: "rows/s", summary: rate },
      { label: "app peak RSS", unit: "MB", summary: rss },
      { label: "ceiling rows/s", unit: "rows/s", summary: summarise(ceiling.map((r) => r.rows / r.seconds)) },
      { label: "ceiling peak RSS", unit: "MB", summary: summarise(ceiling.map((r) => r.peakRssMb)) },
      { label: "area members after import (snap points)", unit: "", summary: summarise(app.map((r) => r.members)) },
    ],
    ratios: [{ label: "app / ceiling rows/s", unit: "", summary: ratio, digits: 3 }],
    verdicts: [
      { target: "≥ 50% of the ceiling (H3 and area membership included)", met: ratio.median >= 0.5, detail: `median ratio ${(ratio.median * 100).toFixed(1)}%` },
      { target: `peak RSS < 200 MB at ${rows} rows`, met: rss.max < 200, detail: `worst run ${rss.max.toFixed(0)} MB` },
    ],
    notes: [],
  };
}
