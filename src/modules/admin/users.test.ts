import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";

describeEachDatabase("administering staff accounts", (context) => {
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
    assert.match(duplicate.body, /There is already an account/);
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
});
