// `npm run bench`: every benchmark, on SQLite and on PostgreSQL, each beside its own ceiling
// measured in the same run, then docs/performance.md written from the results.
//
//   npm run bench                       the full run (about 25 minutes on 2 loaded cores), writes docs/performance.md
//   npm run bench -- --quick            a quick subset (a few minutes), written to a temporary file unless --output
//   npm run bench -- --ten-million      also import 10M rows and measure the dashboard there (hours: see the document)
//   npm run bench -- --only=reports,open311 --databases=sqlite --repeat=5 --seconds=10 --output=FILE
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Dialect } from "../src/db/database.ts";
import type { BenchContext } from "./lib/context.ts";
import type { BenchDatabase } from "./lib/databases.ts";
import { describeMachine, type Machine } from "./lib/machine.ts";
import { ROOT } from "./lib/processes.ts";
import { sectionMarkdown, verdictMark, type SectionResult } from "./lib/report.ts";
import { FINDINGS } from "./findings.ts";
import { generatePoliceUk, HOME_ROWS, type GeneratedFiles } from "./police-uk-generator.ts";
import { runDashboard, type SizedDatabase } from "./workloads/dashboard.ts";
import { databaseWithOperation, importWithCli, runImport } from "./workloads/import.ts";
import { runInstances } from "./workloads/instances.ts";
import { runOpen311 } from "./workloads/open311.ts";
import { runReports } from "./workloads/reports.ts";

const WORKLOADS = ["reports", "import", "dashboard", "open311", "instances"] as const;
type Workload = (typeof WORKLOADS)[number];

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const quick = flag("quick");
const only = (option("only")?.split(",") ?? [...WORKLOADS]) as Workload[];
for (const name of only) if (!WORKLOADS.includes(name)) throw new Error(`--only: "${name}" is not one of ${WORKLOADS.join(", ")}`);
const context: BenchContext = {
  quick,
  tenMillion: flag("ten-million"),
  dialects: (option("databases")?.split(",") ?? ["sqlite", "postgres"]) as Dialect[],
  repeat: Number(option("repeat") ?? (quick ? 2 : 3)),
  loadSeconds: Number(option("seconds") ?? (quick ? 3 : 10)),
  importRows: Number(option("rows") ?? (quick ? 150_000 : 1_000_000)),
  log: (message) => console.log(message),
};
const output = option("output") ?? (quick ? path.join(os.tmpdir(), "openbeat-performance-quick.md") : path.join(ROOT, "docs/performance.md"));

// Stopped part-way: exit, so the children and their databases are ended with this process.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const started = new Date();
const machineBefore = await describeMachine();
console.log(`openbeat benchmarks on ${machineBefore.cpu} (${machineBefore.cores} cores), load ${machineBefore.loadAverage}; ${context.dialects.join(" and ")}; writing ${output}`);

const sections: SectionResult[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
const generated = new Map<number, GeneratedFiles>();
const files = (rows: number) => {
  if (!generated.has(rows)) {
    console.log(`generating ${rows.toLocaleString("en-GB")} police.uk rows…`);
    const set = generatePoliceUk({ rows });
    cleanups.push(() => set.remove());
    generated.set(rows, set);
  }
  return generated.get(rows)!;
};

/** A database with the operation and `paths` imported, for the dashboard benchmark. */
async function sized(dialect: Dialect, label: string, paths: string[], rows: number): Promise<SizedDatabase> {
  const { database, operation } = await databaseWithOperation(dialect, `bench_${label}`);
  cleanups.push(() => database.drop());
  await importWithCli(database, paths);
  return { label, rows, database, operation };
}

try {
  for (const dialect of context.dialects) {
    if (only.includes("reports")) {
      console.log(`reports [${dialect}]`);
      sections.push(await runReports(context, dialect));
    }
    if (only.includes("import") || only.includes("dashboard")) {
      const set = files(context.importRows);
      let large: SizedDatabase | null = null;
      if (only.includes("import")) {
        console.log(`import [${dialect}]`);
        sections.push(
          await runImport(context, dialect, set, (database: BenchDatabase, operation) => {
            cleanups.push(() => database.drop());
            large = { label: `${(set.rows / 1e6).toLocaleString("en-GB")}M rows`, rows: set.rows, database, operation };
          }),
        );
      } else {
        large = await sized(dialect, `${set.rows / 1e6}M rows`, [set.folder], set.rows);
      }
      if (only.includes("dashboard")) {
        console.log(`dashboard and evaluation [${dialect}]`);
        const small = await sized(dialect, "100k rows", set.homeFiles, Math.min(HOME_ROWS, set.rows));
        sections.push(...(await runDashboard(context, dialect, small, large!)));
        if (context.tenMillion) {
          const big = files(10_000_000);
          console.log(`import and dashboard at 10M rows [${dialect}]`);
          const single = { ...context, repeat: 1 };
          let tenM: SizedDatabase | null = null;
          sections.push(
            await runImport(single, dialect, big, (database, operation) => {
              cleanups.push(() => database.drop());
              tenM = { label: "10M rows", rows: big.rows, database, operation };
            }),
          );
          sections.push(...(await runDashboard(context, dialect, small, tenM!)));
        }
      }
    }
    if (only.includes("open311")) {
      console.log(`open311 [${dialect}]`);
      sections.push(await runOpen311(context, dialect));
    }
  }
  if (only.includes("instances") && context.dialects.includes("postgres")) {
    console.log("two instances [postgres]");
    sections.push(await runInstances(context));
  }
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
}

const finished = new Date();
const machineAfter = await describeMachine();
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, document(machineBefore, machineAfter));
console.log(`written ${output}`);

