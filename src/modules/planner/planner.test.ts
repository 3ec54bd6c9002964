import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase, createTestDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import type { PageClient } from "../../../test/support/client.ts";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { launchBrowser, openPage, startApp, type RunningApp } from "../../../test/support/browser.ts";
import { SESSION_COOKIE } from "../../http/cookies.ts";
import { addDays, londonDate, mondayOf, type CallRecord } from "../../domain/forecasting.ts";
import { createServices } from "../../services.ts";
import { testConfig } from "../../../test/support/config.ts";
import { demoCalls, DEMO_SETTINGS, loadDemoCalls } from "./planner.demo.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const run = promisify(execFile);

async function createOperation(app: FastifyInstance, overrides: Partial<{ plannedHoursPerWeek: number; startsOn: string; slug: string }> = {}): Promise<number> {
  const now = new Date().toISOString();
  return app.services.operationsRepository.create(
    {
      slug: overrides.slug ?? `op-${Math.random().toString(36).slice(2, 10)}`,
      name: "Operation Test",
      summary: "A test operation",
      objectives: "[]",
      categoriesInScope: "[]",
      startsOn: overrides.startsOn ?? addDays(londonDate(new Date()), -70),
      endsOn: null,
      plannedHoursPerWeek: overrides.plannedHoursPerWeek ?? 40,
      status: "active",
      published: true,
      isDemo: false,
      createdAt: now,
      updatedAt: now,
    },
    [],
  );
}

function toCsv(calls: readonly CallRecord[], header = "timestamp,grade"): string {
  return [header, ...calls.map((c) => `${c.occurredAt},${c.grade}`)].join("\n");
}

/** The last `weeks` complete weeks of the demo's synthetic calls. */
function recentCalls(weeks: number): CallRecord[] {
  const from = addDays(mondayOf(londonDate(new Date())), -7 * weeks);
  return demoCalls().filter((c) => c.localDate >= from);
}

/** What a page without JavaScript needs: unique ids, a label for every field, headers for every table. */
function assertWellFormed(html: string): void {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(duplicates, [], "duplicate ids");
  for (const input of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    if (/type="(hidden|submit)"/.test(input[0])) continue;
    const id = /\sid="([^"]+)"/.exec(input[0])?.[1];
    assert.ok(id && html.includes(`for="${id}"`), `no label for ${input[0]}`);
  }
  for (const table of html.matchAll(/<table[\s\S]*?<\/table>/g)) assert.match(table[0], /<th scope="col"/);
}

