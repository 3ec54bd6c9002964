// Anonymous report submission: POST /api/reports through `openbeat serve` (validated, rate
// limited in the database, placed in the operation, stored durably: SQLite synchronous=FULL,
// PostgreSQL synchronous_commit on), 50 connections on loopback, each request from one of many
// synthetic clients named by X-Forwarded-For (the server trusts the proxy header). Ceiling: a
// bare Fastify route validating the same body with the same schema, no database. The two are
// run alternately, a run of one then a run of the other.
import path from "node:path";
import { spawn } from "node:child_process";
import type { Dialect } from "../../src/db/database.ts";
import type { BenchContext } from "../lib/context.ts";
import { freshDatabase, withDatabase } from "../lib/databases.ts";
import { load, type LoadResult } from "../lib/load.ts";
import { newSecrets, openbeatEnvironment, ROOT, startServer, trackChild } from "../lib/processes.ts";
import type { SectionResult } from "../lib/report.ts";
import { createBenchOperation, reportBody, servicesFor } from "../lib/setup.ts";
import { pairedRatio, summarise } from "../lib/stats.ts";

const CONNECTIONS = 50;
/** Synthetic clients per run: with the default limit (20 an hour each) no client reaches it. */
const CLIENTS = 4000;

async function startBare(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = trackChild(spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/servers/bare-reports.ts")], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] }));
  const port = await new Promise<number>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

function clientAddresses(run: number): () => Record<string, string> {
  let next = 0;
  return () => {
    const i = next++ % CLIENTS;
    return { "x-forwarded-for": `10.${run % 256}.${(i >> 8) & 255}.${i & 255}` };
  };
}

export async function runReports(context: BenchContext, dialect: Dialect): Promise<SectionResult> {
  const database = await freshDatabase(dialect, { label: "bench_reports" });
  await withDatabase(database, async (opened) => {
    await createBenchOperation(servicesFor(database, opened), opened);
  });
  const server = await startServer(openbeatEnvironment(database.url, newSecrets(), { OPENBEAT_TRUST_PROXY: "true" }));
  const bare = await startBare();
  const body = JSON.stringify(reportBody());
  const headers = { "content-type": "application/json" };
  const app: LoadResult[] = [];
  const ceiling: LoadResult[] = [];
  const warmUp: LoadResult[] = [];
  let run = 1;
  try {
    // Warm both (JIT, connections, caches) before anything is counted.
    await load({ url: `${bare.url}/api/reports`, connections: CONNECTIONS, durationSeconds: 2, method: "POST", body, headers, perRequest: clientAddresses(run++) });
    warmUp.push(await load({ url: `${server.url}/api/reports`, connections: CONNECTIONS, durationSeconds: 2, method: "POST", body, headers, perRequest: clientAddresses(run++) }));
    for (let i = 0; i < context.repeat; i++) {
      const measure = async (target: "app" | "ceiling") => {
        const url = target === "app" ? `${server.url}/api/reports` : `${bare.url}/api/reports`;
        const result = await load({ url, connections: CONNECTIONS, durationSeconds: context.loadSeconds, method: "POST", body, headers, perRequest: clientAddresses(run++) });
        (target === "app" ? app : ceiling).push(result);
        context.log(`  reports [${dialect}] ${target}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.non2xx} not 2xx`);
      };
      // Alternate which goes first, so drift in the machine's load falls on both alike.
      if (i % 2 === 0) {
        await measure("ceiling");
        await measure("app");
      } else {
        await measure("app");
        await measure("ceiling");
      }
    }
  } finally {
    await bare.stop();
    await server.stop();
  }
  const stored = await withDatabase(database, async (opened) =>
    Number((await opened.db.selectFrom("reports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n),
  );
  await database.drop();
  const acknowledged = [...warmUp, ...app].reduce((sum, r) => sum + (r.statusCodes["201"] ?? 0), 0);
  const warmupNote = "a warm-up run (2 s) of each first, not counted in the figures";

  const appRate = summarise(app.map((r) => r.requestsPerSecond));
  const ratio = pairedRatio(
    app.map((r) => r.requestsPerSecond),
    ceiling.map((r) => r.requestsPerSecond),
  );
  const p99 = summarise(app.map((r) => r.p99));
  const refused = app.reduce((sum, r) => sum + r.non2xx, 0);
  const unanswered = [...warmUp, ...app].reduce((sum, r) => sum + r.errors, 0);
  return {
    title: "Anonymous report submission (POST /api/reports)",
    dialect,
    method: [
      `${CONNECTIONS} connections, ${context.loadSeconds} s per run, ${context.repeat} runs each, app and ceiling alternately; ${warmupNote}.`,
      `Each request from one of ${CLIENTS.toLocaleString("en-GB")} synthetic clients (X-Forwarded-For, OPENBEAT_TRUST_PROXY=true); rate limit on at its default (20 reports an hour per client), kept in the database.`,
      "App: `openbeat serve` (NODE_ENV=production, request logging on), an active operation to place reports in. Ceiling: bare Fastify validating the same body with the same zod schema, no database.",
    ],
    figures: [
      { label: "app requests/s", unit: "req/s", summary: appRate },
      { label: "app p50 latency", unit: "ms", summary: summarise(app.map((r) => r.p50)) },
      { label: "app p99 latency", unit: "ms", summary: p99 },
      { label: "ceiling requests/s", unit: "req/s", summary: summarise(ceiling.map((r) => r.requestsPerSecond)) },
      { label: "ceiling p50 latency", unit: "ms", summary: summarise(ceiling.map((r) => r.p50)) },
      { label: "ceiling p99 latency", unit: "ms", summary: summarise(ceiling.map((r) => r.p99)) },
    ],
    ratios: [{ label: "app / ceiling requests/s", unit: "", summary: ratio, digits: 3 }],
    verdicts: [
      { target: "≥ 25% of the ceiling's requests/s", met: ratio.median >= 0.25, detail: `median ratio ${(ratio.median * 100).toFixed(1)}%` },
      { target: "p99 < 20 ms", met: p99.median < 20, detail: `median p99 ${p99.median.toFixed(1)} ms (worst run ${p99.max.toFixed(1)} ms)` },
      {
        target: "every 201 stored",
        // autocannon stops counting when a run's time is up, and gives up on a request after 10 s:
        // those requests (in flight at the end, one per connection at most, or timed out) may be
        // stored without their answer being counted.
        met: stored >= acknowledged && stored - acknowledged <= CONNECTIONS * (app.length + warmUp.length) + unanswered,
        detail: `${acknowledged.toLocaleString("en-GB")} answered 201 (warm-up included), ${stored.toLocaleString("en-GB")} reports in the database (the difference: requests still in flight when a run's time was up, or given up by the client after 10 s: ${unanswered}); answers other than 201 in measured runs: ${refused}`,
      },
    ],
    notes: [],
  };
}