function document(machine: Machine, after: Machine): string {
  const minutes = ((finished.getTime() - started.getTime()) / 60_000).toFixed(0);
  const lines = [
    "# openbeat performance",
    "",
    `Written by \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` (bench/run.ts) on ${started.toISOString().slice(0, 10)}, in ${minutes} minutes. Do not edit by hand: run it again.`,
    "",
    "Every figure is the median of repeated runs with the minimum and maximum beside it, and every ratio is taken run by run against a ceiling measured in the same run, alternately with the workload. This machine is shared with other people's test runs, so absolute figures move from run to run (see the load averages); the ratios are what to compare.",
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| memory | ${machine.memory} |`,
    `| load average (1, 5, 15 min) | ${machine.loadAverage} at the start, ${after.loadAverage} at the end |`,
    `| kernel | ${machine.kernel} |`,
    `| Node.js | ${machine.node} |`,
    `| SQLite | ${machine.sqlite} (better-sqlite3 ${machine.packages["better-sqlite3"]}), WAL, synchronous=FULL, on the machine's disk |`,
    `| PostgreSQL | ${machine.postgres}, on 127.0.0.1 |`,
    `| packages | ${Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(", ")} |`,
    `| openbeat | ${machine.commit} |`,
    `| run | ${context.dialects.join(" and ")}; ${context.repeat} runs of each measurement; HTTP runs of ${context.loadSeconds} s; import of ${context.importRows.toLocaleString("en-GB")} rows${context.tenMillion ? " and of 10M rows" : ""}${quick ? "; --quick" : ""} |`,
    "",
    "## Targets",
    "",
    "| benchmark | database | target | result | |",
    "|---|---|---|---|---|",
    ...sections.flatMap((s) => s.verdicts.map((v) => `| ${s.title} | ${s.dialect} | ${v.target} | ${verdictMark(v.met)} | ${v.detail} |`)),
    "",
    context.tenMillion
      ? "The 10M-row import and dashboard were run (`--ten-million`)."
      : "Not run this time: the 10M-row import and the dashboard at 10M rows (`npm run bench -- --ten-million`; generating and importing 10M rows takes about an hour per database on this machine, about 2.2 GB of files in a temporary folder). The dashboard's growth check above is between 100k and the main import's size instead.",
    "",
    "## How to run",
    "",
    "- `npm run bench`: everything on SQLite and PostgreSQL (the shared server at 127.0.0.1:5432, database `test`, in private schemas dropped afterwards; `OPENBEAT_BENCH_POSTGRES_URL` to change it), writes this file.",
    "- `npm run bench -- --quick`: smaller and shorter (2 runs, 3 s loads, 150k rows), written to a temporary file unless `--output=FILE`.",
    "- `--ten-million`: adds the 10M-row import and dashboard. `--only=reports,import,dashboard,open311,instances`, `--databases=sqlite`, `--repeat=N`, `--seconds=N`, `--rows=N` narrow or lengthen a run.",
    "- Generated police.uk files go to a temporary folder and are deleted at the end; nothing is written into the repository but this file.",
    "",
    "## Results",
    "",
    ...sections.flatMap((s) => [sectionMarkdown(s), ""]),
    "## Profiles, causes and fixes",
    "",
    FINDINGS,
    "",
  ];
  return lines.join("\n");
}
