// The demo's story, worked out before anything is written: a year of Operation Ambleside, from
// its start on the first of the month a year ago up to today. A pure function of the day, so a
// day always gives the same demo. Every figure a public update states is counted from the very
// steps that are then logged through the services, so the updates cannot say more than was done.
//
// The story: the rota gives the operation what the expected calls for service leave (the same
// seasonal demand the planner's synthetic calls are drawn from), so patrols thin out in the
// summer peak of emergency calls; two evening patrols a week start a month in and carry on all
// year; residents report more when patrols are thin; kerb crawlers are stopped, warned and
// written to; women who may be exploited are offered support, and some are referred to the
// partner agency; crime in the target falls a little against the comparison area, less so in
// the summer.
import { ENGAGEMENT_KINDS, type EnforcementAction, type Offence, type TargetGroup } from "../../domain/activity.ts";
import { addMonths } from "../../domain/evaluation.ts";
import { addDays, londonDate, mondayOf } from "../../domain/forecasting.ts";
import { containsPoint, type Polygonal } from "../../domain/geo.ts";
import { availableHours, daysBetween, demandHours } from "../../domain/planning.ts";
import type { Grade, Outcome } from "../../domain/reports.ts";
import { londonToUtc } from "../../domain/time.ts";
import { DEMO_SETTINGS, expectedDemoCalls } from "../planner/planner.demo.ts";

export const DEMO_PLANNED_HOURS = 40;
/** Two evening patrols a week, 8pm to midnight. */
const EVENING_DAYS = [1, 4];
const EVENING_HOURS = 4;
/** Day patrols fill the rest of the week's hours, 11am onwards, up to 8 hours each. */
const DAY_PATROL_DAYS = [0, 2, 3, 5, 6];
const DAY_PATROL_HOURS = 8;
const DAY_PATROL_START = 11;
/** Evening patrols begin four weeks after the start. */
const EVENINGS_AFTER_WEEKS = 4;

export interface Point {
  latitude: number;
  longitude: number;
}

export interface DemoVehicle {
  registration: string;
  make: string;
  colour: string;
  keeper: { name: string; address: string; checkReference: string };
}

type EngagementKind = keyof typeof ENGAGEMENT_KINDS;

export type Step = { at: Date } & (
  | { kind: "patrol-start"; patrol: number; withLead: boolean }
  | { kind: "patrol-end"; patrol: number }
  | { kind: "engagement"; key: number; engagement: EngagementKind; response: "accepted" | "declined" | null; concern: boolean; point: Point }
  | { kind: "enforcement"; action: EnforcementAction; offence: Offence; targetGroup: TargetGroup; outcome: string; subject: string; point: Point }
  | { kind: "dispersal-authorisation"; startsAt: Date; endsAt: Date; grounds: string }
  | { kind: "report"; key: number; category: string; occurredAt: Date; point: Point; description: string; vehicle: DemoVehicle | null }
  | { kind: "grade"; report: number; grade: Grade }
  | { kind: "move"; report: number; to: "in_progress" | "closed"; outcome?: Outcome }
  | { kind: "sighting"; vehicle: DemoVehicle; point: Point }
  | { kind: "keeper"; vehicle: DemoVehicle }
  | { kind: "approve"; vehicle: DemoVehicle }
  | { kind: "send"; vehicle: DemoVehicle }
  | { kind: "case"; key: number; engagement: number; alias: string; ageBand: string; needs: string[]; service: string; summary: string }
  | { kind: "respond"; case: number; decision: "accept" | "decline"; declineReason: string }
  | { kind: "partner-update"; case: number; body: string; outcome: string }
  | { kind: "update"; title: string; body: string; reports: number[] }
);

export interface BudgetLine {
  kind: "allocation" | "spend";
  description: string;
  amountPence: number;
  date: string;
}

export interface DemoPlan {
  today: string;
  /** The first of the month, a year before this month. */
  startsOn: string;
  /** When the lead set the operation up and recorded its evaluation design. */
  setUpAt: Date;
  /** Hours patrolled in each week (Monday), as logged. */
  weeks: Array<{ weekStart: string; planned: number; delivered: number }>;
  /** Share of the planned hours delivered in each month since the start ('YYYY-MM'). */
  delivery: Map<string, number>;
  budget: BudgetLine[];
  steps: Step[];
}

