// R6: under more concurrent requests than PostgreSQL's pool can serve, the surplus is told at
// once to come back (503 with Retry-After) instead of waiting in the pool's queue until clients
// give up; the requests admitted all succeed, and /healthz answers at once and truthfully.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { buildApp } from "../app.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { createTestDatabase, testDialects, type TestDatabase } from "../../test/support/databases.ts";
import { testConfig } from "../../test/support/config.ts";

interface Answer {
  status: number;
  retryAfter: string | null;
  milliseconds: number;
  body: string;
}

describe("shedding load before PostgreSQL's pool queue grows [postgres]", { skip: !testDialects().includes("postgres") && "PostgreSQL left out (OPENBEAT_TEST_DATABASES)" }, () => {
  const POOL = 2;
  const QUEUE = 4;
  let test: TestDatabase;
  let small: Database;
  let app: FastifyInstance;
  let base: string;
  before(async () => {
    test = await createTestDatabase("postgres");
    // The same schema through a pool of two connections: the size the test fills on purpose.
    small = await openDatabase(test.target, { schema: test.schema, poolSize: POOL });
    app = await buildApp({ config: testConfig(test.target, { databaseQueueLimit: QUEUE }), database: small, logger: false });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await small.close();
    await test.drop();
  });

  async function ask(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(15_000) });
    const body = await response.text();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), milliseconds: performance.now() - started, body };
  }

  it("answers the surplus 503 with Retry-After at once, lets none hang, and serves all the others", async () => {
    // Both connections busy for 1.5 s, as under a burst of slow queries.
    const holding = [1, 2].map(() => sql`select pg_sleep(1.5)`.execute(small.db));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const later = (path: string, headers?: Record<string, string>) => new Promise<Answer>((resolve, reject) => setTimeout(() => ask(path, headers).then(resolve, reject), 200));
    const [answers, page, health] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, () => ask("/api/areas/active"))),
      later("/report", { accept: "text/html" }),
      later("/healthz"),
    ]);
    await Promise.all(holding);

    const shed = answers.filter((a) => a.status === 503);
    const served = answers.filter((a) => a.status === 200);
    assert.equal(shed.length + served.length, answers.length, `every request is answered 200 or 503: ${answers.map((a) => a.status).join(",")}`);
    assert.ok(served.length >= 1 && served.length <= POOL + QUEUE, `${served.length} admitted, at most pool + queue`);
    assert.ok(shed.length >= answers.length - (POOL + QUEUE), `${shed.length} shed`);
    for (const answer of shed) {
      assert.ok(Number(answer.retryAfter) > 0, "a shed request says when to come back");
      assert.ok(answer.milliseconds < 1000, `shed at once, not after waiting (${answer.milliseconds.toFixed(0)} ms)`);
      assert.match(JSON.parse(answer.body).message, /busy.*Nothing you sent was saved.*again/s);
    }
    for (const answer of served) assert.ok(answer.milliseconds >= 1000, "the admitted waited for a connection, and got one");

    assert.equal(page.status, 503);
    assert.ok(Number(page.retryAfter) > 0);
    assert.match(page.body, /busy/);

    assert.equal(health.status, 503, "health says the instance is busy, at once");
    assert.ok(health.milliseconds < 1000, `health answered in ${health.milliseconds.toFixed(0)} ms`);
    assert.deepEqual(JSON.parse(health.body).status, "busy");

    const calm = await ask("/healthz");
    assert.equal(calm.status, 200);
    assert.deepEqual(JSON.parse(calm.body), { status: "ok", database: "postgres" });
    assert.equal((await ask("/api/areas/active")).status, 200, "the gate opens again once the load has passed");
  });
});
