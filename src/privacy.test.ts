// Principle 2: a report stores no IP address, user agent or device identifier, and the
// request log holds no client address, body or receipt code.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import { createTestDatabase, type TestDatabase } from "../test/support/databases.ts";
import { testConfig } from "../test/support/config.ts";
import { signedInClient, validReport } from "../test/support/app.ts";

describe("what openbeat keeps about a resident", () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  const lines: string[] = [];
  before(async () => {
    test = await createTestDatabase("sqlite");
    // Capture what Fastify's logger writes, exactly as production would ship it.
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = await buildApp({ config: testConfig(test.target, { logLevel: "info", trustProxy: true }), database: test.database, logger: true, logStream });
  });
  after(async () => {
    await app.close();
    await test.drop();
  });

  it("stores no address, user agent or device id with a report", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/reports",
      payload: validReport({ description: "unique-words-xylophone-quartz" }),
      headers: { "x-forwarded-for": "203.0.113.77", "user-agent": "Mozilla/5.0 (device-id 42-ABC)" },
      remoteAddress: "198.51.100.23",
    });
    assert.equal(response.statusCode, 201);
    const { db } = test.database;
    const tables = await db.introspection.getTables();
    for (const table of tables) {
      const rows = await db.selectFrom(table.name as never).selectAll().execute();
      const text = JSON.stringify(rows);
      for (const secret of ["203.0.113.77", "198.51.100.23", "Mozilla", "device-id"]) {
        assert.ok(!text.includes(secret), `${secret} found in table ${table.name}`);
      }
    }
    const columns = tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`));
    assert.ok(!columns.some((c) => /(^|_)ip|user_agent|device/.test(c.split(".")[1]!)), columns.join(", "));
  });

  it("logs no client address, body, query or receipt code", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/reports?source=test-query-marker",
      payload: validReport({ description: "log-marker-words-zebra" }),
      headers: { "x-forwarded-for": "203.0.113.78" },
      remoteAddress: "198.51.100.24",
    });
    const { receiptCode } = response.json();
    await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode }, headers: { "x-forwarded-for": "203.0.113.78" } });
    const log = lines.join("");
    assert.ok(log.includes("/api/reports"), "requests are logged");
    for (const secret of ["203.0.113.78", "198.51.100.24", "log-marker-words-zebra", "test-query-marker", receiptCode, receiptCode.replace(/-/g, "")]) {
      assert.ok(!log.includes(secret), `${secret} appears in the log`);
    }
  });

  it("logs each request by its route pattern: no registration, token, tile or query from the address", async () => {
    const { client: officer } = await signedInClient(app, "officer");
    lines.length = 0;
    const headers = { "x-forwarded-for": "203.0.113.79" };
    const visits = [
      "/staff/vehicles/DM14VAN",
      "/staff/vehicles/DM14VAN/letter.pdf?reason=QUERYMARKER",
      "/alerts/confirm/ALERTTOKEN1234567890",
      "/alerts/unsubscribe/ALERTTOKEN0987654321?x=1",
      "/tiles/19/262111/174222.png",
      "/no/such/page/DM15VAN",
      "/staff/vehicles/BADURL%zz%E0%A4",
    ];
    const answers = [];
    for (const url of visits) answers.push(await app.inject({ url, headers, remoteAddress: "198.51.100.25" }));
    const malformed = answers.at(-1)!;
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().message, /not well formed/);
    assert.ok(!malformed.body.includes("BADURL"), "the address is not echoed back");
    await officer.get("/staff/vehicles/DM16VAN");
    await app.inject({ method: "POST", url: "/alerts/confirm/ALERTTOKEN1122334455", headers, remoteAddress: "198.51.100.25" });

    const entries = lines.flatMap((line) => line.split("\n")).filter(Boolean).map((line) => JSON.parse(line) as { req?: { url: string }; msg: string });
    const logged = entries.flatMap((entry) => (entry.req ? [entry.req.url] : []));
    assert.ok(logged.includes("/staff/vehicles/:registration"), logged.join(", "));
    assert.ok(logged.includes("/staff/vehicles/:registration/letter.pdf"), logged.join(", "));
    assert.ok(logged.includes("(no route)"), "a 404 or a malformed address is logged without its path");
    assert.ok(logged.includes("/alerts/confirm/:token"), logged.join(", "));
    assert.ok(logged.includes("/tiles/:z/:x/:y.png"), logged.join(", "));
    assert.ok(entries.length >= visits.length * 2, "each request is logged as it comes in and as it completes");
    const log = lines.join("");
    for (const secret of ["DM14VAN", "DM15VAN", "DM16VAN", "QUERYMARKER", "ALERTTOKEN", "262111", "174222", "BADURL", "no/such", "203.0.113.79", "198.51.100.25"]) {
      assert.ok(!log.includes(secret), `${secret} appears in the log:\n${log}`);
    }
  });
});