/** A small deterministic generator: the same demo every day, so screenshots and tests agree. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
}

/** An instant given as a UK date and wall-clock time (hour 24 is midnight at the end of the day). */
export function ukTime(date: string, hour: number, minute = 0): Date {
  const day = hour >= 24 ? addDays(date, 1) : date;
  return londonToUtc(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)), hour % 24, minute);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const later = (instant: Date, ms: number) => new Date(instant.getTime() + ms);
const ukDay = (instant: Date) => londonDate(instant);

/** '2026-01-05' → '5 January 2026', as the updates write dates. */
export function longDate(date: string): string {
  const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  return `${Number(date.slice(8, 10))} ${months[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

/** Around the two Ambleside Drive snap points, where residents see most: well inside one public map cell. */
const HOTSPOT = { latitude: 51.5386, longitude: 0.731, dLatitude: 0.0012, dLongitude: 0.003 };
/** By the garages at the east end of the target, the second place residents report: inside another cell. */
const GARAGES = { latitude: 51.5368, longitude: 0.7428, dLatitude: 0.0008, dLongitude: 0.0015 };

/**
 * The vehicles that get letters. Their plates are in the current format but with an age identifier
 * of the 2040s, not yet issued, so no real vehicle has one; the keepers are plainly fictional.
 */
const LETTER_VEHICLES: readonly DemoVehicle[] = [
  { registration: "DM42 KRB", make: "BMW", colour: "Black", keeper: { name: "Demo Keeper One", address: "1 Example Road, Demotown DM1 1AA (demo)", checkReference: "PNC/DEMO/0001" } },
  { registration: "DM47 VXN", make: "Audi", colour: "Silver", keeper: { name: "Demo Keeper Two", address: "2 Sample Street, Demotown DM2 2BB (demo)", checkReference: "PNC/DEMO/0002" } },
  { registration: "DM45 MLT", make: "Mercedes-Benz", colour: "White", keeper: { name: "Demo Keeper Three", address: "3 Illustration Lane, Demotown DM3 3CC (demo)", checkReference: "PNC/DEMO/0003" } },
  { registration: "DM49 DWA", make: "Ford", colour: "Blue", keeper: { name: "Demo Keeper Four", address: "4 Placeholder Close, Demotown DM4 4DD (demo)", checkReference: "PNC/DEMO/0004" } },
];

export function demoPlan(now: Date, areas: { target: Polygonal; buffer: Polygonal }): DemoPlan {
  const random = seeded(2018);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const today = londonDate(now);
  const startsOn = `${addMonths(today.slice(0, 7), -12)}-01`;
  const setUpAt = ukTime(addDays(startsOn, -21), 10);
  const last = later(now, -HOUR);
  const steps: Step[] = [];
  const add = (step: Step) => {
    if (step.at.getTime() <= last.getTime()) steps.push(step);
  };

  const inBox = (box: { latitude: number; longitude: number; dLatitude: number; dLongitude: number }): Point => ({
    latitude: Number((box.latitude + (random() * 2 - 1) * box.dLatitude).toFixed(6)),
    longitude: Number((box.longitude + (random() * 2 - 1) * box.dLongitude).toFixed(6)),
  });
  const hotspot = () => inBox(HOTSPOT);
  const inArea = (area: Polygonal, outside: Polygonal | null): Point => {
    for (;;) {
      const point = inBox({ latitude: 51.536, longitude: 0.7333, dLatitude: 0.0076, dLongitude: 0.0185 });
      if (containsPoint(area, point.latitude, point.longitude) && !(outside && containsPoint(outside, point.latitude, point.longitude))) return point;
    }
  };

  // The rota, week by week: what the expected demand leaves, never less than the evening patrols.
  const eveningsFrom = addDays(mondayOf(startsOn), 7 * EVENINGS_AFTER_WEEKS);
  const firstEvening = addDays(eveningsFrom, EVENING_DAYS[0]!);
  const weeks: DemoPlan["weeks"] = [];
  const patrols: Array<{ id: number; start: Date; end: Date; evening: boolean }> = [];
  for (let week = mondayOf(startsOn); week <= mondayOf(today); week = addDays(week, 7)) {
    const left = availableHours(DEMO_SETTINGS) - demandHours(expectedDemoCalls(week), DEMO_SETTINGS);
    const evenings = week >= eveningsFrom;
    const floor = evenings ? EVENING_DAYS.length * EVENING_HOURS : 0;
    const target = Math.min(DEMO_PLANNED_HOURS, Math.max(floor, Math.round(left + (random() - 0.5) * 6)));
    const planned: Array<{ start: Date; end: Date; evening: boolean }> = [];
    if (evenings) for (const day of EVENING_DAYS) planned.push({ start: ukTime(addDays(week, day), 20), end: ukTime(addDays(week, day), 24), evening: true });
    let remaining = target - floor;
    for (const day of DAY_PATROL_DAYS) {
      if (remaining < 2) break;
      const hours = Math.min(DAY_PATROL_HOURS, remaining);
      planned.push({ start: ukTime(addDays(week, day), DAY_PATROL_START), end: ukTime(addDays(week, day), DAY_PATROL_START + hours), evening: false });
      remaining -= hours;
    }
    let delivered = 0;
    for (const patrol of planned.sort((a, b) => a.start.getTime() - b.start.getTime())) {
      if (ukDay(patrol.start) < startsOn || patrol.end.getTime() > last.getTime()) continue;
      patrols.push({ id: patrols.length + 1, ...patrol });
      delivered += (patrol.end.getTime() - patrol.start.getTime()) / HOUR;
    }
    weeks.push({ weekStart: week, planned: DEMO_PLANNED_HOURS, delivered });
  }
  const delivery = new Map<string, number>();
  for (const month of new Set(weeks.map((w) => w.weekStart.slice(0, 7)))) {
    const inMonth = weeks.filter((w) => w.weekStart.slice(0, 7) === month);
    delivery.set(month, inMonth.reduce((s, w) => s + w.delivered, 0) / inMonth.reduce((s, w) => s + w.planned, 0));
  }

  // What officers log on each patrol.
  let engagements = 0;
  const accepted: Array<{ key: number; at: Date }> = [];
  const during = (patrol: { start: Date; end: Date }, fraction: number) => later(patrol.start, Math.round((patrol.end.getTime() - patrol.start.getTime()) * fraction));
  const enforcement = (at: Date, action: EnforcementAction, offence: Offence, targetGroup: TargetGroup, outcome: string, subject = "") =>
    add({ at, kind: "enforcement", action, offence, targetGroup, outcome, subject, point: hotspot() });
  const weekOf = (index: number) => addDays(mondayOf(startsOn), 7 * index);
  const sequences = new Map<string, (patrol: { start: Date; end: Date }) => void>([
    // A repeat kerb crawler: a written warning, then, stopped again, a Community Protection Notice.
    [`${weekOf(9)}|evening`, (p) => enforcement(during(p, 0.5), "community-protection-warning", "kerb-crawling", "buyer", "Warned", "KC/DEMO/07")],
    [`${weekOf(15)}|evening`, (p) => enforcement(during(p, 0.5), "community-protection-notice", "kerb-crawling", "buyer", "Notice served", "KC/DEMO/07")],
    // A house used for dealing: a closure notice, then the court's closure order. On evening
    // patrols, which run every week, so the order never comes without its notice.
    [`${weekOf(18)}|evening`, (p) => enforcement(during(p, 0.1), "closure-notice", "supply", "dealer", "Notice served", "PREMISES/DEMO/3")],
    [`${weekOf(19)}|evening`, (p) => enforcement(during(p, 0.1), "closure-order", "supply", "dealer", "Order granted by the court", "PREMISES/DEMO/3")],
  ]);
  const dispersalWeek = weekOf(44);
  const dispersalFrom = ukTime(addDays(dispersalWeek, 4), 17);
  add({
    at: later(dispersalFrom, -3 * HOUR),
    kind: "dispersal-authorisation",
    startsAt: dispersalFrom,
    endsAt: later(dispersalFrom, 48 * HOUR),
    grounds: "Groups gathering by the garages on Friday and Saturday nights have intimidated residents and people walking home; dispersal is needed to reduce harassment and alarm.",
  });
  for (const patrol of patrols) {
    add({ at: patrol.start, kind: "patrol-start", patrol: patrol.id, withLead: patrol.evening && random() < 0.3 });
    const week = mondayOf(ukDay(patrol.start));
    const sequenceKey = `${week}|${patrol.evening ? "evening" : "day"}`;
    const sequence = sequences.get(sequenceKey);
    if (sequence) {
      sequence(patrol);
      sequences.delete(sequenceKey);
    }
    if (patrol.evening) {
      const roll = random();
      const kind: EngagementKind | null = roll < 0.55 ? "welfare-check" : roll < 0.8 ? "advice-given" : roll < 0.92 ? "referral-offered" : null;
      if (kind) {
        const response = kind === "referral-offered" ? (random() < 0.6 ? "accepted" : "declined") : null;
        const key = ++engagements;
        const at = during(patrol, 0.2 + random() * 0.3);
        add({ at, kind: "engagement", key, engagement: kind, response, concern: response === "accepted", point: hotspot() });
        if (response === "accepted") accepted.push({ key, at });
      }
      if (random() < 0.55) enforcement(during(patrol, 0.55 + random() * 0.2), "kerb-crawler-stop", "kerb-crawling", "buyer", pick(["Warned", "Advice given", "Warned", "Reported for summons"]));
      if (random() < 0.15) enforcement(during(patrol, 0.8 + random() * 0.15), "kerb-crawler-stop", "kerb-crawling", "buyer", "Warned");
      if (week === dispersalWeek && patrol.start.getTime() >= dispersalFrom.getTime()) {
        enforcement(during(patrol, 0.5), "dispersal-direction", "anti-social-behaviour", "other", "Warned");
        enforcement(during(patrol, 0.7), "dispersal-direction", "anti-social-behaviour", "other", "Advice given");
      }
    } else {
      if (random() < 0.05) enforcement(during(patrol, 0.4 + random() * 0.4), "drug-seizure", "possession-with-intent", "dealer", "Drugs seized");
      if (random() < 0.03) enforcement(during(patrol, 0.4 + random() * 0.4), "arrest", "supply", "dealer", pick(["Charged", "Released under investigation"]));
      if (random() < 0.02) enforcement(during(patrol, 0.4 + random() * 0.4), "community-protection-warning", "anti-social-behaviour", "other", "Warned");
      if (random() < 0.1) add({ at: during(patrol, 0.5), kind: "engagement", key: ++engagements, engagement: "welfare-check", response: null, concern: false, point: hotspot() });
    }
    add({ at: patrol.end, kind: "patrol-end", patrol: patrol.id });
  }

  // Women who accepted a referral: the safeguarding lead opens a case the next morning and refers
  // her to the partner agency, which answers within days and posts an update a few weeks on.
  const aliases = ["Amber", "Bea", "Cara", "Dee", "Esme", "Faye", "Gina", "Hope", "Iris", "Jo", "Kit", "Lou"];
  const referrals = [
    { service: "exit-service", needs: ["exit", "housing"], summary: "Wants help to leave street sex work; sleeping at a friend's; agreed to meet the exit worker." },
    { service: "drug-service", needs: ["drugs-alcohol", "sexual-health"], summary: "Uses heroin daily and wants a script; agreed to see the drug service this week." },
    { service: "housing", needs: ["housing", "money"], summary: "Has nowhere to stay from the end of the month; agreed to a housing assessment." },
  ];
  accepted.forEach((engagement, i) => {
    const at = ukTime(addDays(ukDay(engagement.at), 1), 10);
    const referral = referrals[i % referrals.length]!;
    add({
      at,
      kind: "case",
      key: i + 1,
      engagement: engagement.key,
      alias: `Demo: ${aliases[i % aliases.length]}${i >= aliases.length ? ` ${Math.floor(i / aliases.length) + 1}` : ""}`,
      ageBand: ["25-34", "18-24", "35-44"][i % 3]!,
      needs: referral.needs,
      service: referral.service,
      summary: `${referral.summary} (demo)`,
    });
    const declined = i % 5 === 3;
    add({ at: later(at, 2 * DAY + 4 * HOUR), kind: "respond", case: i + 1, decision: declined ? "decline" : "accept", declineReason: declined ? "no-capacity" : "" });
    if (!declined) {
      add({
        at: later(at, 20 * DAY),
        kind: "partner-update",
        case: i + 1,
        body: "Met her at the drop-in twice; she is keeping her appointments and we are working on a support plan together. (demo)",
        outcome: later(at, 20 * DAY).getTime() < later(now, -90 * DAY).getTime() ? "support-in-place" : "",
      });
    }
  });

  // Residents' reports: more when patrols are thin, most of them around Ambleside Drive.
  const categories: Array<[string, number]> = [
    ["kerb-crawling", 0.35],
    ["vehicle-repeatedly-seen", 0.08],
    ["drug-dealing", 0.13],
    ["drug-litter", 0.1],
    ["sexual-litter", 0.09],
    ["anti-social-behaviour", 0.1],
    ["feeling-unsafe", 0.1],
    ["sex-work-welfare", 0.05],
  ];
  const category = () => {
    let roll = random();
    for (const [code, share] of categories) if ((roll -= share) < 0) return code;
    return "kerb-crawling";
  };
  let reports = 0;
  const reportSteps: Array<Extract<Step, { kind: "report" }>> = [];
  const closed = new Map<number, { at: Date; outcome: Outcome }>();
  const fileReport = (occurredAt: Date, code: string, point: Point, vehicle: DemoVehicle | null, submittedAfterHours: number): number | null => {
    const at = later(occurredAt, Math.round(submittedAfterHours * HOUR));
    if (at.getTime() > last.getTime() || ukDay(at) < startsOn) return null;
    const key = ++reports;
    const step: Extract<Step, { kind: "report" }> = { at, kind: "report", key, category: code, occurredAt, point, description: `[Demo] ${pick(DESCRIPTIONS[code]!)}`, vehicle };
    add(step);
    reportSteps.push(step);
    // Triage: graded within the day; litter cleared by the council within two days; the rest looked into over a week or so.
    if (at.getTime() > later(last, -3 * DAY).getTime()) return key;
    const litter = code === "drug-litter" || code === "sexual-litter";
    add({ at: later(at, (1 + random() * 5) * HOUR), kind: "grade", report: key, grade: litter ? "scheduled" : pick(GRADES_BY_CATEGORY[code] ?? ["scheduled"]) });
    add({ at: later(at, (litter ? 8 : 24 + random() * 24) * HOUR), kind: "move", report: key, to: "in_progress" });
    if (!litter && random() < 0.1) return key;
    const closedAt = later(at, litter ? (30 + random() * 12) * HOUR : (3 + random() * 7) * DAY);
    const outcome = litter ? "cleared" : pick(OUTCOMES_BY_CATEGORY[code] ?? ["no-further-action"]);
    add({ at: closedAt, kind: "move", report: key, to: "closed", outcome });
    if (closedAt.getTime() <= last.getTime()) closed.set(key, { at: closedAt, outcome });
    return key;
  };
  const recentFrom = later(now, -80 * DAY);
  for (const week of weeks) {
    const thin = 1 - week.delivered / week.planned;
    const count = Math.max(0, Math.round(7 + 5 * thin + (random() - 0.5) * 4));
    for (let i = 0; i < count; i++) {
      const code = category();
      const day = addDays(week.weekStart, Math.floor(random() * 7));
      const evening = random() < 0.75;
      const occurredAt = ukTime(day, evening ? 19 + Math.floor(random() * 5) : 9 + Math.floor(random() * 9), Math.floor(random() * 60));
      const where = random();
      const point = where < 0.62 ? hotspot() : where < 0.87 ? inBox(GARAGES) : where < 0.95 ? inArea(areas.target, null) : inArea(areas.buffer, areas.target);
      const askVehicle = code === "kerb-crawling" || code === "vehicle-repeatedly-seen";
      // Sightings that never lead to a letter are erased after 90 days: only recent reports still hold them.
      const vehicle = askVehicle && occurredAt.getTime() > recentFrom.getTime() && random() < 0.5 ? randomVehicle(random, LETTER_VEHICLES) : null;
      fileReport(occurredAt, code, point, vehicle, 1 + random() * 14);
    }
  }

  // Vehicles seen again and again: a resident's report, an officer's sighting on the next evening
  // patrol, the keeper check, the inspector's approval and the letter. The third is seen again
  // after its letter (escalated); the last waits for the inspector.
  const letters: Array<{ vehicle: DemoVehicle; reports: number[]; sentAt: Date | null }> = [];
  const eveningAfter = (instant: Date) => patrols.find((p) => p.evening && p.start.getTime() > instant.getTime());
  const letterTimes = [ukTime(addDays(weekOf(12), 3), 21, 30), ukTime(addDays(weekOf(24), 3), 21, 30), ukTime(addDays(weekOf(38), 3), 21, 30), ukTime(addDays(today, -12), 21, 30)];
  LETTER_VEHICLES.forEach((vehicle, i) => {
    const seen = letterTimes[i]!;
    const report = fileReport(seen, "kerb-crawling", hotspot(), vehicle, 1.5);
    const patrol = eveningAfter(later(seen, 2 * DAY));
    if (report === null || !patrol || patrol.end.getTime() > last.getTime()) return;
    const sighted = during(patrol, 0.25);
    add({ at: sighted, kind: "sighting", vehicle, point: hotspot() });
    const keeper = ukTime(addDays(ukDay(sighted), 2), 10);
    add({ at: keeper, kind: "keeper", vehicle });
    const entry = { vehicle, reports: [report], sentAt: null as Date | null };
    letters.push(entry);
    if (i === LETTER_VEHICLES.length - 1) return;
    add({ at: later(keeper, DAY + HOUR), kind: "approve", vehicle });
    entry.sentAt = later(keeper, 2 * DAY);
    add({ at: entry.sentAt, kind: "send", vehicle });
    if (i === 2) {
      const again = fileReport(ukTime(addDays(ukDay(entry.sentAt), 20), 22, 15), "kerb-crawling", hotspot(), vehicle, 1);
      if (again !== null) entry.reports.push(again);
    }
  });

  // "You said, we did": each figure counted from the steps above.
  const update = (at: Date, title: string, body: string, reportKeys: number[]) => add({ at, kind: "update", title, body, reports: reportKeys.slice(0, 15) });
  const before = (instant: Date) => steps.filter((s) => s.at.getTime() < instant.getTime());
  const stopsBetween = (from: Date, to: Date) =>
    before(to).filter((s) => s.kind === "enforcement" && s.action === "kerb-crawler-stop" && s.targetGroup === "buyer" && s.at.getTime() >= from.getTime()).length;
  const reportsOf = (code: string[], to: Date, outcome?: Outcome) =>
    reportSteps.filter((r) => code.includes(r.category) && r.at.getTime() < to.getTime() && (!outcome || (closed.get(r.key)?.outcome === outcome && closed.get(r.key)!.at.getTime() < to.getTime()))).map((r) => r.key);

  const eveningsUpdate = ukTime(addDays(firstEvening, 23), 10);
  update(
    eveningsUpdate,
    "Evening patrols on Ambleside Drive",
    `You told us about cars circling the streets late in the evening.\nSince ${longDate(firstEvening)} we have run two evening patrols a week between 8pm and midnight, and officers have stopped ${stopsBetween(ukTime(firstEvening, 0), eveningsUpdate)} drivers seen kerb crawling. Each driver stopped is warned, and repeat drivers can be given a Community Protection Warning.`,
    reportsOf(["kerb-crawling"], eveningsUpdate, "action-taken"),
  );

  const litterUpdate = ukTime(addDays(weekOf(9), 2), 10);
  const cleared = reportsOf(["drug-litter", "sexual-litter"], litterUpdate, "cleared");
  if (cleared.length) {
    update(
      litterUpdate,
      "Needles and litter cleared from the garages",
      "You reported needles and used condoms by the garages and in the alley.\nEach time, the council cleared them within two days, and it has added the garages to its weekly sweep. Please keep reporting, and do not touch needles yourself.",
      cleared,
    );
  }

  const order = steps.find((s) => s.kind === "enforcement" && s.action === "closure-order");
  if (order) {
    const at = ukTime(addDays(ukDay(order.at), 4), 10);
    update(
      at,
      "Closure order on a house used for dealing",
      `You told us about people coming and going from a house near the garages at all hours.\nOfficers served a closure notice on the house, and on ${longDate(ukDay(order.at))} the court granted a closure order: no one but its residents may enter it for three months.`,
      reportsOf(["drug-dealing"], at),
    );
  }

  const lettersUpdate = letters[1]?.sentAt ? ukTime(addDays(ukDay(letters[1].sentAt), 6), 10) : null;
  if (lettersUpdate) {
    const sent = letters.filter((l) => l.sentAt && l.sentAt.getTime() < lettersUpdate.getTime()).length;
    update(
      lettersUpdate,
      "Warning letters to the keepers of vehicles seen again and again",
      `When residents and officers see the same vehicle kerb crawling on more than one occasion, the inspector can approve a letter to its registered keeper.\nSince ${longDate(ukDay(letters[0]!.sentAt!))} we have sent ${sent} warning letters. A vehicle seen again after its letter is looked at again, and the driver can be stopped and warned in person.`,
      letters.flatMap((l) => l.reports),
    );
  }

  // The summer: the first run of complete weeks, May to October, when the rota gave the
  // operation less than its plan (a week or two at the plan inside it still belongs to it).
  const short = weeks.filter((w) => w.weekStart >= startsOn && w.weekStart < mondayOf(today) && w.delivered < w.planned && Number(w.weekStart.slice(5, 7)) >= 5 && Number(w.weekStart.slice(5, 7)) <= 10);
  const runs: string[][] = [];
  for (const week of short) {
    const run = runs.at(-1);
    if (run && daysBetween(run.at(-1)!, week.weekStart) <= 21) run.push(week.weekStart);
    else runs.push([week.weekStart]);
  }
  const summer = runs.find((run) => run.length >= 4);
  if (summer) {
    const from = summer[0]!;
    const to = addDays(summer.at(-1)!, 6);
    const inWindow = weeks.filter((w) => w.weekStart >= from && w.weekStart <= to);
    const average = inWindow.reduce((s, w) => s + w.delivered, 0) / inWindow.length;
    const at = ukTime(addDays(to, 10), 10);
    update(
      at,
      "Fewer patrols over the summer",
      `From ${longDate(from)} to ${longDate(to)} most of the team was called away from the operation to answer 999 calls at the summer peak, and patrols fell from ${DEMO_PLANNED_HOURS} hours a week to an average of ${average.toFixed(1)} hours a week.\nThe evening patrols carried on: two evening patrols a week between 8pm and midnight, as since ${longDate(firstEvening)}. We know residents noticed, and we are planning next summer's rota with the force now.`,
      reportsOf(["kerb-crawling"], at).filter((key) => ukDay(reportSteps.find((r) => r.key === key)!.at) >= from),
    );
  }

  const supportUpdate = ukTime(addDays(today, -30), 10);
  update(
    supportUpdate,
    "Support for women who may be exploited",
    "Officers on the evening patrols check on the welfare of women who may be exploited, and offer a referral to the Southend Exit Project and other support, which some have taken up.\nNone of the enforcement targeted women selling sex: it is aimed at kerb crawlers and dealers. If you are worried about someone, report it as a concern for their welfare.",
    [],
  );

  // The money: the force's fund and a grant, and what was spent besides officer hours.
  const lines: BudgetLine[] = [
    { kind: "allocation", description: "Force neighbourhood policing fund (demo)", amountPence: 9_000_000, date: startsOn },
    { kind: "allocation", description: "Police and Crime Commissioner grant (demo)", amountPence: 2_500_000, date: addDays(startsOn, 70) },
    { kind: "spend", description: "CCTV camera hire by the garages (demo)", amountPence: 320_000, date: addDays(startsOn, 21) },
    ...[0, 1, 2, 3].map((q) => ({ kind: "spend" as const, description: `Partner outreach sessions, quarter ${q + 1} (demo)`, amountPence: 250_000, date: addDays(startsOn, 91 * q + 45) })),
    { kind: "spend", description: "Council clean-up of needles and litter (demo)", amountPence: 60_000, date: addDays(startsOn, 60) },
    ...letters.filter((l) => l.sentAt).map((l) => ({ kind: "spend" as const, description: "Warning letter: printing and recorded delivery (demo)", amountPence: 1_500, date: ukDay(l.sentAt!) })),
  ];
  const budget = lines.filter((line) => line.kind === "allocation" || line.date <= today);

  steps.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { today, startsOn, setUpAt, weeks, delivery, budget, steps };
}

