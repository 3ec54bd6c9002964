// The public dashboard with the real Essex data (Jan–Jul 2018) and the Ambleside operation,
// on SQLite and PostgreSQL: every figure is the evaluation's own or a direct count, the page,
// the CSV and the GeoJSON say the same, and a visit reads a snapshot unless something changed.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import { policeUkTestData } from "../../../test/fixtures/police-uk/data.ts";
import { hotspots } from "../../domain/hotspots.ts";
import { K_POLICE_UK, publicCell } from "../disclosure/rules.ts";
import { ALL_CRIME, ANTI_SOCIAL_BEHAVIOUR } from "../../domain/police-uk.ts";
import type { Evaluation } from "../evaluation/evaluation.service.ts";
import type { DashboardData } from "./dashboard.service.ts";
import { ASSESSMENTS, format } from "./present.ts";
import { fetchPublic, figure, mapTables, parseCsv, recoverable, tableRows, type CsvRecord } from "./dashboard.testing.ts";

const data = policeUkTestData();
const TARGET = ["E01015840", "E01015894"];
const COMPARISON = ["E01015917", "E01015848"];

describeEachDatabase(`the public dashboard (${data.real ? "real Essex data" : "SYNTHETIC sample"})`, (context, dialect) => {
  let app: FastifyInstance;
  let operationId: number;
  let evaluation: Evaluation;
  let dashboard: DashboardData;
  let csv: CsvRecord[];
  const slug = "ambleside";
  const page = (query = "") => fetchPublic(app, `/operations/${slug}${query}`);

  before(async () => {
    app = await testApp(context());
    const { db } = app.services.database;
    await app.services.imports.run([data.folder], { source: "cli" });
    operationId = await app.services.areas.createOperation({
      name: "Ambleside",
      startsOn: "2018-04-01",
      target: { definition: { kind: "lsoas", lsoaCodes: TARGET } },
      buffer: { definition: { kind: "ring", metres: 400 } },
      comparison: { definition: { kind: "lsoas", lsoaCodes: COMPARISON } },
    });
    await db.updateTable("operations").set({ published: true, updatedAt: new Date().toISOString() }).where("id", "=", operationId).execute();
    evaluation = await app.services.evaluation.evaluate(operationId);
    dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
    csv = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
  });
  after(async () => app.close());

  it("gives the evaluation's verdict, warnings and figures exactly, on the page too", async () => {
    const police = evaluation.sources[0];
    assert.equal(dashboard.evaluation.verdict, evaluation.verdict);
    assert.deepEqual(dashboard.evaluation.warnings, evaluation.warnings);
    assert.deepEqual(dashboard.evaluation.periods, evaluation.periods);
    assert.equal(dashboard.dataAsOf.policeUk, police.dataAsOf);
    assert.deepEqual(
      dashboard.evaluation.categories.map((c) => [c.category, c.counts, c.oddsRatio?.value, c.oddsRatio?.ci95Adjusted, c.assessment]),
      police.categories.map((c) => [c.category, c.counts, c.oddsRatio?.value, c.oddsRatio?.ci95Adjusted, c.assessment]),
    );
    const html = await page();
    assert.ok(html.includes(evaluation.verdict.replace(/'/g, "&#39;")), "the verdict, word for word");
    for (const warning of evaluation.warnings) assert.ok(html.includes(warning.replace(/'/g, "&#39;").replace(/"/g, "&quot;")), warning);
    const rows = tableRows(html, "evaluation").slice(1);
    assert.equal(rows.length, police.categories.length);
    for (const [i, c] of police.categories.entries()) {
      const [, targetBefore, targetAfter, comparisonBefore, comparisonAfter, odds, interval, reading] = rows[i]!;
      assert.deepEqual(
        [figure(targetBefore!), figure(targetAfter!), figure(comparisonBefore!), figure(comparisonAfter!)],
        [c.counts.target.before, c.counts.target.after, c.counts.comparison.before, c.counts.comparison.after],
        c.category,
      );
      assert.equal(odds, format.statistic(c.oddsRatio!.value));
      assert.equal(interval, `${format.statistic(c.oddsRatio!.ci95Adjusted[0])} to ${format.statistic(c.oddsRatio!.ci95Adjusted[1])}`);
      assert.equal(reading, ASSESSMENTS[c.assessment]);
    }
    const { before: crimesBefore, after: crimesAfter } = police.outcomes.byArea.target;
    assert.deepEqual(dashboard.crimeOutcomes.crimes, { before: crimesBefore.crimes, after: crimesAfter.crimes });
    for (const g of dashboard.crimeOutcomes.groups) assert.deepEqual([g.before, g.after], [crimesBefore.groups[g.group], crimesAfter.groups[g.group]], g.group);
    assert.equal(dashboard.crimeOutcomes.reading, police.outcomes.reading);
  });

  it("opens with a plain sentence of monthly rates, since the periods before and since differ in length", async () => {
    const all = dashboard.evaluation.categories.find((c) => c.category === "all crime")!;
    const { before, after } = dashboard.evaluation.periods;
    const rate = (n: number, months: number) => n / months;
    const percent = (a: number, b: number) => Math.round(((b - a) / a) * 100);
    const target = percent(rate(all.counts.target.before!, before.months), rate(all.counts.target.after!, after.months));
    const html = await page();
    const summary = html.slice(html.indexOf('id="plain-summary"'), html.indexOf("</ul>", html.indexOf('id="plain-summary"')));
    assert.ok(html.indexOf('id="plain-summary"') < html.indexOf('id="verdict"'), "the summary comes first");
    assert.match(summary, new RegExp(`${target === 0 ? "did not change" : `${target > 0 ? "rose" : "fell"} ${Math.abs(target)}%`} in the target area`));
    assert.match(summary, new RegExp(`in the ${before.months} months? before the start`));
    assert.match(summary, /in the comparison area, which the operation does not police, it (rose|fell|did not change)/);
  });

  it("shows police.uk months the evaluation holds, and gaps (never zeros) for months it does not", async () => {
    const police = evaluation.sources[0];
    const trend = dashboard.trends.police;
    assert.equal(trend.months[0], evaluation.periods.before.designed.from);
    assert.equal(trend.months.at(-1), police.dataAsOf);
    for (const category of police.categories) {
      const series = trend.series.find((s) => s.key === category.category)!;
      const byMonth = new Map(category.monthly.map((m) => [m.month, m.target]));
      trend.months.forEach((month, i) => assert.equal(series.values[i], byMonth.has(month) ? byMonth.get(month) : null, `${category.category} ${month}`));
    }
    for (const month of evaluation.periods.before.monthsWithoutData) assert.ok(trend.noData.includes(month), month);
    // A direct count of "all crime" in the two target LSOAs, month by month.
    const { rows } = await sql<{ month: string; n: number }>`
      select c.month, count(*) as n from police_crimes c join snap_points p on p.id = c.snap_point_id
      where p.lsoa_code in (${sql.join(TARGET)}) and c.crime_type <> ${ANTI_SOCIAL_BEHAVIOUR} group by c.month`.execute(app.services.database.db);
    const all = trend.series.find((s) => s.key === ALL_CRIME)!;
    for (const row of rows) assert.equal(all.values[trend.months.indexOf(row.month)], Number(row.n), row.month);
    const html = await page();
    const table = tableRows(html, "police-trend-table").slice(1);
    assert.equal(table.length, trend.months.length);
    table.forEach(([month, value], i) => {
      assert.equal(month, format.month(trend.months[i]!));
      assert.equal(figure(value!), all.values[i]);
      if (all.values[i] === null) assert.equal(value, "No data");
    });
  });

  it("maps police.uk rows per cell-month as a direct query counts them, withholding only what it must", async () => {
    const { db } = app.services.database;
    const cells = dashboard.map.cells.map((c) => c.cell);
    assert.ok(cells.length >= 5, `the target and its 400 m buffer cover several cells (${cells.length})`);
    const { rows } = await sql<{ cell: string; month: string; type: string; n: number }>`
      select p.h3_cell as cell, c.month, c.crime_type as type, count(*) as n from police_crimes c join snap_points p on p.id = c.snap_point_id group by p.h3_cell, c.month, c.crime_type`.execute(db);
    for (const layer of dashboard.layers.filter((l) => l.source === "police-uk")) {
      assert.ok(layer.months.length > 0);
      const direct = new Map<string, number>();
      for (const row of rows) {
        if ((row.type === ANTI_SOCIAL_BEHAVIOUR) !== (layer.key === "anti-social-behaviour") || !layer.months.includes(row.month)) continue;
        const key = `${publicCell(row.cell)}|${row.month}`;
        direct.set(key, (direct.get(key) ?? 0) + Number(row.n));
      }
      const totals = cells.map((cell) => layer.months.reduce((sum, month) => sum + (direct.get(`${cell}|${month}`) ?? 0), 0));
      cells.forEach((cell, i) => {
        layer.months.forEach((month, j) => {
          const shown = layer.cells[i]!.months[j];
          const count = direct.get(`${cell}|${month}`) ?? 0;
          if (shown !== null) assert.equal(shown, count, `${layer.key} ${cell} ${month}`);
          if (count > 0 && count < K_POLICE_UK) assert.equal(shown, null, `${layer.key} ${cell} ${month} (${count}) is withheld`);
        });
        if (layer.cells[i]!.total !== null) assert.equal(layer.cells[i]!.total, totals[i], `${layer.key} ${cell} total`);
      });
      // Gi* over every cell, zeros included, from the direct counts.
      const expected = hotspots(cells, totals);
      const exact = layer.cells.every((c) => c.total !== null);
      assert.deepEqual(
        layer.hotspots!.map((h) => [h.z, h.kind]),
        expected.map((h) => [exact && h.z !== null ? Math.round(h.z * 100) / 100 : null, h.kind]),
      );
      for (const h of layer.hotspots!) if (h.kind === "hot") assert.ok(h.z! > 0 && h.q! <= 0.05);
    }
    for (const table of mapTables(csv, cells).filter((t) => t.name !== "Residents' reports")) assert.deepEqual(recoverable(table, K_POLICE_UK), [], table.name);
  });

  it("says in the CSV and the GeoJSON exactly what the page says", async () => {
    const geojson = JSON.parse(await fetchPublic(app, `/operations/${slug}/data.geojson`, "application/geo+json"));
    assert.match(geojson.attribution, /Open Government Licence/);
    assert.ok(csv.some((r) => r.section === "about" && r.figure === "attribution" && /Open Government Licence/.test(r.value)));
    const cellFeatures = geojson.features.filter((f: { properties: { kind: string } }) => f.properties.kind === "cell");
    assert.equal(cellFeatures.length, dashboard.map.cells.length);
    for (const layer of dashboard.layers) {
      const html = await page(`?layer=${layer.key}`);
      const rows = tableRows(html, "map-table").slice(1);
      assert.equal(rows.length, dashboard.map.cells.length);
      for (const [i, cell] of dashboard.map.cells.entries()) {
        const shown = figure(rows[i]![2]!);
        const inCsv = csv.find((r) => r.section === "map" && r.figure === layer.title && r.cell === cell.cell && r.period.includes("/"));
        assert.equal(shown, inCsv ? Number(inCsv.value) : null, `${layer.key} cell ${cell.label} on the page and in the CSV`);
        const feature = cellFeatures.find((f: { properties: { cell: string } }) => f.properties.cell === cell.cell);
        assert.equal(feature.properties.layers[layer.key].total ?? null, shown, `${layer.key} cell ${cell.label} in the GeoJSON`);
        for (const [j, month] of layer.months.entries()) {
          const value = layer.cells[i]!.months[j];
          const row = csv.find((r) => r.section === "map" && r.figure === layer.title && r.cell === cell.cell && r.period === month);
          assert.equal(row ? Number(row.value) : null, value, `${layer.key} ${cell.label} ${month}`);
          assert.equal(feature.properties.layers[layer.key].months[month] ?? null, value);
        }
      }
    }
    const html = await page();
    for (const [category, before, after] of tableRows(html, "evaluation").slice(1).map((r) => [r[0]!.replace(/ \(rises when enforcement rises\)$/, ""), r[1], r[2]])) {
      const counts = csv.filter((r) => r.section === "evaluation" && r.figure === "count" && r.area === "target" && r.category === category);
      assert.deepEqual(counts.map((r) => Number(r.value)), [figure(before!), figure(after!)], category);
    }
    const trend = tableRows(html, "police-trend-table").slice(1);
    const csvTrend = csv.filter((r) => r.section === "trend" && r.category === "All crime (not anti-social behaviour)");
    assert.deepEqual(
      trend.filter(([, value]) => figure(value!) !== null).map(([, value]) => figure(value!)),
      csvTrend.map((r) => Number(r.value)),
    );
    const outcomes = tableRows(html, "crime-outcomes").slice(1, -1);
    for (const [name, before, after] of outcomes) {
      assert.deepEqual(
        csv.filter((r) => r.section === "recorded crime outcomes" && r.figure === "crimes" && r.category === name).map((r) => Number(r.value)),
        [figure(before!), figure(after!)],
        name,
      );
    }
  });

  it("reads a snapshot on each visit, and works the figures out again when an input changes", async () => {
    const operation = await app.services.dashboard.operation(slug);
    const first = await app.services.dashboard.current(operation);
    const again = await app.services.dashboard.current(operation);
    assert.equal(again.data, first.data, "nothing changed: the same figures, not worked out again");

    const timings: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await page();
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    const rows = Number((await sql<{ n: number }>`select count(*) as n from police_crimes`.execute(app.services.database.db)).rows[0]!.n);
    console.log(`[${dialect}] dashboard page with ${rows.toLocaleString("en-GB")} police.uk rows: median ${timings[15]!.toFixed(1)} ms, p95 ${timings[28]!.toFixed(1)} ms`);
    assert.ok(timings[28]! < 1000, "a visit never works the figures out again when nothing changed");

    await app.services.updates.publish({ title: "Evening patrols on Ambleside Drive", body: "Officers patrolled on four evenings.", operationId, reportReferences: [] }, null);
    const changed = await app.services.dashboard.current(operation);
    assert.notEqual(changed.freshness, first.freshness);
    assert.match(await page(), /Evening patrols on Ambleside Drive/);

    await app.services.reports.submit({ category: "drug-litter", occurredAt: new Date(Date.now() - 3_600_000).toISOString(), lat: 51.538327, lng: 0.727421, description: "Needles by the garages.", answers: { needles: "yes" } } as never);
    assert.notEqual((await app.services.dashboard.current(operation)).freshness, changed.freshness, "a report marks it out of date");
  });

  it("lists published operations for other software, in the OpenAPI document", async () => {
    const list = JSON.parse(await fetchPublic(app, "/api/public/operations", "application/json"));
    const entry = list.find((o: { slug: string }) => o.slug === slug);
    assert.equal(entry.name, "Ambleside");
    assert.match(entry.url, /\/operations\/ambleside$/);
    assert.match(entry.data.csv, /\/operations\/ambleside\/data\.csv$/);
    const openapi = JSON.parse(await fetchPublic(app, "/api/openapi.json", "application/json"));
    assert.ok(openapi.paths["/api/public/operations"]?.get, "the route is documented");
    assert.match(await fetchPublic(app, "/operations"), /href="\/operations\/ambleside"/);
    const response = await app.inject({ url: "/operations/no-such-operation", headers: { accept: "text/html" } });
    assert.equal(response.statusCode, 404);
  });

  it("counts police activity of the past only, with people selling sex apart and small figures withheld", async () => {
    const { db } = app.services.database;
    const { id: officerId } = await app.services.auth.addUser({ email: `officer-${dialect}@dashboard.test`, name: "PC Dashboard", role: "officer", password: "correct horse battery staple", mustChangePassword: false });
    const at = (day: number) => new Date(Date.UTC(2018, 4, day, 21, 0)).toISOString();
    const enforcement = (targetGroup: string, day: number) => ({
      operationId, patrolId: null, occurredAt: at(day), latitude: null, longitude: null, h3Cell: null, locationText: null, action: "kerb-crawler-stop", offence: "kerb-crawling",
      targetGroup, subjectReference: null, outcome: "Warned", priorActionId: null, dispersalAuthorisationId: null, officerId, isDemo: false, createdAt: at(day),
    });
    await db.insertInto("enforcementActions").values([...[1, 2, 3].map((d) => enforcement("buyer", d)), enforcement("dealer", 4), enforcement("seller", 5), enforcement("seller", 6)]).execute();
    const engagement = (day: number, referral: string | null) => ({
      operationId, patrolId: null, occurredAt: at(day), latitude: null, longitude: null, h3Cell: null, kind: referral ? "referral-offered" : "welfare-check",
      referralOffered: Boolean(referral), referralResponse: referral, safeguardingConcern: false, officerId, isDemo: false, createdAt: at(day),
    });
    await db.insertInto("engagements").values([engagement(7, "accepted"), engagement(8, "accepted"), ...[9, 10, 11].map((d) => engagement(d, "declined")), engagement(12, null)]).execute();

    const fresh = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
    const quarter = fresh.activity.quarters.find((q) => q.quarter === "2018-Q2")!;
    assert.deepEqual(quarter.enforcement, { buyer: 3, dealer: 1, other: 0 });
    assert.equal(quarter.enforcementTotal, 4, "action against people selling sex is never in the total");
    assert.equal(quarter.againstSellers, null, "2 is withheld");
    assert.equal(quarter.engagements, 6);
    assert.equal(quarter.referralsOffered, 5);
    assert.equal(quarter.referralsAccepted, null, "2 is withheld");
    assert.ok(fresh.activity.weeks.every((w) => w.weekStart < new Date().toISOString().slice(0, 10)), "past weeks only");
    const records = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    const q2 = records.filter((r) => r.period === "2018-Q2");
    assert.ok(q2.some((r) => r.figure === "engagements" && r.value === "6"));
    assert.ok(!q2.some((r) => r.section === "quarterly totals" && (/selling sex/.test(r.figure) || /accepted/.test(r.figure))), "withheld figures are left out");
    assert.ok(!records.some((r) => r.section === "enforcement" && r.period === "2018-Q2" && r.value === "6"), "no total with people selling sex in it");
  });

  it("shows the budget against its allocation only when the operation lead publishes it", async () => {
    assert.doesNotMatch(await page(), /id="budget"/);
    const { client, id } = await signedInClient(app, "operation-lead");
    await app.services.planner.addBudgetLine(operationId, "allocation", { description: "Force summer funding", amount: "12500", "date-day": "1", "date-month": "4", "date-year": "2018" }, { id });
    await client.get(`/staff/operations/${operationId}/dashboard`);
    assert.equal((await client.post(`/staff/operations/${operationId}/dashboard`, {})).statusCode, 400, "a choice is needed");
    await client.get(`/staff/operations/${operationId}/dashboard`);
    const saved = await client.post(`/staff/operations/${operationId}/dashboard`, { publishBudget: "yes" });
    assert.equal(saved.statusCode, 302);
    const html = await page();
    assert.match(html, /id="budget"/);
    assert.match(html, /£12,500/);
    assert.doesNotMatch(html, /runs out|run out/i, "nothing forward-looking");
  });
});
