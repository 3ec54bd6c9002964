// Principle 3 on the dashboard and its downloads: residents' words, registrations, exact points
// and times of day never come out; no published cell-month is under k; no withheld figure can be
// worked out from the totals that are shown; sensitive figures appear only as quarterly totals.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { latLngToCell } from "h3-js";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp } from "../../../test/support/app.ts";
import { h3CellFor } from "../../domain/geo.ts";
import { addMonths } from "../../domain/evaluation.ts";
import { K_POLICE_UK, K_REPORTS, lastCompleteMonth, publicCell, quarterOf } from "../disclosure/rules.ts";
import { reportAt } from "../open311/open311.testing.ts";
import { fetchPublic, mapTables, parseCsv, recoverable, summaryRows, tableRows, type CsvRecord, type PublishedTable } from "./dashboard.testing.ts";
import { markDashboardStale } from "./dashboard.repository.ts";

/** Inside the test operation's target and buffer, each in its own public cell. */
const POINTS = {
  a: { lat: 51.538312, lng: 0.727491 },
  b: { lat: 51.534127, lng: 0.742083 },
  c: { lat: 51.530246, lng: 0.718139 },
};

const SECRETS = {
  words: "zebra-quartz-marmalade",
  location: "behind-number-seventeen-gate",
  registration: "QZ19XYW",
  typedRegistration: "qz19 xyw",
  officer: "Constable Wibberley-Fitch",
};

