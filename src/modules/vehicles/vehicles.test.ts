import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { PDFParse } from "pdf-parse";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp, validReport } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";
import { DEMO_BUFFER, DEMO_TARGET } from "../demo/demo.service.ts";
import { letterDateTime, pdfText, renderLetter } from "./letter.ts";
import { FICTIONAL_DEPLOYMENT } from "../../deployment.ts";

const TARGET_POINT = { lat: 51.5383, lng: 0.7274 };
const BUFFER_POINT = { lat: 51.53, lng: 0.73 };
const DAY = 86_400_000;
const RESIDENT_WORDS = "RESIDENT-ONLY: the silver car slowed beside me outside number 14";
const RESIDENT_PLACE = "Outside number 14, by the resident's own gate";

async function pdfTextOf(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

function ukDateParts(date: Date) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", day: "numeric", month: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { "date-day": get("day"), "date-month": get("month"), "date-year": get("year"), time: `${get("hour")}:${get("minute")}` };
}

describeEachDatabase("vehicle register", (context) => {
  let app: FastifyInstance;
  let officer: PageClient;
  let lead: PageClient;
  let analyst: PageClient;

  before(async () => {
    app = await testApp(context());
    const now = new Date().toISOString();
    await app.services.operationsRepository.create(
      {
        slug: "ambleside",
        name: "Operation Ambleside",
        summary: "Kerb crawling on Ambleside Drive",
        objectives: "[]",
        categoriesInScope: "[]",
        startsOn: new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10),
        endsOn: null,
        plannedHoursPerWeek: 40,
        status: "active",
        published: true,
        isDemo: false,
        createdAt: now,
        updatedAt: now,
      },
      [
        { role: "target", name: "Ambleside Drive and nearby streets", geometry: JSON.stringify(DEMO_TARGET), createdAt: now },
        { role: "buffer", name: "400 m around the target", geometry: JSON.stringify(DEMO_BUFFER), createdAt: now },
      ],
    );
    officer = (await signedInClient(app, "officer")).client;
    lead = (await signedInClient(app, "operation-lead")).client;
    analyst = (await signedInClient(app, "analyst")).client;
  });
  after(async () => app.close());

  async function residentReport(registration: string, daysAgo: number, vehicle: Record<string, string> = { make: "BMW", colour: "Black" }) {
    const response = await app.inject({
      method: "POST",
      url: "/api/reports",
      payload: validReport({
        occurredAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
        lat: TARGET_POINT.lat,
        lng: TARGET_POINT.lng,
        locationText: RESIDENT_PLACE,
        description: RESIDENT_WORDS,
        vehicle: { registration, ...vehicle },
      }),
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { reference: string; receiptCode: string };
  }

  async function officerSighting(client: PageClient, fields: Record<string, string>, daysAgo = 1) {
    await client.get("/staff/vehicles/sightings/new");
    return client.post("/staff/vehicles/sightings/new", {
      registration: "",
      make: "BMW",
      colour: "Black",
      ...ukDateParts(new Date(Date.now() - daysAgo * DAY)),
      locationText: "Ambleside Drive at the junction with Lancaster Gardens",
      area: "target",
      latitude: "",
      longitude: "",
      source: "officer",
      ...fields,
    });
  }

  async function auditEvents() {
    return context().database.db.selectFrom("auditEvents").selectAll().orderBy("id").execute();
  }

  /** A vehicle with a letter proposed: a resident's report and an officer's sighting on another day. */
  async function proposed(registration: string, vehicle = { make: "BMW", colour: "Black" }) {
    await residentReport(registration, 3, vehicle);
    const saved = await officerSighting(officer, { registration, ...vehicle });
    assert.equal(saved.statusCode, 302, saved.body);
  }

  async function enterKeeper(client: PageClient, registration: string, fields: Record<string, string> = {}) {
    await client.get(`/staff/vehicles/${registration}`);
    return client.post(`/staff/vehicles/${registration}/keeper`, {
      keeperName: "Alex Keeper",
      keeperAddress: "1 Example Road\nSouthend-on-Sea\nSS0 0AA",
      keeperMake: "B.M.W.",
      keeperColour: "Black",
      checkReference: "PNC/1234/26",
      ...fields,
    });
  }

  it("lets an officer record a sighting from a small form without JavaScript, and logs its collection", async () => {
    const form = await officer.get("/staff/vehicles/sightings/new");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Record a vehicle sighting/);
    const saved = await officerSighting(officer, { registration: "lm 19 xyz", source: "cctv", locationText: "", area: "", latitude: String(TARGET_POINT.lat), longitude: String(TARGET_POINT.lng) });
    assert.equal(saved.statusCode, 302, saved.body);
    assert.equal(saved.headers.location, "/staff/vehicles/LM19XYZ?saved=sighting");
    const page = await officer.follow(saved);
    assert.match(page.body, /LM19 XYZ/);
    assert.match(page.body, /CCTV/);
    assert.match(page.body, /Target area/);

    const sighting = await context().database.db.selectFrom("vehicleSightings").selectAll().where("registration", "=", "LM19XYZ").executeTakeFirstOrThrow();
    assert.equal(Boolean(sighting.corroborated), true);
    assert.equal(sighting.areaRole, "target");
    assert.equal(sighting.source, "cctv");
    const event = (await auditEvents()).find((e) => e.recordType === "vehicle-sighting" && e.operation === "collection");
    assert.ok(event);
    assert.deepEqual(JSON.parse(event.recordIds), [String(sighting.id)]);
  });

  it("links a sighting to the officer's patrol that is still going, and to no one else's", async () => {
    const { db } = context().database;
    const { client, id } = await signedInClient(app, "officer");
    const operation = await db.selectFrom("operations").select("id").executeTakeFirstOrThrow();
    const patrol = { operationId: operation.id, areaRole: "target", startedAt: new Date(Date.now() - 3_600_000).toISOString(), endedAt: null, isDemo: false, createdAt: new Date().toISOString() };
    const mine = await db.insertInto("patrols").values({ ...patrol, startedBy: id }).returning("id").executeTakeFirstOrThrow();
    const form = await client.get("/staff/vehicles/sightings/new");
    assert.match(form.body, new RegExp(`<option value="${mine.id}" selected>Patrol started`));
    const saved = await officerSighting(client, { registration: "PT66PTL", patrolId: String(mine.id) });
    assert.equal(saved.statusCode, 302, saved.body);
    const sighting = await db.selectFrom("vehicleSightings").select("patrolId").where("registration", "=", "PT66PTL").executeTakeFirstOrThrow();
    assert.equal(sighting.patrolId, mine.id);
    const refused = await officerSighting(officer, { registration: "PT66PTL", patrolId: String(mine.id) });
    assert.equal(refused.statusCode, 400, "another officer's patrol");
    assert.match(refused.body, /Choose one of your patrols/);
  });

  it("says how to fix a sighting that cannot be saved", async () => {
    const response = await officerSighting(officer, { registration: "", area: "", locationText: "", "date-day": "31", "date-month": "2", source: "" });
    assert.equal(response.statusCode, 400);
    for (const message of [/Enter the registration/, /Enter the date and time/, /Choose whether you saw it yourself or on CCTV/, /Say where/, /which area/]) {
      assert.match(response.body, message);
    }
    const abroad = await officerSighting(officer, { registration: "AB12CDE", latitude: "48.85", longitude: "2.35" });
    assert.equal(abroad.statusCode, 400);
    assert.match(abroad.body, /latitude and longitude in the UK/);
  });

  it("proposes a letter only with an officer's or CCTV sighting on a separate occasion, and lists proposals first", async () => {
    await residentReport("RA11AAA", 5);
    await residentReport("RA11AAA", 4);
    await residentReport("RA11AAA", 3);
    let register = await officer.get("/staff/vehicles");
    assert.match(register.body, /RA11 AAA/);
    let vehicle = await officer.get("/staff/vehicles/RA11AAA");
    assert.match(vehicle.body, /Watching/);
    assert.match(vehicle.body, /No sighting by an officer or on CCTV yet/);

    await officerSighting(officer, { registration: "RA11AAA" }, 2);
    vehicle = await officer.get("/staff/vehicles/ra11 aaa");
    assert.match(vehicle.body, /Letter proposed/);
    register = await officer.get("/staff/vehicles");
    const rows = [...register.body.matchAll(/href="\/staff\/vehicles\/([A-Z0-9]+)"/g)].map((m) => m[1]);
    const firstWatching = rows.findIndex((r) => r === "LM19XYZ");
    assert.ok(rows.indexOf("RA11AAA") < firstWatching, `proposed first: ${rows.join(", ")}`);
  });

  it("keeps the register and keeper details from roles without the permission", async () => {
    assert.equal((await analyst.get("/staff/vehicles")).statusCode, 403);
    assert.equal((await analyst.get("/staff/vehicles/RA11AAA")).statusCode, 404);
    assert.equal((await analyst.get("/staff/vehicles/RA11AAA/letter.pdf")).statusCode, 404);
    assert.equal((await officer.get("/staff/vehicles/ZZ99ZZZ")).statusCode, 404, "an unknown vehicle");
    assert.equal((await officer.get("/staff/vehicles/not-a-plate!")).statusCode, 404, "a malformed registration");
    const nav = await officer.get("/staff");
    assert.match(nav.body, /href="\/staff\/vehicles"/);
    assert.doesNotMatch((await analyst.get("/staff")).body, /href="\/staff\/vehicles"/);
  });

  it("takes the keeper's details from an authorised officer, encrypted, logging collection and combination", async () => {
    await proposed("KP22KPR");
    const missing = await enterKeeper(officer, "KP22KPR", { keeperName: "", checkReference: "" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Enter the keeper&#39;s name/);
    assert.match(missing.body, /keeper check&#39;s reference/);

    const saved = await enterKeeper(officer, "KP22KPR");
    assert.equal(saved.statusCode, 302, saved.body);
    const page = await officer.follow(saved);
    assert.match(page.body, /match the sightings/);
    assert.doesNotMatch(page.body, /Alex Keeper/, "the name is not shown without a reason");

    const { db } = context().database;
    const keeper = await db.selectFrom("vehicleKeepers").selectAll().where("registration", "=", "KP22KPR").executeTakeFirstOrThrow();
    assert.ok(!keeper.detailsEncrypted.includes("Alex Keeper"));
    assert.ok(!keeper.detailsEncrypted.includes("Example Road"));
    const events = (await auditEvents()).filter((e) => e.reasonReference === "PNC/1234/26");
    assert.deepEqual(events.map((e) => e.operation), ["collection", "combination"]);
    assert.equal(events[0]!.recordType, "vehicle-keeper");
    assert.deepEqual(JSON.parse(events[0]!.recordIds), [String(keeper.id)]);
    assert.ok(JSON.parse(events[1]!.recordIds).includes(`vehicle-keeper:${keeper.id}`));
    assert.ok(events.every((e) => e.reasonCode === "warning-letter"));
  });

  it("shows the keeper's name and address only with a reason, and logs the consultation", async () => {
    await officer.get("/staff/vehicles/KP22KPR");
    const noReason = await officer.post("/staff/vehicles/KP22KPR/keeper/view", { reasonCode: "", reasonReference: "" });
    assert.equal(noReason.statusCode, 400);
    assert.doesNotMatch(noReason.body, /Alex Keeper/);
    const shown = await officer.post("/staff/vehicles/KP22KPR/keeper/view", { reasonCode: "warning-letter", reasonReference: "WL-check-1" });
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Alex Keeper/);
    assert.match(shown.body, /1 Example Road<br>Southend-on-Sea/);
    const event = (await auditEvents()).at(-1)!;
    assert.equal(event.operation, "consultation");
    assert.equal(event.recordType, "vehicle-keeper");
    assert.equal(event.reasonReference, "WL-check-1");
  });

  it("refuses approval when the keeper's recorded vehicle does not match the sightings", async () => {
    await proposed("MM33MMM", { make: "Ford", colour: "Red" });
    await enterKeeper(officer, "MM33MMM", { keeperMake: "Vauxhall", keeperColour: "Red" });
    const page = await lead.get("/staff/vehicles/MM33MMM");
    assert.match(page.body, /does not match the sightings/);
    assert.doesNotMatch(page.body, /Approve letter/);
    await lead.get("/staff/vehicles/MM33MMM");
    const refused = await lead.post("/staff/vehicles/MM33MMM/approve", {});
    assert.equal(refused.statusCode, 409);
    assert.equal(await context().database.db.selectFrom("warningLetters").select("id").where("registration", "=", "MM33MMM").executeTakeFirst(), undefined);
  });

  it("lets only an inspector approve, then produces a neutral letter that lists the sightings and nothing from residents", async () => {
    await proposed("LT44LTR", { make: "Mercedes", colour: "Grey" });
    const odd = `Lancaster Gardens & "The Rise" <-> 'x' \\ $1`;
    const saved = await officerSighting(officer, { registration: "LT44LTR", make: "Merc", colour: "Grey", locationText: odd }, 10);
    assert.equal(saved.statusCode, 302, saved.body);
    await enterKeeper(officer, "LT44LTR", { keeperMake: "MERCEDES-BENZ", keeperColour: "Grey", keeperName: "Sam O'Keeper <b>" });

    const officerPage = await officer.get("/staff/vehicles/LT44LTR");
    assert.doesNotMatch(officerPage.body, /Approve letter/);
    assert.ok(officerPage.body.includes("Lancaster Gardens &amp; &quot;The Rise&quot; &lt;-&gt;"), "the officer's words are escaped on the page");
    assert.equal((await officer.post("/staff/vehicles/LT44LTR/approve", {})).statusCode, 404);

    const leadPage = await lead.get("/staff/vehicles/LT44LTR");
    assert.match(leadPage.body, /Approve letter/);
    const approved = await lead.post("/staff/vehicles/LT44LTR/approve", {});
    assert.equal(approved.statusCode, 302, approved.body);
    const letterPage = await lead.follow(approved);
    assert.match(letterPage.body, /Letter approved/);
    assert.match(letterPage.body, /WL-\d{5}/);

    const download = await officer.get("/staff/vehicles/LT44LTR/letter.pdf");
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers["content-type"], "application/pdf");
    assert.equal(download.headers["cache-control"], "no-store");
    assert.match(String(download.headers["content-disposition"]), /attachment; filename="WL-\d{5}\.pdf"/);
    const text = await pdfTextOf(download.rawPayload);

    assert.match(text, /About your vehicle LT44 LTR/);
    assert.match(text, /does not accuse you or anyone else of an offence/);
    assert.match(text, /keeper of a vehicle may not have been its driver/);
    assert.match(text, /Operation Ambleside/);
    assert.ok(text.includes(`Sam O'Keeper <b>`), "the keeper's name is printed literally");
    assert.ok(text.includes(odd), "an officer's odd characters are printed literally");
    assert.ok(text.includes("Ambleside Drive and nearby streets"), "a resident's sighting is placed by its area's name");
    const sightings = await context().database.db.selectFrom("vehicleSightings").select(["seenAt", "reportId"]).where("registration", "=", "LT44LTR").execute();
    assert.equal(sightings.length, 3);
    for (const s of sightings) assert.ok(text.includes(letterDateTime(s.seenAt)), `lists ${letterDateTime(s.seenAt)}`);
    assert.ok(!text.includes("RESIDENT-ONLY"), "no resident's words");
    assert.ok(!text.includes(RESIDENT_PLACE), "no resident's description of the place");
    assert.doesNotMatch(text, /resident's report|reported by|CCTV/i, "not who saw it");

    const consultation = (await auditEvents()).at(-1)!;
    assert.equal(consultation.operation, "consultation");
    assert.equal(consultation.recordType, "warning-letter");
    assert.equal(consultation.reasonCode, "warning-letter");
  });

  it("logs sending as a disclosure to the keeper, and flags the vehicle when it is seen again", async () => {
    await officer.get("/staff/vehicles/LT44LTR");
    const sent = await officer.post("/staff/vehicles/LT44LTR/sent", {});
    assert.equal(sent.statusCode, 302, sent.body);
    const disclosure = (await auditEvents()).at(-1)!;
    assert.equal(disclosure.operation, "disclosure");
    assert.equal(disclosure.recordType, "warning-letter");
    assert.match(disclosure.recipients ?? "", /registered keeper/);
    assert.match(disclosure.reasonReference ?? "", /^WL-\d{5}$/);
    assert.match((await officer.get("/staff/vehicles/LT44LTR")).body, /Letter sent/);
    await officer.get("/staff/vehicles/LT44LTR");
    assert.equal((await officer.post("/staff/vehicles/LT44LTR/sent", {})).statusCode, 409, "sent only once");

    // As if the letter was posted yesterday, so that a sighting today comes after it.
    await context().database.db.updateTable("warningLetters").set({ sentAt: new Date(Date.now() - DAY).toISOString() }).where("registration", "=", "LT44LTR").execute();
    await officerSighting(officer, { registration: "LT44LTR", make: "Merc", colour: "Grey", area: "buffer", locationText: "", latitude: String(BUFFER_POINT.lat), longitude: String(BUFFER_POINT.lng) }, 0);
    const page = await officer.get("/staff/vehicles/LT44LTR");
    assert.match(page.body, /Seen again after letter/);
    assert.match(page.body, /After the letter/);
    const register = await officer.get("/staff/vehicles");
    assert.match(register.body, /Seen again after letter/);
  });

  it("never writes a registration into the audit log", async () => {
    const log = JSON.stringify(await auditEvents());
    for (const registration of ["LM19XYZ", "RA11AAA", "KP22KPR", "MM33MMM", "LT44LTR"]) assert.ok(!log.includes(registration), registration);
  });

  it("erases sightings 90 days old that no letter lists, and their keepers, in logged batches", async () => {
    const { db } = context().database;
    const before = await db.selectFrom("vehicleSightings").select(["id", "registration"]).execute();
    const lettered = await db.selectFrom("warningLetters").select("sightingIds").execute();
    const kept = new Set(lettered.flatMap((l) => JSON.parse(l.sightingIds) as number[]));
    assert.ok(kept.size >= 3);

    const nothingYet = await app.services.vehicles.eraseExpiredSightings(new Date(Date.now() + 80 * DAY));
    assert.deepEqual(nothingYet, { sightings: 0, keepers: 0 });

    const result = await app.services.vehicles.eraseExpiredSightings(new Date(Date.now() + 92 * DAY));
    const after = await db.selectFrom("vehicleSightings").select("id").execute();
    assert.deepEqual(new Set(after.map((s) => s.id)), kept, "only the letter's sightings are left");
    assert.equal(result.sightings, before.length - kept.size);
    const keepers = await db.selectFrom("vehicleKeepers").select("registration").execute();
    assert.deepEqual(keepers.map((k) => k.registration), ["LT44LTR"], "keepers without a letter are erased");
    assert.equal(result.keepers, 2);

    const erasures = (await auditEvents()).filter((e) => e.operation === "erasure");
    assert.deepEqual(erasures.map((e) => e.recordType).sort(), ["vehicle-keeper", "vehicle-sighting"]);
    const erasedIds = JSON.parse(erasures.find((e) => e.recordType === "vehicle-sighting")!.recordIds) as string[];
    assert.equal(erasedIds.length, result.sightings);
    assert.ok(erasures.every((e) => e.reasonCode === "retention" && e.actorId === null));
    assert.ok(!JSON.stringify(erasures).includes("LT44LTR"));
    const verified = await app.services.audit.verify();
    assert.equal(verified.ok, true);
  });

  it("never shows a registration on public pages", async () => {
    const registration = "PV55PUB";
    const { reference, receiptCode } = await residentReport(registration, 1);
    await app.services.updates.publish({ title: "Extra patrols", body: "We patrolled Ambleside Drive.", operationId: null, reportReferences: [reference] }, null);
    const resident = new PageClient(app);
    const pages = [
      await resident.get("/"),
      await resident.get("/updates"),
      await resident.get("/track"),
      await resident.post("/track", { receiptCode }),
      await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode } }),
      await app.inject("/api/categories"),
    ];
    for (const page of pages) {
      assert.ok(page.statusCode < 400, `${page.statusCode}: ${page.body.slice(0, 200)}`);
      for (const form of [registration, "PV55 PUB"]) assert.ok(!page.body.toUpperCase().includes(form), `${form} in a public page`);
    }
    assert.match(pages[3]!.body, new RegExp(reference));
  });
});

