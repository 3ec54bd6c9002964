// The planner's use cases: import calls for service, forecast demand, set the planning
// settings, show the hours left for the operation week by week, and its budget. Staff-only:
// forward-looking gaps tell offenders when patrols will be thin.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { londonToUtc } from "../../domain/time.ts";
import {
  addDays,
  CALL_GRADES,
  forecastDemand,
  londonDate,
  mondayOf,
  parseCallsCsv,
  weeklyCounts,
  type CallGrade,
  type DemandForecast,
  type WeekCounts,
} from "../../domain/forecasting.ts";
import {
  budgetPosition,
  daysBetween,
  hoursLeftByWeek,
  plannedHoursFor,
  summariseShortfall,
  type BudgetPosition,
  type HoursLeftWeek,
  type PlanningSettings,
  type ShortfallSummary,
} from "../../domain/planning.ts";
import type { OperationRow, OperationsRepository } from "../operations/operations.repository.ts";
import type { AllocationRow, BudgetKind, CallsSummary, PlannerRepository, SpendRow } from "./planner.repository.ts";

export const HORIZONS = [13, 26, 39, 52] as const;
/** Problems listed back to the person importing; the count of the rest is given. */
const PROBLEMS_SHOWN = 50;
const DESCRIPTION_LIMIT = 120;

export interface ImportResult {
  calls: number;
  weeks: number;
  firstWeek: string | null;
  lastWeek: string | null;
}

export interface Plan {
  operation: OperationRow;
  summary: CallsSummary;
  history: WeekCounts[];
  forecast: DemandForecast;
  settings: PlanningSettings | null;
  weeks: HoursLeftWeek[];
  shortfall: ShortfallSummary | null;
}

export interface Budget {
  operation: OperationRow;
  settings: PlanningSettings | null;
  allocations: AllocationRow[];
  spend: SpendRow[];
  deliveredHours: number;
  current: BudgetPosition;
  /** The same with other planned hours, when asked. */
  whatIf: (BudgetPosition & { plannedHoursPerWeek: number }) | null;
  today: string;
}

export type SettingsForm = Record<"capacityHoursPerWeek" | "abstractionPercent" | "emergencyHours" | "priorityHours" | "scheduledHours" | "resolvedHours" | "hourlyRate", string>;
export type BudgetLineForm = Record<"description" | "amount" | "date-day" | "date-month" | "date-year", string>;

/** "£1,234.50", "1234.5" → 123450 pence; null when it is not an amount of money. */
export function parsePounds(text: string): number | null {
  const cleaned = text.trim().replace(/^£/, "").replace(/,(?=\d{3}(\D|$))/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 100);
}

function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/,(?=\d{3}(\D|$))/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

function settingsOf(row: { capacityHoursPerWeek: number; abstractionRate: number; emergencyHours: number; priorityHours: number; scheduledHours: number; resolvedHours: number; hourlyRatePence: number }): PlanningSettings {
  return {
    capacityHoursPerWeek: Number(row.capacityHoursPerWeek),
    abstractionRate: Number(row.abstractionRate),
    hoursPerIncident: { emergency: Number(row.emergencyHours), priority: Number(row.priorityHours), scheduled: Number(row.scheduledHours), resolved: Number(row.resolvedHours) },
    hourlyRatePence: Number(row.hourlyRatePence),
  };
}

export class PlannerService {
  /** The last forecast per operation and horizon, kept until the calls change. */
  private readonly forecasts = new Map<string, { key: string; forecast: DemandForecast }>();

  constructor(
    private readonly repository: PlannerRepository,
    private readonly operations: OperationsRepository,
    /** Patrol hours officers logged between two instants (the activity module). */
    private readonly patrolHours: ((operationId: number, from: string, to: string) => Promise<number>) | null = null,
  ) {}

  async operation(id: number): Promise<OperationRow> {
    const operation = Number.isSafeInteger(id) && id > 0 ? await this.operations.findById(id) : undefined;
    if (!operation) throw errors.notFound("operation");
    return operation;
  }

  listOperations(): Promise<OperationRow[]> {
    return this.operations.list();
  }

