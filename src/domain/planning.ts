// The hours left for the operation, week by week, and what the money allows. Pure arithmetic
// with no I/O, so each figure on the planner can be checked with a calculator:
//   available   = capacity × (1 − abstraction)
//   demand      = Σ forecast incidents of a grade × hours an incident of that grade takes
//   hours left  = available − demand
//   shortfall   = planned − max(0, hours left), when that is more than 0
//   cost        = shortfall × hourly rate
import { CALL_GRADES, addDays, type CallGrade } from "./forecasting.ts";

export interface PlanningSettings {
  /** Officer hours on the rota each week, before abstraction. */
  capacityHoursPerWeek: number;
  /** Share of those hours lost to training, leave and court, 0 to 1. */
  abstractionRate: number;
  /** Officer hours one incident of each grade takes, travel and paperwork included. */
  hoursPerIncident: Record<CallGrade, number>;
  /** What an officer hour costs, in pence. */
  hourlyRatePence: number;
}

export interface DemandWeek {
  weekStart: string;
  /** Forecast incidents of each grade. */
  incidents: Record<CallGrade, number>;
  /** The top of each grade's 80% range: the busy end of what is likely. */
  incidentsHigh?: Record<CallGrade, number>;
}

export type WeekStatus = "short" | "at-risk" | "covered";

export interface HoursLeftWeek {
  weekStart: string;
  available: number;
  demandHours: number;
  /** Negative when response demand alone needs more than the hours available. */
  hoursLeft: number;
  planned: number;
  shortfall: number;
  shortfallCostPence: number;
  /** The same, if demand comes in at the top of its 80% range. */
  demandHoursHigh: number;
  hoursLeftLow: number;
  shortfallIfBusy: number;
  /** short: the forecast itself leaves too few hours; at-risk: only a busy week (top of the range) would. */
  status: WeekStatus;
}

export function availableHours(settings: PlanningSettings): number {
  return settings.capacityHoursPerWeek * (1 - settings.abstractionRate);
}

export function demandHours(incidents: Record<CallGrade, number>, settings: PlanningSettings): number {
  return CALL_GRADES.reduce((sum, grade) => sum + (incidents[grade] ?? 0) * settings.hoursPerIncident[grade], 0);
}

export function shortfallOf(planned: number, hoursLeft: number): number {
  return Math.max(0, planned - Math.max(0, hoursLeft));
}

/** Week by week: the hours left for the operation against its plan, and any shortfall's cost. */
export function hoursLeftByWeek(settings: PlanningSettings, demand: readonly DemandWeek[], plannedHours: (weekStart: string) => number): HoursLeftWeek[] {
  const available = availableHours(settings);
  return demand.map((week) => {
    const needed = demandHours(week.incidents, settings);
    const neededHigh = week.incidentsHigh ? demandHours(week.incidentsHigh, settings) : needed;
    const planned = plannedHours(week.weekStart);
    const hoursLeft = available - needed;
    const hoursLeftLow = available - neededHigh;
    const shortfall = shortfallOf(planned, hoursLeft);
    const shortfallIfBusy = shortfallOf(planned, hoursLeftLow);
    return {
      weekStart: week.weekStart,
      available,
      demandHours: needed,
      hoursLeft,
      planned,
      shortfall,
      shortfallCostPence: Math.round(shortfall * settings.hourlyRatePence),
      demandHoursHigh: neededHigh,
      hoursLeftLow,
      shortfallIfBusy,
      status: shortfall > 0 ? "short" : shortfallIfBusy > 0 ? "at-risk" : "covered",
    };
  });
}

export interface ShortfallSummary {
  weeksShort: number;
  weeksAtRisk: number;
  shortfallHours: number;
  shortfallCostPence: number;
  plannedHours: number;
}

export function summariseShortfall(weeks: readonly HoursLeftWeek[]): ShortfallSummary {
  return {
    weeksShort: weeks.filter((w) => w.status === "short").length,
    weeksAtRisk: weeks.filter((w) => w.status === "at-risk").length,
    shortfallHours: weeks.reduce((sum, w) => sum + w.shortfall, 0),
    shortfallCostPence: weeks.reduce((sum, w) => sum + w.shortfallCostPence, 0),
    plannedHours: weeks.reduce((sum, w) => sum + w.planned, 0),
  };
}

/** The operation's planned hours in a week: its weekly plan while it runs, none before or after. */
export function plannedHoursFor(operation: { plannedHoursPerWeek: number; startsOn: string; endsOn: string | null }, weekStart: string): number {
  const weekEnd = addDays(weekStart, 6);
  if (weekEnd < operation.startsOn) return 0;
  if (operation.endsOn && weekStart > operation.endsOn) return 0;
  return operation.plannedHoursPerWeek;
}

// ---------------------------------------------------------------------------------------------
// Budget

export interface BudgetInput {
  /** Σ allocations, in pence. */
  allocatedPence: number;
  /** Other spend (not officer hours) to date, in pence. */
  otherSpendPence: number;
  /** Officer hours delivered to date. */
  deliveredHours: number;
  hourlyRatePence: number;
  /** The hours a week the projection assumes from today on. */
  plannedHoursPerWeek: number;
  /** Whole days from the operation's start to today (at least 1 is used). */
  daysElapsed: number;
  today: string;
}

export interface BudgetPosition {
  allocatedPence: number;
  costedHoursPence: number;
  otherSpendPence: number;
  spentPence: number;
  remainingPence: number;
  /** What has gone out per week so far, on average. */
  pastBurnPerWeekPence: number;
  /** Other spend per week so far, on average: assumed to go on. */
  otherSpendPerWeekPence: number;
  /** What will go out per week from today: planned hours × rate + other spend per week. */
  burnPerWeekPence: number;
  /** The day the money runs out at that rate; null when nothing is going out. */
  runsOutOn: string | null;
  overspent: boolean;
}

/**
 * Spent so far = delivered hours × rate + other spend; the rate from today = planned hours × rate
 * plus other spend at its average weekly rate so far; the money runs out after
 * remaining ÷ (rate ÷ 7) whole days.
 */
export function budgetPosition(input: BudgetInput): BudgetPosition {
  const weeksElapsed = Math.max(1, input.daysElapsed) / 7;
  const costedHoursPence = Math.round(input.deliveredHours * input.hourlyRatePence);
  const spentPence = costedHoursPence + input.otherSpendPence;
  const remainingPence = input.allocatedPence - spentPence;
  const otherSpendPerWeekPence = input.otherSpendPence / weeksElapsed;
  const burnPerWeekPence = input.plannedHoursPerWeek * input.hourlyRatePence + otherSpendPerWeekPence;
  let runsOutOn: string | null = null;
  if (remainingPence <= 0) runsOutOn = input.today;
  else if (burnPerWeekPence > 0) runsOutOn = addDays(input.today, Math.floor(remainingPence / (burnPerWeekPence / 7)));
  return {
    allocatedPence: input.allocatedPence,
    costedHoursPence,
    otherSpendPence: input.otherSpendPence,
    spentPence,
    remainingPence,
    pastBurnPerWeekPence: spentPence / weeksElapsed,
    otherSpendPerWeekPence,
    burnPerWeekPence,
    runsOutOn,
    overspent: remainingPence < 0,
  };
}

/** Whole days from one date to another ('YYYY-MM-DD'). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
