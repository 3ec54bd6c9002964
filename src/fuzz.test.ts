// Property tests over every route in the route table and every form on every page: whatever is
// sent, the server answers — never a 5xx, never a crash — and every refusal is a 4xx that says
// what is wrong. Routes that need a role are fuzzed signed in as a role allowed to use them,
// with a valid CSRF token, starting from a form that would be accepted and changing a few of
// its fields (so the hostile value reaches the code behind the validation of the others).
//
// CI runs a small sample per route (OPENBEAT_FUZZ_RUNS, default 12); `npm run fuzz` runs
// 10,000 per route. OPENBEAT_FUZZ_ROUTES (a regular expression over "METHOD /url") picks routes,
// OPENBEAT_FUZZ_SEED replays a run.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import fc from "fast-check";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { RouteEntry } from "./app.ts";
import { describeEachDatabase } from "../test/support/databases.ts";
import { signedInClient, testApp, validReport } from "../test/support/app.ts";
import { PageClient } from "../test/support/client.ts";
import {
  buildWorld,
  concreteUrl,
  harvestForms,
  parameterNames,
  partyFor,
  PASSWORD,
  roleOf,
  testedRoutes,
  validForm,
  type PartyName,
  type World,
} from "../test/support/world.ts";

const RUNS = Number(process.env.OPENBEAT_FUZZ_RUNS ?? 12);
const ONLY = process.env.OPENBEAT_FUZZ_ROUTES ? new RegExp(process.env.OPENBEAT_FUZZ_ROUTES) : null;
const SEED = process.env.OPENBEAT_FUZZ_SEED ? Number(process.env.OPENBEAT_FUZZ_SEED) : undefined;

// Values people (and attackers) type where something else was expected.
const HOSTILE = [
  "' OR 1=1 --",
  "'; DROP TABLE reports; --",
  "1; SELECT pg_sleep(1)",
  "\" OR \"\"=\"",
  "<script>alert(1)</script>",
  "\"><img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "<svg onload=alert(1)>",
  "{{7*7}}",
  "${7*7}",
  "{% raw %}",
  "%s%s%s%n",
  "../../../../etc/passwd",
  "..%2f..%2f",
  "%00",
  "\u0000",
  "\r\nSet-Cookie: x=1",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "💥".repeat(50),
  "\ud800",
  "NaN",
  "Infinity",
  "-1e309",
  "9".repeat(400),
  "-0",
  "0x1F",
  "1e-400",
  "true",
  "null",
  "undefined",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  " ",
  "",
];

const controlCharacters = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 20 });
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  controlCharacters,
  fc.constantFrom(...HOSTILE),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 100, max: 20_000 })).map(([s, n]) => s.repeat(n).slice(0, 120_000)),
);
/** A form value: one string, or several where one was expected. */
const formValue: fc.Arbitrary<string | string[]> = fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: fc.array(hostileText, { minLength: 2, maxLength: 4 }) });
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    hostileText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("__proto__", "constructor")), tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** Query names the pages read, beside arbitrary ones. */
const QUERY_NAMES = [
  "status", "category", "grade", "area", "page", "weeks", "saved", "plannedHours", "imported", "bbox", "reasonCode", "reasonReference",
  "operation", "recordType", "actorId", "from", "to", "next", "change", "expired", "reports", "service_code", "start_date", "end_date",
  "service_request_id", "jurisdiction_id", "lat", "long", "api_key", "limit", "offset", "logged", "urgent", "signedOut", "format",
];
const MALFORMED_QUERIES = ["%", "%zz", "a=%E0%A4%A", "&&==&", "a[b][c]=1", "a=1&a=2&a=3", "=x", "x=" + "%41".repeat(2000)];
const queryArbitrary = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 12 })), formValue), { maxLength: 5 }).map(encodeQuery) },
  { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_QUERIES) },
);

function encodeQuery(pairs: Array<[string, string | string[]]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of pairs) for (const v of [value].flat()) search.append(key, v);
  return search.toString();
}

const RAW_SEGMENTS = ["%", "%zz", "%E0%A4%A", "..", ".", "%2e%2e", "%00", "a%2Fb", "%C0%AF", "0", "-1", "1.5", "99999999999999999999", "1e3", "0x10", " 1"];
/** A path parameter's value: a hostile text, percent-encoded, or a raw segment a router might trip on. */
const segmentArbitrary = fc.oneof({ weight: 4, arbitrary: hostileText.filter((s) => s.length > 0).map((s) => encodeURIComponent(wellFormed(s.slice(0, 2000)))) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) });

/** A browser cannot put half a surrogate pair in a URL: it sends U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

type Encoding = "form" | "json" | "multipart" | "raw";

interface Attempt {
  base: boolean;
  drop: string[];
  changes: Array<[string, string | string[]]>;
  path: Array<[string, string]>;
  query: string;
  encoding: Encoding;
  csrf: "valid" | "missing" | "wrong";
  raw: string;
  rawType: string;
  accept: string;
  /** Sometimes a whole JSON document in place of the form: arrays, nesting, numbers, null. */
  document: unknown;
  /** Sometimes the body cut short, as a dropped upload would be. */
  cut: number | undefined;
}

