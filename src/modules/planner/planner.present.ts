// How the planner's numbers look on the page: formatted figures, and the two server-rendered
// SVG charts as plain coordinates for the templates to draw (no script, no inline styles; the
// same numbers are always in a table beside each chart).
import type { DemandForecast, WeekCounts } from "../../domain/forecasting.ts";
import type { HoursLeftWeek } from "../../domain/planning.ts";

const poundsWhole = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0, minimumFractionDigits: 0 });
const poundsExact = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const shortDate = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const monthOnly = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" });

export const format = {
  pounds: (pence: number) => poundsWhole.format(Math.round(pence) / 100),
  poundsExact: (pence: number) => poundsExact.format(pence / 100),
  hours: (value: number) => oneDecimal.format(value),
  count: (value: number) => whole.format(value),
  mase: (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? "not scored" : value.toFixed(2)),
  /** '2027-07-19' → '19 Jul 2027'. */
  week: (date: string) => shortDate.format(new Date(`${date}T00:00:00Z`)),
  percent: (rate: number) => `${oneDecimal.format(rate * 100)}%`,
};

const WIDTH = 720;
const HEIGHT = 320;
const PLOT = { left: 56, right: WIDTH - 96, top: 16, bottom: HEIGHT - 40 };

interface Tick {
  position: number;
  label: string;
}

