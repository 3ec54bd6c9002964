// Security tests, generated from the route table where they can be: records of one party tried
// by every other (IDOR), CSRF on every state-changing form, SQL injection in every parameter and
// field, session fixation (with and without the second factor), rate limits that hold across
// two instances of openbeat, stored XSS in every free-text field (pages, feeds, Open311, PDFs,
// SVG charts), security headers on every page, and npm audit of the production dependencies.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PDFParse } from "pdf-parse";
import { buildApp, type RouteEntry } from "../src/app.ts";
import { openDatabase } from "../src/db/database.ts";
import { can } from "../src/modules/auth/policy.ts";
import { codeFor, newTotpSecret } from "../src/modules/auth/two-factor.ts";
import { loadDemoCalls } from "../src/modules/planner/planner.demo.ts";
import { writeSyntheticSample } from "./fixtures/police-uk/sample.ts";
import { awayFromWindowEdges, testApp, validReport } from "./support/app.ts";
import { PageClient } from "./support/client.ts";
import { testConfig } from "./support/config.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "./support/databases.ts";
import {
  buildWorld,
  concreteUrl,
  harvestForms,
  parameterNames,
  partyFor,
  PASSWORD,
  REASON,
  roleOf,
  submit,
  testedRoutes,
  validForm,
  type PartyName,
  type World,
} from "./support/world.ts";

const run = promisify(execFile);

