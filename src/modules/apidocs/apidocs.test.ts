// The API reference page: every JSON route of the OpenAPI document, with its parameters,
// schemas and an example, served by openbeat itself and linked from every page.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import { exampleFor } from "./apidocs.ts";

const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describeEachDatabase("the API reference", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  it("lists every JSON route with an example of what it takes and gives", async () => {
    const response = await app.inject({ url: "/api/docs", headers: { accept: "text/html" } });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /text\/html/);
    const routes = app.routeTable.filter((route) => !route.hidden);
    assert.ok(routes.some((route) => route.url === "/api/staff/reports"));
    for (const route of routes) {
      const path = route.url.replace(/:(\w+)/g, "{$1}");
      const start = response.body.indexOf(`data-route="${route.method} ${path}"`);
      assert.ok(start >= 0, `${route.method} ${path} is on the page`);
      const section = response.body.slice(start, response.body.indexOf("</section>", start));
      const examples = [...section.matchAll(/<pre[^>]*data-example><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => JSON.parse(unescape(m[1]!)));
      assert.ok(examples.length >= 1, `${route.method} ${path} has an example`);
    }
    assert.ok(!response.body.includes('data-route="GET /api/docs"'), "the page itself is not an API route");
  });

  it("uses a schema's own example, and makes one where it has none", async () => {
    const page = unescape((await app.inject({ url: "/api/docs", headers: { accept: "text/html" } })).body);
    assert.ok(page.includes('"registration": "AB12 CDE"'), "the NewReport example");
    assert.deepEqual(
      exampleFor({ type: "object", properties: { at: { type: "string", format: "date-time" }, n: { type: "integer", minimum: 1 }, tags: { type: "array", items: { enum: ["a", "b"] } } } }, {}),
      { at: "2026-05-01T21:30:00Z", n: 1, tags: ["a"] },
    );
  });

  it("is linked from the footer of every page", async () => {
    const home = await app.inject({ url: "/", headers: { accept: "text/html" } });
    assert.match(home.body, /<a class="govuk-footer__link" href="\/api\/docs">API<\/a>/);
  });
});
