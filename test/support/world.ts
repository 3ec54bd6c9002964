// A populated openbeat for the security tests and the fuzzing: one of every record a URL can
// name (reports, an update, patrols of two officers, a vehicle with an approved letter, a
// safeguarding case referred to two partner agencies, tokens, an API client, budget lines, an
// import job, an alert subscription), each made through the real pages or API by the party who
// owns it, and the helpers that turn the route table into concrete URLs and forms.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { RouteEntry } from "../../src/app.ts";
import { can, type Role } from "../../src/modules/auth/policy.ts";
import { writeSyntheticSample } from "../fixtures/police-uk/sample.ts";
import { activeOperation, signedInClient, validReport } from "./app.ts";
import { PageClient } from "./client.ts";

export type PartyName =
  | "officerA"
  | "officerB"
  | "lead"
  | "analyst"
  | "safeguarding"
  | "partnerA"
  | "partnerB"
  | "administrator"
  | "auditor";

export interface Party {
  name: PartyName;
  role: Role;
  client: PageClient;
  id: number;
  email: string;
  twoFactorKey: string | null;
}

export const PASSWORD = "correct horse battery staple";

const PARTY_ROLES: Record<PartyName, Role> = {
  officerA: "officer",
  officerB: "officer",
  lead: "operation-lead",
  analyst: "analyst",
  safeguarding: "safeguarding-lead",
  partnerA: "partner-worker",
  partnerB: "partner-worker",
  administrator: "administrator",
  auditor: "auditor",
};

export const REASON = { reasonCode: "safeguarding", reasonReference: "SG-000001" };
const REASON_QUERY = new URLSearchParams(REASON).toString();
const AUDIT_REASON_QUERY = new URLSearchParams({ reasonCode: "audit", reasonReference: "AUD-1" }).toString();

export interface World {
  app: FastifyInstance;
  parties: Record<PartyName, Party>;
  operation: { id: number; slug: string };
  reports: Array<{ reference: string; receiptCode: string }>;
  updateId: number;
  patrols: { officerA: number; officerB: number };
  engagementId: number;
  registration: string;
  agencies: { a: number; b: number };
  caseId: number;
  referrals: { a: number; b: number };
  tokens: { officerA: number; officerB: number };
  apiClient: { id: number; key: string };
  budget: { allocation: number; spend: number };
  importJobId: number;
  alert: { id: number; confirm: string; unsubscribe: string };
  victimUserId: number;
  /** A text unique to each record, stored in it: a page that shows it has shown the record. */
  markers: Record<string, string>;
}

function ukDateParts(date: Date) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", day: "numeric", month: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { "date-day": get("day"), "date-month": get("month"), "date-year": get("year"), time: `${get("hour")}:${get("minute")}` };
}

function idFrom(location: unknown, pattern: RegExp): number {
  const match = pattern.exec(String(location ?? ""));
  assert.ok(match, `no id in ${String(location)}`);
  return Number(match[1]);
}

/** Posts a form after reading the page that holds it, and insists it was accepted. */
export async function submit(client: PageClient, page: string, url: string, fields: Record<string, string | string[]>, expected = 302) {
  await client.get(page);
  const response = await client.post(url, fields);
  assert.equal(response.statusCode, expected, `${url}: ${response.statusCode} ${response.body.slice(0, 2000)}`);
  return response;
}

