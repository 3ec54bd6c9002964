import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../app.ts";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { createStaffToken, signedInClient, testApp } from "../../../test/support/app.ts";
import { testConfig } from "../../../test/support/config.ts";
import { PageClient } from "../../../test/support/client.ts";
import { codeFor } from "../auth/two-factor.ts";

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

  it("records every account action in the audit log with the administrator who did it", async () => {
    const { client: admin, id: adminId } = await signedInClient(app, "administrator");
    await admin.get("/staff/users/new");
    await admin.post("/staff/users", { name: "PC Audited", email: `pc.audited-${dialect}@example.police.uk`, role: "officer" });
    const id = (await app.services.users.findByEmail(`pc.audited-${dialect}@example.police.uk`))!.id;
    const steps: Array<Record<string, string>> = [{ action: "role", role: "analyst" }, { action: "disable" }, { action: "enable" }, { action: "sign-out" }, { action: "reset-two-factor" }, { action: "reset-password" }];
    for (const fields of steps) {
      assert.equal((await act(admin, id, fields)).statusCode, 200, fields.action);
    }
    const events = (await app.services.audit.search({ actorId: adminId, limit: 20 })).reverse();
    assert.deepEqual(
      events.map((e) => [e.operation, e.recordType, JSON.parse(e.recordIds), e.actorRole]),
      [
        ["collection", "staff-account", [String(id)], "administrator"],
        ["alteration", "staff-account-role", [String(id)], "administrator"],
        ["alteration", "staff-account-disabled", [String(id)], "administrator"],
        ["alteration", "staff-account-enabled", [String(id)], "administrator"],
        ["alteration", "staff-account-sessions", [String(id)], "administrator"],
        ["alteration", "staff-account-second-factor", [String(id)], "administrator"],
        ["alteration", "staff-account-password", [String(id)], "administrator"],
      ],
    );
  });

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

  it("needs a second administrator to make an auditor, and lets no administrator approve their own request", async () => {
    const first = await signedInClient(app, "administrator");
    const second = await signedInClient(app, "administrator");
    const email = `ann.auditor-${dialect}@example.police.uk`;
    await first.client.get("/staff/users/new");
    const asked = await first.client.post("/staff/users", { name: "Ann Auditor", email, role: "auditor" });
    assert.equal(asked.statusCode, 202);
    assert.match(asked.body, /Another administrator must approve/);
    assert.equal(await app.services.users.findByEmail(email), undefined, "no account yet");

    const own = await first.client.get("/staff/users");
    assert.match(own.body, /Ann Auditor/);
    assert.doesNotMatch(own.body, /action="\/staff\/users\/approvals\/\d+"/, "the requester is offered no approve button");
    const listed = await second.client.get("/staff/users");
    const approvalId = Number(/action="\/staff\/users\/approvals\/(\d+)"/.exec(listed.body)![1]);
    await first.client.get("/staff/users/new"); // any page with a form, for its CSRF token
    const selfApproved = await first.client.post(`/staff/users/approvals/${approvalId}`, { decision: "approve" });
    assert.equal(selfApproved.statusCode, 403);
    assert.match(selfApproved.body, /Another administrator must approve a request you made/);
    assert.equal(await app.services.users.findByEmail(email), undefined);

    await second.client.get("/staff/users");
    const approved = await second.client.post(`/staff/users/approvals/${approvalId}`, { decision: "approve" });
    assert.equal(approved.statusCode, 200);
    assert.match(approved.body, /id="one-time-password">[a-z0-9-]+</, "the approving administrator hands the one-time password over");
    const auditor = await app.services.users.findByEmail(email);
    assert.equal(auditor?.role, "auditor");
    await second.client.get("/staff/users/new");
    const again = await second.client.post(`/staff/users/approvals/${approvalId}`, { decision: "approve" });
    assert.equal(again.statusCode, 409, "a request is decided once");

    // Giving an existing account the auditor role waits for a second administrator too.
    const { id: officerId } = await signedInClient(app, "officer");
    const changed = await act(first.client, officerId, { action: "role", role: "auditor" });
    assert.equal(changed.statusCode, 202);
    assert.equal((await app.services.users.findById(officerId))!.role, "officer");
    const pending = await second.client.get("/staff/users");
    const roleApproval = Number([...pending.body.matchAll(/action="\/staff\/users\/approvals\/(\d+)"/g)].map((m) => m[1]).at(-1));
    await second.client.post(`/staff/users/approvals/${roleApproval}`, { decision: "approve" });
    assert.equal((await app.services.users.findById(officerId))!.role, "auditor");

    const trail = (await app.services.audit.search({ recordType: "staff-account-approval", limit: 10 })).reverse();
    assert.deepEqual(
      trail.map((e) => [e.operation, e.actorId]),
      [
        ["collection", first.id],
        ["alteration", second.id],
        ["collection", first.id],
        ["alteration", second.id],
      ],
    );
  });

  it("refuses the approval of an administrator whose sign-in the requester set up, and lets another decline", async () => {
    const first = await signedInClient(app, "administrator");
    const other = await signedInClient(app, "administrator");
    // The first administrator makes a second administrator account and signs in as it.
    await first.client.get("/staff/users/new");
    const made = await first.client.post("/staff/users", { name: "Puppet Admin", email: `puppet-${dialect}@example.police.uk`, role: "administrator" });
    const oneTime = /id="one-time-password">([^<]+)</.exec(made.body)![1]!;
    const puppet = new PageClient(app);
    await puppet.get("/staff/sign-in");
    await puppet.post("/staff/sign-in", { email: `puppet-${dialect}@example.police.uk`, password: oneTime, next: "/staff" });
    await puppet.get("/staff/password");
    await puppet.post("/staff/password", { current: oneTime, password: "a puppet's passphrase", confirm: "a puppet's passphrase" });
    const enrol = await puppet.get("/staff/two-factor");
    const key = /id="totp-key">([^<]+)</.exec(enrol.body)![1]!.replace(/\s+/g, "");
    await puppet.post("/staff/two-factor", { sealed: /name="sealed" value="([^"]+)"/.exec(enrol.body)![1]!, code: codeFor(key) });

    await first.client.get("/staff/users/new");
    const email = `second-auditor-${dialect}@example.police.uk`;
    assert.equal((await first.client.post("/staff/users", { name: "Second Auditor", email, role: "auditor" })).statusCode, 202);
    const listed = await puppet.get("/staff/users");
    const approvalId = Number([...listed.body.matchAll(/action="\/staff\/users\/approvals\/(\d+)"/g)].at(-1)![1]);
    const refused = await puppet.post(`/staff/users/approvals/${approvalId}`, { decision: "approve" });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Your own sign-in was last set up by the administrator who made this request/);

    await other.client.get("/staff/users");
    const declined = await other.client.post(`/staff/users/approvals/${approvalId}`, { decision: "decline" });
    assert.equal(declined.statusCode, 200);
    assert.match(declined.body, /Request declined/);
    assert.equal(await app.services.users.findByEmail(email), undefined);
  });

  it("shows an auditor an administrator's takeover of an account, to the revealed real name", async () => {
    const lead = await signedInClient(app, "safeguarding-lead");
    await lead.client.get("/safeguarding/cases/new");
    const reason = { reasonCode: "safeguarding", reasonReference: "SG-TAKEOVER-1" };
    const opened = await lead.client.post("/safeguarding/cases", {
      alias: "Wren", realName: "Jane Takeover", ageBand: "25-34", needs: ["housing"], needsDetails: "", consent: "given", ...reason,
    });
    const caseId = Number(/^\/safeguarding\/cases\/(\d+)/.exec(String(opened.headers.location))![1]);

    const admin = await signedInClient(app, "administrator");
    const reset = await act(admin.client, lead.id, { action: "reset-password" });
    const oneTime = /id="one-time-password">([^<]+)</.exec(reset.body)![1]!;
    await act(admin.client, lead.id, { action: "reset-two-factor" });

    // The administrator signs in as the lead, sets a password and an authenticator of their own, and reveals the name.
    const takeover = new PageClient(app);
    await takeover.get("/staff/sign-in");
    assert.equal((await takeover.post("/staff/sign-in", { email: lead.email, password: oneTime, next: "/staff" })).headers.location, "/staff/password");
    await takeover.get("/staff/password");
    await takeover.post("/staff/password", { current: oneTime, password: "the administrator's own", confirm: "the administrator's own" });
    const enrol = await takeover.get("/staff/two-factor");
    const key = /id="totp-key">([^<]+)</.exec(enrol.body)![1]!.replace(/\s+/g, "");
    assert.equal((await takeover.post("/staff/two-factor", { sealed: /name="sealed" value="([^"]+)"/.exec(enrol.body)![1]!, code: codeFor(key) })).statusCode, 302);
    await takeover.get(`/safeguarding/cases/${caseId}?${new URLSearchParams(reason)}`);
    assert.match((await takeover.post(`/safeguarding/cases/${caseId}/real-name`, reason)).body, /Jane Takeover/);

    const auditor = await signedInClient(app, "auditor");
    const query = new URLSearchParams({ reasonCode: "audit", reasonReference: "AUD-TAKEOVER", recordType: "safeguarding-case-real-name" });
    const page = await auditor.client.get(`/staff/audit?${query}`);
    assert.equal(page.statusCode, 200);
    const row = page.body.split("<tr").find((r) => r.includes(`user ${lead.id} (safeguarding-lead)`) && r.includes("consultation"));
    assert.ok(row, "the reveal is listed");
    assert.match(row, new RegExp(`credentials issued by user ${admin.id} \\(administrator\\)`), "with the administrator who issued the credentials it was done with");

    const csv = await auditor.client.get(`/staff/audit/export.csv?${query}`);
    const [header, ...lines] = csv.body.trim().split("\r\n");
    const columns = header!.split(",");
    const cells = lines.map((line) => Object.fromEntries(line.split(",").map((cell, i) => [columns[i], cell])));
    const reveal = cells.find((c) => c.actor_id === String(lead.id) && c.operation === "consultation");
    assert.equal(reveal?.credentials_issued_by, String(admin.id));

    // The lead's own steps after the reset carry it too, and the resets are the administrator's.
    const own = await app.services.audit.search({ actorId: lead.id, limit: 20 });
    const ownPassword = own.find((e) => e.recordType === "staff-account-password");
    assert.ok(ownPassword?.actorCredentialsEventId, "the new password was set on credentials an administrator issued");
    const issued = (await app.services.audit.search({ actorId: admin.id, limit: 20 })).find((e) => e.id === ownPassword.actorCredentialsEventId);
    assert.equal(issued?.recordType, "staff-account-second-factor");
    assert.deepEqual(JSON.parse(issued!.recordIds), [String(lead.id)]);
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
