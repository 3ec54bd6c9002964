// A third-party Open311 client, written only from the specification and speaking only HTTP to
// a listening openbeat: it discovers the endpoint, lists the services, reads a service's
// definition, posts a report answering its attributes (a multi-value list among them), and
// follows it by id until it is closed with a public update. In XML, then in JSON.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { XMLParser } from "fast-xml-parser";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import type { StaffUser } from "../auth/auth.service.ts";

type Format = "xml" | "json";
type Entry = Record<string, any>;

/** The client: nothing of openbeat's code, only URLs, forms and the two formats. */
class GeoReportClient {
  private endpoint = "";
  private readonly parser = new XMLParser({ parseTagValue: false, isArray: (name) => ["service", "attribute", "value", "request", "endpoint", "format", "error"].includes(name) });

  constructor(
    private readonly root: string,
    private readonly format: Format,
    private readonly apiKey: string,
  ) {}

  private async read(response: Response, list?: [string, string]): Promise<any> {
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status}: ${text}`);
    if (this.format === "json") return JSON.parse(text);
    const document = this.parser.parse(text);
    if (!list) return document;
    const inner = document[list[0]];
    return inner === "" ? [] : inner[list[1]];
  }

  async discover(): Promise<void> {
    const discovery = await this.read(await fetch(`${this.root}/open311/v2/discovery.${this.format}`));
    const endpoints = this.format === "json" ? discovery.endpoints : discovery.discovery.endpoints.endpoint;
    const wanted = this.format === "json" ? "application/json" : "text/xml";
    const endpoint = endpoints.find((e: Entry) => (this.format === "json" ? e.formats : e.formats.format).includes(wanted));
    this.endpoint = endpoint.url;
  }

  async services(): Promise<Entry[]> {
    return this.read(await fetch(`${this.endpoint}/services.${this.format}`), ["services", "service"]);
  }

  async definition(code: string): Promise<Entry[]> {
    const body = await this.read(await fetch(`${this.endpoint}/services/${encodeURIComponent(code)}.${this.format}`));
    if (this.format === "json") return body.attributes;
    return body.service_definition.attributes.attribute;
  }

  async post(fields: Array<[string, string]>): Promise<Entry> {
    const form = new URLSearchParams([["api_key", this.apiKey], ...fields]);
    const response = await fetch(`${this.endpoint}/requests.${this.format}`, { method: "POST", body: form });
    const [created] = await this.read(response, ["service_requests", "request"]);
    return created;
  }

  async request(id: string): Promise<Entry> {
    const [request] = await this.read(await fetch(`${this.endpoint}/requests/${encodeURIComponent(id)}.${this.format}`), ["service_requests", "request"]);
    return request;
  }
}

describeEachDatabase("a third-party Open311 client over HTTP", (context) => {
  let app: FastifyInstance;
  let root: string;
  let key: string;
  let officer: StaffUser;

  before(async () => {
    app = await testApp(context());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    root = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    ({ key } = await app.services.tokens.addClient("Street reporting app", null));
    const { id } = await app.services.auth.addUser({ email: `officer-client-${process.pid}@example.test`, name: "PC Client", role: "officer", password: "correct horse battery staple", mustChangePassword: false });
    officer = { id, email: "", name: "PC Client", role: "officer", mustChangePassword: false, partnerAgencyId: null, twoFactorEnabled: false, twoFactorRequired: false };
  });
  after(async () => app.close());

  for (const format of ["xml", "json"] as const) {
    it(`lists services, posts a report with a multi-value answer, and follows it to closure (${format})`, async () => {
      const client = new GeoReportClient(root, format, key);
      await client.discover();

      const services = await client.services();
      const service = services.find((s) => s.service_code === "feeling-unsafe");
      assert.ok(service, "the service is listed");
      assert.equal(String(service.metadata), "true");

      const attributes = await client.definition(service.service_code);
      const multi = attributes.find((a) => a.datatype === "multivaluelist");
      assert.ok(multi, "a multi-value attribute is defined");
      const values = format === "json" ? multi.values : multi.values.value;
      const chosen = values.slice(0, 2).map((v: Entry) => String(v.key));

      const created = await client.post([
        ["service_code", service.service_code],
        ["lat", "51.5383"],
        ["long", "0.7274"],
        ["description", "It is dark and cars keep stopping."],
        ...chosen.map((value: string): [string, string] => [`attribute[${multi.code}][]`, value]),
      ]);
      assert.ok(created.service_request_id);
      assert.ok(created.receipt_code, "the resident gets the receipt code");

      const opened = await client.request(created.service_request_id);
      assert.equal(opened.status, "open");
      // Its category and place wait, as for anyone holding the reference, until its category's
      // cell-month is published: the month is still running.
      assert.equal(opened.service_code, undefined);
      assert.equal(opened.lat, undefined);

      // What openbeat's staff do, outside the client: answer the report and close it.
      const kept = await app.services.triage.open(created.service_request_id);
      assert.deepEqual(kept.answers.map((a) => a.label), ["What makes it feel unsafe?"], "the multi-value answer was kept");
      assert.equal(kept.answers[0]!.value.split(", ").length, 2);
      await app.services.updates.publish({ title: "Street lights fixed", body: "The council repaired two street lights.", operationId: null, reportReferences: [created.service_request_id] }, officer);
      await app.services.triage.grade(created.service_request_id, { grade: "scheduled", thrive: { threat: "Low", harm: "Low", risk: "Low", investigation: "None", vulnerability: "None", engagement: "Council" } }, officer);
      await app.services.triage.move(created.service_request_id, "closed", "passed-to-partner", officer);

      const closed = await client.request(created.service_request_id);
      assert.equal(closed.status, "closed");
      assert.match(closed.status_notes, /Street lights fixed/);
      assert.match(closed.status_notes, /repaired two street lights/);
    });
  }
});
