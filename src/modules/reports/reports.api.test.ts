import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp, validReport } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";
import type { Polygonal } from "../../domain/geo.ts";

describeEachDatabase("reports API", (context, dialect) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  const post = (url: string, payload: unknown) => app.inject({ method: "POST", url, payload: payload as object });

  it("says it is healthy and which database it uses", async () => {
    const response = await app.inject("/healthz");
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: "ok", database: dialect });
  });

  it("lists the categories with their code, name and whether a vehicle is asked for", async () => {
    const categories = (await app.inject("/api/categories")).json() as Array<{ code: string; name: string; askVehicle: boolean }>;
    const codes = categories.map((c) => c.code);
    for (const code of ["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour", "vehicle-repeatedly-seen", "feeling-unsafe", "other"]) {
      assert.ok(codes.includes(code), `missing ${code}`);
    }
    assert.equal(categories.find((c) => c.code === "kerb-crawling")!.askVehicle, true);
    assert.equal(categories.find((c) => c.code === "drug-litter")!.askVehicle, false);
  });

  it("takes an anonymous report and answers with a reference and a receipt code", async () => {
    const response = await post("/api/reports", validReport());
    assert.equal(response.statusCode, 201, response.body);
    const { reference, receiptCode } = response.json();
    assert.match(reference, /^OB-[0-9A-Z]{7}$/);
    assert.match(receiptCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.equal(response.headers["cache-control"], "no-store");

    const { db } = context().database;
    const stored = await db.selectFrom("reports").selectAll().where("reference", "=", reference).executeTakeFirstOrThrow();
    assert.notEqual(stored.receiptHash, receiptCode, "the receipt code is stored only as a hash");
    assert.ok(!JSON.stringify(stored).includes(receiptCode.replace(/-/g, "")));
    assert.equal(stored.status, "received");
    assert.match(stored.h3Cell ?? "", /^89/);
    const sighting = await db.selectFrom("vehicleSightings").selectAll().where("reportId", "=", stored.id).executeTakeFirstOrThrow();
    assert.equal(sighting.registration, "AB12CDE");
    assert.equal(sighting.registrationFormat, "current");
  });

  it("stores no contact unless one is given, and encrypts an email when it is", async () => {
    const { db } = context().database;
    const anonymous = (await post("/api/reports", validReport())).json();
    const withEmail = (await post("/api/reports", validReport({ contact: { email: "resident@example.org" } }))).json();
    const contacts = await db
      .selectFrom("reportContacts")
      .innerJoin("reports", "reports.id", "reportContacts.reportId")
      .select(["reports.reference", "reportContacts.emailEncrypted"])
      .execute();
    assert.ok(!contacts.some((c) => c.reference === anonymous.reference));
    const stored = contacts.find((c) => c.reference === withEmail.reference);
    assert.ok(stored);
    assert.ok(!stored.emailEncrypted.includes("resident@example.org"));
    const events = await db.selectFrom("auditEvents").selectAll().where("operation", "=", "collection").execute();
    assert.ok(events.some((e) => e.recordType === "report-contact"));
  });

  it("names each bad field in a 400", async () => {
    const response = await post("/api/reports", validReport({ category: "", occurredAt: "yesterday", description: "" }));
    assert.equal(response.statusCode, 400);
    const body = response.json();
    const fields = body.fields.map((f: { field: string }) => f.field);
    assert.ok(fields.includes("occurredAt"), JSON.stringify(body));
    assert.ok(fields.includes("description"), JSON.stringify(body));
    for (const field of body.fields) assert.ok(field.message.length > 5);
  });

  it("refuses unknown categories, places outside the UK, future times and bad registrations with messages that say what to fix", async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ category: "burglary" }, "category", /Choose a category/],
      [{ lat: 48.85, lng: 2.35 }, "lat", /outside the UK/],
      [{ lat: undefined, lng: undefined }, "locationText", /Say where/],
      [{ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }, "occurredAt", /in the past/],
      [{ vehicle: { registration: "AB12 CDE!" } }, "vehicle.registration", /letters and numbers/],
      [{ answers: { what: "something-else" } }, "answers.what", /Choose one of the answers/],
      [{ category: "drug-litter", answers: { needles: "yes" } }, "vehicle", /not asked for/],
      [{ description: "<script>alert(1)</script>" }, "description", /between < and >/],
    ];
    for (const [change, field, message] of cases) {
      const response = await post("/api/reports", validReport(change));
      assert.equal(response.statusCode, 400, `${JSON.stringify(change)}: ${response.body}`);
      const problem = response.json().fields.find((f: { field: string }) => f.field === field);
      assert.ok(problem, `${field} not named in ${response.body}`);
      assert.match(problem.message, message);
    }
  });

  it("refuses an unknown field rather than ignoring it", async () => {
    const response = await post("/api/reports", validReport({ ipAddress: "203.0.113.9" }));
    assert.equal(response.statusCode, 400);
  });

  it("answers 413 to an oversized body, and 400 to malformed JSON", async () => {
    const big = await post("/api/reports", validReport({ description: "x".repeat(200_000) }));
    assert.equal(big.statusCode, 413);
    assert.match(big.json().message, /larger than/);
    const malformed = await app.inject({ method: "POST", url: "/api/reports", payload: "{not json", headers: { "content-type": "application/json" } });
    assert.equal(malformed.statusCode, 400);
  });

  it("follows a report by receipt code, and answers an unknown code exactly as a wrong one", async () => {
    const { reference, receiptCode } = (await post("/api/reports", validReport())).json();
    const tracked = await post("/api/track", { receiptCode: receiptCode.toLowerCase().replace(/-/g, " ") });
    assert.equal(tracked.statusCode, 200);
    assert.equal(tracked.json().reference, reference);
    assert.equal(tracked.json().status, "received");
    assert.deepEqual(tracked.json().updates, []);

    const unknown = await post("/api/track", { receiptCode: "0000-0000-0000-0000" });
    const malformed = await post("/api/track", { receiptCode: "not a code" });
    assert.equal(unknown.statusCode, 404);
    assert.equal(malformed.statusCode, 404);
    assert.deepEqual(unknown.json(), malformed.json());
  });

  it("lets the resident add information to an open report", async () => {
    const { receiptCode } = (await post("/api/reports", validReport())).json();
    const added = await post("/api/track/additions", { receiptCode, text: "It happened again tonight." });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(added.json().additions.length, 1);
    const reopen = await post("/api/track/additions", { receiptCode, text: "Reopen", reopen: true });
    assert.equal(reopen.statusCode, 400);
    assert.match(reopen.json().fields[0].message, /still open/);
  });

  it("publishes an OpenAPI 3 document covering every JSON route", async () => {
    const document = (await app.inject("/api/openapi.json")).json();
    assert.match(document.openapi, /^3\./);
    const jsonRoutes = app.routeTable.filter((route) => !route.hidden);
    assert.ok(jsonRoutes.length >= 5);
    for (const route of jsonRoutes) {
      const path = route.url.replace(/:(\w+)/g, "{$1}");
      assert.ok(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path} is missing from the OpenAPI document`);
    }
    const body = document.paths["/api/reports"].post.requestBody.content["application/json"].schema;
    assert.ok(JSON.stringify(body).includes("occurredAt") || document.components?.schemas?.NewReport);
  });
});

describeEachDatabase("rate limits", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context(), { rateLimits: { reports: 3, tracking: 2, signIn: 5 } });
  });
  after(async () => app.close());

  it("slows repeated receipt-code guesses with a 429 that says how long to wait", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode: `AAAA-BBBB-CCCC-000${i}` } })).statusCode);
    }
    assert.deepEqual(statuses, [404, 404, 429, 429]);
    const limited = await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode: "AAAA-BBBB-CCCC-0009" } });
    assert.ok(Number(limited.headers["retry-after"]) > 0);
    assert.match(limited.json().message, /Wait \d+ minute/);
  });

  it("limits submissions per client, sharing the count through the database", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: "POST", url: "/api/reports", payload: validReport() })).statusCode, 201);
    assert.equal((await app.inject({ method: "POST", url: "/api/reports", payload: validReport() })).statusCode, 429);
    const { db } = context().database;
    const rows = await db.selectFrom("rateLimits").selectAll().execute();
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(!row.key.includes("127.0.0.1"), "the client address is never stored");
  });
});

describeEachDatabase("what anonymous visitors see of operations not yet published", (context) => {
  let app: FastifyInstance;
  let unpublished: number;
  // Chelmsford, well away from the demo operation in Southend.
  const square = (west: number, south: number, east: number, north: number) => [[[west, south], [east, south], [east, north], [west, north], [west, south]]];
  const hiddenTarget: Polygonal = { type: "Polygon", coordinates: square(0.47, 51.73, 0.48, 51.74) };
  const hiddenBuffer: Polygonal = { type: "Polygon", coordinates: [...square(0.465, 51.725, 0.485, 51.745), square(0.47, 51.73, 0.48, 51.74)[0]!.reverse()] };
  before(async () => {
    app = await testApp(context());
    unpublished = await activeOperation(app, "unannounced", { published: false, name: "Unannounced operation", areas: { target: hiddenTarget, buffer: hiddenBuffer } });
  });
  after(async () => app.close());

  it("leaves them out of the report map's areas and its centre, as their dashboards do", async () => {
    assert.equal((await app.inject(`/api/operations/${unpublished}/areas`)).statusCode, 404);
    const areas = (await app.inject("/api/areas/active")).json() as { features: Array<{ properties: { operation: string } }> };
    assert.deepEqual(areas.features.map((f) => f.properties.operation), []);
    const client = new PageClient(app);
    await client.get("/report");
    await client.post("/report", { danger: "no" });
    const where = await client.get("/report/where");
    assert.equal(where.statusCode, 200);
    assert.doesNotMatch(where.body, /data-centre-latitude="51\.73\d*"/, "the map does not open on the unpublished target");

    const published = await activeOperation(app);
    const shown = (await app.inject("/api/areas/active")).json() as { features: Array<{ properties: { operation: string; role: string } }> };
    assert.deepEqual([...new Set(shown.features.map((f) => f.properties.operation))], [`Test operation ${(await app.services.operationsRepository.findById(published))!.slug}`]);
  });

  it("still places a report made inside one in that operation, for its staff", async () => {
    const response = await app.inject({ method: "POST", url: "/api/reports", payload: validReport({ lat: 51.735, lng: 0.475 }) });
    assert.equal(response.statusCode, 201, response.body);
    const stored = await context().database.db.selectFrom("reports").selectAll().where("reference", "=", response.json().reference).executeTakeFirstOrThrow();
    assert.equal(stored.operationId, unpublished);
    assert.equal(stored.areaRole, "target");
  });
});
