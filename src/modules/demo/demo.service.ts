// Demo data so a new user sees openbeat working: staff accounts with fresh passwords at every
// start, and one synthetic operation around Ambleside Drive that tells one consistent story over
// two years (demo.plan.ts): synthetic police.uk crime written by the real importer, a year of
// patrols, engagements and enforcement logged through the activity service, residents' reports
// and their triage, warning letters, safeguarding referrals, public updates, calls for service
// and a budget, all dated relative to today and all marked as demo data. Beside it, when the
// files are there, the real 2018 Essex data as an operation of its own, labelled as real data.
// Refused in production (see config.ts).
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import type { Services } from "../../services.ts";
import { addMonths } from "../../domain/evaluation.ts";
import { addDays } from "../../domain/forecasting.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { newOneTimePassword } from "../auth/passwords.ts";
import { SECOND_FACTOR_ROLES, type Role } from "../auth/policy.ts";
import { newTotpSecret } from "../auth/two-factor.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import { loadDemoCalls } from "../planner/planner.demo.ts";
import { policeUkDataFolder } from "../imports/police-uk.data.ts";
import { DEMO_FORCE, writeDemoCrimeFiles } from "./demo.crime.ts";
import { DEMO_PLANNED_HOURS, demoPlan, type DemoPlan, type Step } from "./demo.plan.ts";

export const DEMO_OPERATION_SLUG = "ambleside-demo";
export const REAL_DATA_OPERATION_NAME = "Ambleside Drive 2018 (real police.uk data)";

const box = (west: number, south: number, east: number, north: number): number[][] => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];

/** Around the two police.uk snap points on Ambleside Drive (LSOAs E01015840 and E01015894). */
export const DEMO_TARGET: Polygonal = { type: "Polygon", coordinates: [box(0.7205, 51.532, 0.746, 51.54)] };
/** About 400 m around the target, with the target cut out. */
export const DEMO_BUFFER: Polygonal = { type: "Polygon", coordinates: [box(0.7147, 51.5284, 0.7518, 51.5436), box(0.7205, 51.532, 0.746, 51.54).reverse()] };
/** Two similar residential areas nearby that the operation does not police (LSOAs E01015917, E01015848). */
export const DEMO_COMPARISON: Polygonal = {
  type: "MultiPolygon",
  coordinates: [[box(0.7755, 51.5302, 0.7837, 51.5352)], [box(0.6443, 51.5394, 0.6654, 51.5429)]],
};

const DEMO_STAFF: Array<{ role: Role; email: string; name: string }> = [
  { role: "officer", email: "officer@demo.openbeat.test", name: "PC Demo Officer" },
  { role: "operation-lead", email: "lead@demo.openbeat.test", name: "Insp Demo Lead" },
  { role: "analyst", email: "analyst@demo.openbeat.test", name: "Demo Analyst" },
  { role: "safeguarding-lead", email: "safeguarding@demo.openbeat.test", name: "Demo Safeguarding Lead" },
  { role: "partner-worker", email: "partner@demo.openbeat.test", name: "Demo Partner Worker" },
  { role: "administrator", email: "admin@demo.openbeat.test", name: "Demo Administrator" },
  { role: "auditor", email: "auditor@demo.openbeat.test", name: "Demo Auditor" },
];

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
  /** For roles that must sign in with a second factor: the key to add to an authenticator app. */
  twoFactorKey: string | null;
}

/**
 * The story's own place with real data: the seven Essex months of 2018 imported from
 * ../shared/data/police-uk, and an operation on the two Ambleside Drive LSOAs from April 2018
 * against two similar Southend LSOAs. Skipped (with a message) when the folder is absent.
 */