function attemptArbitrary(route: RouteEntry, fieldNames: string[]): fc.Arbitrary<Attempt> {
  const params = parameterNames(route.url);
  const names = fieldNames.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fieldNames) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "_csrf", "a[]", "x[y]")) }) : fc.string({ maxLength: 12 });
  return fc.record({
    base: fc.boolean(),
    drop: fieldNames.length ? fc.subarray(fieldNames, { maxLength: Math.min(3, fieldNames.length) }) : fc.constant([]),
    changes: fc.array(fc.tuple(names, formValue), { minLength: 1, maxLength: 4 }),
    path: params.length ? fc.array(fc.tuple(fc.constantFrom(...params), segmentArbitrary), { maxLength: 1 }) : fc.constant([]),
    query: fc.oneof({ weight: 3, arbitrary: fc.constant("") }, { weight: 1, arbitrary: queryArbitrary }),
    encoding: fc.constantFrom<Encoding>("form", "form", "form", "form", "json", "multipart", "raw"),
    csrf: fc.constantFrom<Attempt["csrf"]>("valid", "valid", "valid", "valid", "valid", "missing", "wrong"),
    raw: hostileText,
    rawType: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain", "application/xml", "multipart/form-data", "application/octet-stream"),
    accept: fc.constantFrom("text/html", "text/html", "application/json", "*/*", "application/xml"),
    document: fc.option(anyJson, { freq: 4, nil: undefined }),
    cut: fc.option(fc.nat(), { freq: 4, nil: undefined }),
  });
}

