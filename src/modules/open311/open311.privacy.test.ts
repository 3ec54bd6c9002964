// Principle 2 and 3 through Open311: what residents wrote or gave never comes out, what an app
// sends beyond the web form is never kept, dates come out as months, and places only as the
// centre of a published cell-month.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase, tablesOf } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import { h3CellFor } from "../../domain/geo.ts";
import { cellCentre, publicCell } from "../disclosure/rules.ts";
import { inLastCompleteMonth, listIn, PLACES, readXml, reportAt } from "./open311.testing.ts";

const SECRETS = {
  description: "zebra-quartz-words",
  email: "resident.private@example.org",
  phone: "07700900123",
  firstName: "Alexandrina",
  lastName: "Quimbleton",
  device: "DEVICE-XYZ-4242",
  account: "ACCOUNT-98765",
  media: "https://media.example.org/photo-abc.jpg",
  registration: "XY99ZZQ",
};

describeEachDatabase("Open311 and privacy", (context) => {
  let app: FastifyInstance;
  let key: string;
  const inA: string[] = [];
  const inB: string[] = [];
  const inC: string[] = [];
  let sensitive: string;
  let posted: string;
  const earlier: string[] = [];
  let drugDealing: string;

  before(async () => {
    app = await testApp(context());
    ({ key } = await app.services.tokens.addClient("Privacy test app", null));
    const at = inLastCompleteMonth();
    const secretReport = (i: number) => ({ description: `${SECRETS.description} number ${i}`, vehicle: { registration: SECRETS.registration, make: "Ford", colour: "Red" } });
    for (let i = 0; i < 5; i++) inA.push((await reportAt(app, at, PLACES.a, secretReport(i))).reference);
    for (let i = 0; i < 2; i++) inB.push((await reportAt(app, at, PLACES.b, secretReport(i))).reference);
    for (let i = 0; i < 3; i++) inC.push((await reportAt(app, at, PLACES.c, secretReport(i))).reference);
    sensitive = (await reportAt(app, at, PLACES.a, { category: "sex-work-welfare", answers: { concerns: ["hurt-or-distressed"] }, description: `${SECRETS.description} welfare` })).reference;
    // The month before: five kerb-crawling reports in A and one drug-dealing report there too.
    // The cell holds six, but the one drug-dealing report is its category's only one.
    const monthBefore = new Date(at.getTime() - 31 * 86_400_000);
    for (let i = 0; i < 5; i++) earlier.push((await reportAt(app, monthBefore, PLACES.a)).reference);
    drugDealing = (await reportAt(app, monthBefore, PLACES.a, { category: "drug-dealing", answers: { what: "exchange" } })).reference;

    const form = new URLSearchParams({
      api_key: key,
      service_code: "kerb-crawling",
      lat: String(PLACES.a.lat),
      long: String(PLACES.a.lng),
      "attribute[what]": "propositioned",
      "attribute[vehicle-registration]": SECRETS.registration,
      description: `${SECRETS.description} posted`,
      email: SECRETS.email,
      phone: SECRETS.phone,
      first_name: SECRETS.firstName,
      last_name: SECRETS.lastName,
      device_id: SECRETS.device,
      account_id: SECRETS.account,
      media_url: SECRETS.media,
    });
    const response = await app.inject({ method: "POST", url: "/open311/v2/requests.json", payload: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(response.statusCode, 200, response.body);
    posted = response.json()[0].service_request_id;
    await app.services.updates.publish({ title: "Patrols increased", body: "Officers patrolled on four evenings.", operationId: null, reportReferences: [inA[0]!, inB[0]!, posted, sensitive] }, null);
  });
  after(async () => app.close());

  const json = async (url: string) => {
    const response = await app.inject(url);
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json();
  };

  it("lists only reports whose category's cell-month is published, placed at the cell's centre, never the point", async () => {
    const requests = await json("/open311/v2/requests.json");
    // The month before's five kerb-crawling reports in A are withheld with the drug-dealing one: see below.
    assert.deepEqual(requests.map((r: { service_request_id: string }) => r.service_request_id).sort(), [...inA].sort());
    const centre = cellCentre(publicCell(h3CellFor(PLACES.a.lat, PLACES.a.lng)));
    for (const request of requests) {
      assert.deepEqual({ lat: request.lat, long: request.long }, centre);
      assert.notEqual(request.lat, PLACES.a.lat);
    }
    const xml = listIn(readXml((await app.inject("/open311/v2/requests.xml")).body), "service_requests", "request");
    assert.equal(xml.length, inA.length);
    assert.equal(Number(xml[0]!.lat), centre.lat);
  });

  it("gives only the status of a report looked up by id when its category's cell-month is under k", async () => {
    for (const reference of [...inB, ...inC, drugDealing]) {
      const [request] = await json(`/open311/v2/requests/${reference}.json`);
      assert.equal(request.status, "open");
      for (const field of ["service_code", "service_name", "requested_datetime", "lat", "long"]) assert.ok(!(field in request), `${reference}: ${field} is not given`);
    }
    const [placed] = await json(`/open311/v2/requests/${inA[1]}.json`);
    assert.ok("lat" in placed && "long" in placed);
  });

  it("never lists a report whose category is under k in its cell-month, though the cell holds k (the P2 attack)", async () => {
    const month = inLastCompleteMonth();
    const start = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1)).toISOString();
    const end = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 28)).toISOString();
    assert.deepEqual(await json(`/open311/v2/requests.json?service_code=drug-dealing&start_date=${start}&end_date=${end}`), []);
    const listed = (await json(`/open311/v2/requests.json?start_date=${start}&end_date=${end}`)).map((r: { service_request_id: string }) => r.service_request_id);
    assert.ok(!listed.includes(drugDealing));
    // The area feed gives the cell's count: it must not be six (six, less the five listed, would be the drug-dealing report).
    const feed = (await app.inject("/feeds/reports.atom?bbox=0.70,51.52,0.75,51.55")).body;
    const fiveListed = earlier.every((reference) => listed.includes(reference));
    assert.ok(!(fiveListed && /\b6 reports in the cell/.test(feed)), "the cell's total of six, less the five listed, would give the drug-dealing report away");
    assert.ok(fiveListed || /\b6 reports in the cell/.test(feed), "one of the two is published: the gate withholds no more than it must");
  });

  it("never names, places or lists a sensitive report, but gives its status and public update by id", async () => {
    const listed = (await json("/open311/v2/requests.json?status=open,closed")).map((r: { service_request_id: string }) => r.service_request_id);
    assert.ok(!listed.includes(sensitive));
    const [request] = await json(`/open311/v2/requests/${sensitive}.json`);
    assert.equal(request.status, "open");
    assert.match(request.status_notes, /Patrols increased/);
    for (const field of ["service_code", "service_name", "lat", "long"]) assert.ok(!(field in request), `${field} is not given`);
    const updates = await json(`/open311/v2/servicerequestupdates.json?start_date=${new Date(Date.now() - 3_600_000).toISOString()}`);
    assert.ok(!updates.some((u: { service_request_id: string }) => u.service_request_id === sensitive));
  });

  it("gives dates only as the first instant of their month, however the window is narrowed", async () => {
    const at = inLastCompleteMonth();
    const month = at.toISOString().slice(0, 7);
    const requests = await json("/open311/v2/requests.json");
    for (const request of requests) {
      // The first instant of the month in UK time, with the UK's offset then.
      assert.match(request.requested_datetime, /^\d{4}-\d{2}-01T00:00:00(Z|\+01:00)$/);
      assert.match(request.updated_datetime, /^\d{4}-\d{2}-01T00:00:00(Z|\+01:00)$/);
    }
    assert.equal(requests.filter((r: { requested_datetime: string }) => r.requested_datetime.startsWith(`${month}-01T00:00:00`)).length, inA.length);
    // A window ending hours before the reports came in still holds them: the month is all it can tell.
    const narrow = await json(`/open311/v2/requests.json?start_date=${month}-01T00:00:00Z&end_date=${month}-02T00:00:00Z`);
    assert.equal(narrow.length, inA.length);
  });

  it("never lists or places a report from the month still running", async () => {
    for (let i = 0; i < 6; i++) await reportAt(app, new Date(), PLACES.a);
    const [current] = await json(`/open311/v2/requests/${posted}.json`);
    assert.ok(!("lat" in current));
    assert.ok(!(await json("/open311/v2/requests.json")).some((r: { service_request_id: string }) => r.service_request_id === posted));
  });

  it("never gives out what a resident wrote or gave, in any answer", async () => {
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const urls = [
      ...["xml", "json"].flatMap((f) => [
        `/open311/v2/requests.${f}`,
        `/open311/v2/requests.${f}?status=open,closed`,
        `/open311/v2/requests.${f}?service_request_id=${[...inA, ...inB, ...inC, sensitive, posted].join(",")}`,
        `/open311/v2/servicerequestupdates.${f}?start_date=${since}`,
        ...[...inA, inB[0], sensitive, posted].map((id) => `/open311/v2/requests/${id}.${f}`),
      ]),
      "/feeds/updates.atom",
      `/feeds/reports.atom?bbox=0.60,51.50,0.76,51.57`,
    ];
    for (const url of urls) {
      const response = await app.inject(url);
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
      for (const secret of Object.values(SECRETS)) assert.ok(!response.body.includes(secret), `${secret} appears in ${url}`);
      assert.ok(!/<(description|address|zipcode|media_url)>|"(description|address|zipcode|media_url)":/.test(url.includes("servicerequestupdates") ? "" : response.body), `${url} has a field it must never have`);
    }
  });

  it("keeps nothing an app sends beyond what the web form asks: no device, account, media, names or phone", async () => {
    const { db } = context().database;
    const tables = await tablesOf(context());
    const kept = ["description", "registration"];
    for (const table of tables) {
      if (table.name.startsWith("kysely_")) continue;
      const text = JSON.stringify(await db.selectFrom(table.name as never).selectAll().execute());
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (kept.includes(name)) continue;
        assert.ok(!text.includes(secret), `${name} (${secret}) is stored in ${table.name}`);
      }
    }
    // The email address given is kept, encrypted, for officers to reveal with a reason.
    const contact = await app.services.triage.open(posted);
    assert.equal(contact.hasContact, true);
    const collections = await app.services.audit.search({ recordType: "report-contact", operation: "collection", limit: 10 });
    assert.equal(collections.length, 1);
  });
});