function multipart(fields: Record<string, string>, file: { name: string; content: string } | null): { payload: Buffer; contentType: string } {
  const boundary = "----openbeat-test-boundary";
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  if (file) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="calls.csv"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`);
  return { payload: Buffer.from(`${parts.join("")}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function countCalls(app: FastifyInstance, operationId: number): Promise<number> {
  return (await app.services.planner.callsSummary(operationId)).calls;
}

describeEachDatabase("planner", (context) => {
  let app: FastifyInstance;
  let lead: PageClient;
  let operationId: number;
  let url: string;

  before(async () => {
    app = await testApp(context());
    lead = (await signedInClient(app, "operation-lead")).client;
    operationId = await createOperation(app);
    url = `/staff/operations/${operationId}/planner`;
  });
  after(async () => app.close());

  it("is staff-only: operation leads and analysts see it, officers and the public do not", async () => {
    assert.equal((await lead.get(url)).statusCode, 200);
    const analyst = (await signedInClient(app, "analyst")).client;
    assert.equal((await analyst.get(url)).statusCode, 200);
    const officer = (await signedInClient(app, "officer")).client;
    assert.equal((await officer.get(url)).statusCode, 404, "a denied read looks like a missing record");
    assert.equal((await officer.get(`${url}/budget`)).statusCode, 404);
    assert.equal((await officer.get("/staff/planner")).statusCode, 403);
    const anonymous = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
    assert.equal(anonymous.statusCode, 302);
    assert.match(String(anonymous.headers.location), /^\/staff\/sign-in/);
    assert.equal((await lead.get("/staff/operations/99999/planner")).statusCode, 404);
    const page = await lead.get(url);
    assert.equal(page.headers["cache-control"], "no-store");
    assert.match(page.body, /href="\/staff\/planner"[^>]*>\s*Planner/, "the staff menu links to the planner");
  });

  it("says no forecast is possible while no calls are imported, rather than guess", async () => {
    const page = await lead.get(url);
    assert.match(page.body, /No complete week of calls for service has been imported, so no forecast is possible/);
    assert.doesNotMatch(page.body, /<svg/);
    assertWellFormed(page.body);
  });

  it("imports nothing when any line is wrong, and lists each problem by its line number", async () => {
    await lead.get(`${url}/calls`);
    const good = toCsv(recentCalls(20));
    assert.equal((await lead.post(`${url}/calls`, { calls: good })).statusCode, 302);
    const held = await countCalls(app, operationId);
    assert.ok(held > 1000);

    await lead.get(`${url}/calls`);
    const bad = `${good}\n2026-13-01T10:00:00Z,emergency\n2026-01-05T10:00:00Z,urgent`;
    const lines = bad.split("\n").length;
    const response = await lead.post(`${url}/calls`, { calls: bad });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, new RegExp(`Line ${lines - 1}: The timestamp &quot;2026-13-01T10:00:00Z&quot; is not a real date`));
    assert.match(response.body, new RegExp(`Line ${lines}: The grade &quot;urgent&quot; is not one of emergency, priority, scheduled, resolved`));
    assert.match(response.body, /2 lines of the file need fixing. Nothing was imported/);
    assert.equal(await countCalls(app, operationId), held, "the calls held before are untouched");
    assertWellFormed(response.body);
  });

  it("takes the file as an upload, and replaces the calls held", async () => {
    const page = await lead.get(`${url}/calls`);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    const calls = recentCalls(80);
    const { payload, contentType } = multipart({ _csrf: lead.csrf() }, { name: "file", content: ["timestamp,grade,area", ...calls.map((c) => `${c.occurredAt},${c.grade},Town centre`)].join("\r\n") });
    const cookie = [...lead.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await app.inject({ method: "POST", url: `${url}/calls`, payload, headers: { "content-type": contentType, cookie, accept: "text/html" } });
    assert.equal(response.statusCode, 302, response.body.slice(0, 2000));
    assert.equal(await countCalls(app, operationId), calls.length);
    const after = await lead.get(String(response.headers.location));
    assert.match(after.body, new RegExp(`Imported ${calls.length.toLocaleString("en-GB")} calls for service: 80 complete weeks`));

    const forged = multipart({ _csrf: "wrong" }, { name: "file", content: toCsv(calls.slice(0, 10)) });
    const refused = await app.inject({ method: "POST", url: `${url}/calls`, payload: forged.payload, headers: { "content-type": forged.contentType, cookie, accept: "text/html" } });
    assert.equal(refused.statusCode, 403, "the CSRF check reads multipart forms too");
    assert.equal(await countCalls(app, operationId), calls.length);
  });

  it("with fewer than 104 weeks uses a simpler model and says why", async () => {
    const page = await lead.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Fewer than 104 complete weeks of calls \(80\)/);
    assert.match(page.body, /simpler model that cannot foresee a seasonal peak/);
    assert.match(page.body, /Mean of the last 8 weeks|Naive \(same as last week\)|Simple exponential smoothing/);
  });

  it("forecasts three years of demo calls with a seasonal method, its MASE scores and 80% ranges, in a chart and a table", async () => {
    await app.services.planner.replaceCalls(operationId, [], { isDemo: false, importedAt: new Date().toISOString() });
    const loaded = await loadDemoCalls(app.services, operationId);
    assert.equal(loaded.created, true);
    assert.ok(loaded.calls > 20_000 && loaded.calls < 50_000, `${loaded.calls} demo calls`);
    assert.deepEqual(await loadDemoCalls(app.services, operationId), { calls: loaded.calls, created: false }, "loading the demo again adds nothing");

    const page = await lead.get(`${url}?weeks=52`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Demo data/);
    assert.match(page.body, /synthetic/);
    assert.match(page.body, /Method used: <strong>(Holt-Winters|Regression on trend and time of year)/);
    for (const label of ["Seasonal naive (same week last year)", "Holt-Winters (additive, 52-week season)", "Regression on trend and time of year"]) assert.ok(page.body.includes(label), label);
    assert.match(page.body, /<svg[^>]+role="img"[^>]+aria-labelledby="demand-chart-title demand-chart-description"/);
    assert.match(page.body, /<desc id="demand-chart-description">Weekly emergency and priority calls/);
    assert.doesNotMatch(page.body, /\sstyle="/, "no inline styles: the CSP forbids them");
    const forecastRows = page.body.split('id="forecast-table"')[1]!.split("</table>")[0]!.match(/<tr class="govuk-table__row">/g) ?? [];
    assert.equal(forecastRows.length, 1 + 52, "a header row and one row a week");
    assert.match(page.body, /Emergency 80% range/);
    assertWellFormed(page.body);

    const plan = await app.services.planner.plan(operationId, { horizon: 52 });
    assert.equal(plan.forecast.weeks[0]!.weekStart, mondayOf(londonDate(new Date())), "the forecast starts the week after the last complete one: this week");
    assert.equal(plan.forecast.seasonal, true);
  });

  it("refuses settings that make no sense, with a message for each field", async () => {
    await lead.get(`${url}/settings`);
    const response = await lead.post(`${url}/settings`, { capacityHoursPerWeek: "lots", abstractionPercent: "95", emergencyHours: "2.5", priorityHours: "", scheduledHours: "1", resolvedHours: "0", hourlyRate: "£forty" });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Enter the officer hours on the rota each week as a number, like 600/);
    assert.match(response.body, /Enter the abstraction rate as a percentage from 0 to 90/);
    assert.match(response.body, /Enter the officer hours a priority incident takes/);
    assert.match(response.body, /Enter what an officer hour costs in pounds/);
    assert.match(response.body, /href="#capacityHoursPerWeek"/);
    assertWellFormed(response.body);
  });

  it("shows the hours left week by week, with the summer weeks that fall short highlighted and costed", async () => {
    await lead.get(`${url}/settings`);
    const saved = await lead.post(`${url}/settings`, {
      capacityHoursPerWeek: String(DEMO_SETTINGS.capacityHoursPerWeek),
      abstractionPercent: String(DEMO_SETTINGS.abstractionRate * 100),
      emergencyHours: "2.5",
      priorityHours: "2",
      scheduledHours: "1.5",
      resolvedHours: "0",
      hourlyRate: "£45.00",
    });
    assert.equal(saved.statusCode, 302);
    const page = await lead.follow(saved);
    assert.match(page.body, /Planning settings saved/);

    const plan = await app.services.planner.plan(operationId, { horizon: 52 });
    assert.deepEqual(plan.settings, DEMO_SETTINGS);
    const short = plan.weeks.filter((w) => w.status === "short");
    assert.ok(short.length > 0, "the demo's summer peak leaves some weeks short");
    assert.ok(short.every((w) => ["05", "06", "07", "08", "09"].includes(w.weekStart.slice(5, 7))), `short weeks: ${short.map((w) => w.weekStart)}`);
    // One week checked by hand against its own forecast: 520 × 0.75 = 390 available.
    const week = short[0]!;
    const incidents = plan.forecast.weeks.find((w) => w.weekStart === week.weekStart)!.values;
    const demand = incidents.emergency * 2.5 + incidents.priority * 2 + incidents.scheduled * 1.5;
    assert.ok(Math.abs(week.available - 390) < 1e-9);
    assert.ok(Math.abs(week.hoursLeft - (390 - demand)) < 1e-9);
    assert.ok(Math.abs(week.shortfall - (40 - Math.max(0, 390 - demand))) < 1e-9);
    assert.equal(week.shortfallCostPence, Math.round(week.shortfall * 4500));

    const html = (await lead.get(`${url}?weeks=52`)).body;
    assert.match(html, /weeks fall short of the plan: [\d.,]+ patrol hours the operation will not get, which would cost £[\d,]+ to make up at £45.00 an hour/);
    assert.match(html, /govuk-tag--red">\s*Short by [\d.]+ h/);
    assert.match(html, /<desc id="hours-chart-description">Bar chart of the officer hours left/);
    assert.equal((html.match(/ob-week--short/g) ?? []).length, short.length);
    assertWellFormed(html);
  });

  it("shows the budget, its burn rate and run-out date, and moves the date when the planned hours change", async () => {
    const user = { id: (await signedInClient(app, "operation-lead")).id };
    const budgeted = await createOperation(app);
    const url = `/staff/operations/${budgeted}/planner`;
    await app.services.planner.saveSettings(budgeted, { capacityHoursPerWeek: "500", abstractionPercent: "20", emergencyHours: "2", priorityHours: "2", scheduledHours: "1", resolvedHours: "0", hourlyRate: "45" }, user);
    await lead.get(`${url}/budget`);
    const today = londonDate(new Date());
    const [year, month, day] = today.split("-");
    const added = await lead.post(`${url}/budget/allocations`, { "allocation-description": "Force summer funding", "allocation-amount": "£50,000", "allocation-date-day": day!, "allocation-date-month": month!, "allocation-date-year": year! });
    assert.equal(added.statusCode, 302);
    await lead.get(`${url}/budget`);
    const tomorrow = addDays(today, 1).split("-");
    const future = await lead.post(`${url}/budget/spend`, { "spend-description": "CCTV hire", "spend-amount": "700", "spend-date-day": tomorrow[2]!, "spend-date-month": tomorrow[1]!, "spend-date-year": tomorrow[0]! });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /Spend must be on or before today/);
    assert.match(future.body, /href="#spend-date-day"/);
    assertWellFormed(future.body);
    assert.equal((await lead.post(`${url}/budget/spend`, { "spend-description": "CCTV hire", "spend-amount": "700", "spend-date-day": day!, "spend-date-month": month!, "spend-date-year": year! })).statusCode, 302);

    // The operation started 70 days ago: £700 over 10 weeks is £70 a week. Planned 40 h × £45 = £1,800.
    // £49,300 left ÷ (£1,870 ÷ 7) = 184.5 → 184 days. At 80 h: £3,670 a week → 94.0 → 94 days.
    const budget = await app.services.planner.budget(budgeted);
    assert.equal(budget.current.remainingPence, 4_930_000);
    assert.equal(budget.current.burnPerWeekPence, 187_000);
    assert.equal(budget.current.runsOutOn, addDays(today, 184));
    const page = await lead.get(`${url}/budget?plannedHours=80`);
    assert.equal(page.statusCode, 200);
    const whatIf = page.body.split('id="what-if-result"')[1]!;
    assert.match(whatIf, /At <strong>80 hours a week<\/strong> the money goes out at £3,670 a week/);
    const expected = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/London" });
    assert.ok(whatIf.includes(`runs out on <strong>${expected.format(new Date(`${addDays(today, 94)}T12:00:00Z`))}</strong>`));
    assert.ok(whatIf.includes(`against ${expected.format(new Date(`${addDays(today, 184)}T12:00:00Z`))} at the planned 40 hours`));
    assert.match(page.body, /Hours delivered are the patrols officers logged in openbeat/);
    assertWellFormed(page.body);

    const invalid = await lead.get(`${url}/budget?plannedHours=lots`);
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /Enter the planned officer hours a week as a number/);

    const line = budget.spend[0]!;
    await lead.get(`${url}/budget`);
    assert.equal((await lead.post(`${url}/budget/spend/${line.id}/remove`, {})).statusCode, 302);
    assert.equal((await app.services.planner.budget(budgeted)).spend.length, 0);
  });

  it("shows the public only the past: planned against delivered hours, delivered being 0 until patrols are logged", async () => {
    const weeks = await app.services.planner.plannedAgainstDelivered(operationId);
    assert.ok(weeks.length >= 9 && weeks.length <= 11, `${weeks.length} weeks`);
    assert.ok(weeks.every((w) => w.weekStart < mondayOf(londonDate(new Date())) && w.delivered === 0));
    assert.equal(weeks.at(-1)!.planned, 40);
  });
});

