// Areas defined from data (LSOA codes, polygons, snap points, a ring around the target), their
// membership, the refusal of overlapping comparisons, recomputation after an import, the public
// GeoJSON of an operation's areas, and the evaluation page.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import { SYNTHETIC_FORCE, writeSyntheticSample } from "../../../test/fixtures/police-uk/sample.ts";
import { STREET_HEADER } from "../../domain/police-uk.ts";
import { containsPoint } from "../../domain/geo.ts";
import { convexHull, displayPolygon, overlaps, ringAround } from "./geometry.ts";
import type { AreaDefinition } from "./areas.service.ts";

const AMBLESIDE_840 = { longitude: 0.727421, latitude: 51.538327 };
const AMBLESIDE_894 = { longitude: 0.735329, latitude: 51.538412 };
const box = (west: number, south: number, east: number, north: number) => ({
  type: "Polygon" as const,
  coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
});

describe("area outlines", () => {
  it("draws a padded hull around the points, and a ring around it with the target cut out", () => {
    assert.deepEqual(convexHull([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5]]), [[0, 0], [1, 0], [1, 1], [0, 1]]);
    const outline = displayPolygon([[AMBLESIDE_840.longitude, AMBLESIDE_840.latitude], [AMBLESIDE_894.longitude, AMBLESIDE_894.latitude]])!;
    for (const point of [AMBLESIDE_840, AMBLESIDE_894]) assert.ok(containsPoint(outline, point.latitude, point.longitude));
    // 100 m of padding: a point 80 m north of a snap point is inside, one 150 m north is not.
    assert.ok(containsPoint(outline, AMBLESIDE_840.latitude + 80 / 110_574, AMBLESIDE_840.longitude));
    assert.ok(!containsPoint(outline, AMBLESIDE_840.latitude + 150 / 110_574, AMBLESIDE_840.longitude));
    const ring = ringAround(outline, 400)!;
    assert.equal(ring.type === "Polygon" && ring.coordinates.length, 2, "an outer ring and the target as a hole");
    assert.ok(!containsPoint(ring, AMBLESIDE_840.latitude, AMBLESIDE_840.longitude), "the target is not in its own ring");
    assert.ok(containsPoint(ring, AMBLESIDE_840.latitude + 350 / 110_574, AMBLESIDE_840.longitude));
    assert.ok(!containsPoint(ring, AMBLESIDE_840.latitude + 600 / 110_574, AMBLESIDE_840.longitude));
    assert.ok(overlaps(ring, box(0.73, 51.54, 0.74, 51.55)));
    assert.ok(!overlaps(ring, box(0.77, 51.52, 0.79, 51.535)));
  });
});

