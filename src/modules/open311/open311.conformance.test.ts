// Conformance with Open311 GeoReport v2, written from the specification: every resource in
// both formats, JSON checked against JSON Schemas of the specification, XML parsed and its
// elements checked, and every error in the specification's form with the right status.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import type { Format } from "./open311.format.ts";
import {
  discoverySchema,
  errorsSchema,
  postedRequestSchema,
  serviceDefinitionSchema,
  serviceRequestsSchema,
  serviceRequestUpdatesSchema,
  servicesSchema,
} from "./georeport-v2.schemas.ts";
import { assertValid, inLastCompleteMonth, listIn, PLACES, readXml, reportAt } from "./open311.testing.ts";

const FORMATS: Format[] = ["xml", "json"];
const DATATYPES = ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"];
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

describeEachDatabase("Open311 GeoReport v2 conformance", (context) => {
  let app: FastifyInstance;
  let key: string;
  const listed: string[] = [];

  before(async () => {
    app = await testApp(context());
    ({ key } = await app.services.tokens.addClient("Conformance client", null));
    const at = inLastCompleteMonth();
    for (let i = 0; i < 5; i++) listed.push((await reportAt(app, at, PLACES.a)).reference);
  });
  after(async () => app.close());

  const get = (url: string) => app.inject({ method: "GET", url });
  const post = (format: Format, fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return app.inject({ method: "POST", url: `/open311/v2/requests.${format}`, payload: body.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
  };
  const valid = (extra: Record<string, string | string[]> = {}) => ({ api_key: key, service_code: "kerb-crawling", lat: "51.5383", long: "0.7274", "attribute[what]": "circling", ...extra });

  function expectFormat(response: LightMyRequestResponse, format: Format) {
    assert.equal(response.headers["content-type"], format === "xml" ? "text/xml; charset=utf-8" : "application/json; charset=utf-8");
  }

  /** An error answer: the status, and the specification's error document in the asked format. */
  function expectError(response: LightMyRequestResponse, format: Format, status: number, description?: RegExp) {
    assert.equal(response.statusCode, status, response.body);
    expectFormat(response, format);
    let errors: Array<{ code: number | string; description: string }>;
    if (format === "json") {
      errors = response.json();
      assertValid(errorsSchema, errors, "errors");
    } else {
      errors = listIn(readXml(response.body), "errors", "error") as typeof errors;
      assert.ok(errors.length >= 1, "at least one <error>");
      for (const error of errors) {
        assert.match(String(error.code), /^\d{3}$/);
        assert.ok(String(error.description).length > 0);
      }
    }
    assert.ok(errors.every((error) => Number(error.code) === status), "each error's code is the HTTP status");
    if (description) assert.ok(errors.some((error) => description.test(String(error.description))), `${description} in ${response.body}`);
  }

  for (const format of FORMATS) {
    it(`discovery.${format}: endpoint, specification, formats and contact`, async () => {
      const response = await get(`/open311/v2/discovery.${format}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      if (format === "json") {
        const discovery = response.json();
        assertValid(discoverySchema, discovery, "discovery");
        assert.match(discovery.endpoints[0].url, /\/open311\/v2$/);
        assert.deepEqual(discovery.endpoints[0].formats, ["text/xml", "application/json"]);
        assert.match(discovery.endpoints[0].specification, /GeoReport_v2/);
      } else {
        const { discovery } = readXml(response.body);
        for (const field of ["changeset", "contact", "key_service"]) assert.ok(discovery[field], field);
        const endpoint = discovery.endpoints.endpoint[0];
        assert.match(endpoint.specification, /GeoReport_v2/);
        assert.match(endpoint.url, /\/open311\/v2$/);
        assert.match(endpoint.changeset, W3C);
        assert.deepEqual(endpoint.formats.format, ["text/xml", "application/json"]);
      }
    });

    it(`services.${format}: every category safe to offer, each telling people to call 999`, async () => {
      const response = await get(`/open311/v2/services.${format}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      const services = format === "json" ? response.json() : listIn(readXml(response.body), "services", "service");
      if (format === "json") assertValid(servicesSchema, services, "services");
      const categories = await app.services.categories.list();
      const offered = categories.filter((c) => !c.sensitive).map((c) => c.code).sort();
      assert.deepEqual(services.map((s: { service_code: string }) => s.service_code).sort(), offered);
      assert.ok(!services.some((s: { service_code: string }) => s.service_code === "sex-work-welfare"), "sensitive categories are not offered");
      for (const service of services) {
        for (const field of ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]) assert.ok(field in service, `${field} in ${service.service_code}`);
        assert.equal(String(service.type), "realtime");
        assert.equal(String(service.metadata), "true");
        assert.match(service.description, /call 999/);
      }
    });

    it(`services/{code}.${format}: the category's questions as attributes`, async () => {
      const response = await get(`/open311/v2/services/feeling-unsafe.${format}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      if (format === "json") {
        const definition = response.json();
        assertValid(serviceDefinitionSchema, definition, "service definition");
        const why = definition.attributes.find((a: { code: string }) => a.code === "why");
        assert.equal(why.datatype, "multivaluelist");
        assert.ok(why.values.length >= 2);
        assert.deepEqual(definition.attributes.map((a: { order: number }) => a.order), definition.attributes.map((_: unknown, i: number) => i + 1));
      } else {
        const { service_definition: definition } = readXml(response.body);
        assert.equal(definition.service_code, "feeling-unsafe");
        for (const attribute of definition.attributes.attribute) {
          for (const field of ["variable", "code", "datatype", "required", "datatype_description", "order", "description"]) assert.ok(field in attribute, field);
          assert.ok(DATATYPES.includes(attribute.datatype));
          assert.match(attribute.required, /^(true|false)$/);
          assert.match(attribute.order, /^\d+$/);
        }
        const why = definition.attributes.attribute.find((a: { code: string }) => a.code === "why");
        assert.ok(why.values.value.every((v: { key: string; name: string }) => v.key && v.name));
      }
      const kerb = await get(`/open311/v2/services/kerb-crawling.${format}`);
      const attributes = format === "json" ? kerb.json().attributes : readXml(kerb.body).service_definition.attributes.attribute;
      assert.ok(attributes.some((a: { code: string; datatype: string }) => a.code === "what" && a.datatype === "singlevaluelist"));
      assert.ok(attributes.some((a: { code: string }) => a.code === "vehicle-registration"), "vehicle details are asked where the form asks them");
    });

    it(`POST requests.${format}: a report, its service_request_id and receipt code`, async () => {
      const response = await post(format, valid({ description: "A car circled four times.", "attribute[vehicle-registration]": "AB12 CDE" }));
      assert.equal(response.statusCode, 200, response.body);
      expectFormat(response, format);
      assert.equal(response.headers["cache-control"], "no-store");
      const [created] = format === "json" ? response.json() : listIn(readXml(response.body), "service_requests", "request");
      if (format === "json") assertValid(postedRequestSchema, response.json(), "POST answer");
      assert.match(created.service_request_id, /^OB-[0-9A-Z]{7}$/);
      assert.match(created.receipt_code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      assert.match(created.service_notice, /receipt code/);
      const tracked = await app.services.reports.track(created.receipt_code);
      assert.equal(tracked?.reference, created.service_request_id, "the receipt code follows the report");
      const byAddress = await post(format, { api_key: key, service_code: "drug-litter", address_string: "Ambleside Drive, by the bus stop", "attribute[needles]": "yes" });
      assert.equal(byAddress.statusCode, 200, byAddress.body);
    });

    it(`GET requests.${format}: public-safe requests, filtered`, async () => {
      const response = await get(`/open311/v2/requests.${format}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      const requests = format === "json" ? response.json() : listIn(readXml(response.body), "service_requests", "request");
      if (format === "json") assertValid(serviceRequestsSchema, requests, "requests");
      assert.deepEqual(requests.map((r: { service_request_id: string }) => r.service_request_id).sort(), [...listed].sort());
      for (const request of requests) {
        assert.equal(String(request.status), "open");
        assert.match(request.requested_datetime, /^\d{4}-\d{2}-01T00:00:00Z$/);
        assert.match(request.updated_datetime, /^\d{4}-\d{2}-01T00:00:00Z$/);
        assert.ok(request.lat !== undefined && request.long !== undefined);
        for (const field of ["description", "address", "zipcode", "media_url"]) assert.ok(!(field in request), `${field} is never given`);
      }
      const closed = await get(`/open311/v2/requests.${format}?status=closed`);
      assert.equal((format === "json" ? closed.json() : listIn(readXml(closed.body), "service_requests", "request")).length, 0);
      const other = await get(`/open311/v2/requests.${format}?service_code=drug-dealing`);
      assert.equal((format === "json" ? other.json() : listIn(readXml(other.body), "service_requests", "request")).length, 0);
      const both = await get(`/open311/v2/requests.${format}?service_code=kerb-crawling,drug-dealing&status=open,closed`);
      assert.equal((format === "json" ? both.json() : listIn(readXml(both.body), "service_requests", "request")).length, listed.length);
      const picked = await get(`/open311/v2/requests.${format}?service_request_id=${listed[0]},${listed[1]}&service_code=drug-dealing&status=closed`);
      const pickedIds = (format === "json" ? picked.json() : listIn(readXml(picked.body), "service_requests", "request")).map((r: { service_request_id: string }) => r.service_request_id);
      assert.deepEqual(pickedIds, [listed[0], listed[1]], "service_request_id overrides the other filters");
      const month = inLastCompleteMonth();
      const start = new Date(month.getTime() - 20 * 86_400_000).toISOString();
      const windowed = await get(`/open311/v2/requests.${format}?start_date=${start}&end_date=${new Date(month.getTime() + 20 * 86_400_000).toISOString()}`);
      assert.equal((format === "json" ? windowed.json() : listIn(readXml(windowed.body), "service_requests", "request")).length, listed.length);
      const before = await get(`/open311/v2/requests.${format}?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z`);
      assert.equal((format === "json" ? before.json() : listIn(readXml(before.body), "service_requests", "request")).length, 0);
    });

    it(`GET requests/{id}.${format}: one request`, async () => {
      const response = await get(`/open311/v2/requests/${listed[0]}.${format}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      const requests = format === "json" ? response.json() : listIn(readXml(response.body), "service_requests", "request");
      if (format === "json") assertValid(serviceRequestsSchema, requests, "request");
      assert.equal(requests.length, 1);
      assert.equal(requests[0].service_request_id, listed[0]);
      assert.equal(requests[0].service_code, "kerb-crawling");
      const lower = await get(`/open311/v2/requests/${listed[0]!.toLowerCase()}.${format}`);
      assert.equal(lower.statusCode, 200, "ids are not case-sensitive");
    });

    it(`servicerequestupdates.${format}: public updates since a time`, async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      await app.services.updates.publish({ title: `Patrols (${format})`, body: "Officers patrolled the street.", operationId: null, reportReferences: [listed[2]!] }, null);
      const response = await get(`/open311/v2/servicerequestupdates.${format}?start_date=${since}`);
      assert.equal(response.statusCode, 200);
      expectFormat(response, format);
      const updates = format === "json" ? response.json() : listIn(readXml(response.body), "service_request_updates", "request_update");
      if (format === "json") assertValid(serviceRequestUpdatesSchema, updates, "updates");
      const mine = updates.filter((u: { description: string }) => u.description.includes(`Patrols (${format})`));
      assert.equal(mine.length, 1);
      assert.equal(mine[0].service_request_id, listed[2]);
      assert.match(mine[0].updated_datetime, W3C);
      for (const field of ["update_id", "service_request_id", "status", "updated_datetime", "description"]) assert.ok(field in mine[0], field);
      const later = await get(`/open311/v2/servicerequestupdates.${format}?start_date=${new Date(Date.now() + 60_000).toISOString()}`);
      assert.equal((format === "json" ? later.json() : listIn(readXml(later.body), "service_request_updates", "request_update")).length, 0);
    });

    it(`tokens/{token}.${format}: openbeat issues no tokens, and says so in the specification's form`, async () => {
      expectError(await get(`/open311/v2/tokens/12345.${format}`), format, 404, /no token/);
    });

    it(`errors in ${format}: 403 for a missing, wrong or revoked key`, async () => {
      const { id, key: revoked } = await app.services.tokens.addClient("Revoked client", null);
      await app.services.tokens.revokeClient(id);
      expectError(await post(format, valid({ api_key: [] as never })), format, 403, /api_key/);
      const { api_key: _key, ...withoutKey } = valid();
      expectError(await post(format, withoutKey), format, 403, /api_key/);
      expectError(await post(format, valid({ api_key: "obk_not-a-real-key" })), format, 403, /api_key/);
      expectError(await post(format, valid({ api_key: revoked })), format, 403, /api_key/);
    });

    it(`errors in ${format}: 404 for unknown ids, services and paths`, async () => {
      expectError(await get(`/open311/v2/requests/OB-ZZZZZZZ.${format}`), format, 404, /OB-ZZZZZZZ/);
      expectError(await get(`/open311/v2/requests/not-an-id.${format}`), format, 404);
      expectError(await get(`/open311/v2/services/no-such-service.${format}`), format, 404, /no-such-service/);
      expectError(await get(`/open311/v2/services/sex-work-welfare.${format}`), format, 404);
      expectError(await get(`/open311/v2/nothing-here.${format}`), format, 404);
    });

    it(`errors in ${format}: 400 for bad dates, a window over 90 days and a bad status`, async () => {
      expectError(await get(`/open311/v2/requests.${format}?start_date=yesterday`), format, 400, /start_date/);
      expectError(await get(`/open311/v2/requests.${format}?end_date=2026-02-30T00:00:00Z`), format, 400, /end_date/);
      expectError(await get(`/open311/v2/requests.${format}?start_date=2026-01-01T00:00:00Z&end_date=2025-12-01T00:00:00Z`), format, 400, /after start_date/);
      expectError(await get(`/open311/v2/requests.${format}?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z`), format, 400, /90 days/);
      expectError(await get(`/open311/v2/requests.${format}?status=pending`), format, 400, /status/);
      expectError(await get(`/open311/v2/servicerequestupdates.${format}?start_date=2026-13-01T00:00:00Z`), format, 400, /start_date/);
    });

    it(`errors in ${format}: 400 for unknown and sensitive service codes`, async () => {
      expectError(await get(`/open311/v2/requests.${format}?service_code=potholes`), format, 400, /potholes/);
      expectError(await get(`/open311/v2/requests.${format}?service_code=sex-work-welfare`), format, 400, /sex-work-welfare/);
      expectError(await post(format, valid({ service_code: "potholes" })), format, 400, /service_code/);
      expectError(await post(format, valid({ service_code: "sex-work-welfare" })), format, 400, /service_code/);
      const { service_code: _code, ...withoutCode } = valid();
      expectError(await post(format, withoutCode), format, 400, /service_code/);
    });

    it(`errors in ${format}: 400 for what the web form refuses`, async () => {
      expectError(await post(format, valid({ description: "x".repeat(4001) })), format, 400, /4000 characters/);
      expectError(await post(format, valid({ description: "Look <script>alert(1)</script>" })), format, 400, /description/);
      const { lat: _lat, long: _long, ...nowhere } = valid();
      expectError(await post(format, nowhere), format, 400, /address_string/);
      expectError(await post(format, valid({ long: "" })), format, 400, /together/);
      expectError(await post(format, valid({ lat: "north" })), format, 400, /decimal degrees/);
      expectError(await post(format, valid({ lat: "48.8566", long: "2.3522" })), format, 400, /outside the UK/);
      expectError(await post(format, valid({ "attribute[what]": "dancing" })), format, 400, /attribute\[what\]/);
      expectError(await post(format, valid({ "attribute[what]": [] as never })), format, 400, /attribute\[what\]/);
      expectError(await post(format, valid({ email: "not an email" })), format, 400, /email/);
    });

    it(`errors in ${format}: 413 for a body over the limit`, async () => {
      expectError(await post(format, valid({ description: "y".repeat(110 * 1024) })), format, 413);
    });
  }

  it("escapes everything it writes as XML", async () => {
    await app.services.updates.publish({ title: "Tom & Jerry's <b>patrol</b>", body: "Done ]]> & \"quoted\" \u0007", operationId: null, reportReferences: [listed[3]!] }, null);
    const response = await get(`/open311/v2/requests/${listed[3]}.xml`);
    const [request] = listIn(readXml(response.body), "service_requests", "request");
    assert.ok(request!.status_notes.startsWith("Tom & Jerry's <b>patrol</b>"), request!.status_notes);
    assert.ok(request!.status_notes.includes('Done ]]> & "quoted"'));
    assert.ok(!response.body.includes("\u0007"), "characters XML cannot carry are dropped");
    assert.ok(!response.body.includes("<b>"));
  });
});

describeEachDatabase("Open311 rate limits", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context(), { rateLimits: { reports: 2, tracking: 10, signIn: 10 } });
  });
  after(async () => app.close());

  it("limits reports per client, answering 429 in the specification's form with when to retry", async () => {
    const { key } = await app.services.tokens.addClient("Busy app", null);
    const post = (format: Format) =>
      app.inject({
        method: "POST",
        url: `/open311/v2/requests.${format}`,
        payload: new URLSearchParams({ api_key: key, service_code: "sexual-litter", lat: "51.5383", long: "0.7274" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    assert.equal((await post("json")).statusCode, 200);
    assert.equal((await post("xml")).statusCode, 200);
    const json = await post("json");
    assert.equal(json.statusCode, 429);
    assertValid(errorsSchema, json.json(), "errors");
    assert.ok(Number(json.headers["retry-after"]) > 0);
    const xml = await post("xml");
    assert.equal(xml.statusCode, 429);
    assert.equal(listIn(readXml(xml.body), "errors", "error")[0]!.code, "429");
  });
});
