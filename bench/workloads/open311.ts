// Open311 GET requests.json and requests.xml answering 1,000 reports (the most it gives), from
// `openbeat serve`, 10 connections on loopback. Ceiling: the same query's rows read from the
// database by this process, 10 at a time, without placing or serialising them.
import type { Dialect } from "../../src/db/database.ts";
import { DisclosureRepository } from "../../src/modules/disclosure/disclosure.repository.ts";
import type { BenchContext } from "../lib/context.ts";
import { freshDatabase, withDatabase, type BenchDatabase } from "../lib/databases.ts";
import { load } from "../lib/load.ts";
import { newSecrets, openbeatEnvironment, startServer } from "../lib/processes.ts";
import type { SectionResult } from "../lib/report.ts";
import { servicesFor } from "../lib/setup.ts";
import { pairedRatio, summarise } from "../lib/stats.ts";

const CONNECTIONS = 10;
const REPORTS = 1_200;
/** Places a few hundred metres apart around Southend: each public cell gets well over k reports. */
const PLACES = Array.from({ length: 12 }, (_, i) => ({ lat: 51.52 + (i % 4) * 0.012, lng: 0.66 + Math.floor(i / 4) * 0.03 }));

/** Reports received last month (a complete month, so their cells may be published). */
async function seed(database: BenchDatabase): Promise<void> {
  await withDatabase(database, async (opened) => {
    const services = servicesFor(database, opened);
    const now = new Date();
    const lastMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    for (let i = 0; i < REPORTS; i++) {
      const at = new Date(lastMonth + (i % 27) * 86_400_000 + 3_600_000 * 12);
      const place = PLACES[i % PLACES.length]!;
      await services.reports.submit(
        {
          category: "kerb-crawling",
          occurredAt: new Date(at.getTime() - 3_600_000).toISOString(),
          lat: place.lat,
          lng: place.lng,
          description: "Synthetic report for the Open311 benchmark.",
          answers: { what: "propositioned" },
        },
        { now: at },
      );
    }
  });
}

/** The repository query `GET requests` makes with no parameters, as fast as this process can read it. */
async function ceiling(database: BenchDatabase, seconds: number): Promise<number> {
  return withDatabase(
    database,
    async (opened) => {
      const services = servicesFor(database, opened);
      const repository = new DisclosureRepository(opened.db);
      const codes = (await services.open311.offered()).map((c) => c.code);
      const now = new Date();
      // The whole months the last 90 days touch (UTC is near enough for a ceiling).
      const start = new Date(now.getTime() - 90 * 86_400_000);
      const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)).toISOString();
      const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
      const statuses = ["received", "triaged", "in_progress", "closed"];
      let done = 0;
      const until = performance.now() + seconds * 1000;
      const worker = async () => {
        while (performance.now() < until) {
          await repository.reportsReceivedBetween(from, to, codes, statuses);
          done++;
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
      return done / ((performance.now() - started) / 1000);
    },
    { poolSize: CONNECTIONS },
  );
}

export async function runOpen311(context: BenchContext, dialect: Dialect): Promise<SectionResult> {
  const database = await freshDatabase(dialect, { label: "bench_open311" });
  await seed(database);
  const server = await startServer(openbeatEnvironment(database.url, newSecrets(), { OPENBEAT_LOG_LEVEL: "warn" }));
  const json: number[] = [];
  const xml: number[] = [];
  const ceilings: number[] = [];
  let shown = 0;
  try {
    const first = (await (await fetch(`${server.url}/open311/v2/requests.json`)).json()) as unknown[];
    shown = first.length;
    for (const format of ["json", "xml"]) await load({ url: `${server.url}/open311/v2/requests.${format}`, connections: CONNECTIONS, durationSeconds: 2 });
    for (let i = 0; i < context.repeat; i++) {
      for (const format of ["json", "xml"] as const) {
        const result = await load({ url: `${server.url}/open311/v2/requests.${format}`, connections: CONNECTIONS, durationSeconds: context.loadSeconds });
        if (result.non2xx || result.errors) throw new Error(`Open311 ${format} answered ${JSON.stringify(result.statusCodes)} with ${result.errors} errors`);
        (format === "json" ? json : xml).push(result.requestsPerSecond);
        context.log(`  open311 [${dialect}] ${format}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
      }
      ceilings.push(await ceiling(database, context.loadSeconds));
      context.log(`  open311 [${dialect}] ceiling (rows from the database): ${ceilings.at(-1)!.toFixed(0)} queries/s`);
    }
  } finally {
    await server.stop();
    await database.drop();
  }
  const jsonRate = summarise(json);
  const xmlRate = summarise(xml);
  return {
    title: "Open311 GET requests (1,000 results)",
    dialect,
    method: [
      `${REPORTS.toLocaleString("en-GB")} located reports received last month in ${PLACES.length} places; \`GET /open311/v2/requests.{json,xml}\` with no parameters (the last 90 days) answers ${shown.toLocaleString("en-GB")} of them (its maximum).`,
      `${CONNECTIONS} connections, ${context.loadSeconds} s per run, ${context.repeat} runs of each format after a 2 s warm-up; ceiling: the repository's query for the same window, ${CONNECTIONS} at a time, rows only.`,
    ],
    figures: [
      { label: "JSON requests/s", unit: "req/s", summary: jsonRate },
      { label: "XML requests/s", unit: "req/s", summary: xmlRate },
      { label: "ceiling: the query's rows, queries/s", unit: "queries/s", summary: summarise(ceilings) },
    ],
    ratios: [
      { label: "JSON / ceiling", unit: "", summary: pairedRatio(json, ceilings), digits: 3 },
      { label: "XML / ceiling", unit: "", summary: pairedRatio(xml, ceilings), digits: 3 },
    ],
    verdicts: [
      { target: "answers 1,000 results", met: shown === 1000, detail: `${shown} results` },
      { target: "JSON ≥ 500 requests/s", met: jsonRate.median >= 500, detail: `median ${jsonRate.median.toFixed(0)} req/s` },
      { target: "XML ≥ 100 requests/s", met: xmlRate.median >= 100, detail: `median ${xmlRate.median.toFixed(0)} req/s` },
    ],
    notes: [],
  };
}
