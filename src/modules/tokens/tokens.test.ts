// Personal access tokens for the staff JSON API, and the keys of Open311 client apps: made
// once, shown once, refused for roles that must sign in with a second factor, stopped at once
// when revoked, and every use in the audit log.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { createStaffToken as createToken, signedInClient, testApp, validReport } from "../../../test/support/app.ts";

describeEachDatabase("staff personal access tokens", (context) => {
  let app: FastifyInstance;

  before(async () => {
    app = await testApp(context());
    for (let i = 0; i < 2; i++) await app.inject({ method: "POST", url: "/api/reports", payload: validReport() });
  });
  after(async () => app.close());

  const queue = (token: string | null, url = "/api/staff/reports") =>
    app.inject({ method: "GET", url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("lets an officer read the triage queue with a token, each use audited, until it is revoked", async () => {
    const { client, id } = await signedInClient(app, "officer");
    const token = await createToken(client);
    const listed = await client.get("/staff/tokens");
    assert.match(listed.body, /Queue export/);
    assert.ok(!listed.body.includes(token), "the token is never shown again");

    const first = await queue(token);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers["cache-control"], "no-store");
    const body = first.json();
    assert.equal(body.total, 2);
    assert.match(body.reports[0].reference, /^OB-/);
    assert.ok(!JSON.stringify(body).includes("circled"), "the queue holds no resident's words");
    assert.equal((await queue(token, "/api/staff/reports?status=closed")).json().total, 0);
    assert.equal((await queue(token, "/api/staff/reports?status=nonsense")).statusCode, 400);

    const events = (await app.services.audit.search({ actorId: id, operation: "consultation", recordType: "report", limit: 10 })).filter((e) => e.reasonReference?.startsWith("api-token-"));
    assert.equal(events.length, 2, "each read is a consultation in the audit log, naming the token (the refused one read nothing)");
    assert.equal(events[0]!.actorRole, "officer");
    const tokenId = Number(events[0]!.reasonReference!.slice("api-token-".length));
    assert.deepEqual(JSON.parse(events.at(-1)!.recordIds).sort(), body.reports.map((r: { reference: string }) => r.reference).sort());

    // A token opens the staff JSON API only: pages still need a signed-in browser.
    const page = await app.inject({ method: "GET", url: "/staff/reports", headers: { authorization: `Bearer ${token}`, accept: "text/html" } });
    assert.equal(page.statusCode, 302);

    await client.get("/staff/tokens");
    const revoked = await client.post(`/staff/tokens/${tokenId}/revoke`, {});
    assert.equal(revoked.statusCode, 200);
    assert.match(revoked.body, /Revoked/);
    assert.equal((await queue(token)).statusCode, 401, "refused at once");
  });

  it("answers a browser session on the same route, also audited", async () => {
    const { client, id } = await signedInClient(app, "operation-lead");
    const response = await app.inject({ method: "GET", url: "/api/staff/reports", headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    assert.equal(response.statusCode, 200);
    const events = await app.services.audit.search({ actorId: id, operation: "consultation", limit: 5 });
    assert.equal(events[0]!.reasonReference, "web-session");
  });

  it("refuses a missing, unknown or malformed token, and a role without the permission", async () => {
    assert.equal((await queue(null)).statusCode, 401);
    assert.equal((await queue("obt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).statusCode, 401);
    assert.equal((await app.inject({ method: "GET", url: "/api/staff/reports", headers: { authorization: "Basic b2ZmaWNlcjpwYXNz" } })).statusCode, 401);
    const { client } = await signedInClient(app, "analyst");
    const token = await createToken(client, "Analysis");
    assert.equal((await queue(token)).statusCode, 403);
  });

  it("never gives a token to a role that must sign in with a second factor", async () => {
    const { client } = await signedInClient(app, "safeguarding-lead");
    const page = await client.get("/staff/tokens");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /cannot use personal access tokens/);
    assert.equal((await client.post("/staff/tokens", { name: "Cases" })).statusCode, 403);

    // A role changed after the token was made: the token stops with it.
    const officer = await signedInClient(app, "officer");
    const token = await createToken(officer.client);
    assert.equal((await queue(token)).statusCode, 200);
    await app.services.users.update(officer.id, { role: "safeguarding-lead" });
    assert.equal((await queue(token)).statusCode, 401);
  });

  it("stops the tokens of a disabled account", async () => {
    const officer = await signedInClient(app, "officer");
    const token = await createToken(officer.client);
    await app.services.users.update(officer.id, { disabledAt: new Date().toISOString() });
    assert.equal((await queue(token)).statusCode, 401);
  });

  it("documents the staff route in the OpenAPI document", async () => {
    const document = (await app.inject("/api/openapi.json")).json();
    assert.ok(document.paths["/api/staff/reports"]?.get);
  });
});

describeEachDatabase("Open311 client apps", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  const postReport = (key: string) =>
    app.inject({
      method: "POST",
      url: "/open311/v2/requests.json",
      payload: new URLSearchParams({ api_key: key, service_code: "sexual-litter", lat: "51.5383", long: "0.7274" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

  it("are registered by an administrator, with the key shown once, and revoked at once", async () => {
    const { client } = await signedInClient(app, "administrator");
    const page = await client.get("/staff/api-clients");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Republish nothing/);
    const refused = await client.post("/staff/api-clients", { name: "Street app" });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /accepted the terms/);
    const created = await client.post("/staff/api-clients", { name: "Street app", terms: "accepted" });
    assert.equal(created.statusCode, 200, created.body);
    const key = /(obk_[A-Za-z0-9_-]+)/.exec(created.body)![1]!;
    assert.equal((await postReport(key)).statusCode, 200);

    const listed = await client.get("/staff/api-clients");
    assert.ok(!listed.body.includes(key));
    assert.match(listed.body, new RegExp(`…${key.slice(-4)}`));
    const [registered] = await app.services.tokens.listClients();
    assert.ok(registered!.lastUsedAt, "the last use is shown");
    const revoked = await client.post(`/staff/api-clients/${registered!.id}/revoke`, {});
    assert.equal(revoked.statusCode, 200);
    assert.equal((await postReport(key)).statusCode, 403);
  });

  it("are managed by administrators only", async () => {
    const { client } = await signedInClient(app, "officer");
    assert.equal((await client.get("/staff/api-clients")).statusCode, 403);
  });
});

describe("openbeat clients on the command line", () => {
  const run = promisify(execFile);
  const bin = path.resolve(import.meta.dirname, "../../../bin/openbeat.js");
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-clients-"));
  after(() => fs.rmSync(directory, { recursive: true, force: true }));
  const openbeat = (args: string[]) =>
    run(process.execPath, [bin, ...args], { env: { ...process.env, NODE_ENV: "development", OPENBEAT_DATA_DIR: directory, DATABASE_URL: `sqlite:${path.join(directory, "cli.sqlite")}` } });

  it("adds an app and prints its key once, and revokes it", async () => {
    const added = await openbeat(["clients", "add", "Neighbourhood app"]);
    assert.match(added.stdout, /Registered client app 1: Neighbourhood app/);
    assert.match(added.stdout, /API key .*: obk_[A-Za-z0-9_-]{43}/);
    const revoked = await openbeat(["clients", "revoke", "1"]);
    assert.match(revoked.stdout, /Revoked the key of client app 1: Neighbourhood app/);
    await assert.rejects(openbeat(["clients", "revoke", "99"]), /was not found/);
  });
});