describe("openbeat forecast and calls import on the command line", () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-forecast-"));
  after(() => fs.rmSync(directory, { recursive: true, force: true }));
  const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(directory, "cli.sqlite")}`, OPENBEAT_DATA_DIR: directory, NODE_ENV: "test" };

  it("prints the forecast as JSON for scripts", async () => {
    const file = path.join(directory, "calls.csv");
    const calls = demoCalls();
    fs.writeFileSync(file, toCsv(calls));
    const { stdout } = await run(process.execPath, ["bin/openbeat.js", "forecast", file, "--weeks", "13", "--json"], { cwd: root, env, maxBuffer: 10 * 1024 * 1024 });
    const result = JSON.parse(stdout) as { method: string; scores: Record<string, number>; weeks: Array<Record<string, unknown>>; notes: string[] };
    assert.ok(["holt-winters", "harmonic-regression", "seasonal-naive"].includes(result.method));
    assert.deepEqual(Object.keys(result.scores).sort(), ["harmonic-regression", "holt-winters", "seasonal-naive"]);
    assert.ok(result.scores[result.method]! <= Math.min(...Object.values(result.scores)));
    assert.equal(result.weeks.length, 13);
    const lastComplete = addDays(mondayOf(londonDate(new Date())), -7);
    assert.equal(result.weeks[0]!.weekStart, addDays(lastComplete, 7), "weeks start on the Monday after the last complete week");
    assert.equal(new Date(`${result.weeks[0]!.weekStart}T00:00:00Z`).getUTCDay(), 1);
    for (const week of result.weeks) {
      assert.equal(typeof week.emergency, "number");
      const [low, high] = week.emergency80 as [number, number];
      assert.ok(low <= (week.emergency as number) && (week.emergency as number) <= high);
      assert.ok(Array.isArray(week.priority80));
    }
    assert.ok(result.notes.some((n) => /Europe\/London/.test(n)));
  });

  it("refuses a file with bad lines, naming them, and imports calls into an operation", async () => {
    const bad = path.join(directory, "bad.csv");
    fs.writeFileSync(bad, "timestamp,grade\n2026-01-05T10:00:00Z,emergency\nyesterday,priority\n");
    await assert.rejects(run(process.execPath, ["bin/openbeat.js", "forecast", bad, "--json"], { cwd: root, env }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /Line 3: The timestamp "yesterday" is not an ISO 8601 date and time/);
      return true;
    });

    const testDatabase = await createTestDatabase("sqlite");
    try {
      const services = createServices(testConfig(testDatabase.target), testDatabase.database);
      const operationId = await services.operationsRepository.create(
        { slug: "cli-op", name: "Operation CLI", summary: "", objectives: "[]", categoriesInScope: "[]", startsOn: "2026-01-01", endsOn: null, plannedHoursPerWeek: 30, status: "active", published: false, isDemo: false, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
        [],
      );
      const file = path.join(directory, "recent.csv");
      const calls = recentCalls(10);
      fs.writeFileSync(file, toCsv(calls));
      const target = testDatabase.target as { file: string };
      const { stdout } = await run(process.execPath, ["bin/openbeat.js", "calls", "import", file, "--operation", String(operationId)], { cwd: root, env: { ...env, DATABASE_URL: `sqlite:${target.file}` } });
      assert.match(stdout, new RegExp(`Imported ${calls.length} calls for service into Operation CLI`));
      assert.match(stdout, /10 complete weeks/);
      assert.equal((await services.planner.callsSummary(operationId)).calls, calls.length);
    } finally {
      await testDatabase.drop();
    }
  });
});

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG A, AA and best-practice checks. The script goes in as text: tsx's helpers do not exist in the page. */
async function assertAccessible(page: Page, label: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target) + ": " + (n.failureSummary || "")) }));
  })()`);
  assert.deepEqual(violations, [], `axe-core found violations on ${label}:\n${JSON.stringify(violations, null, 2)}`);
}