export async function buildWorld(app: FastifyInstance): Promise<World> {
  const { db } = app.services.database;
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const markers: Record<string, string> = {};
  const mark = (name: string) => (markers[name] = `MARK${name.toUpperCase().replace(/[^A-Z]/g, "")}${unique.replace(/[^a-z0-9]/gi, "")}`);

  const parties = {} as Record<PartyName, Party>;
  for (const [name, role] of Object.entries(PARTY_ROLES) as Array<[PartyName, Role]>) {
    parties[name] = { name, role, ...(await signedInClient(app, role, PASSWORD)) };
  }
  const { officerA, officerB, lead, analyst, safeguarding, partnerA, partnerB, administrator } = parties;

  const slug = `world-${unique}`;
  const operationId = await activeOperation(app, slug);

  // Residents' reports, one with a vehicle for the letter below.
  const reports: World["reports"] = [];
  const registration = "LT44LTR";
  for (const [i, extra] of [
    { description: `Car circling ${mark("report")}` },
    { description: "Another report", vehicle: { registration, make: "BMW", colour: "Black" }, occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString() },
  ].entries()) {
    const response = await app.inject({ method: "POST", url: "/api/reports", payload: validReport({ ...extra, locationText: i === 0 ? `Gate ${mark("location")}` : undefined }) });
    assert.equal(response.statusCode, 201, response.body);
    reports.push(response.json() as { reference: string; receiptCode: string });
  }

  const update = await submit(officerA.client, "/staff/updates/new", "/staff/updates", {
    title: `Update ${mark("update")}`,
    body: "We patrolled Ambleside Drive.",
    operationId: String(operationId),
    reports: [reports[0]!.reference],
    action: "publish",
  });
  const updateId = idFrom(update.headers.location, /\/updates\/(\d+)/);

  for (const officer of [officerA, officerB]) {
    await submit(officer.client, "/staff/patrols/new", "/staff/patrols", { operationId: String(operationId), areaRole: "target", officerIds: [String(officer.id)] });
  }
  const patrolOf = async (userId: number) => (await db.selectFrom("patrols").select("id").where("startedBy", "=", userId).where("endedAt", "is", null).executeTakeFirstOrThrow()).id;
  const patrols = { officerA: await patrolOf(officerA.id), officerB: await patrolOf(officerB.id) };
  await submit(officerA.client, "/staff/engagements/new", "/staff/engagements", { operationId: String(operationId), kind: "welfare-check", time: "", areaRole: "target", locationText: "By the bus stop" });
  const engagementId = (await db.selectFrom("engagements").select("id").where("officerId", "=", officerA.id).orderBy("id", "desc").executeTakeFirstOrThrow()).id;

  // A vehicle seen by a resident and an officer on different days, its keeper entered and its letter approved.
  await submit(officerA.client, "/staff/vehicles/sightings/new", "/staff/vehicles/sightings/new", {
    registration,
    make: "BMW",
    colour: "Black",
    ...ukDateParts(new Date(Date.now() - 86_400_000)),
    locationText: "Ambleside Drive at the junction",
    area: "target",
    latitude: "",
    longitude: "",
    source: "officer",
  });
  await submit(officerA.client, `/staff/vehicles/${registration}`, `/staff/vehicles/${registration}/keeper`, {
    keeperName: `Keeper ${mark("keeper")}`,
    keeperAddress: "1 Example Road\nSouthend-on-Sea",
    keeperMake: "BMW",
    keeperColour: "Black",
    checkReference: "PNC/1234/26",
  });
  await submit(lead.client, `/staff/vehicles/${registration}`, `/staff/vehicles/${registration}/approve`, {});

  // Two partner agencies, each with a worker, and one safeguarding case referred to both.
  const agency = async (name: string, worker: Party) => {
    const created = await submit(administrator.client, "/staff/partners", "/staff/partners", { name, services: ["housing", "exit-service"] });
    const id = idFrom(created.headers.location, /\/staff\/partners\/(\d+)/);
    await submit(administrator.client, `/staff/partners/${id}`, `/staff/partners/${id}/agreements`, {
      reference: `ISA/${id}/1`,
      "signedOn-day": "1",
      "signedOn-month": "4",
      "signedOn-year": "2025",
      "expiresOn-day": "31",
      "expiresOn-month": "3",
      "expiresOn-year": "2099",
    });
    await submit(administrator.client, `/staff/partners/${id}`, `/staff/partners/${id}/workers`, { email: worker.email });
    return id;
  };
  const agencies = { a: await agency(`Agency A ${unique}`, partnerA), b: await agency(`Agency B ${unique}`, partnerB) };
  const opened = await submit(safeguarding.client, "/safeguarding/cases/new", "/safeguarding/cases", {
    alias: `Rosa ${mark("alias")}`.slice(0, 40),
    ageBand: "25-34",
    consent: "given",
    needsDetails: `Needs ${mark("needs")}`,
    ...REASON,
  });
  const caseId = idFrom(opened.headers.location, /cases\/(\d+)/);
  const referralIds: number[] = [];
  for (const [key, agencyId] of Object.entries(agencies)) {
    await submit(safeguarding.client, `/safeguarding/cases/${caseId}?${REASON_QUERY}`, `/safeguarding/cases/${caseId}/referrals`, {
      ...REASON,
      service: `${agencyId}:housing`,
      summary: `Summary ${mark(`referral${key}`)}`,
    });
    referralIds.push((await db.selectFrom("referrals").select("id").where("caseId", "=", caseId).where("partnerAgencyId", "=", agencyId).executeTakeFirstOrThrow()).id);
  }
  const referrals = { a: referralIds[0]!, b: referralIds[1]! };
  for (const [party, id, key] of [[parties.partnerA, referrals.a, "a"], [parties.partnerB, referrals.b, "b"]] as const) {
    await submit(party.client, `/partner/referrals/${id}`, `/partner/referrals/${id}/response`, { decision: "accept" });
    await submit(party.client, `/partner/referrals/${id}`, `/partner/referrals/${id}/updates`, { body: `Partner update ${mark(`partnerupdate${key}`)}`, outcome: "" });
  }

  for (const officer of [officerA, officerB]) {
    await submit(officer.client, "/staff/tokens", "/staff/tokens", { name: `Token ${mark(`token${officer.name}`)}` }, 200);
  }
  const tokenOf = async (userId: number) => (await db.selectFrom("staffTokens").select("id").where("userId", "=", userId).executeTakeFirstOrThrow()).id;
  const tokens = { officerA: await tokenOf(officerA.id), officerB: await tokenOf(officerB.id) };

  const clientPage = await submit(administrator.client, "/staff/api-clients", "/staff/api-clients", { name: `App ${mark("apiclient")}`, terms: "accepted" }, 200);
  const apiKey = /id="api-key">(obk_[A-Za-z0-9_-]+)</.exec(clientPage.body)?.[1] ?? "";
  assert.ok(apiKey, "the new app's key is shown once");
  const apiClientId = (await db.selectFrom("apiClients").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;

  const today = ukDateParts(new Date());
  const budgetLine = async (kind: "allocation" | "spend") => {
    const path = kind === "allocation" ? "allocations" : "spend";
    await submit(lead.client, `/staff/operations/${operationId}/planner/budget`, `/staff/operations/${operationId}/planner/budget/${path}`, {
      [`${kind}-description`]: `Budget ${mark(kind)}`,
      [`${kind}-amount`]: "1500",
      [`${kind}-date-day`]: today["date-day"],
      [`${kind}-date-month`]: today["date-month"],
      [`${kind}-date-year`]: today["date-year"],
    });
    const table = kind === "allocation" ? "budgetAllocations" : "budgetSpend";
    return (await db.selectFrom(table).select("id").where("operationId", "=", operationId).orderBy("id", "desc").executeTakeFirstOrThrow()).id;
  };
  const budget = { allocation: await budgetLine("allocation"), spend: await budgetLine("spend") };

  const sample = writeSyntheticSample({ months: ["2018-01"], rowsPerWeight: 1 });
  const importFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-world-")), `${mark("importfile").toLowerCase()}-street.csv`);
  fs.copyFileSync(path.join(sample.folder, fs.readdirSync(sample.folder)[0]!), importFile);
  const { jobId: importJobId } = await app.services.imports.run([importFile], { source: "web", userId: analyst.id });

  const anonymous = new PageClient(app);
  await submit(anonymous, "/alerts", "/alerts", { email: `resident-${unique}@example.test`, choice: `operation-${operationId}` }, 200);
  const alertId = (await db.selectFrom("alertSubscriptions").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
  const alert = { id: alertId, confirm: app.services.alerts.linkPath("confirm", alertId), unsubscribe: app.services.alerts.linkPath("unsubscribe", alertId) };

  const victim = await app.services.auth.addUser({ email: `victim-${unique}@example.test`, name: `Victim ${mark("victim")}`, role: "officer", password: PASSWORD, mustChangePassword: false });

  return {
    app,
    parties,
    operation: { id: operationId, slug },
    reports,
    updateId,
    patrols,
    engagementId,
    registration,
    agencies,
    caseId,
    referrals,
    tokens,
    apiClient: { id: apiClientId, key: apiKey },
    budget,
    importJobId,
    alert,
    victimUserId: victim.id,
    markers,
  };
}

/** The party of the world that may use a route (null: anyone, signed out). */
export function partyFor(route: RouteEntry): PartyName | null {
  const access = route.access;
  if (access.kind === "public") return null;
  if (access.kind === "signed-in") return "officerA";
  const order: PartyName[] = ["officerA", "lead", "analyst", "safeguarding", "partnerA", "administrator", "auditor"];
  return order.find((name) => can(PARTY_ROLES[name], access.permission)) ?? null;
}

export function roleOf(name: PartyName): Role {
  return PARTY_ROLES[name];
}

/** The value a route's parameter takes in this world, for the party using it. */
export function parameterValue(url: string, name: string, world: World, party: PartyName | null): string {
  switch (name) {
    case "reference":
      return world.reports[0]!.reference;
    case "registration":
      return world.registration;
    case "slug":
      return world.operation.slug;
    case "duty":
      return "nrm";
    case "role":
      return "target";
    case "userId":
      return String(world.parties.partnerA.id);
    case "token":
      return world.alert[url.includes("unsubscribe") ? "unsubscribe" : "confirm"].split("/").pop()!;
    case "line":
      return String(url.includes("/allocations/") ? world.budget.allocation : world.budget.spend);
    case "file":
      if (url.includes("/services/")) return "kerb-crawling.json";
      if (url.includes("/requests/")) return `${world.reports[0]!.reference}.json`;
      return "abc.json";
    case "z":
      return "1";
    case "x":
    case "y":
      return "0";
    case "id":
      if (url.startsWith("/updates/") || url.startsWith("/staff/updates/")) return String(world.updateId);
      if (url.startsWith("/staff/patrols/")) return String(party === "officerB" ? world.patrols.officerB : world.patrols.officerA);
      if (url.startsWith("/staff/users/")) return String(world.victimUserId);
      if (url.startsWith("/safeguarding/cases/")) return String(world.caseId);
      if (url.startsWith("/partner/referrals/")) return String(party === "partnerB" ? world.referrals.b : world.referrals.a);
      if (url.startsWith("/staff/partners/")) return String(world.agencies.a);
      if (url.startsWith("/staff/tokens/")) return String(party === "officerB" ? world.tokens.officerB : world.tokens.officerA);
      if (url.startsWith("/staff/api-clients/")) return String(world.apiClient.id);
      if (url.startsWith("/staff/imports/")) return String(world.importJobId);
      // Operations, and whatever else names a record by number.
      return String(world.operation.id);
    default:
      return "1";
  }
}

/** A route's URL with each parameter filled in (and, for pages that ask for a reason, the reason). */
export function concreteUrl(route: Pick<RouteEntry, "url" | "method">, world: World, party: PartyName | null = null, replace: Record<string, string> = {}): string {
  let url = route.url.replace(/:([A-Za-z]+)/g, (_, name: string) => replace[name] ?? encodeURIComponent(parameterValue(route.url, name, world, party)));
  url = url.replace(/\*$/, "openbeat.js");
  if (route.method === "GET" && /^\/safeguarding\/cases\/:id(\/assessment)?$/.test(route.url)) url += `?${REASON_QUERY}`;
  if (route.method === "GET" && /^\/staff\/audit(\/export\.csv)?$/.test(route.url)) url += `?${AUDIT_REASON_QUERY}`;
  return url;
}

/** The routes a test walks: everything in the route table except static files. */
export function testedRoutes(app: FastifyInstance): RouteEntry[] {
  return app.routeTable.filter((r) => !r.url.startsWith("/static/") && !r.url.startsWith("/assets/"));
}

export function parameterNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
}

/** The route a concrete path belongs to (the most specific pattern wins). */
export function routeOf(routes: RouteEntry[], method: string, pathname: string): RouteEntry | null {
  const candidates = routes.filter((r) => r.method === method && patternOf(r.url).test(pathname));
  candidates.sort((a, b) => parameterNames(a.url).length - parameterNames(b.url).length);
  return candidates[0] ?? null;
}

function patternOf(url: string): RegExp {
  const escaped = url.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+").replace(/\*$/, ".*");
  return new RegExp(`^${escaped}$`);
}

/** Field names of every form on a page, by the route each form posts to. */
export function formsOn(html: string, pageUrl: string, routes: RouteEntry[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attributes = form[1]!;
    if (!/method="post"/i.test(attributes)) continue;
    const action = /action="([^"]*)"/.exec(attributes)?.[1]?.replace(/&amp;/g, "&") || pageUrl;
    const pathname = new URL(action, "http://openbeat.test").pathname;
    const route = routeOf(routes, "POST", pathname);
    if (!route) continue;
    const names = found.get(route.url) ?? new Set<string>();
    for (const input of form[2]!.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)) names.add(input[1]!);
    found.set(route.url, names);
  }
  return found;
}