function niceStep(max: number, ticks = 5): number {
  const raw = Math.max(max, 1) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

function scale(min: number, max: number) {
  const step = niceStep(max - min);
  const low = Math.floor(min / step) * step;
  const high = Math.max(low + step, Math.ceil(max / step) * step);
  const y = (value: number) => PLOT.bottom - ((value - low) / (high - low)) * (PLOT.bottom - PLOT.top);
  const ticks: Tick[] = [];
  for (let value = low; value <= high + step / 2; value += step) ticks.push({ position: round(y(value)), label: whole.format(value) });
  return { y, ticks };
}

const round = (value: number) => Math.round(value * 10) / 10;
const points = (list: Array<[number, number]>) => list.map(([x, y]) => `${round(x)},${round(y)}`).join(" ");

function monthTicks(weekStarts: readonly string[], x: (index: number) => number): Tick[] {
  const ticks: Tick[] = [];
  weekStarts.forEach((week, i) => {
    const previous = weekStarts[i - 1];
    if (previous && previous.slice(5, 7) !== week.slice(5, 7) && ["01", "04", "07", "10"].includes(week.slice(5, 7))) {
      ticks.push({ position: round(x(i)), label: `${monthOnly.format(new Date(`${week}T00:00:00Z`))} ${week.slice(0, 4)}` });
    }
  });
  return ticks;
}

export interface DemandSeries {
  name: string;
  colour: string;
  history: string;
  forecast: string;
  band: string;
  labelY: number;
}

export interface DemandChart {
  width: number;
  height: number;
  plot: typeof PLOT;
  yTicks: Tick[];
  xTicks: Tick[];
  forecastStart: number;
  series: DemandSeries[];
  description: string;
}

/** The last year of emergency and priority calls, then the forecast with its 80% ranges shaded. */
export function demandChart(history: readonly WeekCounts[], forecast: DemandForecast): DemandChart {
  const past = history.slice(-52);
  const weekStarts = [...past.map((w) => w.weekStart), ...forecast.weeks.map((w) => w.weekStart)];
  const x = (index: number) => PLOT.left + (index / Math.max(1, weekStarts.length - 1)) * (PLOT.right - PLOT.left);
  const grades = [
    { grade: "emergency" as const, name: "Emergency", colour: "#d4351c" },
    { grade: "priority" as const, name: "Priority", colour: "#1d70b8" },
  ];
  const highest = Math.max(...grades.flatMap(({ grade }) => [...past.map((w) => w.counts[grade]), ...forecast.weeks.map((w) => w.intervals[grade][1])]));
  const { y, ticks } = scale(0, highest);
  const series = grades.map(({ grade, name, colour }) => {
    const historyPoints: Array<[number, number]> = past.map((w, i) => [x(i), y(w.counts[grade])]);
    const start = past.length;
    const forecastPoints: Array<[number, number]> = forecast.weeks.map((w, i) => [x(start + i), y(w.values[grade])]);
    const joined: Array<[number, number]> = past.length ? [historyPoints.at(-1)!, ...forecastPoints] : forecastPoints;
    const upper: Array<[number, number]> = forecast.weeks.map((w, i) => [x(start + i), y(w.intervals[grade][1])]);
    const lower: Array<[number, number]> = forecast.weeks.map((w, i) => [x(start + i), y(w.intervals[grade][0])]).reverse() as Array<[number, number]>;
    const lastY = forecastPoints.at(-1)?.[1] ?? historyPoints.at(-1)?.[1] ?? PLOT.bottom;
    return { name, colour, history: points(historyPoints), forecast: points(joined), band: points([...upper, ...lower]), labelY: round(lastY) };
  });
  // Keep the two end labels from overlapping.
  if (series.length === 2 && Math.abs(series[0]!.labelY - series[1]!.labelY) < 14) {
    const [top, bottom] = series[0]!.labelY < series[1]!.labelY ? [series[0]!, series[1]!] : [series[1]!, series[0]!];
    top.labelY = round(top.labelY - 7);
    bottom.labelY = round(bottom.labelY + 7);
  }
  const peak = (grade: "emergency" | "priority") => forecast.weeks.reduce((a, b) => (b.values[grade] > a.values[grade] ? b : a));
  const description = forecast.weeks.length
    ? `Weekly emergency and priority calls for service: the last ${past.length} weeks as recorded (solid lines), then the next ${forecast.weeks.length} weeks forecast (dashed lines) with their 80% ranges shaded. Emergency calls are forecast to be highest in the week starting ${format.week(peak("emergency").weekStart)} (about ${format.count(peak("emergency").values.emergency)}), priority calls in the week starting ${format.week(peak("priority").weekStart)} (about ${format.count(peak("priority").values.priority)}). The table below gives every forecast week.`
    : "";
  return { width: WIDTH, height: HEIGHT, plot: PLOT, yTicks: ticks, xTicks: monthTicks(weekStarts, x), forecastStart: round(x(past.length)), series, description };
}

export interface HoursBar {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
}

export interface HoursChart {
  width: number;
  height: number;
  plot: typeof PLOT;
  yTicks: Tick[];
  xTicks: Tick[];
  zero: number;
  bars: HoursBar[];
  plan: string;
  planLabelY: number;
  description: string;
}

/** A bar for the hours left in each forecast week (red where the operation falls short), and its plan as a line. */
export function hoursChart(weeks: readonly HoursLeftWeek[]): HoursChart {
  const low = Math.min(0, ...weeks.map((w) => w.hoursLeft));
  const high = Math.max(...weeks.map((w) => Math.max(w.hoursLeft, w.planned)), 1);
  const { y, ticks } = scale(low, high);
  const slot = (PLOT.right - PLOT.left) / Math.max(1, weeks.length);
  const zero = y(0);
  const bars = weeks.map((w, i) => {
    const top = Math.min(y(w.hoursLeft), zero);
    return {
      x: round(PLOT.left + i * slot + slot * 0.15),
      y: round(top),
      width: round(slot * 0.7),
      height: round(Math.max(1, Math.abs(y(w.hoursLeft) - zero))),
      colour: w.status === "short" ? "#d4351c" : w.status === "at-risk" ? "#f47738" : "#1d70b8",
    };
  });
  const plan = points(weeks.flatMap((w, i) => [[PLOT.left + i * slot, y(w.planned)] as [number, number], [PLOT.left + (i + 1) * slot, y(w.planned)] as [number, number]]));
  const short = weeks.filter((w) => w.status === "short");
  const description = `Bar chart of the officer hours left for the operation in each of the next ${weeks.length} weeks, with its planned hours as a line. ${
    short.length ? `${short.length} week${short.length === 1 ? " falls" : "s fall"} short of the plan (red bars), the first in the week starting ${format.week(short[0]!.weekStart)}.` : "No week falls short of the plan."
  } Orange bars are weeks that would fall short only if demand is at the top of its 80% range. The table below gives every week.`;
  const xTicks = monthTicks(
    weeks.map((w) => w.weekStart),
    (i) => PLOT.left + i * slot,
  );
  return { width: WIDTH, height: HEIGHT, plot: PLOT, yTicks: ticks, xTicks, zero: round(zero), bars, plan, planLabelY: round(y(weeks.at(-1)?.planned ?? 0)), description };
}
