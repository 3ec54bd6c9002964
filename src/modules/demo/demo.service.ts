// Demo data so a new user sees openbeat working: the Ambleside Drive operation with its areas,
// staff accounts with fresh passwords at every start, and synthetic reports and updates, all
// marked as demo data. Refused in production (see config.ts).
import fs from "node:fs";
import path from "node:path";
import type { Services } from "../../services.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { containsPoint } from "../../domain/geo.ts";
import { newOneTimePassword } from "../auth/passwords.ts";
import { SECOND_FACTOR_ROLES, type Role } from "../auth/policy.ts";
import { newTotpSecret } from "../auth/two-factor.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import { loadDemoCalls } from "../planner/planner.demo.ts";
import { policeUkDataFolder } from "../imports/police-uk.data.ts";

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

/** A small deterministic generator: the same demo every time, so screenshots and tests agree. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const DESCRIPTIONS: Record<string, string[]> = {
  "kerb-crawling": ["A car drove round the block three times slowly and stopped by the alley.", "I was walking home and a driver pulled over and propositioned me."],
  "sex-work-welfare": ["A woman was standing at the corner for a long time late at night and seemed distressed.", "Someone was waiting by the phone box in the cold for hours; I am worried for her."],
  "drug-dealing": ["Cars stop for a minute by the garages, something is handed over, then they drive off.", "People keep arriving on bikes and waiting outside the same house."],
  "drug-litter": ["Two needles in the grass verge next to the bus stop.", "Syringes by the garages at the end of the road."],
  "sexual-litter": ["Used condoms in the alley behind the shops again.", "Condoms and wrappers on the path by the playground."],
  "anti-social-behaviour": ["Shouting and car horns outside the houses after midnight.", "A group blocked the pavement and shouted at people walking past."],
  "vehicle-repeatedly-seen": ["The same dark car parks up with its lights off most evenings.", "A van I have seen several times this week circles and stops."],
  "feeling-unsafe": ["The street lights by the alley have been out for weeks and it feels unsafe.", "I avoid walking down here after dark because of cars stopping."],
};

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
  if (existing) return existing.id;
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
  await services.operationsRepository.update(id, {
    published: true,
    isDemo: true,
    objectives: JSON.stringify(["Reduce kerb crawling and street sex markets' harm to residents", "Disrupt drug dealing linked to the street"]),
    categoriesInScope: JSON.stringify(["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour"]),
    plannedHoursPerWeek: 40,
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

  // A partner agency with an information-sharing agreement in force, and the demo partner
  // worker attached to it, so a safeguarding referral can be made and answered in the demo.
  const agencyId = await services.partners.createAgency({ name: "Southend Exit Project (demo)", services: ["exit-service", "drug-service", "housing"] }, now);
  const today = now.toISOString().slice(0, 10);
  const inTwoYears = new Date(now.getTime() + 730 * 86_400_000).toISOString().slice(0, 10);
  const administrator = staff.administrator!;
  await services.partners.addAgreement(agencyId, { reference: "ISA/DEMO/001", signedOn: { value: today, problem: null }, expiresOn: { value: inTwoYears, problem: null } }, administrator, now);
  await services.partners.attachWorker(agencyId, DEMO_STAFF.find((p) => p.role === "partner-worker")!.email, administrator);

  const start = new Date(now.getTime() - 300 * 86_400_000);
  const operationId = await services.operationsRepository.create(
    {
      slug: DEMO_OPERATION_SLUG,
      name: "Operation Ambleside (demo)",
      summary: "A demonstration of a neighbourhood operation against kerb crawling, street prostitution and drug dealing around Ambleside Drive, Southend-on-Sea. All data shown for it is synthetic.",
      objectives: JSON.stringify([
        "Reduce kerb crawling and the harm it causes residents",
        "Help women selling sex on the street out of exploitation, with partner agencies",
        "Disrupt drug dealing linked to the street",
      ]),
      categoriesInScope: JSON.stringify(["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour", "vehicle-repeatedly-seen", "feeling-unsafe"]),
      startsOn: start.toISOString().slice(0, 10),
      endsOn: null,
      plannedHoursPerWeek: 40,
      status: "active",
      published: true,
      isDemo: true,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    },
    [
      { role: "target", name: "Ambleside Drive and nearby streets", geometry: JSON.stringify(DEMO_TARGET), createdAt: now.toISOString() },
      { role: "buffer", name: "400 m around the target", geometry: JSON.stringify(DEMO_BUFFER), createdAt: now.toISOString() },
      { role: "comparison", name: "Comparison: two similar areas of Southend", geometry: JSON.stringify(DEMO_COMPARISON), createdAt: now.toISOString() },
    ],
  );

  // Its areas are new: the map tiles around them are fetched (by a running server, or `tiles fetch`).
  await services.tiles.request();
  await loadDemoCalls(services, operationId, now);

  const random = seeded(2018);
  const categories = Object.keys(DESCRIPTIONS);
  const references: string[] = [];
  for (let i = 0; i < 60; i++) {
    const category = categories[Math.floor(random() * categories.length)]!;
    const daysAgo = Math.floor(random() * 170) + 1;
    const submittedAt = new Date(now.getTime() - daysAgo * 86_400_000);
    const occurredAt = new Date(submittedAt.getTime() - Math.floor(random() * 20) * 3_600_000);
    occurredAt.setUTCHours(19 + Math.floor(random() * 5), Math.floor(random() * 60), 0, 0);
    if (occurredAt > submittedAt) occurredAt.setTime(submittedAt.getTime() - 3_600_000);
    const inTarget = random() < 0.75;
    let lat = 0;
    let lng = 0;
    do {
      lat = inTarget ? 51.532 + random() * 0.008 : 51.5284 + random() * 0.0152;
      lng = inTarget ? 0.7205 + random() * 0.0255 : 0.7147 + random() * 0.0371;
    } while (!inTarget && containsPoint(DEMO_TARGET, lat, lng));
    const texts = DESCRIPTIONS[category]!;
    const categoryData = (await services.categories.find(category))!;
    const answers: Record<string, string | string[]> = {};
    for (const question of categoryData.questions) {
      if (question.type === "singlevaluelist") answers[question.code] = question.values[Math.floor(random() * question.values.length)]!.key;
      if (question.type === "multivaluelist") answers[question.code] = ["none"].filter((v) => question.values.some((o) => o.key === v));
    }
    const { reference } = await services.reports.submit(
      {
        category,
        occurredAt: occurredAt.toISOString(),
        lat: Number(lat.toFixed(6)),
        lng: Number(lng.toFixed(6)),
        description: `[Demo] ${texts[Math.floor(random() * texts.length)]}`,
        answers,
        ...(categoryData.askVehicle && random() < 0.6
          ? { vehicle: { registration: `DM${10 + Math.floor(random() * 80)} ${["ABC", "KRB", "XYZ", "VAN"][Math.floor(random() * 4)]}`, make: ["Ford", "BMW", "Audi", "Vauxhall"][Math.floor(random() * 4)], colour: ["Black", "Silver", "Blue", "White"][Math.floor(random() * 4)] } }
          : {}),
      },
      { isDemo: true, now: submittedAt },
    );
    references.push(reference);
    const officer = staff.officer!;
    const progress = random();
    if (progress < 0.25 || daysAgo < 3) continue;
    const gradedAt = new Date(submittedAt.getTime() + 3_600_000);
    await services.triage.grade(
      reference,
      {
        grade: ["priority", "scheduled", "scheduled", "resolved"][Math.floor(random() * 4)]!,
        thrive: {
          threat: "No immediate threat reported.",
          harm: "Ongoing harm to residents' sense of safety.",
          risk: "Medium: a repeat pattern in the target area.",
          investigation: "Add to patrol briefing; check for repeat vehicles.",
          vulnerability: "Possible exploitation of people selling sex; welfare check on next patrol.",
          engagement: "Resident is anonymous; answer with a public update.",
        },
        forceReference: random() < 0.3 ? `42/${10000 + Math.floor(random() * 89999)}/26` : "",
      },
      officer,
      gradedAt,
    );
    if (progress < 0.45) continue;
    await services.triage.move(reference, "in_progress", undefined, officer, new Date(gradedAt.getTime() + 86_400_000));
    if (progress < 0.6) continue;
    const outcomes = ["action-taken", "cleared", "passed-to-partner", "no-further-action", "insufficient-information"];
    await services.triage.move(reference, "closed", outcomes[Math.floor(random() * outcomes.length)], officer, new Date(gradedAt.getTime() + 5 * 86_400_000));
  }

  const lead = staff["operation-lead"]!;
  await services.updates.publish(
    {
      title: "Extra evening patrols on Ambleside Drive",
      body: "You told us about cars circling the streets late in the evening.\nWe added two evening patrols a week between 8pm and midnight, stopped drivers seen kerb crawling, and sent warning letters where the same vehicle was seen repeatedly.",
      operationId: null,
      reportReferences: references.slice(0, 12),
    },
    lead,
    { isDemo: true, now: new Date(now.getTime() - 40 * 86_400_000) },
  );
  await services.updates.publish(
    {
      title: "Needles and litter cleared from the garages",
      body: "You reported needles and used condoms by the garages and the alley.\nThe council cleared them within two days and has added the site to its weekly sweep. Please keep reporting: do not touch needles yourself.",
      operationId: null,
      reportReferences: references.slice(12, 20),
    },
    lead,
    { isDemo: true, now: new Date(now.getTime() - 12 * 86_400_000) },
  );
  return { created: true, accounts };
}