/** Every page a party can open, as the crawl and the header checks read it. */
export function pagesFor(world: World, routes: RouteEntry[]): Array<{ route: RouteEntry; party: PartyName | null; url: string }> {
  const pages: Array<{ route: RouteEntry; party: PartyName | null; url: string }> = [];
  for (const route of routes) {
    if (route.method !== "GET") continue;
    const party = partyFor(route);
    if (route.access.kind !== "public" && party === null) continue;
    pages.push({ route, party, url: concreteUrl(route, world, party) });
  }
  return pages;
}

/** The field names of every form, found by opening every page as a party allowed to see it. */
export async function harvestForms(world: World, routes: RouteEntry[]): Promise<Map<string, Set<string>>> {
  const fields = new Map<string, Set<string>>();
  const anonymous = new PageClient(world.app);
  for (const { party, url } of pagesFor(world, routes)) {
    const client = party ? world.parties[party].client : anonymous;
    const response = await client.get(url);
    if (!String(response.headers["content-type"]).includes("text/html")) continue;
    for (const [route, names] of formsOn(response.body, url.split("?")[0]!, routes)) {
      const known = fields.get(route) ?? new Set<string>();
      for (const name of names) known.add(name);
      fields.set(route, known);
    }
  }
  return fields;
}

/** Today in the UK as a form's date fields, with a prefix ("date", "allocation-date"…). */
function dateFields(prefix: string, date = new Date()): Record<string, string> {
  const parts = ukDateParts(date);
  return { [`${prefix}-day`]: parts["date-day"], [`${prefix}-month`]: parts["date-month"], [`${prefix}-year`]: parts["date-year"] };
}

