// The public dashboard (/operations/{slug}) and the evaluation page (/staff/operations/{id}/evaluation,
// what `openbeat evaluate` works out, rendered) for the benchmark operation, one visitor at a time,
// at 100k imported rows and at a larger table (1M, or 10M when asked). The operation's own rows are
// the same at every size: only the rest of the table grows, so the work should not.
import type { Dialect } from "../../src/db/database.ts";
import type { BenchContext } from "../lib/context.ts";
import { withDatabase, type BenchDatabase } from "../lib/databases.ts";
import { sampleLatency } from "../lib/load.ts";
import { newSecrets, openbeatEnvironment, startServer, type RunningServer } from "../lib/processes.ts";
import type { SectionResult, Verdict } from "../lib/report.ts";
import { servicesFor, signIn, STAFF_PASSWORD } from "../lib/setup.ts";
import { pairedRatio, quantile, summarise } from "../lib/stats.ts";

export interface SizedDatabase {
  label: string;
  rows: number;
  database: BenchDatabase;
  operation: { id: number; slug: string };
}

interface Target {
  sized: SizedDatabase;
  server: RunningServer;
  cookie: string;
}

async function prepare(sized: SizedDatabase): Promise<Target> {
  const email = `analyst-${sized.rows}@bench.example`;
  await withDatabase(sized.database, async (opened) => {
    const services = servicesFor(sized.database, opened);
    // The 100k-row database is measured again beside the 10M-row one: its analyst is there already.
    if (!(await services.users.findByEmail(email))) {
      await services.auth.addUser({ email, name: "Bench Analyst", role: "analyst", password: STAFF_PASSWORD, mustChangePassword: false });
    }
  });
  const server = await startServer(openbeatEnvironment(sized.database.url, newSecrets(), { OPENBEAT_LOG_LEVEL: "warn" }));
  return { sized, server, cookie: await signIn(server.url, email) };
}

export async function runDashboard(context: BenchContext, dialect: Dialect, small: SizedDatabase, large: SizedDatabase): Promise<SectionResult[]> {
  const samples = context.quick ? 20 : 60;
  const targets = [await prepare(small), await prepare(large)];
  const pages = [
    { name: "Public dashboard", address: "/operations/{slug}", path: (t: Target) => `/operations/${t.sized.operation.slug}`, headers: () => ({ accept: "text/html" }) },
    { name: "Evaluation", address: "/staff/operations/{id}/evaluation", path: (t: Target) => `/staff/operations/${t.sized.operation.id}/evaluation`, headers: (t: Target) => ({ accept: "text/html", cookie: t.cookie }) },
  ];
  const sections: SectionResult[] = [];
  try {
    for (const page of pages) {
      const p50: number[][] = [[], []];
      const p95: number[][] = [[], []];
      const statuses = new Set<number>();
      for (const target of targets) await sampleLatency(`${target.server.url}${page.path(target)}`, 5, page.headers(target));
      for (let i = 0; i < context.repeat; i++) {
        for (const [index, target] of (i % 2 === 0 ? targets : [...targets].reverse()).entries()) {
          const which = i % 2 === 0 ? index : 1 - index;
          const run = await sampleLatency(`${target.server.url}${page.path(target)}`, samples, page.headers(target));
          for (const status of run.statuses) statuses.add(status);
          p50[which]!.push(quantile(run.samples, 0.5));
          p95[which]!.push(quantile(run.samples, 0.95));
          context.log(`  ${page.name} [${dialect}] ${target.sized.label}: p50 ${quantile(run.samples, 0.5).toFixed(1)} ms, p95 ${quantile(run.samples, 0.95).toFixed(1)} ms, statuses ${[...run.statuses].join(",")}`);
        }
      }
      const missing = !statuses.has(200);
      const growth = pairedRatio(p95[1]!, p95[0]!);
      const largeP95 = summarise(p95[1]!);
      const smallP95 = summarise(p95[0]!);
      const verdicts: Verdict[] = missing
        ? [{ target: "p95 < 50 ms; larger table p95 ≤ 1.5 × 100k p95", met: null, detail: `the page answered ${[...statuses].join(", ")}, not 200: it does not exist yet` }]
        : [
            { target: "p95 < 50 ms (at every size)", met: Math.max(smallP95.median, largeP95.median) < 50, detail: `median p95 ${smallP95.median.toFixed(1)} ms at ${small.label}, ${largeP95.median.toFixed(1)} ms at ${large.label}` },
            { target: `${large.label} p95 ≤ 1.5 × ${small.label} p95`, met: growth.median <= 1.5, detail: `median ratio ${growth.median.toFixed(2)}` },
          ];
      sections.push({
        title: `${page.name} (${page.address})`,
        dialect,
        method: [
          `${samples} requests one after another per run (after 5 unmeasured), ${context.repeat} runs per size, the two sizes alternately, each served by its own \`openbeat serve\`.`,
          `${small.label}: ${small.rows.toLocaleString("en-GB")} imported rows; ${large.label}: ${large.rows.toLocaleString("en-GB")}; the operation's own rows are the same in both.`,
          page.name === "Evaluation" ? "Signed in as an analyst (the evaluation page is for staff); it runs the same evaluation as `openbeat evaluate`." : "Anonymous visitor.",
        ],
        figures: [
          { label: `p50 at ${small.label}`, unit: "ms", summary: summarise(p50[0]!), digits: 1 },
          { label: `p95 at ${small.label}`, unit: "ms", summary: smallP95, digits: 1 },
          { label: `p50 at ${large.label}`, unit: "ms", summary: summarise(p50[1]!), digits: 1 },
          { label: `p95 at ${large.label}`, unit: "ms", summary: largeP95, digits: 1 },
        ],
        ratios: [{ label: `p95 ${large.label} / ${small.label}`, unit: "", summary: growth, digits: 2 }],
        verdicts,
        notes: [],
      });
    }
  } finally {
    for (const target of targets) await target.server.stop();
  }
  return sections;
}