/** A multipart body as a browser sends it, with one small file part. */
function multipartBody(fields: Array<[string, string]>, file: string): { payload: Buffer; contentType: string } {
  const boundary = `----openbeat-fuzz-${Math.random().toString(36).slice(2)}`;
  const clean = (s: string) => s.replace(/["\r\n]/g, "_");
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${clean(name)}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${clean(file.slice(0, 20))}.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n`);
  return { payload: Buffer.from(`${parts.join("")}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Whatever happened, the answer is not a server error, and a refusal says what to fix. */
function assertHandled(response: LightMyRequestResponse, what: string): void {
  const where = () => `${what} → ${response.statusCode} ${response.body.slice(0, 400)}`;
  assert.ok(response.statusCode < 500, where());
  if (response.statusCode < 400) return;
  const type = String(response.headers["content-type"] ?? "");
  if (type.includes("json")) {
    const body = JSON.parse(response.body) as { message?: string } | Array<{ description?: string }>;
    const message = Array.isArray(body) ? body[0]?.description : body.message;
    assert.ok(typeof message === "string" && message.length > 5, `a refusal must say what is wrong: ${where()}`);
  } else if (type.includes("html")) {
    const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(response.body)?.[1]?.replace(/<[^>]+>/g, "").trim() ?? "";
    assert.ok(heading.length >= 4, `a refused page has a heading: ${where()}`);
    assert.match(response.body, /govuk-error-summary|govuk-error-message|<p class="govuk-body">[^<]{10,}/, `a refused page says what is wrong: ${where()}`);
  } else if (type.includes("xml")) {
    assert.match(response.body, /<description>[^<]{5,}<\/description>/, `a refusal must say what is wrong: ${where()}`);
  } else {
    assert.ok(response.body.length > 10, `a refusal must say what is wrong: ${where()}`);
  }
}

/** A request the server never answers is a failure too (a hung upload holds a file open). */
async function answered(request: Promise<LightMyRequestResponse>, what: string): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within 20 s: ${what}`)), 20_000);
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cookies of a PageClient, as a header. */
function cookieHeader(client: PageClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

describeEachDatabase("fuzzing every route and every form", (context) => {
  let app: FastifyInstance;
  let world: World;
  let forms: Map<string, Set<string>>;
  const sessions = new Map<PartyName | "anonymous", { client: PageClient; csrf: string }>();
  /** Parties whose last answer looked signed out: checked before their next request. */
  const stale = new Set<PartyName | "anonymous">();

  before(async () => {
    // Limits far above the runs: a 429 is a fine answer, but it would hide the code behind it.
    app = await testApp(context(), { rateLimits: { reports: 10_000_000, tracking: 10_000_000, signIn: 10_000_000 } });
    world = await buildWorld(app);
    forms = await harvestForms(world, testedRoutes(app));
  });
  after(async () => {
    await app.services.imports.idle();
    await app.close();
  });

  /** A session for the party that may use a route, still signed in, with its CSRF token. */
  async function sessionFor(party: PartyName | null): Promise<{ client: PageClient; csrf: string }> {
    const key = party ?? "anonymous";
    let session = sessions.get(key);
    if (session && party && stale.delete(key)) {
      const home = await session.client.get("/staff");
      if (home.statusCode !== 200) session = undefined;
    }
    if (!session) {
      let client: PageClient;
      if (!party) client = new PageClient(app);
      else if (!sessions.has(key)) client = world.parties[party].client;
      else {
        // The last run signed this party out (or reset its account): carry on as a new member of staff in the same role.
        const fresh = await signedInClient(app, roleOf(party), PASSWORD);
        if (party === "partnerA") await app.services.users.update(fresh.id, { partnerAgencyId: world.agencies.a });
        client = fresh.client;
      }
      await client.get(party ? "/staff" : "/report");
      session = { client, csrf: client.csrf() };
      assert.ok(session.csrf, `a CSRF token for ${key}`);
      sessions.set(key, session);
    }
    return session;
  }

  /** A resident half-way through the report form, so its later pages are reached. */
  async function residentWithDraft(session: { client: PageClient; csrf: string }) {
    const steps = ["/report", "/report/where", "/report/category", "/report/details", "/report/contact"];
    for (const step of steps) {
      const response = await session.client.post(step, validForm(step, world), { csrf: session.csrf });
      assert.equal(response.statusCode, 302, `${step}: ${response.body.slice(0, 300)}`);
    }
  }

  async function attempt(route: RouteEntry, party: PartyName | null, fieldNames: string[], a: Attempt): Promise<void> {
    const session = await sessionFor(party);
    const replace = Object.fromEntries(a.path);
    let url = concreteUrl(route, world, party, replace);
    if (a.query) url += (url.includes("?") ? "&" : "?") + a.query;
    const headers: Record<string, string> = { accept: a.accept, cookie: cookieHeader(session.client) };
    const what = `${route.method} ${url.slice(0, 300)} ${JSON.stringify(a).slice(0, 600)}`;
    if (route.method === "GET") {
      assertHandled(await answered(app.inject({ method: "GET", url, headers }), what), what);
      return;
    }

    const base = a.base ? (route.url === "/api/reports" ? (validReport() as Record<string, unknown>) : validForm(route.url, world)) : {};
    const body: Record<string, unknown> = { ...base };
    for (const name of a.drop) delete body[name];
    for (const [name, value] of a.changes) body[name] = value;
    if (route.url.startsWith("/api/") && a.encoding === "json" && fieldNames.length === 0) body.nested = a.changes.map(([, v]) => v);
    const token = a.csrf === "valid" ? session.csrf : a.csrf === "wrong" ? `${session.csrf.slice(0, -2)}xx` : null;
    if (token !== null) body._csrf = token;

    let payload: string | Buffer;
    let contentType: string;
    if (a.encoding === "json") {
      payload = JSON.stringify(a.document === undefined ? body : a.document);
      contentType = "application/json";
    } else if (a.encoding === "multipart") {
      ({ payload, contentType } = multipartBody(Object.entries(body).flatMap(([k, v]) => [v].flat().map((x) => [k, String(x)] as [string, string])), a.raw));
    } else if (a.encoding === "raw") {
      payload = a.raw;
      contentType = a.rawType;
    } else {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) for (const x of [v].flat()) search.append(k, typeof x === "string" ? x : JSON.stringify(x));
      payload = search.toString();
      contentType = "application/x-www-form-urlencoded";
    }
    if (a.cut !== undefined && payload.length > 1) payload = Buffer.from(payload).subarray(0, a.cut % Buffer.byteLength(payload));
    const response = await answered(app.inject({ method: route.method as "POST", url, payload, headers: { ...headers, "content-type": contentType } }), what);
    if (response.statusCode === 401 || String(response.headers.location ?? "").startsWith("/staff/sign-in")) stale.add(party ?? "anonymous");
    assertHandled(response, what);
    if (token !== session.csrf && route.url.startsWith("/") && !route.url.startsWith("/api/") && !route.url.startsWith("/open311/") && route.url !== "/alerts/unsubscribe/:token") {
      assert.ok(response.statusCode >= 400, `a form without its CSRF token is refused: ${what} → ${response.statusCode}`);
    }
  }

  it("fuzzes every route in the route table", async (t) => {
    const routes = testedRoutes(app).filter((r) => !ONLY || ONLY.test(`${r.method} ${r.url}`));
    assert.ok(routes.length > 0, "OPENBEAT_FUZZ_ROUTES matches no route");
    for (const route of routes) {
      await t.test(`${route.method} ${route.url}`, async () => {
        const party = partyFor(route);
        assert.ok(route.access.kind === "public" || party, `no party of the world may use ${route.url}: add one to test/support/world.ts`);
        const fieldNames = [...new Set([...(forms.get(route.url) ?? []), ...Object.keys(route.method === "GET" ? {} : route.url === "/api/reports" ? validReport() : validForm(route.url, world))])].filter((n) => n !== "_csrf");
        if (party) stale.add(party);
        if (route.url.startsWith("/report/") && route.method === "POST") await residentWithDraft(await sessionFor(null));
        const started = performance.now();
        await fc.assert(
          fc.asyncProperty(attemptArbitrary(route, fieldNames), (a) => attempt(route, party, fieldNames, a)),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        const seconds = (performance.now() - started) / 1000;
        if (RUNS >= 1000) console.log(`${route.method} ${route.url}: ${RUNS} runs in ${seconds.toFixed(1)} s`);
      });
    }
    await app.services.imports.idle();
    const health = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 200, "the server still answers after all of it");
  });
});
