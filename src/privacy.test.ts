// Principle 2: a report stores no IP address, user agent or device identifier, and the
// request log holds no client address, body or receipt code.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import { createTestDatabase, type TestDatabase } from "../test/support/databases.ts";
import { testConfig } from "../test/support/config.ts";
import { validReport } from "../test/support/app.ts";

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
});