describe("planner pages in a browser", { skip: process.env.OPENBEAT_TEST_BROWSER === "0" ? "OPENBEAT_TEST_BROWSER=0" : false }, () => {
  let running: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let base: string;
  let cookie: string;

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
    const demo = (await running.app.services.operations.list())[0]!;
    await loadDemoCalls(running.app.services, demo.id);
    base = `/staff/operations/${demo.id}/planner`;
    const { client } = await signedInClient(running.app, "operation-lead");
    cookie = client.cookies.get(SESSION_COOKIE)!;
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  for (const javaScript of [true, false]) {
    it(`work and pass axe-core with JavaScript ${javaScript ? "on" : "off"}`, async () => {
      const { context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript });
      await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url: running.baseUrl }]);
      for (const pathname of [`${base}?weeks=52`, `${base}/calls`, `${base}/settings`, `${base}/budget?plannedHours=60`]) {
        const response = await page.goto(pathname);
        assert.equal(response?.status(), 200, pathname);
        assert.ok(await page.locator("h1").isVisible());
        if (javaScript) await assertAccessible(page, pathname);
      }
      await page.goto(`${base}?weeks=52`);
      assert.ok((await page.locator("#hours-table .govuk-tag--red").count()) > 0, "summer weeks short of the plan are highlighted");
      await page.goto(`${base}/settings`);
      await page.getByLabel("Officer hours on the rota a week").fill("many");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.locator(".govuk-error-summary").waitFor();
      if (javaScript) await assertAccessible(page, "settings with errors");
      assert.deepEqual(pageErrors, []);
      await context.close();
    });
  }

  it("fit a 320 pixel wide screen without scrolling sideways (wide tables scroll inside themselves)", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { width: 320 });
    await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url: running.baseUrl }]);
    for (const pathname of [`${base}?weeks=13`, `${base}/calls`, `${base}/settings`, `${base}/budget?plannedHours=60`]) {
      await page.goto(pathname);
      assert.ok((await page.evaluate("document.documentElement.scrollWidth")) as number <= 320, `${pathname} scrolls sideways`);
    }
    await context.close();
  });
});
