// Two `openbeat serve` instances on the same PostgreSQL schema, as a scaled-out deployment runs:
// concurrent submissions split across both (every acknowledged reference stored exactly once,
// nothing stored that was not acknowledged), a session made on one used and ended on the other,
// and one client's rate limit shared between them. Throughput of two against one is measured too,
// though two cores (shared with the load generator and PostgreSQL) cannot show a gain.
import type { BenchContext } from "../lib/context.ts";
import { freshDatabase, withDatabase } from "../lib/databases.ts";
import { load } from "../lib/load.ts";
import { newSecrets, openbeatEnvironment, startServer, type RunningServer } from "../lib/processes.ts";
import type { SectionResult } from "../lib/report.ts";
import { createBenchOperation, reportBody, servicesFor, signIn, STAFF_PASSWORD } from "../lib/setup.ts";
import { pairedRatio, summarise } from "../lib/stats.ts";

const LIMIT = 20;

async function submit(server: RunningServer, address: string): Promise<{ status: number; reference?: string }> {
  const response = await fetch(`${server.url}/api/reports`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify(reportBody()),
  });
  const body = (await response.json()) as { reference?: string };
  return { status: response.status, reference: body.reference };
}

export async function runInstances(context: BenchContext): Promise<SectionResult> {
  const database = await freshDatabase("postgres", { label: "bench_instances" });
  const email = "officer@bench.example";
  await withDatabase(database, async (opened) => {
    const services = servicesFor(database, opened);
    await createBenchOperation(services, opened);
    await services.auth.addUser({ email, name: "Bench Officer", role: "officer", password: STAFF_PASSWORD, mustChangePassword: false });
  });
  // One deployment: the same secrets on both, as instances behind one proxy would have.
  const secrets = newSecrets();
  const environment = () => openbeatEnvironment(database.url, secrets, { OPENBEAT_TRUST_PROXY: "true", OPENBEAT_LOG_LEVEL: "warn", OPENBEAT_RATE_LIMIT_REPORTS: String(LIMIT) });
  const servers = [await startServer(environment()), await startServer(environment())];
  const verdicts: SectionResult["verdicts"] = [];
  const one: number[] = [];
  const two: number[] = [];
  try {
    // Concurrent submissions, 50 at a time, alternating between the instances, each answer kept.
    const acknowledged: string[] = [];
    let failed = 0;
    let counter = 0;
    const until = performance.now() + context.loadSeconds * 1000;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (performance.now() < until) {
          const n = counter++;
          const result = await submit(servers[n % 2]!, `10.200.${Math.floor(n / 250) % 256}.${n % 250}`);
          if (result.status === 201 && result.reference) acknowledged.push(result.reference);
          else failed++;
        }
      }),
    );
    const stored = await withDatabase(database, (opened) => opened.db.selectFrom("reports").select("reference").execute());
    const storedSet = new Set(stored.map((r) => r.reference));
    const lost = acknowledged.filter((reference) => !storedSet.has(reference)).length;
    const ackSet = new Set(acknowledged);
    const unacknowledged = stored.filter((r) => !ackSet.has(r.reference)).length;
    const duplicated = stored.length - storedSet.size + (acknowledged.length - ackSet.size);
    verdicts.push({
      target: "no duplicated or lost reports (50 concurrent clients over two instances)",
      met: lost === 0 && duplicated === 0 && unacknowledged === 0 && failed === 0,
      detail: `${acknowledged.length} acknowledged, ${stored.length} stored; lost ${lost}, duplicated ${duplicated}, stored but never acknowledged ${unacknowledged}, not 201: ${failed}`,
    });

    // A session made on one instance works on the other, and signing out on one ends it on both.
    const cookie = await signIn(servers[0]!.url, email);
    const onB = await fetch(`${servers[1]!.url}/staff`, { headers: { accept: "text/html", cookie }, redirect: "manual" });
    const page = await fetch(`${servers[1]!.url}/staff`, { headers: { accept: "text/html", cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const signOut = await fetch(`${servers[1]!.url}/staff/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
      redirect: "manual",
    });
    const afterOnA = await fetch(`${servers[0]!.url}/staff`, { headers: { accept: "text/html", cookie }, redirect: "manual" });
    verdicts.push({
      target: "sessions valid on both instances",
      met: onB.status === 200 && signOut.status < 400 && afterOnA.status === 302,
      detail: `signed in on A; /staff on B: ${onB.status}; sign-out on B: ${signOut.status}; /staff on A afterwards: ${afterOnA.status} (302 = back to sign-in)`,
    });

    // One client, LIMIT + 20 submissions, 10 at a time, alternating between the instances.
    const statuses: number[] = [];
    let sent = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (sent < LIMIT + 20) {
          const n = sent++;
          statuses.push((await submit(servers[n % 2]!, "10.201.0.1")).status);
        }
      }),
    );
    const accepted = statuses.filter((s) => s === 201).length;
    const limited = statuses.filter((s) => s === 429).length;
    verdicts.push({
      target: "rate limits shared",
      met: accepted === LIMIT && limited === 20,
      detail: `limit ${LIMIT} an hour; ${LIMIT + 20} sent by one client over both instances: ${accepted} accepted, ${limited} refused with 429`,
    });

    // Throughput: one instance with 50 connections, then both with 25 each at the same time.
    const body = JSON.stringify(reportBody());
    const headers = { "content-type": "application/json" };
    let run = 0;
    const addresses = () => {
      const base = 100 + (run++ % 100);
      let i = 0;
      return () => ({ "x-forwarded-for": `10.${base}.${(i >> 8) & 255}.${i++ & 255}` });
    };
    for (let i = 0; i < context.repeat; i++) {
      const single = await load({ url: `${servers[0]!.url}/api/reports`, connections: 50, durationSeconds: context.loadSeconds, method: "POST", body, headers, perRequest: addresses() });
      const pair = await Promise.all(
        servers.map((server) => load({ url: `${server.url}/api/reports`, connections: 25, durationSeconds: context.loadSeconds, method: "POST", body, headers, perRequest: addresses() })),
      );
      one.push(single.requestsPerSecond);
      two.push(pair[0]!.requestsPerSecond + pair[1]!.requestsPerSecond);
      context.log(`  instances: one ${single.requestsPerSecond.toFixed(0)} req/s, two ${two.at(-1)!.toFixed(0)} req/s`);
    }
  } finally {
    for (const server of servers) await server.stop();
    await database.drop();
  }
  return {
    title: "A second instance on the same PostgreSQL",
    dialect: "postgres",
    method: [
      "Two `openbeat serve` processes with the same secrets and DATABASE_URL (a private schema), OPENBEAT_TRUST_PROXY=true.",
      `Submissions: 50 concurrent clients for ${context.loadSeconds} s, each request to the instances in turn; every answer's reference checked against the database.`,
      `Throughput: autocannon, one instance at 50 connections, then both at 25 each at once; ${context.repeat} runs.`,
    ],
    figures: [
      { label: "one instance, requests/s", unit: "req/s", summary: summarise(one) },
      { label: "two instances together, requests/s", unit: "req/s", summary: summarise(two) },
    ],
    ratios: [{ label: "two / one", unit: "", summary: pairedRatio(two, one), digits: 2 }],
    verdicts,
    notes: [
      "This machine has 2 cores, shared by both instances, PostgreSQL and the load generator: a second instance cannot add throughput here, and none is claimed. What this shows is correctness when two instances share the database.",
    ],
  };
}