/**
 * A form each POST route would accept from the party using it, as a person would fill it in:
 * the fuzzer changes a few fields of it, so the rest gets past validation and the changed
 * field reaches the code behind. Routes not listed take an empty form.
 */
export function validForm(url: string, world: World): Record<string, string | string[]> {
  const operationId = String(world.operation.id);
  const reason = REASON;
  const yesterday = new Date(Date.now() - 86_400_000);
  const forms: Record<string, Record<string, string | string[]>> = {
    "/report": { danger: "no" },
    "/report/where": { locationText: "Ambleside Drive, by the bus stop", latitude: "", longitude: "" },
    "/report/category": { category: "kerb-crawling" },
    "/report/details": { ...dateFields("date", yesterday), time: "21:30", untilTime: "", description: "A car circled four times.", "answers-what": "circling", registration: "AB12 CDE", make: "BMW", colour: "Black" },
    "/report/contact": { wantsContact: "no", email: "" },
    "/track": { receiptCode: world.reports[0]!.receiptCode },
    "/track/add": { receiptCode: world.reports[0]!.receiptCode, text: "The car came back tonight.", reopen: "" },
    "/staff/sign-in": { email: `nobody-${process.pid}@example.test`, password: "not the password", next: "/staff" },
    "/staff/sign-in/code": { code: "123456", next: "/staff" },
    "/staff/two-factor": { sealed: "", code: "123456" },
    "/staff/password": { current: "not the password", password: "a new long passphrase", confirm: "a new long passphrase" },
    "/staff/reports/:reference/grade": {
      grade: "priority",
      "thrive-threat": "Low",
      "thrive-harm": "Low",
      "thrive-risk": "Low",
      "thrive-investigation": "Patrol at night",
      "thrive-vulnerability": "None known",
      "thrive-engagement": "Reply by update",
      forceReference: "ES/1234/26",
    },
    "/staff/reports/:reference/status": { status: "in_progress", outcome: "" },
    "/staff/reports/:reference/contact": { reasonCode: "contact-resident", reasonReference: "INC-1234" },
    "/staff/updates": { title: "We patrolled", body: "Officers patrolled Ambleside Drive.", operationId, reports: [world.reports[0]!.reference], moreReports: "", action: "publish" },
    "/staff/updates/:id/change": { title: "We patrolled", body: "Officers patrolled Ambleside Drive on two evenings." },
    // Without a reason: withdrawing is for good, and the world's update is read by later tests.
    "/staff/updates/:id/withdraw": { reason: "" },
    "/staff/vehicles/sightings/new": {
      registration: "LM19XYZ",
      make: "Ford",
      colour: "Black",
      ...dateFields("date", yesterday),
      time: "22:15",
      locationText: "Ambleside Drive",
      area: "target",
      latitude: "",
      longitude: "",
      source: "officer",
      patrolId: "",
    },
    "/staff/vehicles/:registration/keeper": { keeperName: "Alex Keeper", keeperAddress: "1 Example Road", keeperMake: "BMW", keeperColour: "Black", checkReference: "PNC/1/26" },
    "/staff/vehicles/:registration/keeper/view": { reasonCode: "warning-letter", reasonReference: "WL-1" },
    "/staff/operations/:id/planner/settings": {
      capacityHoursPerWeek: "400",
      abstractionPercent: "20",
      emergencyHours: "1.5",
      priorityHours: "1",
      scheduledHours: "0.5",
      resolvedHours: "0.25",
      hourlyRate: "30.00",
    },
    "/staff/operations/:id/planner/calls": { calls: "timestamp,grade\n2026-01-05T10:00:00Z,emergency\n" },
    "/staff/operations/:id/planner/budget/allocations": { "allocation-description": "Summer funding", "allocation-amount": "1000", ...dateFields("allocation-date") },
    "/staff/operations/:id/planner/budget/spend": { "spend-description": "CCTV hire", "spend-amount": "100", ...dateFields("spend-date") },
    "/staff/patrols": { operationId, areaRole: "target", officerIds: [String(world.parties.officerA.id)] },
    "/staff/engagements": { operationId, kind: "welfare-check", referralResponse: "", safeguardingConcern: "", areaRole: "target", locationText: "By the bus stop", time: "" },
    "/staff/enforcement": { operationId, action: "kerb-crawler-stop", offence: "kerb-crawling", targetGroup: "buyer", subjectReference: "ES/1", outcome: "Advice given", areaRole: "target", locationText: "Ambleside Drive", time: "" },
    "/staff/operations/:id/dispersal": { areaRole: "target", startsTime: "", hours: "4", grounds: "Persistent anti-social behaviour reported by residents" },
    "/staff/users": { email: `new-${Math.random().toString(36).slice(2)}@example.police.uk`, name: "New Officer", role: "officer" },
    "/staff/users/:id": { action: "enable", role: "officer" },
    "/safeguarding/cases": { alias: "Jo", realName: "", ageBand: "25-34", indicators: [], needs: ["housing"], needsDetails: "A safe place to stay", consent: "given", ...reason },
    "/safeguarding/cases/:id/assessment": { alias: "Jo", realName: "", ageBand: "25-34", needs: ["housing"], needsDetails: "A safe place to stay", ...reason },
    "/safeguarding/cases/:id/real-name": { ...reason },
    "/safeguarding/cases/:id/consent": { consent: "withdrawn", ...reason },
    "/safeguarding/cases/:id/duties/:duty": { "duty-nrm-doneOn-day": "1", "duty-nrm-doneOn-month": "1", "duty-nrm-doneOn-year": "2026", "duty-nrm-reference": "NRM-1", "duty-nrm-outcome": "", ...reason },
    "/safeguarding/cases/:id/notes": { note: "Met at the drop-in", ...reason },
    "/safeguarding/cases/:id/engagements": { engagementId: String(world.engagementId), ...reason },
    "/safeguarding/cases/:id/referrals": { service: `${world.agencies.a}:exit-service`, summary: "Wants support to leave", ...reason },
    "/safeguarding/cases/:id/close": { closureReason: "support-in-place", ...reason },
    "/safeguarding/cases/:id/reopen": { ...reason },
    "/partner/referrals/:id/response": { decision: "accept", declineReason: "" },
    "/partner/referrals/:id/updates": { body: "First appointment kept", outcome: "" },
    "/staff/partners": { name: `Agency ${Math.random().toString(36).slice(2)}`, services: ["housing"] },
    "/staff/partners/:id/agreements": { reference: "ISA/2/1", ...dateFields("signedOn", new Date(Date.now() - 30 * 86_400_000)), "expiresOn-day": "31", "expiresOn-month": "3", "expiresOn-year": "2099" },
    "/staff/partners/:id/workers": { email: world.parties.partnerA.email },
    "/alerts": { email: "resident@example.test", choice: `operation-${operationId}`, area: "" },
    "/staff/tokens": { name: "Nightly export" },
    "/staff/api-clients": { name: "Neighbourhood app", terms: "accepted" },
    "/api/track": { receiptCode: world.reports[0]!.receiptCode },
    "/api/track/additions": { receiptCode: world.reports[0]!.receiptCode, text: "More information" },
    "/open311/v2/requests.xml": { api_key: world.apiClient.key, service_code: "kerb-crawling", lat: "51.5383", long: "0.7274", "attribute[what]": "circling", description: "A car circled" },
    "/open311/v2/requests.json": { api_key: world.apiClient.key, service_code: "kerb-crawling", lat: "51.5383", long: "0.7274", "attribute[what]": "circling", description: "A car circled" },
  };
  return { ...(forms[url] ?? {}) };
}