describeEachDatabase("areas from police.uk data", (context) => {
  let app: FastifyInstance;
  const sample = writeSyntheticSample({ months: ["2018-02", "2018-03", "2018-04", "2018-05"], rowsPerWeight: 3 });
  const lsoas = (codes: string[]): AreaDefinition => ({ kind: "lsoas", lsoaCodes: codes });
  let ambleside: number;

  before(async () => {
    app = await testApp(context());
    await app.services.imports.run([sample.folder], { source: "cli" });
    ambleside = await app.services.areas.createOperation({
      name: "Ambleside",
      startsOn: "2018-04-01",
      target: { definition: lsoas(["E01015840", "E01015894"]) },
      buffer: { definition: { kind: "ring", metres: 400 } },
      comparison: { definition: lsoas(["E01015917", "E01015848"]) },
    });
  });
  after(async () => app.close());

  it("takes an LSOA-defined area's rows by LSOA, draws an outline around them, and fills the buffer ring", async () => {
    const features = await app.services.areas.features(ambleside);
    assert.deepEqual(features.map((f) => f.properties.role), ["target", "buffer", "comparison"]);
    const [target, buffer, comparison] = features as [(typeof features)[0], (typeof features)[0], (typeof features)[0]];
    assert.deepEqual(target.properties.lsoaCodes, ["E01015840", "E01015894"]);
    assert.equal(target.properties.definition, "lsoas");
    assert.equal(target.properties.snapPoints, 2);
    for (const point of [AMBLESIDE_840, AMBLESIDE_894]) assert.ok(containsPoint(target.geometry, point.latitude, point.longitude));
    assert.equal(buffer.properties.definition, "ring");
    assert.equal(buffer.properties.ringMetres, 400);
    assert.equal(buffer.properties.snapPoints, 2, "the two synthetic points within 400 m, not the target's own");
    assert.equal(comparison.properties.snapPoints, 2);
    const design = await context().database.db.selectFrom("evaluationDesigns").selectAll().where("operationId", "=", ambleside).execute();
    assert.equal(design.length, 1, "the design is recorded when the operation is created");
  });

  it("takes a drawn area's rows by location and picked snap points by id; the buffer leaves out the target", async () => {
    const { db } = context().database;
    const comparisonPoints = await db.selectFrom("snapPoints").select("id").where("lsoaCode", "in", ["E01015917"]).execute();
    const id = await app.services.areas.createOperation({
      name: "Drawn",
      startsOn: "2018-04-01",
      target: { definition: { kind: "polygon", geometry: box(0.726, 51.537, 0.729, 51.539) } },
      buffer: { definition: lsoas(["E01015840", "E01015841", "E01015842"]) },
      comparison: { definition: { kind: "snap-points", snapPointIds: comparisonPoints.map((p) => p.id) } },
    });
    const features = await app.services.areas.features(id);
    assert.deepEqual(features.map((f) => [f.properties.role, f.properties.definition, f.properties.snapPoints]), [
      ["target", "polygon", 1],
      ["buffer", "lsoas", 2],
      ["comparison", "snap-points", 1],
    ]);
  });

  it("refuses a comparison that overlaps the target or buffer, saying so", async () => {
    const attempt = (comparison: AreaDefinition) =>
      app.services.areas.createOperation({
        name: "Overlapping",
        startsOn: "2018-04-01",
        target: { definition: lsoas(["E01015840"]) },
        buffer: { definition: { kind: "ring", metres: 400 } },
        comparison: { definition: comparison },
      });
    await assert.rejects(attempt(lsoas(["E01015840", "E01015917"])), /comparison area overlaps the target or buffer/);
    await assert.rejects(attempt(lsoas(["E01015841"])), /comparison area overlaps the target or buffer: 1 police\.uk snap point is in both/);
    await assert.rejects(attempt({ kind: "polygon", geometry: box(0.7305, 51.5395, 0.732, 51.541) }), /overlaps the (target|buffer)/);
    await assert.rejects(attempt(lsoas(["E09999999"])), /No police\.uk data holds LSOA E09999999/);
  });

  it("works membership out again after an import and when an area changes, recording a new design version", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-areas-")), "2018-06-synthetic-street.csv");
    const row = ["", "2018-06", SYNTHETIC_FORCE, SYNTHETIC_FORCE, "0.728000", "51.538600", "On or near Synthetic Mews", "E01015840", "Southend-on-Sea 014B", "Anti-social behaviour", "", ""];
    fs.writeFileSync(file, `${STREET_HEADER.join(",")}\r\n${row.join(",")}\r\n`);
    await app.services.imports.run([file], { source: "cli" });
    const target = (await app.services.areas.features(ambleside))[0]!;
    assert.equal(target.properties.snapPoints, 3, "the new point of a target LSOA joined the target");

    const areas = await context().database.db.selectFrom("areas").selectAll().where("operationId", "=", ambleside).execute();
    const comparison = areas.find((a) => a.role === "comparison")!;
    await app.services.areas.redefine(comparison.id, lsoas(["E01015917"]), "Comparison narrowed to one LSOA", null);
    const features = await app.services.areas.features(ambleside);
    assert.deepEqual(features[2]!.properties.lsoaCodes, ["E01015917"]);
    assert.equal(features[2]!.properties.snapPoints, 1);
    const evaluation = await app.services.evaluation.evaluate(ambleside);
    assert.deepEqual(evaluation.design.versions.map((v) => v.version), [1, 2]);
    assert.equal(evaluation.design.versions[1]!.reason, "Comparison narrowed to one LSOA");
    assert.ok(evaluation.warnings.some((w) => /changed after the operation started \(version 2/.test(w)));
  });

  it("keeps an evaluation until what it reads changes: an import, an area", async () => {
    const first = await app.services.evaluation.evaluate(ambleside);
    assert.deepEqual(await app.services.evaluation.evaluate(ambleside), first, "nothing changed: the same evaluation");

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-areas-")), "2018-07-synthetic-street.csv");
    const row = ["", "2018-07", SYNTHETIC_FORCE, SYNTHETIC_FORCE, "0.728000", "51.538600", "On or near Synthetic Mews", "E01015840", "Southend-on-Sea 014B", "Anti-social behaviour", "", ""];
    fs.writeFileSync(file, `${STREET_HEADER.join(",")}\r\n${row.join(",")}\r\n`);
    await app.services.imports.run([file], { source: "cli" });
    const afterImport = await app.services.evaluation.evaluate(ambleside);
    assert.notEqual(first.sources[0].dataAsOf, "2018-07");
    assert.equal(afterImport.sources[0].dataAsOf, "2018-07", "a newly imported month is in the next evaluation");

    const areas = await context().database.db.selectFrom("areas").selectAll().where("operationId", "=", ambleside).execute();
    await app.services.areas.redefine(areas.find((a) => a.role === "comparison")!.id, lsoas(["E01015848"]), "Comparison moved to the other LSOA", null);
    const afterArea = await app.services.evaluation.evaluate(ambleside);
    assert.equal(afterArea.design.versions.at(-1)!.reason, "Comparison moved to the other LSOA");
  });

  it("evaluates an operation whose areas were drawn as polygons before definitions existed (the demo's)", async () => {
    const now = new Date().toISOString();
    const id = await app.services.operationsRepository.create(
      {
        slug: "drawn-demo",
        name: "Drawn (demo-like)",
        summary: "",
        objectives: "[]",
        categoriesInScope: "[]",
        startsOn: "2018-04-01",
        endsOn: null,
        plannedHoursPerWeek: 0,
        status: "active",
        published: false,
        // Over the real Essex rows: an operation marked as demo would count only synthetic ones.
        isDemo: false,
        createdAt: now,
        updatedAt: now,
      },
      [
        { role: "target", name: "Target", geometry: JSON.stringify(box(0.72, 51.535, 0.74, 51.54)), createdAt: now },
        { role: "buffer", name: "Buffer", geometry: JSON.stringify(box(0.715, 51.53, 0.745, 51.545)), createdAt: now },
        { role: "comparison", name: "Comparison", geometry: JSON.stringify(box(0.775, 51.53, 0.785, 51.535)), createdAt: now },
      ],
    );
    const evaluation = await app.services.evaluation.evaluate("drawn-demo");
    assert.equal(evaluation.operation.id, id);
    const all = evaluation.sources[0].categories.find((c) => c.category === "all crime")!;
    assert.ok(all.counts.target.before! > 0 && all.counts.comparison.before! > 0, JSON.stringify(all.counts));
    assert.ok(evaluation.warnings.some((w) => /first recorded on \d{4}-\d{2}-\d{2}, after the operation started on 2018-04-01: this is a look back/.test(w)));
    const features = await app.services.areas.features(id);
    assert.deepEqual(features.map((f) => [f.properties.role, f.properties.definition]), [
      ["target", "polygon"],
      ["buffer", "polygon"],
      ["comparison", "polygon"],
    ]);
    // The buffer box holds five points; four are inside the target box, so one is the buffer's.
    assert.equal(features[1]!.properties.snapPoints, 1, "the buffer takes the points inside it that are not in the target");
  });

  it("publishes an operation's areas as GeoJSON only once the operation is published", async () => {
    const url = `/api/operations/${ambleside}/areas`;
    assert.equal((await app.inject(url)).statusCode, 404);
    const { client } = await signedInClient(app, "analyst");
    const staffView = await client.get(url);
    assert.equal(staffView.statusCode, 200, "staff who evaluate see it before publication");
    await context().database.db.updateTable("operations").set({ published: true }).where("id", "=", ambleside).execute();
    const response = await app.inject(url);
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.type, "FeatureCollection");
    assert.deepEqual(body.features.map((f: { properties: { role: string } }) => f.properties.role), ["target", "buffer", "comparison"]);
    assert.deepEqual(body.features[0].properties.lsoaCodes, ["E01015840", "E01015894"]);
    assert.ok(["Polygon", "MultiPolygon"].includes(body.features[0].geometry.type), "two LSOAs apart are drawn as two outlines");
    assert.equal((await app.inject("/api/operations/99999/areas")).statusCode, 404);
    const openapi = (await app.inject("/api/openapi.json")).json();
    assert.ok(openapi.paths["/api/operations/{id}/areas"]?.get, "documented in the OpenAPI document");
  });

  it("shows the evaluation to analysts and operation leads, with a table for each figure and the method", async () => {
    const url = `/staff/operations/${ambleside}/evaluation`;
    for (const role of ["analyst", "operation-lead"] as const) {
      const { client } = await signedInClient(app, role);
      const page = await client.get(url);
      assert.equal(page.statusCode, 200, role);
      assert.match(page.body, /<h1 class="govuk-heading-l">Is it working\?<\/h1>/);
      assert.match(page.body, /id="verdict"/);
      assert.match(page.body, /<table class="govuk-table govuk-table--small-text-until-tablet" id="categories">/);
      assert.match(page.body, /Police-generated/);
      assert.match(page.body, /How these figures are worked out/);
      assert.match(page.body, /Not recorded/);
      assert.match(page.body, /Open Government Licence/);
      const list = await client.get("/staff/evaluation");
      assert.match(list.body, new RegExp(`href="/staff/operations/${ambleside}/evaluation"`));
    }
    const { client: officer } = await signedInClient(app, "officer");
    assert.equal((await officer.get(url)).statusCode, 404);
    const { client: analyst } = await signedInClient(app, "analyst");
    assert.equal((await analyst.get("/staff/operations/99999/evaluation")).statusCode, 404);
  });
});
