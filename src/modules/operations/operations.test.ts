// The operation lead's pages without JavaScript: set up an operation with its areas (pasted
// GeoJSON, a ring, LSOA codes), the refusals that say what to fix, changing its details and one
// area at a time (each change a new version of the evaluation design), and who may do what.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import type { PageClient } from "../../../test/support/client.ts";
import { writeSyntheticSample } from "../../../test/fixtures/police-uk/sample.ts";
import { DEMO_COMPARISON, DEMO_TARGET } from "../demo/demo.service.ts";
import { fromJson } from "../../db/database.ts";

const box = (west: number, south: number, east: number, north: number) => ({
  type: "Polygon" as const,
  coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
});

/** A complete new-operation form; each test changes what it is about. */
function newOperationForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    name: "Operation Hamstel",
    slug: "",
    summary: "Patrols and partner work around Hamstel Road.",
    objectives: "Reduce kerb crawling\n\n  Help women out of exploitation  \n",
    categoriesInScope: ["kerb-crawling", "drug-litter"],
    "startsOn-day": "1",
    "startsOn-month": "4",
    "startsOn-year": "2018",
    "endsOn-day": "",
    "endsOn-month": "",
    "endsOn-year": "",
    plannedHoursPerWeek: "40",
    status: "active",
    published: "yes",
    "target-kind": "geojson",
    "target-geojson": JSON.stringify(DEMO_TARGET),
    "buffer-kind": "ring",
    "buffer-metres": "400",
    "comparison-kind": "geojson",
    "comparison-geojson": JSON.stringify({ type: "Feature", properties: {}, geometry: DEMO_COMPARISON }),
    ...overrides,
  };
}

