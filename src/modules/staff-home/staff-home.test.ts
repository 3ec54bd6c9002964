// Each role's home page shows its work first (issue 14, findings 10 and 12): an officer is
// offered "Start a patrol", a lead sees letters waiting for approval and hours against plan, a
// partner worker sees referrals to answer; every role is told what it can do.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, signedInClient, testApp, validReport } from "../../../test/support/app.ts";
import { STAFF_ROLES } from "../auth/policy.ts";

describeEachDatabase("staff home pages", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
    await activeOperation(app);
    for (let i = 0; i < 2; i++) assert.equal((await app.inject({ method: "POST", url: "/api/reports", payload: validReport() })).statusCode, 201);
  });
  after(async () => app.close());

  const home = async (role: (typeof STAFF_ROLES)[number]) => {
    const { client } = await signedInClient(app, role);
    const page = await client.get("/staff");
    assert.equal(page.statusCode, 200, role);
    return { client, body: page.body };
  };

  it("tells every role what it can do there", async () => {
    for (const role of STAFF_ROLES) {
      const { body } = await home(role);
      assert.match(body, /What you can do here/, role);
      assert.match(body, /id="role-summary">[^<]{20,}/, role);
    }
  });

  it("offers an officer their patrol first, and the reports waiting to be graded", async () => {
    const { client, body } = await home("officer");
    const button = /<a [^>]*id="primary-work"[^>]*>[\s\S]*?<\/a>/.exec(body)?.[0] ?? "";
    assert.match(button, /href="\/staff\/patrols\/new"/, "the main button starts a patrol");
    assert.match(button, /Start a patrol/);
    assert.match(body, /Reports waiting to be graded<\/a>: <strong>2<\/strong>/);
    const operationId = (await app.services.operations.listActive())[0]!.id;
    await client.get("/staff/patrols/new");
    const me = (await app.services.database.db.selectFrom("users").select("id").where("role", "=", "officer").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
    assert.equal((await client.post("/staff/patrols", { operationId: String(operationId), areaRole: "target", officerIds: [String(me)] })).statusCode, 302);
    assert.match((await client.get("/staff")).body, /Your patrol is running: log what you do/);
  });

  it("shows an operation lead the hours against plan this week and the letters waiting", async () => {
    const { body } = await home("operation-lead");
    assert.match(body, /Warning letters waiting for your approval<\/a>: <strong>none<\/strong>/);
    assert.match(body, /patrol hours planned this week/);
  });

  it("counts a safeguarding lead's open cases without consulting any", async () => {
    const before = await app.services.audit.search({ recordType: "safeguarding-case", limit: 50 });
    const { body } = await home("safeguarding-lead");
    assert.match(body, /Open cases<\/a>: <strong>none<\/strong>/);
    assert.equal((await app.services.audit.search({ recordType: "safeguarding-case", limit: 50 })).length, before.length, "counting is not a consultation");
  });
});