/** A vehicle a resident saw once: a plate no real vehicle has (an age identifier of the 2040s), none of the letters' vehicles. */
function randomVehicle(random: () => number, taken: readonly DemoVehicle[]): DemoVehicle {
  const letters = "ABCDEFGHJKLMNPRSTUVWXY";
  const letter = () => letters[Math.floor(random() * letters.length)]!;
  let registration: string;
  do registration = `${letter()}${letter()}4${Math.floor(random() * 10)} ${letter()}${letter()}${letter()}`;
  while (taken.some((v) => v.registration === registration));
  return {
    registration,
    make: ["Ford", "BMW", "Audi", "Vauxhall", "Toyota"][Math.floor(random() * 5)]!,
    colour: ["Black", "Silver", "Blue", "White", "Grey"][Math.floor(random() * 5)]!,
    keeper: { name: "", address: "", checkReference: "" },
  };
}

const GRADES_BY_CATEGORY: Record<string, Grade[]> = {
  "kerb-crawling": ["priority", "scheduled", "scheduled"],
  "vehicle-repeatedly-seen": ["scheduled"],
  "drug-dealing": ["priority", "scheduled"],
  "anti-social-behaviour": ["priority", "scheduled", "resolved"],
  "feeling-unsafe": ["scheduled", "resolved"],
  "sex-work-welfare": ["priority"],
};

