// Atom feeds: valid Atom, holding only what openbeat publishes.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { XMLParser } from "fast-xml-parser";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp } from "../../../test/support/app.ts";
import { inLastCompleteMonth, PLACES, reportAt } from "../open311/open311.testing.ts";

const SECRET = "walrus-lantern-private";
const PLATE = "QZ51XYW";
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a feed and checks what RFC 4287 requires of it and of each entry. */
function readAtom(text: string) {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, isArray: (name) => ["entry", "link"].includes(name) });
  const { feed } = parser.parse(text, true);
  assert.ok(feed, "the root element is <feed>");
  assert.equal(feed["@_xmlns"], "http://www.w3.org/2005/Atom");
  for (const field of ["id", "title", "updated", "author"]) assert.ok(feed[field], `feed ${field}`);
  assert.match(feed.updated, W3C);
  assert.ok(feed.link.some((l: Record<string, string>) => l["@_rel"] === "self" && l["@_href"]));
  const entries: Array<Record<string, any>> = feed.entry ?? [];
  for (const entry of entries) {
    for (const field of ["id", "title", "updated", "content"]) assert.ok(entry[field], `entry ${field}`);
    assert.match(entry.updated, W3C);
    assert.ok(entry.link[0]["@_href"]);
  }
  return { feed, entries };
}

describeEachDatabase("Atom feeds", (context) => {
  let app: FastifyInstance;
  let slug: string;

  before(async () => {
    app = await testApp(context());
    slug = `feed-operation-${process.pid}`;
    const operationId = await activeOperation(app, slug);
    const other = await activeOperation(app);
    const at = inLastCompleteMonth();
    const secret = { description: `${SECRET} circling`, vehicle: { registration: PLATE } };
    const references: string[] = [];
    for (let i = 0; i < 5; i++) references.push((await reportAt(app, at, PLACES.a, secret)).reference);
    for (let i = 0; i < 2; i++) await reportAt(app, at, PLACES.b, secret);
    for (let i = 0; i < 3; i++) await reportAt(app, at, PLACES.c, secret);
    await app.services.updates.publish({ title: "Kerb crawlers stopped", body: "Officers stopped three drivers & gave warnings.", operationId, reportReferences: [references[0]!] }, null);
    await app.services.updates.publish({ title: "News from elsewhere", body: "Another operation's update.", operationId: other, reportReferences: [] }, null);
  });
  after(async () => app.close());

  it("publishes every public update as Atom", async () => {
    const response = await app.inject("/feeds/updates.atom");
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/atom+xml; charset=utf-8");
    const { entries } = readAtom(response.body);
    assert.deepEqual(entries.map((e) => e.title["#text"]).sort(), ["Kerb crawlers stopped", "News from elsewhere"]);
    const stopped = entries.find((e) => e.title["#text"] === "Kerb crawlers stopped")!;
    assert.match(stopped.content["#text"], /three drivers & gave warnings/);
    assert.match(stopped.link[0]["@_href"], /\/updates\/\d+$/);
  });

  it("publishes one operation's updates, and only a published operation's", async () => {
    const { entries } = readAtom((await app.inject(`/feeds/operations/${slug}/updates.atom`)).body);
    assert.deepEqual(entries.map((e) => e.title["#text"]), ["Kerb crawlers stopped"]);
    assert.equal((await app.inject("/feeds/operations/no-such-operation/updates.atom")).statusCode, 404);
    const now = new Date().toISOString();
    await app.services.operationsRepository.create(
      { slug: "hidden-operation", name: "Hidden", summary: "", objectives: "[]", categoriesInScope: "[]", startsOn: "2026-01-01", endsOn: null, plannedHoursPerWeek: 0, status: "active", published: false, isDemo: false, createdAt: now, updatedAt: now },
      [],
    );
    assert.equal((await app.inject("/feeds/operations/hidden-operation/updates.atom")).statusCode, 404);
  });

  it("counts new reports in an area by published cell-month, never a cell under k", async () => {
    const response = await app.inject("/feeds/reports.atom?bbox=0.60,51.50,0.76,51.57");
    assert.equal(response.statusCode, 200, response.body);
    const { entries } = readAtom(response.body);
    assert.equal(entries.length, 1);
    const lines = (entries[0]!.content["#text"] as string).split("\n").filter((line) => /reports in the cell/.test(line));
    assert.deepEqual(lines.map((line) => line.split(" ")[0]), ["5"], "only the cell at k; the cells of 2 and 3 are not shown");
    const month = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(inLastCompleteMonth());
    assert.match(entries[0]!.title["#text"], new RegExp(month));
    assert.equal(readAtom((await app.inject("/feeds/reports.atom?bbox=0.60,51.55,0.66,51.57")).body).entries.length, 0, "an area holding only cells under k has no entries");
  });

  it("refuses an area too small or malformed", async () => {
    const small = await app.inject("/feeds/reports.atom?bbox=0.7274,51.5383,0.7284,51.539");
    assert.equal(small.statusCode, 400);
    assert.match(small.json().message, /too small/);
    assert.equal((await app.inject("/feeds/reports.atom?bbox=west,south")).statusCode, 400);
    assert.equal((await app.inject("/feeds/reports.atom")).statusCode, 400);
  });

  it("holds only public text: never what residents wrote, nor a registration", async () => {
    for (const url of ["/feeds/updates.atom", `/feeds/operations/${slug}/updates.atom`, "/feeds/reports.atom?bbox=0.60,51.50,0.76,51.57"]) {
      const body = (await app.inject(url)).body;
      assert.ok(!body.includes(SECRET), `${url} holds a resident's words`);
      assert.ok(!body.includes(PLATE), `${url} holds a registration`);
      assert.ok(!/OB-[0-9A-Z]{7}/.test(body), `${url} holds a report reference`);
    }
  });
});