/** The GOV.UK error summary's messages, as the page shows them. */
function problems(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
  return [...summary.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}: ${m[2]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').trim()}`);
}

describeEachDatabase("the operation lead's operation editor", (context) => {
  let app: FastifyInstance;
  let lead: PageClient;
  let leadId: number;
  let created: number;

  const designs = (operationId: number) => context().database.db.selectFrom("evaluationDesigns").selectAll().where("operationId", "=", operationId).orderBy("version").execute();
  const areaRows = (operationId: number) => context().database.db.selectFrom("areas").selectAll().where("operationId", "=", operationId).orderBy("id").execute();

  /** Opens the form first, as a person would, so the post carries its CSRF token. */
  const submit = async (path: string, fields: Record<string, string | string[]>, formPath = path === "/staff/operations" ? "/staff/operations/new" : path) => {
    await lead.get(formPath);
    return lead.post(path, fields);
  };

  before(async () => {
    app = await testApp(context());
    await app.services.imports.run([writeSyntheticSample({ months: ["2018-02", "2018-03", "2018-04"], rowsPerWeight: 2 }).folder], { source: "cli" });
    ({ client: lead, id: leadId } = await signedInClient(app, "operation-lead"));
  });
  after(async () => app.close());

  it("the operation lead finds Operations in the menu, and sets one up by pasting GeoJSON with a ring for the buffer", async () => {
    const home = await lead.get("/staff");
    assert.match(home.body, /href="\/staff\/operations"[^>]*>\s*Operations/);
    const list = await lead.get("/staff/operations");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /href="\/staff\/operations\/new"/);

    const form = await lead.get("/staff/operations/new");
    assert.equal(form.statusCode, 200);
    for (const name of ["name", "slug", "summary", "objectives", "categoriesInScope", "startsOn-day", "endsOn-year", "plannedHoursPerWeek", "status", "published", "target-kind", "target-geojson", "target-lsoas", "buffer-metres", "comparison-geojson"]) {
      assert.match(form.body, new RegExp(`name="${name}"`), `the form asks for ${name}`);
    }
    assert.doesNotMatch(form.body, /name="target-metres"/, "only the buffer can be a ring");

    const response = await submit("/staff/operations", newOperationForm());
    assert.equal(response.statusCode, 302, problems(response.body).join("\n"));
    const location = String(response.headers.location);
    assert.match(location, /^\/staff\/operations\/\d+\?saved=created$/);
    created = Number(/\/(\d+)\?/.exec(location)![1]);

    const operation = (await app.services.operations.find(created))!;
    assert.equal(operation.name, "Operation Hamstel");
    assert.equal(operation.slug, "operation-hamstel", "a blank short name is made from the name");
    assert.deepEqual(fromJson(operation.objectives, []), ["Reduce kerb crawling", "Help women out of exploitation"]);
    assert.deepEqual(fromJson(operation.categoriesInScope, []), ["kerb-crawling", "drug-litter"]);
    assert.equal(operation.startsOn, "2018-04-01");
    assert.equal(operation.endsOn, null);
    assert.equal(Number(operation.plannedHoursPerWeek), 40);
    assert.equal(operation.status, "active");
    assert.equal(Boolean(operation.published), true);

    const areas = await areaRows(created);
    assert.deepEqual(areas.map((a) => [a.role, a.definition]), [["target", "polygon"], ["buffer", "ring"], ["comparison", "polygon"]]);
    assert.deepEqual(JSON.parse(areas[0]!.geometry), DEMO_TARGET);
    assert.equal(Number(areas[1]!.ringMetres), 400);
    assert.deepEqual(JSON.parse(areas[2]!.geometry), DEMO_COMPARISON, "the Feature's geometry is kept");
    assert.equal((await designs(created)).length, 1, "the evaluation design is recorded when the operation is set up");

    const page = await lead.follow(response);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Operation created\./);
    assert.match(page.body, /<h1 class="govuk-heading-l">Operation Hamstel<\/h1>/);
    for (const text of ["Running", "Reduce kerb crawling", "Kerb crawling", "A ring of 400 metres around the target", "Drawn on the map or pasted as GeoJSON"]) assert.ok(page.body.includes(text), text);
    for (const href of [`/staff/operations/${created}/activity`, `/staff/operations/${created}/planner/budget`, `/staff/operations/${created}/evaluation`, `/staff/operations/${created}/edit`, `/staff/operations/${created}/areas/buffer`]) {
      assert.ok(page.body.includes(`href="${href}`), href);
    }
    assert.ok((await lead.get("/staff/operations")).body.includes(`href="/staff/operations/${created}"`), "the new operation is listed");
  });

  it("takes areas given as LSOA codes, and says when an LSOA holds no imported data", async () => {
    const lsoas = await submit(
      "/staff/operations",
      newOperationForm({ name: "Operation LSOA", slug: "op-lsoa", "target-kind": "lsoas", "target-lsoas": "e01015840, E01015894", "comparison-kind": "lsoas", "comparison-lsoas": "E01015917 E01015848" }),
    );
    assert.equal(lsoas.statusCode, 302, problems(lsoas.body).join("\n"));
    const id = Number(/\/(\d+)\?/.exec(String(lsoas.headers.location))![1]);
    const features = await app.services.areas.features(id);
    assert.deepEqual(features[0]!.properties.lsoaCodes, ["E01015840", "E01015894"]);
    assert.equal(features[0]!.properties.snapPoints, 2);
    assert.equal((await app.services.operations.find(id))!.slug, "op-lsoa");

    const missing = await submit("/staff/operations", newOperationForm({ name: "Operation Typo", "target-kind": "lsoas", "target-lsoas": "E01099999" }));
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(problems(missing.body), ["target-lsoas: No police.uk data holds LSOA E01099999 (target area). Check the code, or import the street files that cover it first (openbeat import police-uk FILES)."]);
    const malformed = await submit("/staff/operations", newOperationForm({ name: "Operation Typo", "target-kind": "lsoas", "target-lsoas": "E0101584" }));
    assert.deepEqual(problems(malformed.body), ["target-lsoas: E0101584 is not an LSOA code: LSOA codes look like E01015840"]);
    assert.equal((await app.services.operations.list()).filter((o) => o.name === "Operation Typo").length, 0, "nothing is created when an area is refused");
  });

  it("refuses an incomplete form with a message for each answer to fix, and keeps what was typed", async () => {
    const response = await submit("/staff/operations", {
      name: "",
      "startsOn-day": "31",
      "startsOn-month": "2",
      "startsOn-year": "2018",
      plannedHoursPerWeek: "lots",
      status: "",
      summary: "Kept as typed",
      "target-kind": "",
      "buffer-kind": "ring",
      "buffer-metres": "9000",
      "comparison-kind": "geojson",
      "comparison-geojson": "",
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(problems(response.body), [
      "name: Enter the operation's name",
      "startsOn: The date the operation starts must be a real date, like 1 4 2018",
      "plannedHoursPerWeek: Enter the planned officer hours a week as a number from 0 to 10000, like 40",
      "status: Choose whether the operation is planned, running or ended",
      "target-kind: Choose how to give the target area",
      "buffer-metres: Enter the buffer's width in whole metres, from 1 to 5,000, like 400",
      "comparison-geojson: Paste the comparison area as GeoJSON, or draw it on the map",
    ]);
    assert.match(response.body, /Kept as typed/);
    assert.match(response.body, /<title>Error: Set up an operation/);
  });

  it("refuses GeoJSON that is not a sound area, a buffer inside the target, a comparison that overlaps, and a short name in use", async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ "target-geojson": '{"type":"Polygon","coordinates":[[[0.72,51.53],[0.74,51.53],[0.72,51.53]]]}' }, "target-geojson: The target area's outline has 2 corners: an area needs at least 3 corners, and the ring at least 4 positions with the first repeated at the end"],
      [{ "target-geojson": '{"type":"Polygon","coordinates":[[[0.72,51.53],[0.74,51.53],[0.74,51.54],[0.72,51.54]]]}' }, "target-geojson: The target area's outline is not closed: end it with its first position again, [0.72, 51.53] (it ends at [0.72, 51.54])"],
      [{ "target-geojson": JSON.stringify({ type: "Polygon", coordinates: [[[0.72, 51.53], [0.74, 51.54], [0.74, 51.53], [0.72, 51.54], [0.72, 51.53]]] }) }, "target-geojson: The target area's outline crosses or touches itself near [0.73, 51.535]: redraw it so that its edges only meet at neighbouring corners"],
      [{ "target-geojson": JSON.stringify(box(51.53, 0.72, 51.54, 0.74)) }, "target-geojson: The target area's outline has latitude and longitude the wrong way round: GeoJSON gives longitude first, like [0.7314, 51.5383]"],
      [{ "buffer-kind": "geojson", "buffer-geojson": JSON.stringify(box(0.725, 51.534, 0.74, 51.538)) }, "buffer-geojson: The buffer is inside the target area. Draw the buffer around the outside of the target, or choose a ring of some metres around it"],
      [{ "buffer-kind": "geojson", "buffer-geojson": JSON.stringify(box(0.73, 51.53, 0.76, 51.55)) }, "buffer-geojson: The buffer's edge cuts across the target area. Draw the buffer so that it surrounds the target or lies beside it: the target is left out of the buffer when it is counted"],
      [{ "comparison-geojson": JSON.stringify(box(0.745, 51.535, 0.78, 51.545)) }, "comparison-geojson: The comparison area overlaps the target area. Draw the comparison somewhere similar that the operation does not reach, apart from the target and the buffer"],
      [{ "comparison-geojson": JSON.stringify(box(0.748, 51.541, 0.76, 51.55)) }, "comparison-geojson: The comparison area overlaps the buffer area. Draw the comparison somewhere similar that the operation does not reach, apart from the target and the buffer"],
      [{ slug: "operation-hamstel" }, "slug: Another operation already uses the short name operation-hamstel: choose another, or leave it blank"],
      [{ slug: "Not a Slug!" }, "slug: The short name can only hold lower-case letters, numbers and single dashes between them, up to 60 characters, like ambleside-2018"],
      [{ "endsOn-day": "1", "endsOn-month": "1", "endsOn-year": "2018" }, "endsOn: The end date must be on or after the start date, or left blank while the operation runs"],
      [{ categoriesInScope: ["not-a-category"] }, "categoriesInScope: Choose categories from the list"],
    ];
    const before = (await app.services.operations.list()).length;
    for (const [overrides, expected] of cases) {
      const response = await submit("/staff/operations", newOperationForm({ name: "Operation Refused", ...overrides }));
      assert.equal(response.statusCode, 400, expected);
      assert.deepEqual(problems(response.body), [expected]);
    }
    assert.equal((await app.services.operations.list()).length, before, "nothing refused was created");
  });

  it("changes the operation's details, recording a new design version when the dates change", async () => {
    const form = await lead.get(`/staff/operations/${created}/edit`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /value="Operation Hamstel"/);
    assert.match(form.body, /Reduce kerb crawling\nHelp women out of exploitation<\/textarea>/);
    assert.match(form.body, /name="startsOn-day" type="text" value="1"|value="1"[^>]*name="startsOn-day"/);

    const fields = {
      ...newOperationForm(),
      name: "Operation Hamstel Road",
      slug: "hamstel-road",
      objectives: "Reduce kerb crawling",
      categoriesInScope: ["kerb-crawling"],
      plannedHoursPerWeek: "32.5",
      status: "ended",
      published: [] as string[],
      "endsOn-day": "30",
      "endsOn-month": "9",
      "endsOn-year": "2018",
    };
    const saved = await submit(`/staff/operations/${created}/edit`, fields);
    assert.equal(saved.statusCode, 302, problems(saved.body).join("\n"));
    assert.equal(saved.headers.location, `/staff/operations/${created}?saved=details`);
    const operation = (await app.services.operations.find(created))!;
    assert.deepEqual(
      { name: operation.name, slug: operation.slug, objectives: fromJson(operation.objectives, []), categories: fromJson(operation.categoriesInScope, []), hours: Number(operation.plannedHoursPerWeek), status: operation.status, published: Boolean(operation.published), endsOn: operation.endsOn },
      { name: "Operation Hamstel Road", slug: "hamstel-road", objectives: ["Reduce kerb crawling"], categories: ["kerb-crawling"], hours: 32.5, status: "ended", published: false, endsOn: "2018-09-30" },
    );
    const versions = await designs(created);
    assert.equal(versions.length, 2);
    assert.equal(versions[1]!.reason, "The operation's dates changed from 2018-04-01 to open-ended to 2018-04-01 to 2018-09-30");
    assert.equal(versions[1]!.createdBy, leadId);

    const again = await submit(`/staff/operations/${created}/edit`, { ...fields, summary: "Only the summary changed" });
    assert.equal(again.statusCode, 302);
    assert.equal((await designs(created)).length, 2, "no new design version when the dates stay the same");

    await lead.get(`/staff/operations/${created}/edit`);
    const clash = await submit(`/staff/operations/${created}/edit`, { ...fields, slug: "op-lsoa" });
    assert.equal(clash.statusCode, 400);
    assert.deepEqual(problems(clash.body), ["slug: Another operation already uses the short name op-lsoa: choose another"]);
    const blank = await submit(`/staff/operations/${created}/edit`, { ...fields, slug: "", name: "x".repeat(121) });
    assert.deepEqual(problems(blank.body), ["name: Shorten the name to 120 characters or fewer", "slug: Enter a short name for web addresses, like ambleside"]);
  });

  it("changes one area at a time with a reason, working out membership again and recording a design version", async () => {
    const page = await lead.get(`/staff/operations/${created}/areas/buffer`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Change the buffer/);
    assert.match(page.body, /value="ring" checked/);
    assert.match(page.body, /name="buffer-metres"[^>]*value="400"|value="400"[^>]*name="buffer-metres"/);
    assert.match(page.body, /data-areas="\/api\/operations\/\d+\/areas"/);

    const noReason = await submit(`/staff/operations/${created}/areas/buffer`, { "buffer-kind": "geojson", "buffer-geojson": JSON.stringify(box(0.73, 51.53, 0.76, 51.55)), reason: "" });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(problems(noReason.body), [
      "buffer-geojson: The buffer's edge cuts across the target area. Draw the buffer so that it surrounds the target or lies beside it: the target is left out of the buffer when it is counted",
      "reason: Say why the area is changing: it is kept with the evaluation design",
    ]);

    const drawn = box(0.714, 51.528, 0.752, 51.544);
    const saved = await submit(`/staff/operations/${created}/areas/buffer`, { "buffer-kind": "geojson", "buffer-geojson": JSON.stringify(drawn), reason: "Follow the streets kerb crawlers use to leave" });
    assert.equal(saved.statusCode, 302, problems(saved.body).join("\n"));
    assert.equal(saved.headers.location, `/staff/operations/${created}?saved=buffer`);
    const buffer = (await areaRows(created)).find((a) => a.role === "buffer")!;
    assert.equal(buffer.definition, "polygon");
    assert.deepEqual(JSON.parse(buffer.geometry), drawn);
    const versions = await designs(created);
    assert.equal(versions.at(-1)!.reason, "Follow the streets kerb crawlers use to leave");
    const shown = await lead.follow(saved);
    assert.match(shown.body, /The buffer is saved/);

    const overlapping = await submit(`/staff/operations/${created}/areas/comparison`, { "comparison-kind": "geojson", "comparison-geojson": JSON.stringify(box(0.75, 51.54, 0.76, 51.55)), reason: "Closer streets" });
    assert.deepEqual(problems(overlapping.body), ["comparison-geojson: The comparison area overlaps the buffer area. Draw the comparison somewhere similar that the operation does not reach, apart from the target and the buffer"]);
    const targetCut = await submit(`/staff/operations/${created}/areas/target`, { "target-kind": "geojson", "target-geojson": JSON.stringify(box(0.74, 51.535, 0.76, 51.538)), reason: "Move east" });
    assert.deepEqual(problems(targetCut.body), ["target-geojson: The buffer's edge cuts across the target area. Draw the buffer so that it surrounds the target or lies beside it: the target is left out of the buffer when it is counted"]);
    const ringTarget = await submit(`/staff/operations/${created}/areas/target`, { "target-kind": "ring", "target-metres": "400", reason: "x" });
    assert.deepEqual(problems(ringTarget.body), ["target-kind: Choose how to give the target area"]);

    assert.equal((await lead.get(`/staff/operations/${created}/areas/elsewhere`)).statusCode, 404);
    assert.equal((await lead.get("/staff/operations/99999/areas/buffer")).statusCode, 404);
    assert.equal((await lead.get("/staff/operations/99999")).statusCode, 404);
    assert.equal((await lead.get("/staff/operations/nonsense/edit")).statusCode, 404);
  });

  it("shows activity against plan with the budget spent against allocation and the run-out date", async () => {
    const page = await lead.get(`/staff/operations/${created}/activity`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2 class="govuk-heading-m" id="budget">Budget<\/h2>/);
    assert.match(page.body, /The money runs out/);
    assert.ok(page.body.includes(`href="/staff/operations/${created}/planner/budget"`));
  });

  it("lets an analyst read operations but not change them, and keeps officers out", async () => {
    const { client: analyst } = await signedInClient(app, "analyst");
    const list = await analyst.get("/staff/operations");
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Set up an operation/);
    const page = await analyst.get(`/staff/operations/${created}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /\/edit"|\/areas\/buffer"/, "no links to change anything");
    assert.equal((await analyst.get("/staff/operations/new")).statusCode, 403);
    assert.equal((await analyst.get(`/staff/operations/${created}/edit`)).statusCode, 404);
    assert.equal((await analyst.post(`/staff/operations/${created}/areas/buffer`, { "buffer-kind": "ring", "buffer-metres": "100", reason: "x" })).statusCode, 404);

    const { client: officer } = await signedInClient(app, "officer");
    assert.equal((await officer.get("/staff/operations")).statusCode, 403);
    assert.equal((await officer.get(`/staff/operations/${created}`)).statusCode, 404);
    assert.doesNotMatch((await officer.get("/staff")).body, /href="\/staff\/operations"/);
  });
});