  /**
   * Replaces the operation's calls for service with those in a CSV file. Every line is checked
   * first; if any is wrong nothing is imported, and each problem names its line.
   */
  async importCalls(operationId: number, csv: string, options: { now?: Date; isDemo?: boolean } = {}): Promise<ImportResult> {
    const now = options.now ?? new Date();
    await this.operation(operationId);
    const parsed = parseCallsCsv(csv, { now, maxProblems: PROBLEMS_SHOWN });
    if (parsed.badLines > 0) {
      const fields: FieldProblem[] = parsed.problems.map((p) => ({ field: "calls", message: `Line ${p.line}: ${p.message}` }));
      if (parsed.badLines > parsed.problems.length) fields.push({ field: "calls", message: `… and ${parsed.badLines - parsed.problems.length} more lines with problems` });
      throw errors.invalid(fields, `${parsed.badLines} line${parsed.badLines === 1 ? "" : "s"} of the file need${parsed.badLines === 1 ? "s" : ""} fixing. Nothing was imported: fix them and import the file again.`);
    }
    await this.repository.replaceCalls(operationId, parsed.calls, { isDemo: options.isDemo ?? false, importedAt: now.toISOString() });
    const weeks = weeklyCounts(await this.repository.dailyCounts(operationId));
    return { calls: parsed.calls.length, weeks: weeks.length, firstWeek: weeks[0]?.weekStart ?? null, lastWeek: weeks.at(-1)?.weekStart ?? null };
  }

  async history(operationId: number): Promise<WeekCounts[]> {
    return weeklyCounts(await this.repository.dailyCounts(operationId));
  }

  callsSummary(operationId: number): Promise<CallsSummary> {
    return this.repository.callsSummary(operationId);
  }

  async forecast(operationId: number, horizon: number, now: Date = new Date()): Promise<{ forecast: DemandForecast; history: WeekCounts[]; summary: CallsSummary }> {
    const [summary, history] = await Promise.all([this.repository.callsSummary(operationId), this.history(operationId)]);
    const key = `${summary.calls}|${summary.first}|${summary.last}|${summary.lastImportedAt}|${londonDate(now)}`;
    const cacheKey = `${operationId}|${horizon}`;
    const cached = this.forecasts.get(cacheKey);
    if (cached?.key === key) return { forecast: cached.forecast, history, summary };
    const forecast = forecastDemand(history, { horizon });
    if (summary.demoCalls > 0) forecast.notes.unshift("These calls for service are synthetic demo data, with a summer peak, not real demand.");
    const currentWeek = mondayOf(londonDate(now));
    const lastWeek = history.at(-1)?.weekStart;
    if (forecast.possible && lastWeek && addDays(lastWeek, 14) < currentWeek) {
      const behind = Math.round(daysBetween(addDays(lastWeek, 7), currentWeek) / 7);
      forecast.notes.push(`The calls end ${behind} weeks before this week, so the forecast starts in the past. Import recent calls to plan from today.`);
    }
    this.forecasts.set(cacheKey, { key, forecast });
    return { forecast, history, summary };
  }

  async settings(operationId: number): Promise<PlanningSettings | null> {
    const row = await this.repository.findSettings(operationId);
    return row ? settingsOf(row) : null;
  }

  /** Checks and saves the planning settings; a problem names its field and says how to fix it. */
  async saveSettings(operationId: number, form: SettingsForm, user: { id: number }, now: Date = new Date()): Promise<PlanningSettings> {
    await this.operation(operationId);
    const problems: FieldProblem[] = [];
    const number = (field: keyof SettingsForm, max: number, message: string) => {
      const value = parseNumber(form[field] ?? "");
      if (value === null || value > max) {
        problems.push({ field, message });
        return 0;
      }
      return value;
    };
    const capacity = number("capacityHoursPerWeek", 100_000, "Enter the officer hours on the rota each week as a number, like 600");
    const abstraction = number("abstractionPercent", 90, "Enter the abstraction rate as a percentage from 0 to 90, like 25");
    const hours = Object.fromEntries(
      CALL_GRADES.map((grade) => [grade, number(`${grade}Hours` as keyof SettingsForm, 48, `Enter the officer hours a ${grade} incident takes as a number from 0 to 48, like 2.5`)]),
    ) as Record<CallGrade, number>;
    const rate = parsePounds(form.hourlyRate ?? "");
    if (rate === null || rate > 100_000) problems.push({ field: "hourlyRate", message: "Enter what an officer hour costs in pounds, like 45.50" });
    if (problems.length) throw errors.invalid(problems);
    await this.repository.saveSettings({
      operationId,
      capacityHoursPerWeek: capacity,
      abstractionRate: abstraction / 100,
      emergencyHours: hours.emergency,
      priorityHours: hours.priority,
      scheduledHours: hours.scheduled,
      resolvedHours: hours.resolved,
      hourlyRatePence: rate!,
      updatedAt: now.toISOString(),
      updatedBy: user.id,
    });
    return (await this.settings(operationId))!;
  }