export async function loadRealDataOperation(services: Services, log: (line: string) => void = () => {}): Promise<number | null> {
  const existing = (await services.operations.list()).find((o) => o.name === REAL_DATA_OPERATION_NAME);
  if (existing) {
    // Loaded by an earlier version, which called real data "demo".
    if (existing.isDemo || !existing.realDataExample) {
      await services.operationsRepository.update(existing.id, { isDemo: false, realDataExample: true, plannedHoursPerWeek: 0, updatedAt: new Date().toISOString() });
    }
    return existing.id;
  }
  const folder = path.join(policeUkDataFolder(), "essex-2018");
  if (!fs.existsSync(folder)) {
    log(`No police.uk data at ${folder}: the real-data operation is left out.`);
    return null;
  }
  log("Importing seven months of real Essex police.uk data for the demo (once)...");
  await services.imports.run([folder], { source: "cli" });
  const id = await services.areas.createOperation({
    name: REAL_DATA_OPERATION_NAME,
    startsOn: "2018-04-01",
    endsOn: "2018-07-31",
    summary:
      "The Ambleside Drive area of Southend-on-Sea, the town's 'unofficial red-light district', evaluated with the real police.uk street-level crime data for January to July 2018 against two similar Southend neighbourhoods. The operation dates are illustrative; the crime figures are real.",
    target: { name: "Ambleside Drive (LSOAs Southend-on-Sea 014B and 016F)", definition: { kind: "lsoas", lsoaCodes: ["E01015840", "E01015894"] } },
    buffer: { definition: { kind: "ring", metres: 400 } },
    comparison: { name: "Comparison: Southend-on-Sea LSOAs E01015917 and E01015848", definition: { kind: "lsoas", lsoaCodes: ["E01015917", "E01015848"] } },
  });
  // Real police.uk data, so not demo data: labelled as an example on real data instead. openbeat
  // holds no plan and no patrols for 2018, so none are claimed.
  await services.operationsRepository.update(id, {
    published: true,
    isDemo: false,
    realDataExample: true,
    objectives: JSON.stringify(["Reduce kerb crawling and street sex markets' harm to residents", "Disrupt drug dealing linked to the street"]),
    categoriesInScope: JSON.stringify(["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour"]),
    plannedHoursPerWeek: 0,
  });
  return id;
}

export async function loadDemo(services: Services, now: Date = new Date()): Promise<{ created: boolean; accounts: DemoAccount[] }> {
  const accounts: DemoAccount[] = [];
  const staff: Partial<Record<Role, StaffUser>> = {};
  for (const person of DEMO_STAFF) {
    const password = newOneTimePassword();
    const existing = await services.users.findByEmail(person.email);
    let id: number;
    if (existing) {
      id = existing.id;
      await services.auth.setPassword(id, password, false);
    } else {
      ({ id } = await services.auth.addUser({ ...person, password, mustChangePassword: false }));
    }
    const twoFactorRequired = SECOND_FACTOR_ROLES.includes(person.role);
    const twoFactorKey = twoFactorRequired ? newTotpSecret() : null;
    if (twoFactorKey) await services.auth.setTwoFactorSecret(id, twoFactorKey);
    staff[person.role] = { id, email: person.email, name: person.name, role: person.role, mustChangePassword: false, partnerAgencyId: null, twoFactorEnabled: twoFactorRequired, twoFactorRequired };
    accounts.push({ role: person.role, email: person.email, password, twoFactorKey });
  }

  const existingOperation = (await services.operations.list()).find((o) => o.slug === DEMO_OPERATION_SLUG);
  if (existingOperation) return { created: false, accounts };
  await withFastCommits(services, () => tellTheStory(services, staff as Record<Role, StaffUser>, now));
  return { created: true, accounts };
}

/**
 * On SQLite every commit waits for the disk (synchronous=FULL), about 5 ms here, and the story is
 * a few thousand commits through the services. The demo can be loaded again from scratch, so it
 * is written with synchronous=NORMAL (in WAL mode: consistent after a crash, the last commits
 * perhaps lost) and FULL is restored before anything else is written.
 */
async function withFastCommits(services: Services, work: () => Promise<void>): Promise<void> {
  const { db, dialect } = services.database;
  if (dialect !== "sqlite") return work();
  await sql`PRAGMA synchronous = NORMAL`.execute(db);
  try {
    await work();
  } finally {
    await sql`PRAGMA synchronous = FULL`.execute(db);
  }
}

const THRIVE = {
  threat: "No immediate threat reported.",
  harm: "Ongoing harm to residents' sense of safety.",
  risk: "Medium: a repeat pattern in the target area.",
  investigation: "Add to the patrol briefing; check for repeat vehicles.",
  vulnerability: "Possible exploitation of people selling sex; welfare check on the next patrol.",
  engagement: "Resident is anonymous; answer with a public update.",
};

