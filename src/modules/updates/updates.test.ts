// "You said, we did" after it is written: previewed before it goes out, changed or withdrawn
// after, each change audited, and a withdrawn update gone from every list, feed and tracking page.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, signedInClient, testApp, validReport } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";

describeEachDatabase("public updates: preview, change and withdraw", (context) => {
  let app: FastifyInstance;
  let officer: Awaited<ReturnType<typeof signedInClient>>;
  let receipt: { reference: string; receiptCode: string };
  let operationId: number;

  before(async () => {
    app = await testApp(context());
    operationId = await activeOperation(app);
    officer = await signedInClient(app, "officer");
    receipt = (await app.inject({ method: "POST", url: "/api/reports", payload: validReport() })).json();
  });
  after(async () => app.close());

  const count = async () => Number((await app.services.database.db.selectFrom("publicUpdates").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  async function publish(title: string, body: string): Promise<number> {
    await officer.client.get("/staff/updates/new");
    const fields = { title, body, operationId: String(operationId), reports: [receipt.reference], moreReports: "" };
    const preview = await officer.client.post("/staff/updates", { ...fields, action: "preview" });
    assert.equal(preview.statusCode, 200);
    const published = await officer.client.post("/staff/updates", { ...fields, action: "publish" });
    assert.equal(published.statusCode, 302, published.body.slice(0, 500));
    return Number(/\/updates\/(\d+)/.exec(String(published.headers.location))![1]);
  }

  it("shows an update as the public will see it before anything is saved, and goes back to the form with every answer kept", async () => {
    const before = await count();
    await officer.client.get("/staff/updates/new");
    const fields = { title: "Evening patrols added", body: "You said cars circled.\nWe added two evening patrols a week.", operationId: String(operationId), reports: [receipt.reference], moreReports: "" };
    const preview = await officer.client.post("/staff/updates", { ...fields, action: "preview" });
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Check the update before it is published/);
    assert.match(preview.body, /We added two evening patrols a week\./);
    assert.match(preview.body, new RegExp(`It answers 1 report: ${receipt.reference}`));
    assert.equal(await count(), before, "a preview saves nothing");
    const back = await officer.client.post("/staff/updates", { ...fields, action: "change" });
    assert.equal(back.statusCode, 200);
    assert.match(back.body, /value="Evening patrols added"/);
    assert.match(back.body, /We added two evening patrols a week\./);
    const wrong = await officer.client.post("/staff/updates", { ...fields, title: "", action: "preview" });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Enter a title/);
    assert.equal(await count(), before);
  });

  it("changes an update, says so on its page, keeps the earlier wording for staff only, and audits the change", async () => {
    const id = await publish("Patrols on Fridays", "Officers patrolled on Friday evenings.");
    await officer.client.get(`/staff/updates/${id}/change`);
    const changed = await officer.client.post(`/staff/updates/${id}/change`, { title: "Patrols on Fridays and Saturdays", body: "Officers patrolled on Friday and Saturday evenings." });
    assert.equal(changed.statusCode, 302);
    assert.equal(changed.headers.location, `/updates/${id}?done=changed`);
    const staffView = await officer.client.get(`/updates/${id}?done=changed`);
    assert.match(staffView.body, /The update is changed/);
    assert.match(staffView.body, /Earlier wording \(staff only\)/);
    assert.match(staffView.body, /Officers patrolled on Friday evenings\./);
    const publicView = await new PageClient(app).get(`/updates/${id}`);
    assert.match(publicView.body, /Friday and Saturday evenings/);
    assert.match(publicView.body, /id="changed"/);
    assert.doesNotMatch(publicView.body, /Officers patrolled on Friday evenings\./, "the earlier wording is not public");
    const tracked = (await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode: receipt.receiptCode } })).json();
    assert.ok(tracked.updates.some((u: { title: string }) => u.title === "Patrols on Fridays and Saturdays"));
    const events = await app.services.audit.search({ recordType: "public-update", operation: "alteration", limit: 10 });
    assert.ok(events.some((e) => e.actorId === officer.id && JSON.parse(e.recordIds).includes(String(id))));
  });

  it("withdraws an update only with a reason, takes it out of every list, feed and tracking page, and audits it", async () => {
    const id = await publish("Wrong date given", "Officers will patrol on 31 February.");
    await officer.client.get(`/staff/updates/${id}/withdraw`);
    const noReason = await officer.client.post(`/staff/updates/${id}/withdraw`, { reason: " " });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Say why it is withdrawn/);
    const withdrawn = await officer.client.post(`/staff/updates/${id}/withdraw`, { reason: "It gave a date that does not exist." });
    assert.equal(withdrawn.statusCode, 302);

    const visitor = new PageClient(app);
    const page = await visitor.get(`/updates/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This update was withdrawn/);
    assert.match(page.body, /It gave a date that does not exist\./);
    assert.doesNotMatch(page.body, /31 February/, "its text is gone from its page");
    for (const url of ["/updates", "/feeds/updates.atom", "/"]) assert.doesNotMatch((await visitor.get(url)).body, /31 February|Wrong date given/, url);
    const tracked = (await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode: receipt.receiptCode } })).json();
    assert.ok(!tracked.updates.some((u: { title: string }) => u.title === "Wrong date given"));
    const slug = (await app.services.operations.find(operationId))!.slug;
    assert.doesNotMatch((await visitor.get(`/operations/${slug}`)).body, /Wrong date given/);
    const open311 = (await app.inject(`/open311/v2/requests/${receipt.reference}.json`)).json();
    assert.doesNotMatch(JSON.stringify(open311), /31 February/);

    const again = await officer.client.post(`/staff/updates/${id}/change`, { title: "Back again", body: "Text." });
    assert.equal(again.statusCode, 409, "a withdrawn update cannot be changed");
    const events = await app.services.audit.search({ recordType: "public-update", operation: "alteration", limit: 10 });
    assert.ok(events.some((e) => e.actorId === officer.id && JSON.parse(e.recordIds).includes(String(id))));
  });

  it("lets only those who publish updates change or withdraw them", async () => {
    const id = await publish("Litter cleared", "The council cleared the alley.");
    const analyst = await signedInClient(app, "analyst");
    await analyst.client.get("/staff");
    assert.equal((await analyst.client.post(`/staff/updates/${id}/withdraw`, { reason: "No" })).statusCode, 404);
    assert.doesNotMatch((await analyst.client.get(`/updates/${id}`)).body, /Withdraw it/);
    assert.match((await officer.client.get(`/updates/${id}`)).body, /Withdraw it/);
  });
});