const OUTCOMES_BY_CATEGORY: Record<string, Outcome[]> = {
  "kerb-crawling": ["action-taken", "action-taken", "action-taken", "no-further-action", "insufficient-information"],
  "vehicle-repeatedly-seen": ["action-taken", "no-further-action"],
  "drug-dealing": ["recorded-as-crime", "action-taken", "passed-to-partner"],
  "anti-social-behaviour": ["action-taken", "no-further-action"],
  "feeling-unsafe": ["passed-to-partner"],
  "sex-work-welfare": ["passed-to-partner"],
};

export const DESCRIPTIONS: Record<string, string[]> = {
  "kerb-crawling": ["A car drove round the block three times slowly and stopped by the alley.", "I was walking home and a driver pulled over and propositioned me."],
  "sex-work-welfare": ["A woman was standing at the corner for a long time late at night and seemed distressed.", "Someone was waiting by the phone box in the cold for hours; I am worried for her."],
  "drug-dealing": ["Cars stop for a minute by the garages, something is handed over, then they drive off.", "People keep arriving on bikes and waiting outside the same house."],
  "drug-litter": ["Two needles in the grass verge next to the bus stop.", "Syringes by the garages at the end of the road."],
  "sexual-litter": ["Used condoms in the alley behind the shops again.", "Condoms and wrappers on the path by the playground."],
  "anti-social-behaviour": ["Shouting and car horns outside the houses after midnight.", "A group blocked the pavement and shouted at people walking past."],
  "vehicle-repeatedly-seen": ["The same dark car parks up with its lights off most evenings.", "A van I have seen several times this week circles and stops."],
  "feeling-unsafe": ["The street lights by the alley have been out for weeks and it feels unsafe.", "I avoid walking down here after dark because of cars stopping."],
};