async function tellTheStory(services: Services, staff: Record<Role, StaffUser>, now: Date): Promise<void> {
  const plan = demoPlan(now, { target: DEMO_TARGET, buffer: DEMO_BUFFER });
  const officer = staff.officer;
  const lead = staff["operation-lead"];
  const safeguarding = staff["safeguarding-lead"];
  const administrator = staff.administrator;
  const setUp = plan.setUpAt;

  // A partner agency with an information-sharing agreement in force all year, and the demo
  // partner worker attached to it, so referrals can be made and answered.
  const agencyId = await services.partners.createAgency({ name: "Southend Exit Project (demo)", services: ["exit-service", "drug-service", "housing"] }, setUp);
  const signedOn = addDays(plan.startsOn, -30);
  await services.partners.addAgreement(agencyId, { reference: "ISA/DEMO/001", signedOn: { value: signedOn, problem: null }, expiresOn: { value: addDays(signedOn, 3 * 365), problem: null } }, administrator, setUp);
  await services.partners.attachWorker(agencyId, staff["partner-worker"].email, administrator, setUp);
  const partner = { ...staff["partner-worker"], partnerAgencyId: agencyId };

  const at = setUp.toISOString();
  const operationId = await services.operationsRepository.create(
    {
      slug: DEMO_OPERATION_SLUG,
      name: "Operation Ambleside (demo)",
      summary: "A demonstration of a neighbourhood operation against kerb crawling, street prostitution and drug dealing around Ambleside Drive, Southend-on-Sea. Everything shown for it is synthetic: the crime figures, the reports, the patrols and the people.",
      objectives: JSON.stringify([
        "Reduce kerb crawling and the harm it causes residents",
        "Help women selling sex on the street out of exploitation, with partner agencies",
        "Disrupt drug dealing linked to the street",
      ]),
      categoriesInScope: JSON.stringify(["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour", "vehicle-repeatedly-seen", "feeling-unsafe"]),
      startsOn: plan.startsOn,
      endsOn: null,
      plannedHoursPerWeek: DEMO_PLANNED_HOURS,
      status: "active",
      published: true,
      isDemo: true,
      createdAt: at,
      updatedAt: at,
    },
    [
      { role: "target", name: "Ambleside Drive and nearby streets", geometry: JSON.stringify(DEMO_TARGET), createdAt: at },
      { role: "buffer", name: "400 m around the target", geometry: JSON.stringify(DEMO_BUFFER), createdAt: at },
      { role: "comparison", name: "Two similar areas of Southend", geometry: JSON.stringify(DEMO_COMPARISON), createdAt: at },
    ],
  );
  // Recorded when the lead set the operation up, three weeks before it started: a pre-registration.
  await services.evaluation.recordDesign(operationId, "Recorded when the operation was set up, before it started", lead.id, setUp);
  await services.planner.addDemoBudget(operationId, plan.budget, setUp);
  await services.dashboard.saveSettings(operationId, true, lead.id, setUp);

  // Synthetic police.uk crime, through the importer like any police.uk download, then marked as such.
  const files = writeDemoCrimeFiles({ startsOn: plan.startsOn, lastMonth: addMonths(plan.today.slice(0, 7), -1), delivery: plan.delivery, areas: { target: DEMO_TARGET, buffer: DEMO_BUFFER, comparison: DEMO_COMPARISON } });
  try {
    await services.imports.run([files.folder], { source: "cli" });
  } finally {
    files.remove();
  }
  await services.imports.markSynthetic(DEMO_FORCE);

  // Its areas are new: the map tiles around them are fetched (by a running server, or `tiles fetch`).
  await services.tiles.request();
  await loadDemoCalls(services, operationId, now);
  await logSteps(services, plan, { operationId, agencyId, officer, lead, safeguarding, partner });
}

interface Cast {
  operationId: number;
  agencyId: number;
  officer: StaffUser;
  lead: StaffUser;
  safeguarding: StaffUser;
  partner: StaffUser;
}