function cookieHeader(client: PageClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** Every table of the test database, by its name in SQL. */
async function tableNames(test: TestDatabase): Promise<string[]> {
  const tables = await test.database.db.introspection.getTables();
  return tables
    .filter((t) => !t.isView && (test.schema ? t.schema === test.schema : true))
    .map((t) => t.name)
    .filter((name) => !name.startsWith("kysely_") && !name.startsWith("sqlite_"))
    .sort();
}

/** Each table's row count and a digest of its rows. */
async function snapshot(test: TestDatabase): Promise<Map<string, { count: number; digest: string }>> {
  const result = new Map<string, { count: number; digest: string }>();
  for (const name of await tableNames(test)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(test.database.db);
    const lines = rows.map((row) => JSON.stringify(row)).sort();
    result.set(name, { count: rows.length, digest: crypto.createHash("sha256").update(lines.join("\n")).digest("hex") });
  }
  return result;
}

/** Tables whose rows differ between two snapshots (or that went missing). */
function changedTables(before: Map<string, { count: number; digest: string }>, after: Map<string, { count: number; digest: string }>): string[] {
  return [...before.keys()].filter((name) => after.get(name)?.digest !== before.get(name)!.digest);
}

/** Routes that change something and, being for cookie-less callers, take no CSRF token. */
function csrfExempt(route: RouteEntry): boolean {
  // The JSON API and Open311 are called by other software without cookies; one-click
  // unsubscribe (RFC 8058) is posted by mail programs, its link's keyed hash being the check.
  return route.url.startsWith("/api/") || route.url.startsWith("/open311/") || route.url === "/alerts/unsubscribe/:token";
}

/** Who owns the record a route names, when ownership (not only the role) decides. */
function ownerVariants(route: RouteEntry): Array<{ owner: PartyName | null; party: PartyName | null }> {
  if (route.url.startsWith("/partner/referrals/:id")) return [{ owner: "partnerA", party: "partnerA" }, { owner: "partnerB", party: "partnerB" }];
  if (route.url === "/staff/patrols/:id/end") return [{ owner: "officerA", party: "officerA" }, { owner: "officerB", party: "officerB" }];
  if (route.url === "/staff/tokens/:id/revoke") return [{ owner: "officerA", party: "officerA" }, { owner: "officerB", party: "officerB" }];
  return [{ owner: null, party: partyFor(route) }];
}

describeEachDatabase("security", (context, dialect) => {
  let app: FastifyInstance;
  let world: World;
  let forms: Map<string, Set<string>>;

  before(async () => {
    app = await testApp(context());
    world = await buildWorld(app);
    forms = await harvestForms(world, testedRoutes(app));
  });
  after(async () => {
    await app.services.imports.idle();
    await app.close();
  });

  const allParties = (): PartyName[] => Object.keys(world.parties) as PartyName[];

  it("answers every id in every URL, tried by every role and party that does not own it, as not found, and shows none of it", async () => {
    const routes = testedRoutes(app).filter((r) => parameterNames(r.url).length > 0 && r.access.kind !== "public");
    assert.ok(routes.length > 40, `${routes.length} routes name a record`);
    const markers = Object.values(world.markers);
    const failures: string[] = [];
    const before = await snapshot(context());
    const allowed: Array<{ route: RouteEntry; party: PartyName; url: string }> = [];

    for (const route of routes) {
      for (const { owner, party: ownerParty } of ownerVariants(route)) {
        const url = concreteUrl(route, world, ownerParty);
        for (const who of [...allParties(), null] as Array<PartyName | null>) {
          const role = who ? roleOf(who) : null;
          const permitted = route.access.kind === "signed-in" ? role !== null : route.access.kind === "permission" && role !== null && can(role, route.access.permission);
          const mayUse = permitted && (owner === null || owner === who);
          if (mayUse) {
            allowed.push({ route, party: who!, url });
            continue;
          }
          const client = who ? world.parties[who].client : new PageClient(app);
          if (route.method === "GET") await client.get(who ? "/staff" : "/");
          else await client.get(who ? "/staff" : "/report");
          const fields = route.method === "GET" ? {} : validForm(route.url, world);
          const response = route.method === "GET" ? await client.get(url) : await client.post(url, fields);
          const cell = `${route.method} ${url} as ${who ?? "anonymous"}`;
          if (who === null) {
            const signIn = route.method === "GET" && !route.url.startsWith("/api/") ? response.statusCode === 302 && String(response.headers.location).startsWith("/staff/sign-in") : response.statusCode === 401;
            if (!signIn) failures.push(`${cell}: ${response.statusCode}, expected to be asked to sign in`);
          } else if (response.statusCode !== 404) {
            failures.push(`${cell}: ${response.statusCode}, expected 404`);
          }
          const shown = markers.filter((m) => response.body.includes(m));
          if (shown.length) failures.push(`${cell}: shows ${shown.join(", ")}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    const changed = changedTables(before, await snapshot(context())).filter((t) => t !== "sessions" && t !== "rate_limits");
    assert.deepEqual(changed, [], "no refused request changed anything");

    // The same URLs work for their owners: the refusals above were not for want of a record.
    for (const { route, party, url } of allowed.filter((a) => a.route.method === "GET" || ownerVariants(a.route)[0]!.owner !== null)) {
      const client = world.parties[party].client;
      await client.get("/staff");
      const response = route.method === "GET" ? await client.get(url) : await client.post(url, validForm(route.url, world));
      assert.notEqual(response.statusCode, 404, `${route.method} ${url} as ${party}`);
      assert.ok(response.statusCode < 500, `${route.method} ${url} as ${party}: ${response.statusCode}`);
    }
    assert.ok((await world.parties.partnerA.client.get(`/partner/referrals/${world.referrals.a}`)).body.includes(world.markers.referrala!), "the owner sees the record");
  });

  it("refuses a confirm or unsubscribe link whose key belongs to another subscription", async () => {
    const other = new PageClient(app);
    await submit(other, "/alerts", "/alerts", { email: `second-${process.pid}@example.test`, choice: `operation-${world.operation.id}` }, 200);
    const second = (await context().database.db.selectFrom("alertSubscriptions").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
    const forged = (kind: "confirm" | "unsubscribe") => `/alerts/${kind}/${second}.${world.alert[kind].split(".").pop()}`;
    const before = await snapshot(context());
    for (const kind of ["confirm", "unsubscribe"] as const) {
      assert.equal((await other.get(forged(kind))).statusCode, 404);
      await other.get("/alerts");
      assert.equal((await other.post(forged(kind), {})).statusCode, 404);
    }
    assert.deepEqual(changedTables(before, await snapshot(context())), []);
  });

  it("refuses every state-changing form without its CSRF token, or with another session's, and changes nothing", async () => {
    const routes = testedRoutes(app).filter((r) => r.method !== "GET" && !csrfExempt(r));
    assert.ok(routes.length > 40);
    const failures: string[] = [];
    const before = await snapshot(context());
    for (const route of routes) {
      const party = partyFor(route);
      const client = party ? world.parties[party].client : new PageClient(app);
      await client.get(party ? "/staff" : "/report");
      // Another session of the same kind: another member of staff in the same role, or another visitor.
      const stranger = party ? world.parties[party === "officerA" ? "officerB" : party === "partnerA" ? "partnerB" : "officerA"].client : new PageClient(app);
      await stranger.get(party ? "/staff" : "/report");
      const strangersToken = stranger.csrf();
      assert.ok(strangersToken && strangersToken !== client.csrf());
      const url = concreteUrl(route, world, party);
      for (const [label, csrf] of [["without a token", null], ["with another session's token", strangersToken]] as const) {
        const response = await client.post(url, validForm(route.url, world), { csrf });
        if (response.statusCode !== 403) failures.push(`${route.method} ${url} ${label}: ${response.statusCode}`);
        else if (!/expired or was sent from another site/.test(response.body)) failures.push(`${route.method} ${url} ${label}: 403 without saying why`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(changedTables(before, await snapshot(context())).filter((t) => t !== "sessions"), [], "a refused form changes nothing");
  });

  const INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "1 OR 1=1",
    "1; DROP TABLE users; --",
    "'; DROP TABLE reports; --",
    "\"; DELETE FROM sessions; --",
    "1' UNION SELECT password_hash, email FROM users --",
    "') OR ('x'='x",
    "'; SELECT pg_sleep(3); --",
    "1 AND 1=like('ABCDEFG',UPPER(HEX(RANDOMBLOB(300000000/2))))",
    "\\'; --",
    "$1",
    "?",
    "9223372036854775808",
  ];
  /** Path parameters are fewer words: a handful of the strings above stands for all of them there. */
  const IN_PATHS = ["' OR '1'='1", "1; DROP TABLE users; --", "'; SELECT pg_sleep(3); --", "9223372036854775808", "$1"];
  const QUERY_NAMES = ["status", "category", "grade", "area", "page", "weeks", "saved", "plannedHours", "imported", "bbox", "reasonCode", "reasonReference", "operation", "recordType", "actorId", "from", "to", "next", "service_code", "start_date", "end_date", "service_request_id", "lat", "long", "limit", "offset", "reports"];

  it("treats SQL in every query parameter, path parameter and form field as text: no server error, nothing run, nothing lost", async () => {
    const routes = testedRoutes(app);
    const failures: string[] = [];
    const slow: string[] = [];
    const users = async () => JSON.stringify(await context().database.db.selectFrom("users").select(["id", "email", "role", "passwordHash"]).orderBy("id").execute());
    const usersBefore = await users();
    const anonymous = new PageClient(app);
    const tokens = new Map<PartyName | null, string>();
    const send = async (route: RouteEntry, party: PartyName | null, url: string, fields: Record<string, string | string[]>) => {
      const client = party ? world.parties[party].client : anonymous;
      if (!tokens.has(party)) {
        await client.get(party ? "/staff" : "/report");
        tokens.set(party, client.csrf());
      }
      const started = performance.now();
      const response = route.method === "GET" ? await client.get(url) : await client.post(url, fields, { csrf: tokens.get(party)! });
      const ms = performance.now() - started;
      if (response.statusCode >= 500) failures.push(`${route.method} ${url.slice(0, 200)} ${JSON.stringify(fields).slice(0, 200)}: ${response.statusCode}`);
      if (ms > 2500) slow.push(`${route.method} ${url.slice(0, 200)}: ${Math.round(ms)} ms`);
      return response;
    };

    // GET: nothing may change but the log of who read what.
    const beforeReads = await snapshot(context());
    for (const route of routes.filter((r) => r.method === "GET")) {
      const party = partyFor(route);
      if (route.access.kind !== "public" && !party) continue;
      for (const injection of INJECTIONS) {
        const query = new URLSearchParams(QUERY_NAMES.map((name) => [name, injection])).toString();
        await send(route, party, `${concreteUrl(route, world, party).split("?")[0]}?${query}`, {});
        if (!IN_PATHS.includes(injection)) continue;
        for (const name of parameterNames(route.url)) await send(route, party, concreteUrl(route, world, party, { [name]: encodeURIComponent(injection) }), {});
      }
    }
    const readChanges = changedTables(beforeReads, await snapshot(context())).filter((t) => !["audit_events", "sessions", "rate_limits", "dashboard_snapshots"].includes(t));
    assert.deepEqual(readChanges, [], "reading pages changed nothing but the audit log");

    // Forms: every field at once, then each path parameter.
    const beforeWrites = await snapshot(context());
    for (const route of routes.filter((r) => r.method !== "GET" && r.url !== "/staff/sign-out")) {
      const party = partyFor(route);
      const names = [...new Set([...(forms.get(route.url) ?? []), ...Object.keys(validForm(route.url, world))])].filter((n) => n !== "_csrf");
      for (const injection of INJECTIONS) {
        const fields = Object.fromEntries(names.map((name) => [name, injection]));
        await send(route, party, concreteUrl(route, world, party), fields);
        if (!IN_PATHS.includes(injection)) continue;
        for (const name of parameterNames(route.url)) await send(route, party, concreteUrl(route, world, party, { [name]: encodeURIComponent(injection) }), validForm(route.url, world));
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(slow, [], "no injected sleep or heavy query ran");
    const afterWrites = await snapshot(context());
    assert.deepEqual([...afterWrites.keys()], [...beforeWrites.keys()], "every table is still there");
    // Forms add rows (a token named "'; DROP TABLE …" is a token); only these may lose any.
    const mayShrink = ["sessions", "rate_limits", "report_drafts", "budget_allocations", "budget_spend"];
    const shrunk = [...beforeWrites].filter(([name, { count }]) => !mayShrink.includes(name) && afterWrites.get(name)!.count < count).map(([name]) => name);
    assert.deepEqual(shrunk, []);
    assert.equal(await users(), usersBefore, "no account was changed, added or dropped by injected SQL");
    const named = await context().database.db.selectFrom("staffTokens").select("name").where("name", "=", "'; DROP TABLE reports; --").execute();
    assert.ok(named.length > 0, "SQL typed into a form is kept as the text it is");
  });

  it("never turns a session id planted before sign-in into a signed-in one (password only)", async () => {
    const planted = "planted-by-an-attacker";
    const email = `fixation-${dialect}-${process.pid}@example.test`;
    await app.services.auth.addUser({ email, name: "Fixation", role: "officer", password: PASSWORD, mustChangePassword: false });
    const victim = new PageClient(app);
    await victim.get("/staff/sign-in");
    victim.cookies.set("ob_session", planted);
    const signedIn = await victim.post("/staff/sign-in", { email, password: PASSWORD, next: "/staff" });
    assert.equal(signedIn.statusCode, 302);
    assert.notEqual(victim.cookies.get("ob_session"), planted);
    const attacker = new PageClient(app);
    attacker.cookies.set("ob_session", planted);
    assert.equal((await attacker.get("/staff")).statusCode, 302, "the planted id opens nothing");
  });

  it("never turns a session planted before the second factor into a signed-in one", async () => {
    // The attacker knows the password but not the code: they sign in as far as the code page
    // and plant that half-signed-in session in the victim's browser; the victim enters a code.
    const email = `fixation-2fa-${dialect}-${process.pid}@example.test`;
    const { id } = await app.services.auth.addUser({ email, name: "Fixation", role: "safeguarding-lead", password: PASSWORD, mustChangePassword: false });
    const twoFactorKey = newTotpSecret();
    await app.services.auth.setTwoFactorSecret(id, twoFactorKey);
    const attacker = new PageClient(app);
    await attacker.get("/staff/sign-in");
    const halfway = await attacker.post("/staff/sign-in", { email, password: PASSWORD, next: "/staff" });
    assert.match(String(halfway.headers.location), /^\/staff\/sign-in\/code/);
    const planted = attacker.cookies.get("ob_session")!;
    assert.equal((await attacker.get("/staff")).headers.location, "/staff/sign-in/code");

    const victim = new PageClient(app);
    victim.cookies.set("ob_session", planted);
    await victim.get("/staff/sign-in/code");
    const coded = await victim.post("/staff/sign-in/code", { code: codeFor(twoFactorKey), next: "/staff" });
    assert.equal(coded.statusCode, 302);
    assert.notEqual(victim.cookies.get("ob_session"), planted, "a new session id once the second factor is proved");
    assert.equal((await victim.get("/staff")).statusCode, 200);
    assert.equal((await attacker.get("/staff")).statusCode, 302, "the planted session is not signed in by the victim's code");
  });

  it("counts sign-in and receipt-code guesses across two instances of openbeat on one database", async () => {
    const limits = { signIn: 6, tracking: 5, reports: 1000 };
    // One configuration (one secret) for both instances, as two servers behind a load balancer share.
    const config = testConfig(context().target, { rateLimits: limits });
    const second = dialect === "postgres" ? await openDatabase(context().target, { schema: context().schema, poolSize: 2 }) : await openDatabase(context().target);
    const instances = [await buildApp({ config, database: context().database, logger: false }), await buildApp({ config, database: second, logger: false })];
    try {
      await awayFromWindowEdges();
      // One visitor (one address), whose requests the load balancer spreads over both instances.
      const clients = instances.map((instance) => new PageClient(instance));
      await clients[0]!.get("/staff/sign-in");
      const csrf = clients[0]!.csrf();
      clients[1]!.cookies.set("ob_csrf", clients[0]!.cookies.get("ob_csrf")!);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const client = clients[i % 2]!;
        statuses.push((await client.post("/staff/sign-in", { email: `nobody-${i}@example.test`, password: "guess", next: "/staff" }, { csrf })).statusCode);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429, 429, 429, 429], "sign-in: the seventh guess is refused, whichever instance takes it");
      const refused = await clients[1]!.post("/staff/sign-in", { email: "nobody@example.test", password: "guess", next: "/staff" }, { csrf });
      assert.match(refused.body, /Too many attempts|try again/i);

      const tracked: number[] = [];
      for (let i = 0; i < 8; i++) tracked.push((await clients[i % 2]!.post("/track", { receiptCode: `WRONG-CODE-${i}` }, { csrf })).statusCode);
      assert.deepEqual(tracked, [404, 404, 404, 404, 404, 429, 429, 429], "receipt codes: the sixth guess is refused, whichever instance takes it");
      const api = await instances[0]!.inject({ method: "POST", url: "/api/track", payload: { receiptCode: world.reports[0]!.receiptCode } });
      assert.equal(api.statusCode, 429, "the JSON API shares the page's count: the right code is refused too once the limit is reached");
      assert.ok(api.headers["retry-after"], "and says when to try again");
    } finally {
      for (const instance of instances) await instance.close();
      await second.close();
    }
  });

  it("counts guesses sent at the same moment to both instances exactly", async () => {
    const config = testConfig(context().target, { rateLimits: { signIn: 1000, tracking: 7, reports: 1000 } });
    const second = dialect === "postgres" ? await openDatabase(context().target, { schema: context().schema, poolSize: 4 }) : await openDatabase(context().target);
    const instances = [await buildApp({ config, database: context().database, logger: false }), await buildApp({ config, database: second, logger: false })];
    try {
      await awayFromWindowEdges();
      // A different address from the test above: its own count.
      const headers = { "content-type": "application/json" };
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => instances[i % 2]!.inject({ method: "POST", url: "/api/track", payload: JSON.stringify({ receiptCode: `WRONG-${i}` }), headers, remoteAddress: "203.0.113.9" })),
      );
      const counts = answers.reduce<Record<number, number>>((all, r) => ({ ...all, [r.statusCode]: (all[r.statusCode] ?? 0) + 1 }), {});
      assert.deepEqual(counts, { 404: 7, 429: 13 });
    } finally {
      for (const instance of instances) await instance.close();
      await second.close();
    }
  });
});

// Rendering is the same code whichever database holds the text, and the text itself comes back
// the same from both (the schema parity tests hold that), so the XSS sweep and the headers run
// on SQLite only: the engine cannot matter to what a template escapes or a header says.
describe("stored XSS in every free-text field [sqlite]", () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let world: World;
  before(async () => {
    test = await createTestDatabase("sqlite");
    app = await testApp(test);
    world = await buildWorld(app);
  });
  after(async () => {
    await app.services.imports.idle();
    await app.close();
    await test.drop();
  });

  const PAYLOADS = [
    `<script>alert(1)</script>`,
    `"><img src=x onerror=alert(1)>`,
    `javascript:alert(1)`,
    `<svg onload=alert(1)>`,
    `<svg><script>alert(1)</script></svg>`,
    `" onmouseover="alert(1)`,
    `' onfocus='alert(1)`,
    `tpl{{7*7}}`,
  ];

  const FORMULA = `=HYPERLINK("http://evil.example","Click")`;

  /** What must never appear in HTML, XML or Atom as written: each payload not escaped. */
  const RAW: Array<[RegExp, string]> = [
    [/<script>alert\(1\)/i, "a script element"],
    [/<img src=x onerror/i, "an img element with onerror"],
    [/<svg onload/i, "an svg element with onload"],
    [/<svg><script/i, "a script inside svg"],
    [/"\s*onmouseover="alert/i, "an attribute broken out of with \""],
    [/'\s*onfocus='alert/i, "an attribute broken out of with '"],
    [/(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:/i, "a javascript: URL in a link"],
    [/tpl49/, "a template expression evaluated"],
  ];

  /** How a payload reads once escaped: a page holding one has shown a stored payload, as text. */
  const ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;svg onload=alert(1)&gt;", "&quot; onmouseover=&quot;alert(1)", "&#39; onfocus=&#39;alert(1)", "tpl{{7*7}}"];
  let checked = 0;
  const showing = new Set<string>();
  function assertEscaped(response: LightMyRequestResponse, where: string): void {
    const type = String(response.headers["content-type"] ?? "");
    // A spreadsheet runs a cell that starts with = as a formula: CSV cells must be defused.
    if (type.includes("csv")) assert.doesNotMatch(response.body, /(^|,)"?=HYPERLINK/m, `${where}: a formula in a CSV cell`);
    if (!/html|xml|atom|svg/.test(type)) return;
    checked++;
    if (ESCAPED.some((text) => response.body.includes(text))) showing.add(where);
    for (const [pattern, what] of RAW) {
      const match = pattern.exec(response.body);
      assert.ok(!match, `${where}: ${what} in the page: …${match ? response.body.slice(Math.max(0, match.index - 200), match.index + 100) : ""}…`);
    }
  }

  /** Sends each payload into one field; every answer is checked, and at least one payload must be stored. */
  async function eachPayload(label: string, send: (payload: string, i: number) => Promise<LightMyRequestResponse>, options: { mustStore?: boolean } = {}): Promise<string[]> {
    const stored: string[] = [];
    for (const [i, payload] of PAYLOADS.entries()) {
      const response = await send(payload, i);
      assert.ok(response.statusCode < 500, `${label} ${payload}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      assertEscaped(response, `${label} answering ${payload}`);
      if (response.statusCode < 400) stored.push(payload);
    }
    if (options.mustStore !== false) assert.ok(stored.length > 0, `${label}: no payload was stored, so nothing was shown back`);
    return stored;
  }

  async function pdfText(pdf: Buffer): Promise<string> {
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    try {
      return (await parser.getText()).text.replace(/\s+/g, " ");
    } finally {
      await parser.destroy();
    }
  }

  it("stores the payloads in every free-text field, then shows every page, feed and API answer escaped", async () => {
    const { officerA, lead, safeguarding, partnerA, administrator, analyst } = world.parties;
    const { db } = test.database;
    const operationId = String(world.operation.id);
    const api = (payload: Record<string, unknown>) => app.inject({ method: "POST", url: "/api/reports", payload });

    // Residents, through the JSON API and the form without JavaScript.
    const receipts: string[] = [];
    for (const field of ["description", "locationText", "make", "colour"] as const) {
      await eachPayload(`API report ${field}`, async (payload) => {
        const vehicle = { registration: "XS11XSS", make: "BMW", colour: "Black" };
        const body = field === "make" || field === "colour" ? validReport({ vehicle: { ...vehicle, [field]: payload } }) : validReport({ [field]: payload });
        const response = await api(body);
        if (response.statusCode === 201) receipts.push((response.json() as { receiptCode: string }).receiptCode);
        return response;
      }, { mustStore: field !== "colour" });
    }
    const answers = await api(validReport({ category: "other", answers: { what: PAYLOADS[0] } }));
    assert.ok(answers.statusCode < 500);
    const resident = new PageClient(app);
    await eachPayload("report form", async (payload) => {
      await resident.get("/report");
      await resident.post("/report", { danger: "no" });
      for (const [step, fields] of [
        ["/report/where", { locationText: `By the shops ${payload}` }],
        ["/report/category", { category: "kerb-crawling" }],
        ["/report/details", { ...validForm("/report/details", world), description: `It happened ${payload}`, make: payload.slice(0, 40) }],
        ["/report/contact", { wantsContact: "no" }],
      ] as const) {
        const answer = await resident.post(step, fields);
        assertEscaped(answer, `${step} answering ${payload}`);
        if (answer.statusCode !== 302) return answer;
      }
      assertEscaped(await resident.get("/report/check"), `check page with ${payload}`);
      return resident.post("/report/check", {});
    });
    const tracker = new PageClient(app);
    await eachPayload("resident's addition", async (payload) => {
      await tracker.get("/track");
      return tracker.post("/track/add", { receiptCode: world.reports[0]!.receiptCode, text: `More: ${payload}` });
    });
    await eachPayload("API addition", (payload) => app.inject({ method: "POST", url: "/api/track/additions", payload: { receiptCode: world.reports[1]!.receiptCode, text: payload } }));
    await eachPayload("Open311 description and address", (payload) =>
      app.inject({
        method: "POST",
        url: "/open311/v2/requests.json",
        payload: new URLSearchParams({ api_key: world.apiClient.key, service_code: "kerb-crawling", address_string: `Corner of ${payload}`, description: payload, "attribute[what]": "circling" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    );

    // Officers and operation leads.
    const form = async (client: PageClient, page: string, url: string, fields: Record<string, string | string[]>) => {
      await client.get(page);
      return client.post(url, fields);
    };
    await eachPayload("public update title", (payload) => form(officerA.client, "/staff/updates/new", "/staff/updates", { ...validForm("/staff/updates", world), title: payload }));
    await eachPayload("public update body", (payload) => form(officerA.client, "/staff/updates/new", "/staff/updates", { ...validForm("/staff/updates", world), body: payload }));
    const reference = world.reports[0]!.reference;
    await eachPayload("THRIVE notes and force reference", (payload) =>
      form(officerA.client, `/staff/reports/${reference}`, `/staff/reports/${reference}/grade`, {
        ...validForm("/staff/reports/:reference/grade", world),
        ...Object.fromEntries(["threat", "harm", "risk", "investigation", "vulnerability", "engagement"].map((h) => [`thrive-${h}`, `${h}: ${payload}`])),
      }),
    );
    await eachPayload("force reference", (payload) =>
      form(officerA.client, `/staff/reports/${reference}`, `/staff/reports/${reference}/grade`, { ...validForm("/staff/reports/:reference/grade", world), forceReference: payload }),
      { mustStore: false },
    );
    await eachPayload("vehicle sighting make and place", (payload) =>
      form(officerA.client, "/staff/vehicles/sightings/new", "/staff/vehicles/sightings/new", { ...validForm("/staff/vehicles/sightings/new", world), registration: "XS11XSS", make: payload.slice(0, 40), locationText: `Near ${payload}` }),
    );
    await eachPayload("engagement place", (payload) => form(officerA.client, "/staff/engagements/new", "/staff/engagements", { ...validForm("/staff/engagements", world), locationText: payload }));
    await eachPayload("enforcement place", (payload) => form(officerA.client, "/staff/enforcement/new", "/staff/enforcement", { ...validForm("/staff/enforcement", world), locationText: payload }));
    await eachPayload("enforcement reference", (payload) => form(officerA.client, "/staff/enforcement/new", "/staff/enforcement", { ...validForm("/staff/enforcement", world), subjectReference: payload }), { mustStore: false });
    await eachPayload("dispersal grounds", (payload) =>
      form(lead.client, `/staff/operations/${operationId}/dispersal`, `/staff/operations/${operationId}/dispersal`, { ...validForm("/staff/operations/:id/dispersal", world), grounds: `Persistent disorder: ${payload}` }),
    );
    for (const kind of ["allocation", "spend"] as const) {
      const url = `/staff/operations/${operationId}/planner/budget/${kind === "allocation" ? "allocations" : "spend"}`;
      await eachPayload(`budget ${kind} description`, (payload) => form(lead.client, `/staff/operations/${operationId}/planner/budget`, url, { ...validForm(url.replace(operationId, ":id"), world), [`${kind}-description`]: payload }));
    }

    // The keeper of a second vehicle, its letter approved by a lead whose name is a payload.
    const keeperName = PAYLOADS[0]!;
    const keeperAddress = `${PAYLOADS[1]}\n${PAYLOADS[3]}`;
    const letterVehicle = "LX22LTR";
    const residentSighting = await api(validReport({ occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(), vehicle: { registration: letterVehicle, make: "BMW", colour: "Black" } }));
    assert.equal(residentSighting.statusCode, 201, residentSighting.body);
    await form(officerA.client, "/staff/vehicles/sightings/new", "/staff/vehicles/sightings/new", { ...validForm("/staff/vehicles/sightings/new", world), registration: letterVehicle, make: "BMW", colour: "Black" });
    const keeper = await form(officerA.client, `/staff/vehicles/${letterVehicle}`, `/staff/vehicles/${letterVehicle}/keeper`, { keeperName, keeperAddress, keeperMake: "BMW", keeperColour: "Black", checkReference: "PNC/9/26" });
    assert.equal(keeper.statusCode, 302, keeper.body.slice(0, 2000));
    await db.updateTable("users").set({ name: `Insp ${PAYLOADS[1]}` }).where("id", "=", lead.id).execute();
    const approved = await form(lead.client, `/staff/vehicles/${letterVehicle}`, `/staff/vehicles/${letterVehicle}/approve`, {});
    assert.equal(approved.statusCode, 302, approved.body.slice(0, 2000));
    const revealed = await form(officerA.client, `/staff/vehicles/${letterVehicle}`, `/staff/vehicles/${letterVehicle}/keeper/view`, { reasonCode: "warning-letter", reasonReference: "WL-1" });
    assert.equal(revealed.statusCode, 200);
    assert.ok(revealed.body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "the keeper's name is shown, escaped");
    assertEscaped(revealed, "keeper details");

    // Safeguarding and partners.
    const reasonPage = (id: number) => `/safeguarding/cases/${id}?${new URLSearchParams(REASON)}`;
    await eachPayload("case alias, real name and needs", (payload) =>
      form(safeguarding.client, "/safeguarding/cases/new", "/safeguarding/cases", { ...validForm("/safeguarding/cases", world), alias: payload.slice(0, 40), realName: payload, needsDetails: payload }),
    );
    await eachPayload("case real name and needs", (payload) =>
      form(safeguarding.client, "/safeguarding/cases/new", "/safeguarding/cases", { ...validForm("/safeguarding/cases", world), alias: `Jo ${payload.length}`, realName: payload, needsDetails: payload }),
    );
    await eachPayload("case note", (payload) => form(safeguarding.client, reasonPage(world.caseId), `/safeguarding/cases/${world.caseId}/notes`, { ...REASON, note: payload }));
    await eachPayload("referral summary", (payload) =>
      form(safeguarding.client, reasonPage(world.caseId), `/safeguarding/cases/${world.caseId}/referrals`, { ...REASON, service: `${world.agencies.a}:exit-service`, summary: payload }),
    );
    const cases = await db.selectFrom("safeguardingCases").select("id").execute();
    for (const { id } of cases) {
      const real = await form(safeguarding.client, reasonPage(id), `/safeguarding/cases/${id}/real-name`, { ...REASON });
      assertEscaped(real, `real name of case ${id}`);
    }
    await eachPayload("partner update", (payload) => form(partnerA.client, `/partner/referrals/${world.referrals.a}`, `/partner/referrals/${world.referrals.a}/updates`, { body: payload, outcome: "" }));
    await eachPayload("partner agency name", (payload, i) => form(administrator.client, "/staff/partners", "/staff/partners", { name: `${payload} ${i}`, services: ["housing"] }));
    await eachPayload("staff name", (payload, i) => form(administrator.client, "/staff/users/new", "/staff/users", { email: `xss-${i}@example.police.uk`, name: payload, role: "officer" }));
    await eachPayload("API client name", (payload, i) => form(administrator.client, "/staff/api-clients", "/staff/api-clients", { name: `${payload} ${i}`, terms: "accepted" }));
    await eachPayload("personal token name", (payload, i) => form(officerA.client, "/staff/tokens", "/staff/tokens", { name: `${payload} ${i}` }));

    // Imported police.uk data (place names, an odd file name) and the operation's own words.
    const sample = writeSyntheticSample({ months: ["2018-02"], rowsPerWeight: 1 });
    const csv = fs.readFileSync(path.join(sample.folder, fs.readdirSync(sample.folder)[0]!), "utf8").split(/\r?\n/);
    const hostileRows = csv.slice(1, 4).map((row) => {
      const fields = row.split(",");
      fields[6] = `"On or near ${PAYLOADS[0]}"`;
      fields[8] = `"${PAYLOADS[1]!.replace(/"/g, '""')}"`;
      fields[11] = `"${PAYLOADS[3]}"`;
      return fields.join(",");
    });
    const upload = Buffer.from([csv[0], ...hostileRows].join("\r\n"));
    const boundary = "----openbeat-xss";
    await analyst.client.get("/staff/imports");
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${analyst.client.csrf()}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="<img src=x onerror=alert(1)>.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      upload,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await app.inject({ method: "POST", url: "/staff/imports", payload: multipart, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, cookie: cookieHeader(analyst.client), accept: "text/html" } });
    assert.equal(uploaded.statusCode, 303, uploaded.body.slice(0, 500));
    await app.services.imports.idle();
    await db
      .updateTable("operations")
      .set({ name: `Operation ${PAYLOADS[0]}`, summary: `${PAYLOADS[1]} ${PAYLOADS[2]}`, objectives: JSON.stringify([PAYLOADS[3], PAYLOADS[4], PAYLOADS[7]]) })
      .where("id", "=", world.operation.id)
      .execute();
    await db.updateTable("areas").set({ name: `Target ${PAYLOADS[5]}` }).where("operationId", "=", world.operation.id).where("role", "=", "target").execute();
    await db.updateTable("areas").set({ name: FORMULA }).where("operationId", "=", world.operation.id).where("role", "=", "buffer").execute();
    await loadDemoCalls(app.services, world.operation.id);

    // Every page every party can reach, following every link on them.
    const seen = new Set<string>();
    const sweep = async (who: PartyName | null) => {
      const cookie = who ? cookieHeader(world.parties[who].client) : "";
      const seeds = testedRoutes(app)
        .filter((r) => r.method === "GET")
        .filter((r) => (who === null ? r.access.kind === "public" : r.access.kind === "signed-in" || (r.access.kind === "permission" && can(roleOf(who), r.access.permission))))
        .map((r) => concreteUrl(r, world, who));
      const queue = [...seeds];
      const visited = new Set<string>();
      while (queue.length && visited.size < 700) {
        const url = queue.shift()!;
        if (visited.has(url)) continue;
        visited.add(url);
        const response = await app.inject({ method: "GET", url, headers: { accept: "text/html", cookie } });
        assert.ok(response.statusCode < 500, `GET ${url} as ${who ?? "anonymous"}: ${response.statusCode}`);
        assertEscaped(response, `GET ${url} as ${who ?? "anonymous"}`);
        seen.add(url.split("?")[0]!);
        if (!String(response.headers["content-type"]).includes("html")) continue;
        for (const link of response.body.matchAll(/href="(\/[^"#]*)"/g)) {
          const next = link[1]!.replace(/&amp;/g, "&");
          if (next.startsWith("//") || next.startsWith("/static/") || next.startsWith("/assets/") || visited.has(next)) continue;
          // Safeguarding cases open only for a stated reason: follow them with one.
          queue.push(/^\/safeguarding\/cases\/\d+$/.test(next) ? `${next}?${new URLSearchParams(REASON)}` : next);
        }
      }
    };
    for (const who of [null, ...(Object.keys(world.parties) as PartyName[])]) await sweep(who);
    for (const code of receipts.slice(0, 4)) {
      await tracker.get("/track");
      assertEscaped(await tracker.post("/track", { receiptCode: code }), `tracking ${code}`);
    }
    assert.ok(checked > 300, `${checked} pages, feeds and documents checked`);
    // The sweep saw the payloads where people read them (escaped), so the checks above had something to find.
    for (const page of [/^GET \/staff\/reports\/OB-/, /^GET \/updates\/\d+ /, /^GET \/feeds\/updates\.atom/, /^GET \/staff\/vehicles\/XS11XSS/, /^GET \/safeguarding\/cases\/\d+\?/, /^GET \/partner\/referrals\/\d+ /, /^GET \/staff\/users /, /^GET \/staff\/partners /, /^GET \/staff\/api-clients /, /^GET \/staff\/tokens /, /^GET \/staff\/operations\/\d+\/planner\/budget /, /^GET \/staff\/operations\/\d+\/planner /, /^GET \/staff\/imports\/\d+ /, /^GET \/staff\/activity/, /^GET \/staff\/operations\/\d+\/dispersal /]) {
      assert.ok([...showing].some((where) => page.test(where)), `no page matching ${page} showed a stored payload`);
    }
    for (const expected of ["/staff/reports/", "/staff/vehicles/XS11XSS", `/staff/vehicles/${letterVehicle}`, "/staff/imports/", "/staff/users/", "/staff/partners/", "/partner/referrals/", "/safeguarding/cases/", "/updates/", "/feeds/updates.atom"]) {
      assert.ok([...seen].some((url) => url.startsWith(expected)), `the sweep reached ${expected}`);
    }

    // Where a payload is shown, it is shown as text.
    const planner = await lead.client.get(`/staff/operations/${operationId}/planner`);
    assert.match(planner.body, /<svg/, "the planner draws its charts");
    assert.ok(planner.body.includes("Operation &lt;script&gt;alert(1)&lt;/script&gt;"));
    const feed = await app.inject({ method: "GET", url: `/feeds/operations/${world.operation.slug}/updates.atom` });
    assert.ok(feed.body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "the operation's name is in its feed, escaped");
    for (const format of ["xml", "json"]) {
      const listed = await app.inject({ method: "GET", url: `/open311/v2/requests.${format}` });
      assert.equal(listed.statusCode, 200);
      assertEscaped(listed, `Open311 requests.${format}`);
      assert.equal(listed.headers["x-content-type-options"], "nosniff");
    }

    // The public dashboard, with its charts and open data.
    if (app.routeTable.some((r) => r.url === "/operations/:slug")) {
      const dashboard = await app.inject({ method: "GET", url: `/operations/${world.operation.slug}`, headers: { accept: "text/html" } });
      assert.equal(dashboard.statusCode, 200);
      assert.ok(dashboard.body.includes("Operation &lt;script&gt;alert(1)&lt;/script&gt;"), "the public dashboard shows the operation's name, escaped");
      const csv = await app.inject({ method: "GET", url: `/operations/${world.operation.slug}/data.csv` });
      assert.ok(csv.body.includes(`'${FORMULA.replace(/"/g, '""')}`), "an area named like a formula is defused in the open data");
    }

    // The warning letter prints every payload as the text it is, and carries no script.
    const letter = await officerA.client.get(`/staff/vehicles/${letterVehicle}/letter.pdf`);
    assert.equal(letter.statusCode, 200);
    const text = await pdfText(letter.rawPayload);
    for (const expected of [keeperName, PAYLOADS[1]!, PAYLOADS[3]!, `Operation ${PAYLOADS[0]}`]) assert.ok(text.includes(expected), `the letter prints ${expected} literally`);
    assert.doesNotMatch(letter.rawPayload.toString("latin1"), /\/JavaScript|\/JS\b|\/OpenAction|\/Launch/, "no script or action in the PDF");
  });
});

describe("security headers on every page [sqlite]", () => {
  async function everyGet(app: FastifyInstance, world: World): Promise<Array<{ url: string; response: LightMyRequestResponse }>> {
    const answers: Array<{ url: string; response: LightMyRequestResponse }> = [];
    for (const route of testedRoutes(app).filter((r) => r.method === "GET")) {
      const party = partyFor(route);
      const url = concreteUrl(route, world, party);
      const client = party ? world.parties[party].client : new PageClient(app);
      answers.push({ url, response: await client.get(url) });
    }
    answers.push({ url: "/no-such-page", response: await new PageClient(app).get("/no-such-page") });
    answers.push({ url: "/static/openbeat.js", response: await app.inject({ method: "GET", url: "/static/openbeat.js" }) });
    return answers;
  }

  function directives(csp: string): Map<string, string[]> {
    return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
  }

  for (const tls of [false, true]) {
    it(tls ? "behind TLS: the same headers, with HSTS and secure cookies" : "over plain HTTP (a developer's machine): the headers, and no HSTS", async () => {
      const test = await createTestDatabase("sqlite");
      const app = await testApp(test, tls ? { secureCookies: true, publicUrl: "https://openbeat.example.org" } : { secureCookies: false, publicUrl: null });
      try {
        const world = await buildWorld(app);
        const failures: string[] = [];
        for (const { url, response } of await everyGet(app, world)) {
          const at = `GET ${url} (${response.statusCode})`;
          const csp = String(response.headers["content-security-policy"] ?? "");
          if (!csp) {
            failures.push(`${at}: no Content-Security-Policy`);
            continue;
          }
          const policy = directives(csp);
          for (const name of ["script-src", "style-src", "default-src"]) {
            const values = policy.get(name) ?? policy.get("default-src") ?? [];
            if (values.some((v) => /unsafe-inline|unsafe-eval|\*|data:|https?:$/.test(v))) failures.push(`${at}: ${name} allows ${values.join(" ")}`);
          }
          if (policy.get("frame-ancestors")?.join(" ") !== "'none'") failures.push(`${at}: frame-ancestors is not 'none'`);
          if (policy.get("object-src")?.join(" ") !== "'none'") failures.push(`${at}: object-src is not 'none'`);
          if (response.headers["x-content-type-options"] !== "nosniff") failures.push(`${at}: no X-Content-Type-Options: nosniff`);
          if (response.headers["referrer-policy"] !== "no-referrer") failures.push(`${at}: Referrer-Policy is ${response.headers["referrer-policy"]}`);
          const hsts = response.headers["strict-transport-security"];
          if (tls && !/max-age=(\d+)/.test(String(hsts ?? ""))) failures.push(`${at}: no HSTS behind TLS`);
          if (tls && Number(/max-age=(\d+)/.exec(String(hsts))?.[1] ?? 0) < 31_536_000) failures.push(`${at}: HSTS shorter than a year`);
          if (!tls && hsts) failures.push(`${at}: HSTS over plain HTTP`);
          if (tls && !policy.has("upgrade-insecure-requests")) failures.push(`${at}: no upgrade-insecure-requests behind TLS`);
          if (String(response.headers["content-type"]).includes("html") && /<script(?![^>]*\bnonce=)(?![^>]*\bsrc=)[^>]*>/.test(response.body)) failures.push(`${at}: an inline script without a nonce`);
          if (String(response.headers["content-type"]).includes("html") && /\son[a-z]+="/.test(response.body)) failures.push(`${at}: an inline event handler`);
          if (String(response.headers["content-type"]).includes("html") && /\sstyle="/.test(response.body)) failures.push(`${at}: an inline style attribute, which the policy blocks`);
        }
        assert.deepEqual(failures, []);

        const anonymous = new PageClient(app);
        const page = await app.inject({ method: "GET", url: "/report", headers: { accept: "text/html" } });
        const cookies = ([] as string[]).concat(page.headers["set-cookie"] ?? []);
        assert.ok(cookies.length > 0);
        for (const cookie of cookies) {
          assert.match(cookie, /HttpOnly/i, cookie);
          assert.match(cookie, /SameSite=(Strict|Lax)/i, cookie);
          if (tls) assert.match(cookie, /;\s*Secure/i, cookie);
          else assert.doesNotMatch(cookie, /;\s*Secure/i, cookie);
        }
        await anonymous.get("/staff/sign-in");
        const email = `headers-${tls}-${process.pid}@example.test`;
        await app.services.auth.addUser({ email, name: "Headers", role: "officer", password: PASSWORD, mustChangePassword: false });
        const signedIn = await anonymous.post("/staff/sign-in", { email, password: PASSWORD, next: "/staff" });
        const session = ([] as string[]).concat(signedIn.headers["set-cookie"] ?? []).find((c) => c.startsWith("ob_session="));
        assert.ok(session);
        assert.match(session, /HttpOnly/i);
        if (tls) assert.match(session, /;\s*Secure/i);
        const staffPage = await anonymous.get("/staff");
        assert.equal(staffPage.headers["cache-control"], "no-store", "staff pages are never cached");
      } finally {
        await app.close();
        await test.drop();
      }
    });
  }
});

describe("npm audit of the production dependencies", () => {
  it("finds no high or critical advisory", async (t) => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
    let output: string;
    try {
      output = (await run("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], { cwd: root, timeout: 120_000, maxBuffer: 20 * 1024 * 1024 })).stdout;
    } catch (error) {
      // npm audit exits non-zero both when it finds advisories and when it cannot ask.
      output = (error as { stdout?: string }).stdout ?? "";
    }
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; vulnerabilities?: Record<string, { severity: string; name: string; via: unknown[] }>; message?: string; error?: { summary?: string } };
    try {
      report = JSON.parse(output);
    } catch {
      report = { message: output.slice(0, 300) || "no answer" };
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      // Not an answer about the dependencies: the registry's audit endpoint could not be reached here.
      const why = report.message ?? report.error?.summary ?? "unknown";
      t.skip(`npm audit could not reach the registry's audit endpoint (${why}): the production dependencies were NOT audited on this machine`);
      return;
    }
    const serious = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === "high" || v.severity === "critical")
      .map(([name, v]) => `${name} (${v.severity})`);
    assert.deepEqual(serious, [], `high or critical advisories in production dependencies: ${serious.join(", ")}`);
    assert.equal((counts.high ?? 0) + (counts.critical ?? 0), 0);
  });
});