describeEachDatabase("the public dashboard and privacy", (context) => {
  let app: FastifyInstance;
  let slug: string;
  const urls: string[] = [];
  const month = lastCompleteMonth();
  const at = new Date(`${month}-15T12:00:00Z`);
  /** The time of day residents gave (UK time). */
  const timesOfDay = new Set<string>();
  const inA: string[] = [];
  let operationId: number;

  before(async () => {
    app = await testApp(context());
    const { db } = app.services.database;
    slug = `privacy-${process.pid}`;
    operationId = await activeOperation(app, slug);
    const cells = Object.values(POINTS).map((p) => publicCell(h3CellFor(p.lat, p.lng)));
    assert.equal(new Set(cells).size, 3, "each point in its own public cell");

    const report = async (place: { lat: number; lng: number } | null, when: Date, extra: Record<string, unknown> = {}) => {
      const occurred = new Date(when.getTime() - 97 * 60_000);
      timesOfDay.add(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(occurred));
      return reportAt(app, when, place, {
        occurredAt: occurred.toISOString(),
        description: `${SECRETS.words} saw it from the window`,
        vehicle: { registration: SECRETS.typedRegistration, make: "Ford", colour: "Red" },
        ...extra,
      });
    };
    // The last complete month: six in A (published), two in B and five in C (B under k; C hidden with it).
    for (let i = 0; i < 6; i++) inA.push((await report(POINTS.a, at)).reference);
    for (let i = 0; i < 2; i++) await report(POINTS.b, at);
    for (let i = 0; i < 5; i++) await report(POINTS.c, at);
    // Described in words, with no point; a welfare concern (a sensitive category); one alone the month before.
    await report(null, at, { locationText: `${SECRETS.location} on Ambleside Drive` });
    for (let i = 0; i < 3; i++) await report(POINTS.a, at, { category: "sex-work-welfare", answers: { concerns: ["hurt-or-distressed"] }, vehicle: undefined });
    await report(POINTS.b, new Date(`${addMonths(month, -1)}-10T12:00:00Z`));
    // The month still running: never published, however many.
    for (let i = 0; i < 6; i++) await report(POINTS.a, new Date(Date.now() - 3_600_000));

    // Police activity in the last complete quarter: two engagements and three actions against
    // people selling sex (both under k), six against buyers.
    const { id: officerId } = await app.services.auth.addUser({ email: `officer-${process.pid}@privacy.test`, name: SECRETS.officer, role: "officer", password: "correct horse battery staple", mustChangePassword: false });
    let quarter = quarterOf(month);
    if (quarterOf(addMonths(month, 1)) === quarter) quarter = quarterOf(addMonths(`${quarter.slice(0, 4)}-${String((Number(quarter.slice(6)) - 1) * 3 + 1).padStart(2, "0")}`, -1));
    const inQuarter = new Date(Date.UTC(Number(quarter.slice(0, 4)), (Number(quarter.slice(6)) - 1) * 3 + 1, 10, 22, 41)).toISOString();
    const place = { latitude: POINTS.a.lat, longitude: POINTS.a.lng, h3Cell: h3CellFor(POINTS.a.lat, POINTS.a.lng) };
    const enforcement = (targetGroup: string) => ({
      operationId, patrolId: null, occurredAt: inQuarter, ...place, locationText: SECRETS.location, action: "kerb-crawler-stop", offence: "kerb-crawling",
      targetGroup, subjectReference: null, outcome: "Warned", priorActionId: null, dispersalAuthorisationId: null, officerId, isDemo: false, createdAt: inQuarter,
    });
    await db.insertInto("enforcementActions").values([...Array(6).fill("buyer"), ...Array(3).fill("seller")].map(enforcement)).execute();
    const engagement = { operationId, patrolId: null, occurredAt: inQuarter, ...place, kind: "referral-offered", referralOffered: true, referralResponse: "accepted", safeguardingConcern: true, officerId, isDemo: false, createdAt: inQuarter };
    await db.insertInto("engagements").values([engagement, engagement]).execute();

    // police.uk rows in the area, three months held: counts of 1, 2, 3 and 7 in different cells.
    const policeMonths = [addMonths(month, -2), addMonths(month, -1), month];
    const pointIds: number[] = [];
    for (const [i, p] of Object.values(POINTS).entries()) {
      const { id } = await db
        .insertInto("snapPoints")
        .values({ key: `privacy-${i}`, longitude: p.lng + 0.0004, latitude: p.lat + 0.0003, location: "On or near Test Road", lsoaCode: null, lsoaName: null, h3Cell: latLngToCell(p.lat + 0.0003, p.lng + 0.0004, 9) })
        .returning("id")
        .executeTakeFirstOrThrow();
      pointIds.push(id);
    }
    let n = 0;
    const crimes = (point: number, when: string, count: number, type = "Burglary") =>
      Array.from({ length: count }, () => ({ rowKey: `privacy-${n++}`, crimeId: `privacy-${n}`, month: when, reportedBy: "Test Police", fallsWithin: "Test Police", snapPointId: point, crimeType: type, lastOutcomeCategory: null, context: null, sequence: null }));
    await db.insertInto("policeCrimes").values([...crimes(pointIds[0]!, policeMonths[0]!, 7), ...crimes(pointIds[1]!, policeMonths[0]!, 1), ...crimes(pointIds[2]!, policeMonths[1]!, 2), ...crimes(pointIds[0]!, policeMonths[2]!, 3), ...crimes(pointIds[1]!, policeMonths[2]!, 4, "Anti-social behaviour")]).execute();
    await db.insertInto("policeMonths").values(policeMonths.map((m) => ({ fallsWithin: "Test Police", month: m, kind: "street", rows: 1 }))).execute();
    await app.services.areas.recompute(operationId);
    await markDashboardStale(db, null);

    await app.services.updates.publish({ title: "Patrols increased", body: "Officers patrolled on four evenings.", operationId, reportReferences: [] }, null);

    const base = `/operations/${slug}`;
    const data = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
    urls.push("/", "/operations", "/api/public/operations", base, `${base}/methodology`, `${base}/data.csv`, `${base}/data.geojson`);
    for (const layer of data.layers) urls.push(`${base}?layer=${layer.key}`);
    for (const series of data.trends.police.series) urls.push(`${base}?crime=${encodeURIComponent(series.key)}`);
    for (const series of data.trends.reports.series) urls.push(`${base}?report=${series.key}`);
  });
  after(async () => app.close());

  it("never shows a resident's words, a registration, an exact point, a time of day or a person", async () => {
    const points = Object.values(POINTS).flatMap((p) => [p.lat.toFixed(6), p.lng.toFixed(6)]);
    assert.ok(timesOfDay.size > 0);
    for (const url of urls) {
      const body = await fetchPublic(app, url, url.endsWith(".csv") ? "text/csv" : url.endsWith(".geojson") ? "application/geo+json" : "text/html");
      for (const secret of Object.values(SECRETS)) assert.ok(!body.toLowerCase().includes(secret.toLowerCase()), `${secret} appears in ${url}`);
      assert.ok(!body.includes("QZ19 XYW"), `the registration appears in ${url}`);
      for (const point of points) assert.ok(!body.includes(point), `the point ${point} appears in ${url}`);
      for (const time of timesOfDay) assert.ok(!body.includes(time), `the time of day ${time} appears in ${url}`);
      assert.ok(!/\b\d{2}:\d{2}\b/.test(body.replace(/<script[\s\S]*?<\/script>/g, "")), `a time of day appears in ${url}`);
    }
  });

  it("publishes no cell-month under k, and nothing of the month still running", async () => {
    const records = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    const map = records.filter((r) => r.section === "map" && /^\d{4}-\d{2}$/.test(r.period) && r.cell);
    assert.ok(map.length > 0);
    for (const row of map) {
      const k = row.figure === "Residents' reports" ? K_REPORTS : K_POLICE_UK;
      const value = Number(row.value);
      assert.ok(value === 0 || value >= k, `${row.figure} ${row.cell} ${row.period}: ${value} is under k`);
      assert.ok(row.period <= month, `${row.period} is not over yet`);
    }
    const a = publicCell(h3CellFor(POINTS.a.lat, POINTS.a.lng));
    const published = (cell: string) => map.find((r) => r.figure === "Residents' reports" && r.cell === cell && r.period === month)?.value;
    assert.equal(published(a), "6", "the six reports in A (the welfare concerns never counted)");
    assert.equal(published(publicCell(h3CellFor(POINTS.b.lat, POINTS.b.lng))), undefined, "two in B: withheld");
    // Five in C may be shown: the month's total for the operation, less A and C, leaves B together
    // with the report described in words, which no published figure separates (the cross-output
    // attack in src/modules/disclosure/disclosure.attack.test.ts tries every subtraction).
    const geojson = JSON.parse(await fetchPublic(app, `/operations/${slug}/data.geojson`, "application/geo+json"));
    for (const feature of geojson.features.filter((f: { properties: { kind: string } }) => f.properties.kind === "cell")) {
      for (const [key, layer] of Object.entries(feature.properties.layers as Record<string, { months: Record<string, number> }>)) {
        for (const value of Object.values(layer.months)) assert.ok(value === 0 || value >= (key === "reports" ? K_REPORTS : K_POLICE_UK), `${key}: ${value}`);
      }
    }
  });

  it("leaves no withheld figure to be worked out from a published total", async () => {
    const data = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
    const records = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    const tables = mapTables(records, data.map.cells.map((c) => c.cell));
    assert.ok(tables.some((t) => t.name === "Recorded crime"));
    for (const table of tables) assert.deepEqual(recoverable(table, table.name === "Residents' reports" ? K_REPORTS : K_POLICE_UK), [], table.name);
    assert.ok(data.layers.find((l) => l.key === "crime")!.withheld > 0, "the test has something withheld");
    assert.deepEqual(recoverable(reportTrend(records, data.trends.reports.series.map((s) => s.name)), K_REPORTS), []);
  });

  it("gives sex-work activity seen, engagements, referrals and action against people selling sex only as quarterly totals of k or more", async () => {
    const records = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    const quarterly = records.filter((r) => r.section === "quarterly totals");
    for (const row of quarterly) {
      assert.match(row.period, /^\d{4}-Q[1-4]$/);
      const value = Number(row.value);
      assert.ok(value === 0 || value >= K_REPORTS, `${row.figure} ${row.category} ${row.period}: ${value}`);
    }
    assert.ok(!records.some((r) => r.section !== "quarterly totals" && /selling sex|Concern for someone/i.test(r.category)), "never month by month");
    assert.ok(!quarterly.some((r) => /selling sex/.test(r.figure) && r.value !== "0"), "three actions against people selling sex: withheld");
    assert.ok(!quarterly.some((r) => r.figure === "engagements" && r.value !== "0"), "two engagements: withheld");
    const enforcement = records.filter((r) => r.section === "enforcement" && r.figure.startsWith("total"));
    assert.ok(enforcement.some((r) => r.value === "6"), "six against buyers");
    assert.ok(!enforcement.some((r) => r.value === "9"), "never a total with people selling sex in it");
    const page = await fetchPublic(app, `/operations/${slug}`);
    for (const id of ["enforcement-table", "apart-table"]) {
      const cells = tableRows(page, id).slice(1).flatMap((row) => row.slice(1));
      assert.ok(!cells.includes("9"), `nor on the page (${id})`);
      assert.ok(cells.every((cell) => cell === "Withheld" || Number(cell) === 0 || Number(cell) >= K_REPORTS || id === "enforcement-table"), `${id}: ${cells.join(" ")}`);
    }
  });

  it("says what happened to residents' reports as a direct count does, and works it out again after triage", async () => {
    const operation = await app.services.dashboard.operation(slug);
    const before = await app.services.dashboard.current(operation);
    const officer = { id: 0, email: "", name: SECRETS.officer, role: "officer" as const, mustChangePassword: false, partnerAgencyId: null, twoFactorEnabled: false, twoFactorRequired: false };
    officer.id = (await app.services.database.db.selectFrom("users").select("id").where("name", "=", SECRETS.officer).executeTakeFirstOrThrow()).id;
    const thrive = { threat: "None now.", harm: "Residents' sense of safety.", risk: "Medium.", investigation: "Patrol briefing.", vulnerability: "Possible exploitation.", engagement: "Public update." };
    const graded = new Date(at.getTime() + 3_600_000);
    const close = async (references: string[], offset: number) => {
      for (const [i, reference] of references.entries()) {
        await app.services.triage.grade(reference, { grade: "scheduled", thrive, forceReference: "" }, officer, graded);
        await app.services.triage.move(reference, "closed", i === 0 && offset === 0 ? "passed-to-partner" : "action-taken", officer, new Date(at.getTime() + (offset + i + 1) * 2 * 86_400_000));
      }
    };
    // Three closed: under k, so closed and still open are both withheld (received is known).
    await close(inA.slice(0, 3), 0);
    const three = await app.services.dashboard.current(operation);
    assert.notEqual(three.freshness, before.freshness, "triage marks the dashboard out of date");
    assert.equal(three.data.reportOutcomes.closed, null);
    assert.equal(three.data.reportOutcomes.open, null, "or received less open would give closed away");
    assert.equal(three.data.reportOutcomes.medianDaysToClose, null);
    await close(inA.slice(3, 5), 3);
    const after = await app.services.dashboard.current(operation);
    assert.notEqual(after.freshness, before.freshness, "triage marks the dashboard out of date");

    const { db } = app.services.database;
    const rows = await db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.status", "reports.outcome", "reports.createdAt", "reports.closedAt"])
      .where("reports.operationId", "=", operationId)
      .where("categories.sensitive", "=", false)
      .where("reports.createdAt", "<", `${addMonths(month, 1)}-01T00:00:00.000Z`)
      .execute()
      // Only the months whose total for the operation is published: the month before holds one report.
      .then((all) => all.filter((r) => r.createdAt >= `${month}-01T00:00:00.000Z`));
    const outcomes = after.data.reportOutcomes;
    assert.equal(outcomes.received, rows.length);
    assert.equal(outcomes.closed, rows.filter((r) => r.status === "closed").length);
    assert.equal(outcomes.closed, 5);
    assert.equal(outcomes.open, rows.length - 5);
    // Four and one: both under k, withheld together (their sum, five, is all that can be known).
    assert.equal(outcomes.outcomes.find((o) => o.code === "action-taken")!.count, null);
    assert.equal(outcomes.outcomes.find((o) => o.code === "passed-to-partner")!.count, null);
    assert.equal(outcomes.outcomes.find((o) => o.code === "cleared")!.count, 0);
    assert.equal(outcomes.medianDaysToClose, 6, "closed after 2, 4, 6, 8 and 10 days");
    const summary = summaryRows(await fetchPublic(app, `/operations/${slug}`), "report-outcomes-summary");
    assert.deepEqual(summary, [["Received", String(rows.length)], ["Closed", "5"], ["Still open", String(rows.length - 5)], ["Median days from report to closure", "6"]]);
  });
});

/** The residents' reports trend of the CSV as a published table: months by categories, with the month totals. */
function reportTrend(records: CsvRecord[], categories: string[]): PublishedTable {
  const rows = records.filter((r) => r.section === "trend" && r.figure === "residents' reports");
  const months = [...new Set(rows.map((r) => r.period))].sort();
  const table: PublishedTable = { name: "residents' reports by month", rows: months, columns: categories, cells: new Map(), rowTotals: new Map(), columnTotals: new Map(), grandTotal: null };
  for (const row of rows) {
    if (row.category === "All reports (not sex-work activity seen)") table.rowTotals.set(row.period, Number(row.value));
    else {
      const line = table.cells.get(row.period) ?? new Map<string, number>();
      line.set(row.category, Number(row.value));
      table.cells.set(row.period, line);
    }
  }
  return table;
}
