// Alerts and feeds can be found: linked from the updates page, every dashboard and the tracking
// page, and announced to feed readers in every page's head (issue 14, finding 8).
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp, validReport } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";

describeEachDatabase("finding alerts and feeds", (context) => {
  let app: FastifyInstance;
  let slug: string;
  let operationId: number;
  before(async () => {
    app = await testApp(context());
    slug = `discovery-${process.pid}`;
    operationId = await activeOperation(app, slug);
  });
  after(async () => app.close());

  it("links to email alerts from the updates page, the dashboard and the tracking page", async () => {
    const visitor = new PageClient(app);
    assert.match((await visitor.get("/updates")).body, /href="\/alerts"/);
    const dashboard = (await visitor.get(`/operations/${slug}`)).body;
    assert.match(dashboard, new RegExp(`href="/alerts\\?operation=${operationId}"`));
    assert.match(dashboard, new RegExp(`href="/feeds/operations/${slug}/updates.atom"`));
    const chosen = (await visitor.get(`/alerts?operation=${operationId}`)).body;
    assert.match(chosen, new RegExp(`value="operation-${operationId}" checked`), "the operation is chosen already");
    const receipt = (await app.inject({ method: "POST", url: "/api/reports", payload: validReport() })).json();
    await visitor.get("/track");
    const tracked = await visitor.post("/track", { receiptCode: receipt.receiptCode });
    assert.match(tracked.body, /href="\/alerts"/);
  });

  it("announces the feeds to feed readers in the head of the pages", async () => {
    const visitor = new PageClient(app);
    for (const url of ["/", "/updates", "/operations"]) {
      assert.match((await visitor.get(url)).body, /<link rel="alternate" type="application\/atom\+xml" title="openbeat: every public update" href="\/feeds\/updates.atom">/, url);
    }
    const dashboard = (await visitor.get(`/operations/${slug}`)).body;
    assert.match(dashboard, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]+: public updates" href="/feeds/operations/${slug}/updates.atom">`));
    assert.equal((await app.inject(`/feeds/operations/${slug}/updates.atom`)).statusCode, 200);
  });
});