/** Logs the story's steps through the services, oldest first, each at its own time. */
async function logSteps(services: Services, plan: DemoPlan, cast: Cast): Promise<void> {
  const { operationId, officer, lead, safeguarding, partner } = cast;
  const patrols = new Map<number, number>();
  let onPatrol: number | null = null;
  const references = new Map<number, string>();
  const engagements = new Map<number, number>();
  const cases = new Map<number, { caseId: number; referralId: number }>();
  const place = (point: { latitude: number; longitude: number }) => ({ areaRole: "target", latitude: point.latitude, longitude: point.longitude });
  const minutes = (instant: Date, count: number) => new Date(instant.getTime() + count * 60_000);

  for (const step of plan.steps as Step[]) {
    const at = step.at;
    switch (step.kind) {
      case "patrol-start": {
        const id = await services.activity.startPatrol(officer, { operationId, areaRole: "target", officerIds: step.withLead ? [lead.id] : [], isDemo: true }, at);
        patrols.set(step.patrol, id);
        onPatrol = id;
        break;
      }
      case "patrol-end":
        await services.activity.endPatrol(officer, patrols.get(step.patrol)!, at);
        onPatrol = null;
        break;
      case "engagement": {
        const { id } = await services.activity.logEngagement(
          officer,
          { operationId, kind: step.engagement, referralResponse: step.response, safeguardingConcern: step.concern, occurredAt: at.toISOString(), ...place(step.point), isDemo: true },
          at,
        );
        engagements.set(step.key, id);
        break;
      }
      case "enforcement":
        await services.activity.logEnforcement(
          officer,
          { operationId, action: step.action, offence: step.offence, targetGroup: step.targetGroup, subjectReference: step.subject, outcome: step.outcome, occurredAt: at.toISOString(), ...place(step.point), isDemo: true },
          at,
        );
        break;
      case "dispersal-authorisation":
        await services.activity.authoriseDispersal(lead, { operationId, areaRole: "target", startsAt: step.startsAt.toISOString(), endsAt: step.endsAt.toISOString(), grounds: step.grounds }, at);
        break;
      case "report": {
        const category = (await services.categories.find(step.category))!;
        const answers: Record<string, string | string[]> = {};
        for (const question of category.questions) {
          if (question.type === "singlevaluelist") answers[question.code] = question.values[step.key % question.values.length]!.key;
          if (question.type === "multivaluelist") answers[question.code] = question.values.some((v) => v.key === "none") ? ["none"] : [question.values[0]!.key];
          if (question.type === "number") answers[question.code] = "3";
        }
        const { reference } = await services.reports.submit(
          {
            category: step.category,
            occurredAt: step.occurredAt.toISOString(),
            lat: step.point.latitude,
            lng: step.point.longitude,
            description: step.description,
            answers,
            ...(step.vehicle ? { vehicle: { registration: step.vehicle.registration, make: step.vehicle.make, colour: step.vehicle.colour } } : {}),
          },
          { isDemo: true, now: at },
        );
        references.set(step.key, reference);
        break;
      }
      case "grade":
        await services.triage.grade(references.get(step.report)!, { grade: step.grade, thrive: THRIVE, forceReference: step.report % 4 === 0 ? `42/${10000 + step.report}/DEMO` : "" }, officer, at);
        break;
      case "move":
        await services.triage.move(references.get(step.report)!, step.to, step.outcome, officer, at);
        break;
      case "sighting":
        await services.vehicles.recordSighting(
          {
            registration: step.vehicle.registration,
            make: step.vehicle.make,
            colour: step.vehicle.colour,
            seenAt: at,
            latitude: String(step.point.latitude),
            longitude: String(step.point.longitude),
            locationText: "Ambleside Drive",
            area: "target",
            source: "officer",
            patrolId: onPatrol === null ? "" : String(onPatrol),
          },
          officer,
          at,
        );
        break;
      case "keeper":
        await services.vehicles.enterKeeper(step.vehicle.registration, { ...step.vehicle.keeper, make: step.vehicle.make, colour: step.vehicle.colour }, officer, at);
        break;
      case "approve":
        await services.vehicles.approve(step.vehicle.registration, lead, at);
        break;
      case "send":
        await services.vehicles.markSent(step.vehicle.registration, officer, at);
        break;
      case "case": {
        const reason = { code: "safeguarding" as const, reference: `SG/DEMO/${String(step.key).padStart(4, "0")}` };
        const { id } = await services.safeguarding.openCase(
          { alias: step.alias, realName: "", ageBand: step.ageBand, indicators: [], needs: step.needs, needsDetails: "", consent: "given" },
          reason,
          safeguarding,
          at,
        );
        await services.safeguarding.linkEngagement(id, engagements.get(step.engagement)!, reason, safeguarding, minutes(at, 5));
        const referralId = await services.safeguarding.refer(id, { agencyId: cast.agencyId, service: step.service, summary: step.summary }, safeguarding, minutes(at, 10));
        cases.set(step.key, { caseId: id, referralId });
        break;
      }
      case "respond":
        await services.partners.respond(cases.get(step.case)!.referralId, step.decision, step.declineReason, partner, at);
        break;
      case "partner-update":
        await services.partners.postUpdate(cases.get(step.case)!.referralId, { body: step.body, outcome: step.outcome }, partner, at);
        break;
      case "update":
        await services.updates.publish(
          { title: step.title, body: step.body, operationId, reportReferences: step.reports.map((key) => references.get(key)!).filter(Boolean) },
          lead,
          { isDemo: true, now: at },
        );
        break;
    }
  }
}