describe("warning letter PDF", () => {
  const content = {
    reference: "WL-00042",
    issuedAt: "2026-06-15T09:00:00.000Z",
    from: {
      force: { name: "Essex Police" },
      team: { name: "Southend Central Community Policing Team" },
      contact: { phone: "101", web: "https://www.essex.police.uk", postalAddress: ["Southend Police Station", "Victoria Avenue, Southend-on-Sea"] },
      logoFile: null,
      fictional: false,
    },
    operation: "Operation Ambleside",
    keeper: { name: "Łukasz Żółć", address: "Flat 2, 10 Example Road\nSouthend-on-Sea" },
    vehicle: { registration: "AB12 CDE", make: "BMW", colour: "Black" },
    sightings: [
      { seenAt: "2026-06-01T20:30:00.000Z", place: "Ambleside Drive by the postbox" },
      { seenAt: "2026-06-09T21:45:00.000Z", place: `"><img src=x onerror=alert(1)> 北京 😀` },
    ],
    approvedBy: "Insp Jo Lead",
  };

  it("prints every sighting in UK time, the force and operation, and the keeper", async () => {
    const text = await pdfTextOf(await renderLetter(content));
    assert.match(text, /Essex Police/);
    assert.match(text, /Monday 1 June 2026 at 21:30: Ambleside Drive by the postbox/);
    assert.match(text, /Tuesday 9 June 2026 at 22:45/);
    assert.match(text, /Our reference: WL-00042/);
    assert.match(text, /Lukasz Zólc/, "accents the built-in font cannot print are dropped, not garbled");
    assert.ok(text.includes(`"><img src=x onerror=alert(1)> ?? ?`), "markup is printed as text, unprintable characters as ?");
    assert.match(text, /call 101 and quote the reference WL-00042/);
    assert.match(text, /Southend Central Community Policing Team/, "the letterhead names the team");
    assert.match(text, /Victoria Avenue, Southend-on-Sea/);
    assert.match(text, /check that this letter is genuine at https:\/\/www.essex.police.uk/);
    assert.doesNotMatch(text, /DEMONSTRATION/);
  });

  it("says on its face that a demo letter and its sender are invented", async () => {
    const text = await pdfTextOf(await renderLetter({ ...content, from: FICTIONAL_DEPLOYMENT }));
    assert.match(text, /Demo Constabulary \(fictional\)/);
    assert.match(text, /DEMONSTRATION: this letter and its sender are invented/);
  });

  it("keeps what the built-in font can print, character for character", () => {
    assert.equal(pdfText(`O'Brien & Sons <b> “quoted” – €5 café`), `O'Brien & Sons <b> “quoted” – €5 café`);
    assert.equal(pdfText("Łódź\u0000\u200b"), "Lódz");
    assert.equal(pdfText("北京"), "??");
  });
});
