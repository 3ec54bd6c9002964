// Demo data for the planner: three years of synthetic calls for service with a summer peak,
// planning settings under which some summer weeks fall short, and a small budget. Everything is
// marked as demo data and labelled as synthetic on the pages that show it.
import { addDays, londonDate, mondayOf, type CallGrade, type CallRecord } from "../../domain/forecasting.ts";
import type { PlanningSettings } from "../../domain/planning.ts";
import { londonToUtc } from "../../domain/time.ts";
import type { Services } from "../../services.ts";

export const DEMO_WEEKS = 157;

/** Mean calls a week over the year, and how far the summer peak lifts (and winter lowers) them. */
const DEMO_DEMAND: Record<CallGrade, { mean: number; summer: number }> = {
  emergency: { mean: 36, summer: 0.35 },
  priority: { mean: 70, summer: 0.3 },
  scheduled: { mean: 45, summer: 0.1 },
  resolved: { mean: 40, summer: 0.05 },
};

export const DEMO_SETTINGS: PlanningSettings = {
  capacityHoursPerWeek: 520,
  abstractionRate: 0.25,
  hoursPerIncident: { emergency: 2.5, priority: 2, scheduled: 1.5, resolved: 0 },
  hourlyRatePence: 4500,
};

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
}

const dateParts = (date: string) => [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))] as const;

/** Day of the year, 0-based, of a 'YYYY-MM-DD' date. */
function dayOfYear(date: string): number {
  const [year, month, day] = dateParts(date);
  return (Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000;
}

/** The season of a week, from -1 (late January) to 1 (late July, the summer peak of emergency calls). */
function seasonOf(weekStart: string): number {
  return Math.cos((2 * Math.PI * (dayOfYear(addDays(weekStart, 3)) - 205)) / 365.25);
}

/**
 * The calls a week can be expected to bring, by grade: the seasonal mean the synthetic calls are
 * drawn around. The demo's rota follows it, as a planner would: patrols thin out in the weeks
 * the summer peak is expected, not only in the weeks it happened to be busy.
 */
export function expectedDemoCalls(weekStart: string): Record<CallGrade, number> {
  const season = seasonOf(weekStart);
  return Object.fromEntries((Object.entries(DEMO_DEMAND) as Array<[CallGrade, { mean: number; summer: number }]>).map(([grade, { mean, summer }]) => [grade, mean * (1 + summer * season)])) as Record<
    CallGrade,
    number
  >;
}

/** The synthetic calls: one list, oldest first, ending with the last complete week before `now`. */
export function demoCalls(now: Date = new Date(), seed = 2026): CallRecord[] {
  const random = seeded(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const lastWeek = addDays(mondayOf(londonDate(now)), -7);
  const calls: CallRecord[] = [];
  for (let w = DEMO_WEEKS - 1; w >= 0; w--) {
    const weekStart = addDays(lastWeek, -7 * w);
    const start = londonToUtc(...dateParts(weekStart), 0, 0).getTime();
    const end = londonToUtc(...dateParts(addDays(weekStart, 7)), 0, 0).getTime();
    // The peak falls in late July (day 205), the trough in late January.
    for (const [grade, expected] of Object.entries(expectedDemoCalls(weekStart)) as Array<[CallGrade, number]>) {
      const count = Math.max(0, Math.round(expected + Math.sqrt(expected) * normal()));
      for (let i = 0; i < count; i++) {
        const instant = new Date(start + Math.floor(random() * (end - start)));
        calls.push({ occurredAt: instant.toISOString(), localDate: londonDate(instant), grade, area: null });
      }
    }
  }
  return calls.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}

/**
 * Loads the planner's demo data for an operation: about 30,000 synthetic calls for service over
 * three years (unless the operation already has calls), planning settings (unless set) and a
 * budget (unless it has one). Safe to call at every start.
 */
export async function loadDemoCalls(services: Services, operationId: number, now: Date = new Date()): Promise<{ calls: number; created: boolean }> {
  const summary = await services.planner.callsSummary(operationId);
  if (summary.calls > 0) return { calls: summary.calls, created: false };
  const calls = demoCalls(now);
  await services.planner.replaceCalls(operationId, calls, { isDemo: true, importedAt: now.toISOString() });
  await services.planner.saveDemoSettings(operationId, DEMO_SETTINGS, now);
  const budget = await services.planner.budget(operationId, { now });
  if (budget.allocations.length === 0 && budget.spend.length === 0) {
    const start = budget.operation.startsOn;
    const today = budget.today;
    const within = (days: number) => (addDays(start, days) < today ? addDays(start, days) : today);
    await services.planner.addDemoBudget(
      operationId,
      [
        { kind: "allocation", description: "Force neighbourhood policing fund (demo)", amountPence: 6_000_000, date: start },
        { kind: "allocation", description: "Police and Crime Commissioner grant (demo)", amountPence: 2_500_000, date: within(60) },
        { kind: "spend", description: "CCTV camera hire (demo)", amountPence: 320_000, date: within(20) },
        { kind: "spend", description: "Warning letters: printing and postage (demo)", amountPence: 45_000, date: within(90) },
        { kind: "spend", description: "Partner outreach sessions (demo)", amountPence: 250_000, date: within(150) },
      ],
      now,
    );
  }
  return { calls: calls.length, created: true };
}