  /** The forecast and, with settings, the hours left for the operation in each forecast week. */
  async plan(operationId: number, options: { horizon?: number; now?: Date } = {}): Promise<Plan> {
    const operation = await this.operation(operationId);
    const horizon = options.horizon && (HORIZONS as readonly number[]).includes(options.horizon) ? options.horizon : 13;
    const [{ forecast, history, summary }, settings] = await Promise.all([this.forecast(operationId, horizon, options.now), this.settings(operationId)]);
    const weeks =
      settings && forecast.possible
        ? hoursLeftByWeek(
            settings,
            forecast.weeks.map((week) => ({
              weekStart: week.weekStart,
              incidents: week.values,
              incidentsHigh: Object.fromEntries(CALL_GRADES.map((g) => [g, week.intervals[g][1]])) as Record<CallGrade, number>,
            })),
            (weekStart) => plannedHoursFor(operation, weekStart),
          )
        : [];
    return { operation, summary, history, forecast, settings, weeks, shortfall: weeks.length ? summariseShortfall(weeks) : null };
  }

  /**
   * Patrol hours delivered from the first to the last UK calendar day given (inclusive), from the
   * patrols officers logged (the activity module). Everything that shows hours delivered or
   * costs them asks here.
   */
  async hoursDelivered(operationId: number, from: string, to: string): Promise<number> {
    if (!this.patrolHours) return 0;
    const instant = (day: string) => {
      const [y, m, d] = day.split("-").map(Number) as [number, number, number];
      return londonToUtc(y, m, d, 0, 0).toISOString();
    };
    return this.patrolHours(operationId, instant(from), instant(addDays(to, 1)));
  }

  /** Past complete weeks of the operation: hours planned against hours delivered (what the public may see). */
  async plannedAgainstDelivered(operationId: number, now: Date = new Date()): Promise<Array<{ weekStart: string; planned: number; delivered: number }>> {
    const operation = await this.operation(operationId);
    const lastComplete = addDays(mondayOf(londonDate(now)), -7);
    const weeks: Array<{ weekStart: string; planned: number; delivered: number }> = [];
    for (let week = mondayOf(operation.startsOn); week <= lastComplete; week = addDays(week, 7)) {
      if (operation.endsOn && week > operation.endsOn) break;
      weeks.push({ weekStart: week, planned: plannedHoursFor(operation, week), delivered: await this.hoursDelivered(operationId, week, addDays(week, 6)) });
    }
    return weeks;
  }

  async budget(operationId: number, options: { plannedHoursPerWeek?: number | null; now?: Date } = {}): Promise<Budget> {
    const operation = await this.operation(operationId);
    const today = londonDate(options.now ?? new Date());
    const [settings, allocations, spend, deliveredHours] = await Promise.all([
      this.settings(operationId),
      this.repository.allocations(operationId),
      this.repository.spend(operationId),
      this.hoursDelivered(operationId, operation.startsOn, today),
    ]);
    const base = {
      allocatedPence: allocations.reduce((sum, a) => sum + Number(a.amountPence), 0),
      otherSpendPence: spend.filter((s) => s.spentOn <= today).reduce((sum, s) => sum + Number(s.amountPence), 0),
      deliveredHours,
      hourlyRatePence: settings?.hourlyRatePence ?? 0,
      daysElapsed: Math.max(1, daysBetween(operation.startsOn, today)),
      today,
    };
    const current = budgetPosition({ ...base, plannedHoursPerWeek: operation.plannedHoursPerWeek });
    const whatIfHours = options.plannedHoursPerWeek;
    const whatIf = whatIfHours !== null && whatIfHours !== undefined ? { ...budgetPosition({ ...base, plannedHoursPerWeek: whatIfHours }), plannedHoursPerWeek: whatIfHours } : null;
    return { operation, settings, allocations, spend, deliveredHours, current, whatIf, today };
  }

