// The evaluation's police.uk rows, on SQLite and PostgreSQL. An operation whose periods hold no
// police.uk data: openbeat holds rows for January 2018 but none for the months before or since
// the operation's start (a year ago); the evaluation, the dashboard, its map and its CSV must say
// "no data", never count the missing months as 0 (four zeros, an odds ratio of 1.00 and an
// interval of 0.00391 to 256), and never show 2018 crime for an operation that started years
// later. And synthetic rows (the demo's) beside real ones at the same snap points: each kind of
// operation counts its own.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import { STREET_HEADER } from "../../domain/police-uk.ts";
import { DEMO_BUFFER, DEMO_COMPARISON, DEMO_TARGET } from "../demo/demo.service.ts";
import { fetchPublic, parseCsv, tableRows } from "../dashboard/dashboard.testing.ts";

/** A small street file for January 2018 of a force: rows at the two Ambleside Drive points and in the comparison area. */
function writeJanuary2018(force = "Essex Police"): { folder: string; remove(): void } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-evaluation-"));
  const points = [
    "0.727421,51.538327,On or near Ambleside Drive,E01015840,Southend-on-Sea 014B",
    "0.735329,51.538412,On or near Ambleside Drive,E01015894,Southend-on-Sea 016F",
    "0.779600,51.532700,On or near Comparison Road,E01015917,Southend-on-Sea 020A",
  ];
  const lines = [STREET_HEADER.join(",")];
  for (let i = 0; i < 60; i++) {
    const type = i % 3 === 0 ? "Anti-social behaviour" : "Violence and sexual offences";
    const id = type === "Anti-social behaviour" ? "" : `${force.length.toString(16)}${i.toString(16).padStart(63, "0")}`;
    lines.push(`${id},2018-01,${force},${force},${points[i % points.length]},${type},${id ? "Under investigation" : ""},`);
  }
  fs.writeFileSync(path.join(folder, "2018-01-essex-street.csv"), `${lines.join("\r\n")}\r\n`);
  return { folder, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

describeEachDatabase("an operation with no police.uk data for its periods", (context) => {
  let app: FastifyInstance;
  let operationId: number;
  const slug = "no-data-yet";
  const sample = writeJanuary2018();

  before(async () => {
    app = await testApp(context());
    await app.services.imports.run([sample.folder], { source: "cli" });
    const now = new Date();
    const startsOn = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const at = now.toISOString();
    operationId = await app.services.operationsRepository.create(
      { slug, name: "No data yet", summary: "", objectives: "[]", categoriesInScope: "[]", startsOn, endsOn: null, plannedHoursPerWeek: 0, status: "active", published: true, isDemo: false, createdAt: at, updatedAt: at },
      [
        { role: "target", name: "Target", geometry: JSON.stringify(DEMO_TARGET), createdAt: at },
        { role: "buffer", name: "Buffer", geometry: JSON.stringify(DEMO_BUFFER), createdAt: at },
        { role: "comparison", name: "Comparison", geometry: JSON.stringify(DEMO_COMPARISON), createdAt: at },
      ],
    );
  });
  after(async () => {
    await app.close();
    sample.remove();
  });

  it("counts no month it does not hold: no zeros, no odds ratio, no interval", async () => {
    const evaluation = await app.services.evaluation.evaluate(operationId);
    assert.equal(evaluation.periods.before.months, 0);
    assert.equal(evaluation.periods.after.months, 0);
    for (const category of evaluation.sources[0].categories) {
      for (const role of ["target", "buffer", "comparison"] as const) assert.deepEqual(category.counts[role], { before: null, after: null }, `${category.category} ${role}`);
      assert.equal(category.oddsRatio, null, category.category);
      assert.equal(category.totalNetEffect, null, category.category);
      assert.equal(category.assessment, "no-data", category.category);
    }
    assert.match(evaluation.verdict, /no police\.uk data for the months before the start/);
    assert.doesNotMatch(evaluation.verdict, /too few/i, "no data is not a small number");
  });

  it("says so on the public dashboard and in its CSV, without a row of zeros", async () => {
    const html = await fetchPublic(app, `/operations/${slug}`);
    assert.doesNotMatch(html, /0\.00391|to 256</, "no interval worked out from nothing");
    assert.match(html, /There is no police\.uk data for these periods yet/);
    if (html.includes('id="evaluation"')) {
      for (const row of tableRows(html, "evaluation").slice(1)) assert.deepEqual(row.slice(1, 5), ["No data", "No data", "No data", "No data"], row[0]);
    }
    const csv = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    const evaluation = csv.filter((r) => r.section === "evaluation" && r.figure !== "verdict" && r.figure !== "warning");
    assert.deepEqual(evaluation, [], "no count, odds ratio or interval for periods with no data");
  });

  it("maps no police.uk month outside the operation's periods", async () => {
    const dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
    const evaluation = await app.services.evaluation.evaluate(operationId);
    const first = evaluation.periods.before.designed.from;
    for (const layer of dashboard.layers.filter((l) => l.source === "police-uk")) {
      assert.deepEqual(layer.months.filter((m) => m < first), [], `${layer.key}: months before the operation's before period`);
    }
    assert.doesNotMatch(await fetchPublic(app, `/operations/${slug}`), /January 2018/, "2018 crime is not shown for an operation that started years later");
  });
});

describeEachDatabase("synthetic police.uk rows beside real ones at the same snap points", (context) => {
  let app: FastifyInstance;
  const real = writeJanuary2018();
  const synthetic = writeJanuary2018("Essex Police (synthetic demo data)");
  const operation = async (slug: string, isDemo: boolean) => {
    const at = new Date().toISOString();
    return app.services.operationsRepository.create(
      { slug, name: slug, summary: "", objectives: "[]", categoriesInScope: "[]", startsOn: "2018-01-01", endsOn: "2018-01-31", plannedHoursPerWeek: 0, status: "ended", published: true, isDemo, createdAt: at, updatedAt: at },
      [
        { role: "target", name: "Target", geometry: JSON.stringify(DEMO_TARGET), createdAt: at },
        { role: "buffer", name: "Buffer", geometry: JSON.stringify(DEMO_BUFFER), createdAt: at },
        { role: "comparison", name: "Comparison", geometry: JSON.stringify(DEMO_COMPARISON), createdAt: at },
      ],
    );
  };

  before(async () => {
    app = await testApp(context());
    await app.services.imports.run([real.folder], { source: "cli" });
    await app.services.imports.run([synthetic.folder], { source: "cli" });
    assert.equal(await app.services.imports.markSynthetic("Essex Police (synthetic demo data)"), 60);
  });
  after(async () => {
    await app.close();
    real.remove();
    synthetic.remove();
  });

  it("counts the synthetic rows for a demo operation only, and never for a real one", async () => {
    for (const [slug, isDemo, force] of [["real-operation", false, "Essex Police"], ["demo-operation", true, "Essex Police (synthetic demo data)"]] as const) {
      const evaluation = await app.services.evaluation.evaluate(await operation(slug, isDemo));
      const police = evaluation.sources[0];
      assert.deepEqual(police.forces, [force], slug);
      const all = police.categories.find((c) => c.category === "all crime")!;
      assert.equal(all.monthly[0]!.target, 20, `${slug}: the 20 crimes of one file at Ambleside Drive, not both files'`);
      const dashboard = await app.services.dashboard.data(await app.services.dashboard.operation(slug));
      const crime = dashboard.layers.find((l) => l.key === "crime")!;
      assert.equal(crime.cells.reduce((sum, c) => sum + (c.total ?? 0), 0), 20, `${slug}: the map counts the same rows`);
    }
  });
});
