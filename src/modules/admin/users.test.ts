import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../app.ts";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { createStaffToken, signedInClient, testApp } from "../../../test/support/app.ts";
import { testConfig } from "../../../test/support/config.ts";
import { PageClient } from "../../../test/support/client.ts";

describeEachDatabase("administering staff accounts", (context, dialect) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  it("creates an account with a one-time password shown once", async () => {
    const { client } = await signedInClient(app, "administrator");
    await client.get("/staff/users/new");
    const invalid = await client.post("/staff/users", { name: "", email: "not-an-email", role: "sergeant" });
    assert.equal(invalid.statusCode, 400);
    for (const message of [/Enter the person&#39;s name/, /correct format/, /Choose a role/]) assert.match(invalid.body, message);
    const created = await client.post("/staff/users", { name: "PC New", email: "pc.new@example.police.uk", role: "officer" });
    assert.equal(created.statusCode, 200);
    assert.equal(created.headers["cache-control"], "no-store");
    const password = /id="one-time-password">([^<]+)</.exec(created.body)![1]!;
    const officer = new PageClient(app);
    await officer.get("/staff/sign-in");
    const signedIn = await officer.post("/staff/sign-in", { email: "pc.new@example.police.uk", password, next: "/staff" });
    assert.equal(signedIn.headers.location, "/staff/password");
    await client.get("/staff/users/new");
    const duplicate = await client.post("/staff/users", { name: "PC New", email: "PC.NEW@example.police.uk", role: "officer" });
    assert.match(duplicate.body, /An account with that email already exists/);
  });

  it("changes a role, disables an account and ends its sessions at once", async () => {
    const { client: admin } = await signedInClient(app, "administrator");
    const { client: officer, id } = await signedInClient(app, "officer");
    assert.equal((await officer.get("/staff/reports")).statusCode, 200);
    await admin.get(`/staff/users/${id}`);
    await admin.post(`/staff/users/${id}`, { action: "role", role: "analyst" });
    assert.equal((await officer.get("/staff/reports")).statusCode, 302, "the old session ended with the role change");
    assert.equal((await app.services.users.findById(id))!.role, "analyst");
    await admin.get(`/staff/users/${id}`);
    const disabled = await admin.post(`/staff/users/${id}`, { action: "disable" });
    assert.match(disabled.body, /Account disabled/);
    const again = new PageClient(app);
    await again.get("/staff/sign-in");
    const refused = await again.post("/staff/sign-in", { email: (await app.services.users.findById(id))!.email, password: "correct horse battery staple", next: "/staff" });
    assert.equal(refused.statusCode, 401);
  });

  it("is for administrators only", async () => {
    for (const role of ["officer", "operation-lead", "auditor"] as const) {
      const { client } = await signedInClient(app, role);
      assert.equal((await client.get("/staff/users")).statusCode, 403, role);
    }
  });

  /** Posts one of the account page's forms as the administrator. */
  async function act(admin: PageClient, id: number, fields: Record<string, string>) {
    await admin.get(`/staff/users/${id}`);
    return admin.post(`/staff/users/${id}`, fields);
  }

  it("ends every session and token of the person when an administrator signs them out, resets them, disables them or changes their role", async () => {
    const { client: admin } = await signedInClient(app, "administrator");
    const steps: Array<Record<string, string>> = [{ action: "sign-out" }, { action: "reset-password" }, { action: "reset-two-factor" }, { action: "disable" }, { action: "role", role: "analyst" }];
    for (const fields of steps) {
      const { client: officer, id } = await signedInClient(app, "officer");
      const token = await createStaffToken(officer);
      const api = () => app.inject({ method: "GET", url: "/api/staff/reports", headers: { authorization: `Bearer ${token}` } });
      assert.equal((await api()).statusCode, 200);
      assert.equal((await act(admin, id, fields)).statusCode, 200, fields.action);
      assert.equal((await officer.get("/staff")).statusCode, 302, `${fields.action}: the session has ended`);
      assert.equal((await api()).statusCode, 401, `${fields.action}: the token has ended`);
    }
  });

  it("creates one account when six identical requests arrive at once, tells the rest the email is taken, and logs no email", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await buildApp({ config: testConfig(context().target, { logLevel: "info" }), database: context().database, logStream: stream });
    try {
      const { client: admin } = await signedInClient(logged, "administrator");
      await admin.get("/staff/users/new");
      const email = `pc.twin-${dialect}@example.police.uk`;
      const answers = await Promise.all(Array.from({ length: 6 }, () => admin.post("/staff/users", { name: "PC Twin", email, role: "officer" })));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409, 409, 409, 409, 409]);
      for (const answer of answers.filter((a) => a.statusCode === 409)) assert.match(answer.body, /An account with that email already exists/);
      const rows = await context().database.db.selectFrom("users").select("id").where("email", "=", email).execute();
      assert.equal(rows.length, 1);
      assert.ok(lines.length > 0, "the log was written");
      assert.ok(!lines.some((line) => line.includes("pc.twin")), "no email address in the log");
    } finally {
      await logged.close();
    }
  });
});
