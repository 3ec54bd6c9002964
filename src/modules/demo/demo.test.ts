// The demo tells one true, consistent story, on SQLite and PostgreSQL, as `npm start` loads it
// (the synthetic operation, then the real 2018 Essex data as its own operation). Every figure is
// checked against the rows behind it: delivered hours against the patrols logged, crime months
// against the operation's periods, each public update's claims against the activity logged, and
// the labels against what the data is.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import { policeUkTestData } from "../../../test/fixtures/police-uk/data.ts";
import { addDays, londonDate, mondayOf } from "../../domain/forecasting.ts";
import { londonToUtc, utcToLondonParts } from "../../domain/time.ts";
import type { OperationRow } from "../operations/operations.repository.ts";
import { fetchPublic, figure, tableRows } from "../dashboard/dashboard.testing.ts";
import { DEMO_OPERATION_SLUG, loadDemo, loadRealDataOperation, REAL_DATA_OPERATION_NAME } from "./demo.service.ts";

const data = policeUkTestData();
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "5 January 2026" → "2026-01-05". */
function isoDate(text: string): string {
  const [day, month, year] = text.split(" ");
  return `${year}-${String(MONTHS.indexOf(month!) + 1).padStart(2, "0")}-${day!.padStart(2, "0")}`;
}

/** The first instant of a UK calendar day. */
const dayStart = (date: string) => londonToUtc(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)), 0, 0).getTime();

const lastCompleteMonth = (now: Date) => {
  const { year, month } = utcToLondonParts(now.toISOString());
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
};

