// Property tests: whatever is sent to a public route, the server answers — never a 5xx, and
// every refusal is a 4xx with a message. CI runs a sample; `npm run fuzz` runs 10,000 per route.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../test/support/databases.ts";
import { testApp, validReport } from "../test/support/app.ts";
import { PageClient } from "../test/support/client.ts";

const RUNS = Number(process.env.OPENBEAT_FUZZ_RUNS ?? 60);

const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom("' OR 1=1 --", "<script>alert(1)</script>", "\u0000", "💥".repeat(50), "../../etc/passwd", "%00", "{{7*7}}", "${7*7}", "NaN", "-1e309"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, nasty, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 10 }), tie("value"), { maxKeys: 3 })),
})).value;

describeEachDatabase("fuzzing public routes", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  function assertHandled(response: { statusCode: number; body: string }, what: string) {
    assert.ok(response.statusCode < 500, `${what} → ${response.statusCode} ${response.body.slice(0, 300)}`);
    if (response.statusCode >= 400) assert.ok(response.body.length > 10, `${what}: a refusal must say what to fix`);
  }

  it("POST /api/reports with mutated reports", async () => {
    const fields = Object.keys(validReport());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields, "extra"), anyValue, fc.boolean(), async (field, value, drop) => {
        const body = validReport();
        if (drop) delete body[field];
        else body[field] = value;
        const response = await app.inject({ method: "POST", url: "/api/reports", payload: body });
        assertHandled(response, `${field}=${JSON.stringify(value)}`);
        if (response.statusCode === 400) assert.ok(Array.isArray(response.json().fields) || response.json().message);
      }),
      { numRuns: RUNS },
    );
  });

  it("POST /api/reports and /api/track with arbitrary JSON and raw bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/api/reports", "/api/track", "/api/track/additions"), anyValue, fc.string(), async (url, json, raw) => {
        assertHandled(await app.inject({ method: "POST", url, payload: JSON.stringify(json), headers: { "content-type": "application/json" } }), `${url} json`);
        assertHandled(await app.inject({ method: "POST", url, payload: raw, headers: { "content-type": "application/json" } }), `${url} raw`);
      }),
      { numRuns: RUNS },
    );
  });

  it("every form page of the resident journey with arbitrary fields", async () => {
    const client = new PageClient(app);
    await client.get("/report");
    await client.post("/report", { danger: "no" });
    const pages = ["/report", "/report/where", "/report/category", "/report/details", "/report/contact", "/report/check", "/track", "/track/add", "/staff/sign-in"];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...pages),
        fc.dictionary(fc.constantFrom("danger", "latitude", "longitude", "locationText", "category", "date-day", "date-month", "date-year", "time", "untilTime", "description", "registration", "make", "colour", "answers-what", "wantsContact", "email", "receiptCode", "text", "reopen", "returnTo", "next", "password"), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), { maxKeys: 8 }),
        async (page, fields) => {
          await client.get(page === "/track/add" ? "/track" : page);
          assertHandled(await client.post(page, fields), `${page} ${JSON.stringify(fields)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("GET pages with arbitrary paths and query strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/updates/", "/tiles/", "/report?expired=", "/staff/sign-in?next=", "/staff/reports/"), fc.string(), async (prefix, tail) => {
        assertHandled(await app.inject({ method: "GET", url: prefix + encodeURIComponent(tail), headers: { accept: "text/html" } }), prefix + tail);
      }),
      { numRuns: RUNS },
    );
  });
});
