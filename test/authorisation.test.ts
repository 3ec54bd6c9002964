// The authorisation matrix: every route × every role (and no account), generated from the
// application's own route table, so a new route is in the matrix the moment it exists.
// Each request is watched through the access hook, and its answer checked: allowed, sent to
// sign in, refused (403), or — for a record the role may not read — "not found" (404).
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp, type AccessDecision } from "../src/app.ts";
import { STAFF_ROLES, type Role } from "../src/modules/auth/policy.ts";
import { describeEachDatabase } from "./support/databases.ts";
import { testConfig } from "./support/config.ts";
import { signedInClient } from "./support/app.ts";
import { PageClient } from "./support/client.ts";

/**
 * Who may use each permission, written out here by hand: the policy module must agree, so a
 * change to who can reach safeguarding cases or the audit log is a change to this test too.
 */
const WHO_MAY: Record<string, readonly Role[]> = {
  "reports:triage": ["officer", "operation-lead"],
  "updates:publish": ["officer", "operation-lead"],
  "activity:log": ["officer", "operation-lead"],
  "dispersal:authorise": ["operation-lead"],
  "operations:manage": ["operation-lead"],
  "operations:read": ["operation-lead", "analyst"],
  "vehicles:record": ["officer", "operation-lead"],
  "vehicles:keeper": ["officer", "operation-lead"],
  "vehicles:approve": ["operation-lead"],
  "safeguarding:cases": ["safeguarding-lead"],
  "partners:referrals": ["partner-worker"],
  "partners:manage": ["administrator"],
  "planner:use": ["operation-lead", "analyst"],
  "imports:run": ["analyst"],
  "evaluation:read": ["analyst", "operation-lead"],
  "users:manage": ["administrator"],
  "clients:manage": ["administrator"],
  "audit:read": ["auditor"],
};

/** Areas of the site that must be held by one permission, whatever a route's author wrote. */
const AREAS: Array<[RegExp, string]> = [
  [/^\/safeguarding/, "safeguarding:cases"],
  [/^\/partner\//, "partners:referrals"],
  [/^\/partner$/, "partners:referrals"],
  [/^\/staff\/audit/, "audit:read"],
  [/^\/staff\/users/, "users:manage"],
  [/^\/staff\/partners/, "partners:manage"],
];

/** Pages under /staff that anyone may open: the way in. */
const OPEN_STAFF_PAGES = ["/staff/sign-in"];

function concrete(url: string): string {
  return url
    .replace(/:reference/g, "OB-AAAAAAA")
    .replace(/:registration/g, "AB12CDE")
    .replace(/:token/g, "0".repeat(40))
    .replace(/:slug/g, "no-such-operation")
    .replace(/:file/g, "999999.json")
    .replace(/:duty/g, "nrm")
    .replace(/:[a-zA-Z]+/g, "999999")
    .replace(/\*$/, "x");
}

describeEachDatabase("authorisation matrix", (context) => {
  let app: FastifyInstance;
  const decisions: AccessDecision[] = [];
  const clients = new Map<Role | "anonymous", PageClient>();
  before(async () => {
    const test = context();
    app = await buildApp({ config: testConfig(test.target), database: test.database, logger: false, onAccessDecision: (d) => decisions.push(d) });
    clients.set("anonymous", new PageClient(app));
    for (const role of STAFF_ROLES) clients.set(role, (await signedInClient(app, role)).client);
  });
  after(async () => app.close());

  it("the policy grants each permission to exactly the roles this matrix expects", async () => {
    const { PERMISSIONS } = await import("../src/modules/auth/policy.ts");
    assert.deepEqual(Object.keys(PERMISSIONS).sort(), Object.keys(WHO_MAY).sort(), "a permission was added or removed: write who may use it here");
    for (const [permission, roles] of Object.entries(WHO_MAY)) assert.deepEqual([...(PERMISSIONS as Record<string, readonly string[]>)[permission]!].sort(), [...roles].sort(), permission);
  });

  it("every route declares the access its place in the site demands", () => {
    for (const route of app.routeTable) {
      const area = AREAS.find(([pattern]) => pattern.test(route.url));
      if (area) assert.deepEqual({ url: route.url, permission: route.access.kind === "permission" ? route.access.permission : route.access.kind }, { url: route.url, permission: area[1] });
      if (route.url.startsWith("/staff") && !OPEN_STAFF_PAGES.includes(route.url)) assert.notEqual(route.access.kind, "public", `${route.method} ${route.url} is a staff page open to anyone`);
      if (route.url.startsWith("/api/staff")) assert.notEqual(route.access.kind, "public", route.url);
      if (route.access.kind === "permission" && route.url.includes(":")) {
        assert.equal(route.access.record, true, `${route.method} ${route.url} names a record: deny it as "not found"`);
      }
    }
  });

  it("answers every route for every role as the matrix says", async () => {
    const failures: string[] = [];
    for (const route of app.routeTable) {
      const url = concrete(route.url);
      for (const [who, client] of clients) {
        decisions.length = 0;
        const response =
          route.method === "GET" ? await client.get(url) : await client.post(url, {}, { csrf: null });
        const decision = decisions.at(-1);
        const role = who === "anonymous" ? null : who;
        const expected =
          route.access.kind === "public"
            ? "allowed"
            : role === null
              ? "sign-in"
              : route.access.kind === "signed-in" || WHO_MAY[route.access.permission]!.includes(role)
                ? "allowed"
                : "denied";
        const cell = `${route.method} ${route.url} as ${who}`;
        if (!decision) {
          failures.push(`${cell}: the access rule never ran (status ${response.statusCode})`);
          continue;
        }
        if (decision.outcome !== expected) failures.push(`${cell}: ${decision.outcome}, expected ${expected}`);
        if (expected === "sign-in") {
          const ok = route.method === "GET" && !route.url.startsWith("/api/") ? response.statusCode === 302 && String(response.headers.location).startsWith("/staff/sign-in") : response.statusCode === 401;
          if (!ok) failures.push(`${cell}: answered ${response.statusCode} instead of asking to sign in`);
        }
        if (expected === "denied") {
          const status = route.access.kind === "permission" && route.access.record ? 404 : 403;
          if (response.statusCode !== status) failures.push(`${cell}: answered ${response.statusCode}, expected ${status}`);
        }
        if (expected === "allowed" && response.statusCode >= 500) failures.push(`${cell}: server error ${response.statusCode}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