describeEachDatabase("the demo's story", (context, dialect) => {
  let app: FastifyInstance;
  let demo: OperationRow;
  let patrols: Array<{ startedAt: string; endedAt: string | null; isDemo: boolean | number }>;
  const now = new Date();

  /** Hours patrolled between two instants, from the patrol rows themselves. */
  const patrolled = (from: number, to: number) =>
    patrols.reduce((sum, p) => sum + Math.max(0, Math.min(to, Date.parse(p.endedAt!)) - Math.max(from, Date.parse(p.startedAt))) / 3_600_000, 0);

  before(async () => {
    app = await testApp(context());
    const started = performance.now();
    const loaded = await loadDemo(app.services, now);
    const seconds = (performance.now() - started) / 1000;
    console.log(`[${dialect}] the demo loads in ${seconds.toFixed(1)} s`);
    assert.equal(loaded.created, true);
    await loadRealDataOperation(app.services);
    demo = (await app.services.operations.list()).find((o) => o.slug === DEMO_OPERATION_SLUG)!;
    patrols = await app.services.database.db.selectFrom("patrols").select(["startedAt", "endedAt", "isDemo"]).where("operationId", "=", demo.id).execute();
  });
  after(async () => app.close());

  it("runs over two years up to today: twelve months before the start and about a year since", async () => {
    const startsAgo = (now.getTime() - Date.parse(`${demo.startsOn}T00:00:00Z`)) / 86_400_000;
    assert.ok(startsAgo > 330 && startsAgo < 400, `started ${Math.round(startsAgo)} days ago`);
    const evaluation = await app.services.evaluation.evaluate(demo.id);
    assert.equal(evaluation.periods.before.months, 12);
    assert.deepEqual(evaluation.periods.before.monthsWithoutData, []);
    assert.ok(evaluation.periods.after.months >= 11, `${evaluation.periods.after.months} months since the start`);
    assert.deepEqual(evaluation.periods.after.monthsWithoutData, []);
    assert.equal(evaluation.periods.after.to, lastCompleteMonth(now), "police.uk data up to the last complete month");
    assert.equal(evaluation.periods.transition, null, "the operation started on the first of a month");
    assert.ok(!evaluation.warnings.some((w) => /look back/.test(w)), "the design was recorded before the start");
  });

  it("holds synthetic police.uk crime, imported as police.uk files, for every month of both periods in the target, buffer and comparison", async () => {
    const { db } = app.services.database;
    const evaluation = await app.services.evaluation.evaluate(demo.id);
    const police = evaluation.sources[0];
    const all = police.categories.find((c) => c.category === "all crime")!;
    assert.equal(all.monthly.length, evaluation.periods.before.months + evaluation.periods.after.months);
    for (const month of all.monthly) {
      for (const role of ["target", "buffer", "comparison"] as const) assert.ok((month[role] ?? 0) > 0, `${month.month} ${role}: ${month[role]}`);
    }
    assert.ok(police.forces.length > 0 && police.forces.every((f) => /synthetic/i.test(f)), `forces: ${police.forces.join(", ")}`);
    const held = await db.selectFrom("policeMonths").select(["fallsWithin", "month"]).where("fallsWithin", "in", police.forces).where("kind", "=", "street").execute();
    for (const month of all.monthly) assert.ok(held.some((h) => h.month === month.month), `${month.month} is held as an imported month`);
    const marked = await sql<{ demo: number; real: number }>`
      select sum(case when is_demo then 1 else 0 end) as demo, sum(case when is_demo then 0 else 1 end) as real
      from police_crimes where falls_within in (${sql.join(police.forces)})`.execute(db);
    assert.ok(Number(marked.rows[0]!.demo) > 1000, "the synthetic rows are marked as demo data");
    assert.equal(Number(marked.rows[0]!.real), 0);
    const direct = await sql<{ n: number }>`
      select count(*) as n from police_crimes c
      where c.is_demo and c.crime_type <> 'Anti-social behaviour' and c.month >= ${evaluation.periods.before.from} and c.month <= ${evaluation.periods.before.to}
        and c.snap_point_id in (select m.snap_point_id from area_snap_points m join areas a on a.id = m.area_id where a.operation_id = ${demo.id} and a.role = 'target')`.execute(db);
    assert.equal(all.counts.target.before, Number(direct.rows[0]!.n), "the evaluation counts the synthetic rows at the target's snap points");
    const jobs = await db.selectFrom("importJobs").select(["status", "summary"]).execute();
    assert.ok(jobs.some((j) => j.status === "finished" && /synthetic/i.test(j.summary ?? "")), "written by the police.uk importer");
  });

  it("shows no evaluation row of zeros, and a modest fall in the target against the comparison", async () => {
    const html = await fetchPublic(app, `/operations/${DEMO_OPERATION_SLUG}`);
    const rows = tableRows(html, "evaluation").slice(1);
    assert.ok(rows.length > 5);
    for (const row of rows) {
      assert.ok(!row.slice(1, 5).every((cell) => cell === "0"), `${row[0]}: ${row.slice(1, 5).join(" ")}`);
      assert.ok(!row.includes("No data"), `${row[0]} has data for both periods`);
    }
    const all = rows.find((r) => r[0]!.startsWith("All crime"))!;
    const [targetBefore, targetSince, comparisonBefore, comparisonSince] = all.slice(1, 5).map((c) => figure(c)!);
    const relative = targetSince! / targetBefore! / (comparisonSince! / comparisonBefore!);
    assert.ok(relative > 0.7 && relative < 0.97, `target against comparison: ${relative.toFixed(2)}`);
    assert.doesNotMatch(html, /January 2018|July 2018/, "no 2018 crime on an operation that started a year ago");
  });

  it("delivers the hours that the patrols logged, with a dip in the summer when officers answered emergency demand", async () => {
    assert.ok(patrols.length > 100, `${patrols.length} patrols`);
    assert.ok(patrols.every((p) => p.endedAt !== null && Boolean(p.isDemo)), "every patrol ended and is marked as demo data");
    const dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(DEMO_OPERATION_SLUG));
    const since = dashboard.activity.sinceStart;
    const logged = patrolled(dayStart(since.from!), dayStart(addDays(since.to!, 1)));
    assert.ok(Math.abs(since.delivered - logged) < 0.5, `dashboard ${since.delivered} h, patrols ${logged.toFixed(1)} h`);
    assert.ok(since.delivered > 0.6 * since.planned && since.delivered < since.planned, `${since.delivered} of ${since.planned} planned`);
    for (const week of dashboard.activity.weeks) {
      const hours = patrolled(dayStart(week.weekStart), dayStart(addDays(week.weekStart, 7)));
      assert.ok(Math.abs(week.delivered - hours) < 0.1, `week of ${week.weekStart}: ${week.delivered} shown, ${hours} patrolled`);
    }
    // Summer (July and August) against winter (December to February).
    const weekly = (months: number[]) => {
      const weeks: number[] = [];
      for (let week = mondayOf(demo.startsOn); week <= addDays(mondayOf(londonDate(now)), -7); week = addDays(week, 7)) {
        if (months.includes(Number(week.slice(5, 7))) && week >= demo.startsOn) weeks.push(patrolled(dayStart(week), dayStart(addDays(week, 7))));
      }
      return weeks.reduce((a, b) => a + b, 0) / weeks.length;
    };
    assert.ok(weekly([7, 8]) < 0.6 * demo.plannedHoursPerWeek, `summer: ${weekly([7, 8]).toFixed(1)} hours a week`);
    assert.ok(weekly([12, 1, 2]) > 0.9 * demo.plannedHoursPerWeek, `winter: ${weekly([12, 1, 2]).toFixed(1)} hours a week`);

    const { client: lead } = await signedInClient(app, "operation-lead");
    const plan = await app.services.activity.againstPlan(demo.id, 12, now);
    const first = Date.parse(`${plan.rows[0]!.week}T00:00:00Z`);
    const delivered = plan.rows.reduce((sum, r) => sum + r.deliveredHours, 0);
    assert.ok(Math.abs(delivered - patrolled(first, now.getTime())) < 1, `activity against plan: ${delivered} h`);
    assert.ok(plan.rows.filter((r) => r.deliveredHours > 0).length >= 10, "the lead sees the hours of most weeks");
    const budgetPage = await lead.get(`/staff/operations/${demo.id}/planner/budget`);
    assert.doesNotMatch(budgetPage.body, /not logged in openbeat yet/);
    const budget = await app.services.planner.budget(demo.id, { now });
    const all = patrolled(dayStart(demo.startsOn), dayStart(addDays(budget.today, 1)));
    assert.ok(Math.abs(budget.deliveredHours - all) < 0.5, `budget: ${budget.deliveredHours} h, patrols ${all.toFixed(1)} h`);
    assert.equal(budget.current.costedHoursPence, Math.round(budget.deliveredHours * budget.settings!.hourlyRatePence));
    assert.ok(budget.allocations.length >= 2 && budget.spend.length >= 3 && budget.spend.every((s) => s.spentOn <= budget.today));
    assert.ok(budget.current.remainingPence > 0, "the money has not run out yet");
    assert.ok(budget.current.runsOutOn && budget.current.runsOutOn < addDays(budget.today, 365), "but it will within the year at the planned rate");
  });

  it("publishes updates whose every claim has the logged activity behind it", async () => {
    const { db } = app.services.database;
    const updates = await db.selectFrom("publicUpdates").selectAll().where("operationId", "=", demo.id).orderBy("publishedAt").execute();
    assert.ok(updates.length >= 4, `${updates.length} updates`);
    const enforcement = await db.selectFrom("enforcementActions").selectAll().where("operationId", "=", demo.id).execute();
    const letters = await db.selectFrom("warningLetters").selectAll().execute();
    const localHour = (iso: string) => utcToLondonParts(iso).hour;
    for (const update of updates) {
      assert.ok(Boolean(update.isDemo), update.title);
      assert.ok(update.publishedAt < now.toISOString());
      const body = update.body;
      let checked = 0;
      const evenings = /two evening patrols a week between 8pm and midnight/.exec(body);
      if (evenings) {
        checked++;
        const since = isoDate(/[Ss]ince (\d{1,2} \w+ \d{4})/.exec(body)![1]!);
        for (let week = mondayOf(since); addDays(week, 7) <= londonDate(new Date(update.publishedAt)); week = addDays(week, 7)) {
          const inWeek = patrols.filter((p) => p.startedAt >= new Date(dayStart(week)).toISOString() && p.startedAt < new Date(dayStart(addDays(week, 7))).toISOString());
          const evening = inWeek.filter((p) => localHour(p.startedAt) === 20 && Math.round((Date.parse(p.endedAt!) - Date.parse(p.startedAt)) / 3_600_000) === 4);
          assert.ok(evening.length >= 2, `${update.title}: ${evening.length} evening patrols in the week of ${week}`);
        }
      }
      const stops = /stopped (\d+) drivers/.exec(body);
      if (stops) {
        checked++;
        const since = new Date(dayStart(isoDate(/[Ss]ince (\d{1,2} \w+ \d{4})/.exec(body)![1]!))).toISOString();
        const counted = enforcement.filter((e) => e.action === "kerb-crawler-stop" && e.targetGroup === "buyer" && e.occurredAt >= since && e.occurredAt < update.publishedAt);
        assert.equal(counted.length, Number(stops[1]), `${update.title}: kerb-crawler stops`);
      }
      const sent = /sent (\d+) warning letters/.exec(body);
      if (sent) {
        checked++;
        assert.equal(letters.filter((l) => l.sentAt && l.sentAt < update.publishedAt).length, Number(sent[1]), `${update.title}: letters sent`);
      }
      const dip = /[Ff]rom (\d{1,2} \w+ \d{4}) to (\d{1,2} \w+ \d{4}).*?an average of (\d+(?:\.\d)?) hours a week/s.exec(body);
      if (dip) {
        checked++;
        const [from, to] = [isoDate(dip[1]!), isoDate(dip[2]!)];
        const weeks = Math.round((dayStart(addDays(to, 1)) - dayStart(from)) / (7 * 86_400_000));
        const average = patrolled(dayStart(from), dayStart(addDays(to, 1))) / weeks;
        assert.ok(Math.abs(average - Number(dip[3])) <= 0.5, `${update.title}: ${average.toFixed(1)} hours a week patrolled, ${dip[3]} claimed`);
        assert.ok(average < 0.6 * demo.plannedHoursPerWeek);
      }
      if (/closure order/.test(body)) {
        checked++;
        const order = enforcement.find((e) => e.action === "closure-order" && e.occurredAt < update.publishedAt);
        assert.ok(order?.priorActionId, `${update.title}: a closure order after a closure notice`);
      }
      if (/[Nn]one of (it|the enforcement) targeted women selling sex/.test(body)) {
        checked++;
        assert.equal(enforcement.filter((e) => e.targetGroup === "seller" && e.occurredAt < update.publishedAt).length, 0);
      }
      if (/offer a referral/.test(body)) {
        checked++;
        const offered = await db.selectFrom("engagements").select(["referralResponse"]).where("operationId", "=", demo.id).where("referralOffered", "=", true).where("occurredAt", "<", update.publishedAt).execute();
        assert.ok(offered.some((e) => e.referralResponse === "accepted"), `${update.title}: referrals offered, and some taken up`);
      }
      if (/cleared/.test(body)) {
        checked++;
        const answered = await db
          .selectFrom("publicUpdateReports")
          .innerJoin("reports", "reports.id", "publicUpdateReports.reportId")
          .select(["reports.categoryCode", "reports.outcome", "reports.createdAt", "reports.closedAt"])
          .where("publicUpdateReports.publicUpdateId", "=", update.id)
          .execute();
        assert.ok(answered.length > 0);
        for (const report of answered) {
          assert.ok(["drug-litter", "sexual-litter"].includes(report.categoryCode), report.categoryCode);
          assert.equal(report.outcome, "cleared");
          assert.ok(report.closedAt! < update.publishedAt && Date.parse(report.closedAt!) - Date.parse(report.createdAt) <= 2 * 86_400_000, "cleared within two days");
        }
      }
      assert.ok(checked > 0, `${update.title}: the test knows how to check what it says`);
    }
  });

  it("gives residents' reports enough per month and place for the public to see them, and withholds the small figures", async () => {
    const dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(DEMO_OPERATION_SLUG));
    const totals = dashboard.trends.reports.totals;
    // The gate withholds a month's total too when, with the other published figures, it would give a small one away.
    assert.ok(totals.filter((v) => v !== null && v >= 5).length >= 6, `monthly totals: ${totals.join(" ")}`);
    const perCategory = dashboard.trends.reports.series;
    assert.ok(perCategory.some((s) => s.values.some((v) => v === null)), "some small monthly figures are withheld");
    assert.ok(perCategory.some((s) => s.values.some((v) => v !== null && v >= 5)), "and some are published");
    const reportsLayer = dashboard.layers.find((l) => l.key === "reports")!;
    assert.ok(reportsLayer.cells.some((c) => c.total !== null && c.total > 0), "the map shows residents' reports in some cells");
    const open311 = JSON.parse(await fetchPublic(app, "/open311/v2/requests.json", "application/json"));
    assert.ok(open311.length >= 10, `Open311 lists ${open311.length} requests`);
    const quarters = dashboard.activity.quarters;
    assert.ok(quarters.some((q) => q.engagements !== null && q.engagements >= 5), "engagements are published by quarter");
    assert.ok(quarters.some((q) => q.referralsAccepted === null), "small quarterly figures are withheld");
  });

  it("sends warning letters and makes referrals that follow from the sightings and engagements logged", async () => {
    const { db } = app.services.database;
    const letters = await db.selectFrom("warningLetters").selectAll().execute();
    const sentLetters = letters.filter((l) => l.sentAt);
    assert.ok(sentLetters.length >= 3, `${sentLetters.length} letters sent`);
    for (const letter of sentLetters) {
      const ids = JSON.parse(letter.sightingIds) as number[];
      const sightings = await db.selectFrom("vehicleSightings").selectAll().where("id", "in", ids).execute();
      assert.ok(sightings.length >= 2, `${letter.registration}: ${sightings.length} sightings`);
      assert.ok(sightings.some((s) => s.source === "officer" || s.source === "cctv"), `${letter.registration}: corroborated`);
      assert.ok(sightings.every((s) => s.seenAt < letter.approvedAt) && letter.approvedAt <= letter.sentAt!);
      assert.match(letter.registration, /^[A-Z]{2}4\d[A-Z]{3}$/, "a demo plate cannot be a real vehicle's: its age identifier (the 2040s) is not issued yet");
    }
    const register = await app.services.vehicles.register(now);
    assert.ok(register.some((v) => v.status === "proposed"), "a letter waits for the inspector's approval");
    assert.ok(register.some((v) => v.status === "escalated"), "a vehicle seen again after its letter is escalated");
    assert.ok(register.every((v) => !v.unrecognisedFormat), "demo plates are in the current format");

    const referrals = await db
      .selectFrom("referrals")
      .innerJoin("caseEngagements", "caseEngagements.caseId", "referrals.caseId")
      .innerJoin("engagements", "engagements.id", "caseEngagements.engagementId")
      .select(["referrals.id", "referrals.status", "referrals.createdAt", "engagements.occurredAt", "engagements.referralResponse", "engagements.isDemo"])
      .execute();
    assert.ok(referrals.length >= 3, `${referrals.length} referrals`);
    for (const referral of referrals) {
      assert.equal(referral.referralResponse, "accepted", "each follows an engagement where support was accepted");
      assert.ok(referral.occurredAt < referral.createdAt && Boolean(referral.isDemo));
    }
    assert.ok(referrals.some((r) => r.status === "accepted"), "the partner agency took some on");
  });

  it("marks everything synthetic as demo data, and keeps the calls for service the planner needs", async () => {
    const { db } = app.services.database;
    const ofDemo = async (table: "reports" | "engagements" | "enforcementActions" | "publicUpdates" | "callsForService" | "budgetAllocations" | "budgetSpend") =>
      db.selectFrom(table).select("isDemo").where("operationId", "=", demo.id).execute();
    assert.ok(Boolean(demo.isDemo));
    for (const table of ["reports", "engagements", "enforcementActions", "publicUpdates", "callsForService", "budgetAllocations", "budgetSpend"] as const) {
      const rows = await ofDemo(table);
      assert.ok(rows.length > 0, `${table} has demo rows`);
      assert.ok(rows.every((r) => Boolean(r.isDemo)), `every row of ${table} is marked as demo data`);
    }
    const plan = await app.services.planner.plan(demo.id, { now });
    assert.ok(plan.forecast.historyWeeks >= 104 && plan.forecast.seasonal, `${plan.forecast.historyWeeks} weeks of calls, seasonal: ${plan.forecast.seasonal}`);
  });

  it("keeps the real 2018 data as its own operation, labelled real police.uk data and never demo", { skip: data.real ? false : "the real police.uk files are not here" }, async () => {
    const real = (await app.services.operations.list()).find((o) => o.name === REAL_DATA_OPERATION_NAME)!;
    assert.ok(real, "the real-data operation is loaded");
    assert.equal(Boolean(real.isDemo), false, "real police.uk data is not demo data");
    const list = await fetchPublic(app, "/operations");
    const entry = (slug: string) => new RegExp(`<h2[^>]*>\\s*<a[^>]*href="/operations/${slug}"[\\s\\S]*?</h2>`).exec(list)?.[0] ?? "";
    assert.match(entry(real.slug), /Real police\.uk data/);
    assert.doesNotMatch(entry(real.slug), /Demo/);
    assert.match(entry(DEMO_OPERATION_SLUG), /Demo/);
    const page = await fetchPublic(app, `/operations/${real.slug}`);
    assert.match(page, /Real police\.uk data/);
    assert.doesNotMatch(page, /Demo data/);
    // openbeat holds no police activity from 2018: missing, never "0 patrol hours", and no quarter after the operation ended.
    const dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(real.slug));
    assert.deepEqual([dashboard.activity.weeks, dashboard.activity.quarters, dashboard.activity.since.patrolHours], [[], [], null]);
    assert.doesNotMatch(page, /0 patrol hours|0 hours delivered/);
    assert.match(page, /set up in openbeat on \d{1,2} \w+ \d{4}, after it ended/);
    // EVALUATION.md: the target holds 63 crimes before the start and 85 after; no synthetic row leaks in.
    const evaluation = await app.services.evaluation.evaluate(real.id);
    const all = evaluation.sources[0].categories.find((c) => c.category === "all crime")!;
    assert.deepEqual([all.counts.target.before, all.counts.target.after], [63, 85]);
    assert.ok(evaluation.sources[0].forces.every((f) => !/synthetic/i.test(f)));
    assert.match(await fetchPublic(app, `/operations/${DEMO_OPERATION_SLUG}`), /synthetic/i, "the demo's dashboard says its crime is synthetic");
  });

  it("adds nothing when it is loaded again", async () => {
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from reports`.execute(app.services.database.db)).rows[0]!.n);
    const before = await count();
    const again = await loadDemo(app.services);
    assert.equal(again.created, false);
    assert.equal(await count(), before);
  });
});