  /** Adds an allocation or a line of other spend; spend cannot be dated after today. */
  async addBudgetLine(operationId: number, kind: BudgetKind, form: BudgetLineForm, user: { id: number }, now: Date = new Date()): Promise<number> {
    await this.operation(operationId);
    const problems: FieldProblem[] = [];
    const description = (form.description ?? "").trim();
    if (!description) problems.push({ field: "description", message: kind === "allocation" ? "Say where the money comes from, like Force summer funding" : "Say what the money was spent on, like CCTV hire" });
    else if (description.length > DESCRIPTION_LIMIT) problems.push({ field: "description", message: `Describe it in ${DESCRIPTION_LIMIT} characters or fewer` });
    else if (/<[a-z!/?]/i.test(description)) problems.push({ field: "description", message: "Remove anything written between < and >" });
    const amount = parsePounds(form.amount ?? "");
    if (amount === null || amount <= 0 || amount > 10_000_000_000) problems.push({ field: "amount", message: "Enter the amount in pounds, like 12500 or 12,500.00" });
    const [day, month, year] = [form["date-day"], form["date-month"], form["date-year"]].map((v) => (v ?? "").trim());
    let date = "";
    if (!day && !month && !year) problems.push({ field: "date-day", message: kind === "allocation" ? "Enter the date the money was allocated" : "Enter the date of the spend" });
    else {
      const candidate = /^\d{1,2}$/.test(day!) && /^\d{1,2}$/.test(month!) && /^\d{4}$/.test(year!) ? `${year}-${month!.padStart(2, "0")}-${day!.padStart(2, "0")}` : "";
      if (!candidate || addDays(candidate, 0) !== candidate) problems.push({ field: "date-day", message: "The date must be a real date, like 27 3 2027" });
      else if (kind === "spend" && candidate > londonDate(now)) problems.push({ field: "date-day", message: "Spend must be on or before today: record it once it is spent" });
      else date = candidate;
    }
    if (problems.length) throw errors.invalid(problems);
    const common = { operationId, description, amountPence: amount!, isDemo: false, createdAt: now.toISOString(), createdBy: user.id };
    return kind === "allocation" ? this.repository.addAllocation({ ...common, receivedOn: date }) : this.repository.addSpend({ ...common, spentOn: date });
  }

  async removeBudgetLine(operationId: number, kind: BudgetKind, id: number): Promise<void> {
    if (!(await this.repository.removeBudgetLine(operationId, kind, id))) throw errors.notFound("budget line");
  }

  /** For the demo loader: budget lines marked as demo data. */
  async addDemoBudget(operationId: number, lines: Array<{ kind: BudgetKind; description: string; amountPence: number; date: string }>, now: Date): Promise<void> {
    for (const line of lines) {
      const common = { operationId, description: line.description, amountPence: line.amountPence, isDemo: true, createdAt: now.toISOString(), createdBy: null };
      if (line.kind === "allocation") await this.repository.addAllocation({ ...common, receivedOn: line.date });
      else await this.repository.addSpend({ ...common, spentOn: line.date });
    }
  }

  /** For the demo loader: settings saved without a user. */
  async saveDemoSettings(operationId: number, settings: PlanningSettings, now: Date): Promise<void> {
    if (await this.repository.findSettings(operationId)) return;
    await this.repository.saveSettings({
      operationId,
      capacityHoursPerWeek: settings.capacityHoursPerWeek,
      abstractionRate: settings.abstractionRate,
      emergencyHours: settings.hoursPerIncident.emergency,
      priorityHours: settings.hoursPerIncident.priority,
      scheduledHours: settings.hoursPerIncident.scheduled,
      resolvedHours: settings.hoursPerIncident.resolved,
      hourlyRatePence: settings.hourlyRatePence,
      updatedAt: now.toISOString(),
      updatedBy: null,
    });
  }

  replaceCalls(operationId: number, calls: Parameters<PlannerRepository["replaceCalls"]>[1], options: { isDemo: boolean; importedAt: string }): Promise<void> {
    this.forecasts.clear();
    return this.repository.replaceCalls(operationId, calls, options);
  }
}
