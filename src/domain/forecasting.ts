// Weekly demand from calls for service, and its forecast: reading the CSV, counting complete
// weeks, the forecasting methods, MASE, rolling-origin evaluation and 80% intervals. Pure
// functions with no I/O, so every number the planner shows can be worked out by hand.
//
// Weeks run Monday to Sunday in UK local time (Europe/London): that is how rotas are drawn, and
// a call at 00:30 on a Monday in British Summer Time belongs to that Monday, not to Sunday.
import { GRADE_CODES, type Grade } from "./reports.ts";
import { londonToUtc } from "./time.ts";

export type CallGrade = Grade;
export const CALL_GRADES: readonly CallGrade[] = GRADE_CODES;
/** The grades that pull officers away at short notice: the forecast is judged on these. */
export const SCORED_GRADES: readonly CallGrade[] = ["emergency", "priority"];

/** A year of weeks, as the seasonal methods count it. */
export const SEASON = 52;
/** Two full years: the least history from which a seasonal model can learn the yearly pattern. */
export const SEASONAL_MINIMUM_WEEKS = 104;
/** Fewer complete weeks than this and no forecast is shown at all. */
export const MINIMUM_WEEKS = 12;
/** The 80% interval: the 10th and 90th percentiles of past errors. */
const INTERVAL = [0.1, 0.9] as const;
/** Past errors needed at one horizon before its own percentiles are trusted. */
const MINIMUM_ERRORS_PER_HORIZON = 10;

// ---------------------------------------------------------------------------------------------
// Calls and the CSV they come in

export interface CallRecord {
  /** The instant, ISO-8601 UTC. */
  occurredAt: string;
  /** The UK calendar date of the call, 'YYYY-MM-DD': what weeks are counted from. */
  localDate: string;
  grade: CallGrade;
  area: string | null;
}

export interface LineProblem {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  message: string;
}

const ukDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" });

/** The UK calendar date of an instant, 'YYYY-MM-DD'. */
export function londonDate(instant: Date): string {
  return ukDate.format(instant);
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const AREA_LIMIT = 80;

/** Splits one CSV line, honouring double quotes ("a, b" and "" inside quotes). Null when a quote is left open. */
function splitCsvLine(line: string): string[] | null {
  const values: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const character = line[i]!;
    if (quoted) {
      if (character === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (character === '"') quoted = false;
      else current += character;
    } else if (character === '"') quoted = true;
    else if (character === ",") {
      values.push(current);
      current = "";
    } else current += character;
  }
  if (quoted) return null;
  values.push(current);
  return values.map((v) => v.trim());
}

function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Reads one ISO 8601 timestamp. With an offset (Z, +01:00) it is that instant; without one it is
 * UK local time, as a force's own systems export it; a date alone is that day's midnight in the UK.
 */
export function parseTimestamp(text: string): { occurredAt: string; localDate: string } | string {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return `"${text}" is not an ISO 8601 date and time: write it like 2026-06-01T21:30:00Z or 2026-06-01 21:30`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  if (!isRealDay(year, month, day)) return `"${text}" is not a real date`;
  if (hour > 23 || minute > 59 || second > 59) return `"${text}" is not a real time of day`;
  const milliseconds = Number(`0.${match[7] ?? "0"}`) * 1000;
  const offset = match[8];
  let instant: number;
  if (offset) {
    let offsetMinutes = 0;
    if (offset.toUpperCase() !== "Z") {
      const digits = offset.replace(":", "");
      offsetMinutes = (digits[0] === "-" ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
      if (Math.abs(offsetMinutes) > 14 * 60) return `"${text}" has a time-zone offset that does not exist`;
    }
    instant = Date.UTC(year, month - 1, day, hour, minute, second) + milliseconds - offsetMinutes * 60_000;
  } else {
    instant = londonHourStart(year, month, day, hour) + minute * 60_000 + second * 1000 + milliseconds;
  }
  const date = new Date(instant);
  return { occurredAt: date.toISOString(), localDate: offset ? londonDate(date) : `${match[1]}-${match[2]}-${match[3]}` };
}

// Clocks change on the hour, so the UK offset is the same for every minute of an hour: work it
// out once per hour seen rather than once per call (a file holds tens of thousands of calls).
const hourStarts = new Map<string, number>();
function londonHourStart(year: number, month: number, day: number, hour: number): number {
  const key = `${year}-${month}-${day}-${hour}`;
  let start = hourStarts.get(key);
  if (start === undefined) {
    start = londonToUtc(year, month, day, hour, 0).getTime();
    if (hourStarts.size > 100_000) hourStarts.clear();
    hourStarts.set(key, start);
  }
  return start;
}

export interface ParsedCalls {
  calls: CallRecord[];
  problems: LineProblem[];
  /** Lines with a problem, including those beyond the problems listed. */
  badLines: number;
}

/**
 * Reads calls for service from CSV with the header `timestamp,grade` or `timestamp,grade,area`.
 * Every line is checked; a problem names its line and says how to fix it. Calls after `now`
 * are refused: a call cannot come from the future.
 */
export function parseCallsCsv(text: string, options: { now?: Date; maxProblems?: number } = {}): ParsedCalls {
  const now = (options.now ?? new Date()).getTime();
  const maxProblems = options.maxProblems ?? 100;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const calls: CallRecord[] = [];
  const problems: LineProblem[] = [];
  let badLines = 0;
  const problem = (line: number, message: string) => {
    badLines++;
    if (problems.length < maxProblems) problems.push({ line, message });
  };
  const header = splitCsvLine(lines[0] ?? "")?.map((h) => h.toLowerCase());
  const headerText = header?.join(",");
  if (!header || (headerText !== "timestamp,grade" && headerText !== "timestamp,grade,area")) {
    problem(1, (lines[0] ?? "").trim() === "" ? "The file is empty: its first line must be the header timestamp,grade (or timestamp,grade,area)" : "The first line must be the header timestamp,grade (or timestamp,grade,area)");
    return { calls, problems, badLines };
  }
  const columns = header.length;
  const gradeList = CALL_GRADES.join(", ");
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    const raw = lines[index]!;
    if (raw.trim() === "") continue;
    const values = splitCsvLine(raw);
    if (!values) {
      problem(lineNumber, "A quotation mark is not closed: close it, or remove it");
      continue;
    }
    if (values.length !== columns) {
      problem(lineNumber, `Expected ${columns} values (${header.join(",")}) but found ${values.length}: check for extra or missing commas`);
      continue;
    }
    const [timestampText, gradeText, areaText] = values as [string, string, string | undefined];
    const grade = gradeText.toLowerCase();
    const messages: string[] = [];
    if (!timestampText) messages.push("the timestamp is missing");
    const when = timestampText ? parseTimestamp(timestampText) : null;
    if (typeof when === "string") messages.push(`the timestamp ${when}`);
    else if (when && new Date(when.occurredAt).getTime() > now) messages.push(`the timestamp "${timestampText}" is in the future`);
    if (!(CALL_GRADES as readonly string[]).includes(grade)) {
      messages.push(gradeText ? `the grade "${gradeText}" is not one of ${gradeList}` : `the grade is missing: use one of ${gradeList}`);
    }
    const area = areaText ? areaText : null;
    if (area && area.length > AREA_LIMIT) messages.push(`the area must be ${AREA_LIMIT} characters or fewer`);
    if (messages.length) {
      const sentence = messages.join("; ");
      problem(lineNumber, sentence[0]!.toUpperCase() + sentence.slice(1));
      continue;
    }
    const { occurredAt, localDate } = when as { occurredAt: string; localDate: string };
    calls.push({ occurredAt, localDate, grade: grade as CallGrade, area });
  }
  if (calls.length === 0 && badLines === 0) problem(2, "The file has a header but no calls: add one call a line, like 2026-06-01T21:30:00Z,emergency");
  return { calls, problems, badLines };
}

// ---------------------------------------------------------------------------------------------
// Complete weeks

export interface DailyCount {
  date: string;
  grade: CallGrade;
  count: number;
}

export interface WeekCounts {
  /** The Monday the week starts on, 'YYYY-MM-DD' (UK time). */
  weekStart: string;
  counts: Record<CallGrade, number>;
}

const DAY = 86_400_000;

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY;
}

function dateOfDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** The Monday of the week a date falls in. */
export function mondayOf(date: string): string {
  const day = dayNumber(date);
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7;
  return dateOfDay(day - weekday);
}

function zeroCounts(): Record<CallGrade, number> {
  return Object.fromEntries(CALL_GRADES.map((g) => [g, 0])) as Record<CallGrade, number>;
}

/**
 * Calls per grade in each complete week. The data are taken to cover every day from the first
 * call's date to the last call's; a week counts only when all seven of its days are covered, so
 * a file that starts on a Wednesday or ends mid-week never yields a falsely quiet week. Weeks in
 * between with no calls of a grade count as 0.
 */
export function weeklyCounts(daily: readonly DailyCount[]): WeekCounts[] {
  if (daily.length === 0) return [];
  let first = daily[0]!.date;
  let last = first;
  const byWeek = new Map<string, Record<CallGrade, number>>();
  for (const { date, grade, count } of daily) {
    if (date < first) first = date;
    if (date > last) last = date;
    const week = mondayOf(date);
    const counts = byWeek.get(week) ?? zeroCounts();
    counts[grade] += count;
    byWeek.set(week, counts);
  }
  const firstWeek = mondayOf(first) === first ? first : addDays(mondayOf(first), 7);
  const lastWeek = addDays(mondayOf(addDays(last, 1)), -7);
  const weeks: WeekCounts[] = [];
  for (let week = firstWeek; week <= lastWeek; week = addDays(week, 7)) weeks.push({ weekStart: week, counts: byWeek.get(week) ?? zeroCounts() });
  return weeks;
}

/** Daily counts from individual calls (the database does this with GROUP BY). */
export function dailyCounts(calls: ReadonlyArray<Pick<CallRecord, "localDate" | "grade">>): DailyCount[] {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(`${call.localDate}|${call.grade}`, (counts.get(`${call.localDate}|${call.grade}`) ?? 0) + 1);
  return [...counts].map(([key, count]) => {
    const [date, grade] = key.split("|") as [string, CallGrade];
    return { date, grade, count };
  });
}

// ---------------------------------------------------------------------------------------------
// Forecasting methods. Each takes the history (oldest first) and returns `horizon` values.

export type MethodName = "seasonal-naive" | "holt-winters" | "harmonic-regression" | "naive" | "recent-mean" | "exponential-smoothing";

export interface Method {
  name: MethodName;
  label: string;
  /** The fewest weeks it can be fitted on. */
  minimumHistory: number;
  forecast(history: readonly number[], horizon: number): number[];
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Each week as the same week a year before (52 weeks back, two years back beyond a year ahead). */
export const seasonalNaive: Method = {
  name: "seasonal-naive",
  label: "Seasonal naive (same week last year)",
  minimumHistory: SEASON,
  forecast(history, horizon) {
    const n = history.length;
    return Array.from({ length: horizon }, (_, i) => {
      const h = i + 1;
      return history[n + h - 1 - SEASON * Math.ceil(h / SEASON)]!;
    });
  },
};

/** Every week as the last week seen. */
export const naive: Method = {
  name: "naive",
  label: "Naive (same as last week)",
  minimumHistory: 1,
  forecast: (history, horizon) => Array.from({ length: horizon }, () => history[history.length - 1]!),
};

const RECENT_WEEKS = 8;
/** Every week as the mean of the last eight. */
export const recentMean: Method = {
  name: "recent-mean",
  label: `Mean of the last ${RECENT_WEEKS} weeks`,
  minimumHistory: 1,
  forecast(history, horizon) {
    const level = mean(history.slice(-RECENT_WEEKS));
    return Array.from({ length: horizon }, () => level);
  },
};

interface SmoothingFit {
  sse: number;
  forecast: (horizon: number) => number[];
}

function simpleSmoothing(history: readonly number[], alpha: number): SmoothingFit {
  let level = history[0]!;
  let sse = 0;
  for (let t = 1; t < history.length; t++) {
    const error = history[t]! - level;
    sse += error * error;
    level += alpha * error;
  }
  return { sse, forecast: (horizon) => Array.from({ length: horizon }, () => level) };
}

const SMOOTHING_ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];

/** Simple exponential smoothing, its weight chosen from a grid by the one-step error on the history. */
export const exponentialSmoothing: Method = {
  name: "exponential-smoothing",
  label: "Simple exponential smoothing",
  minimumHistory: 2,
  forecast(history, horizon) {
    return bestFit(SMOOTHING_ALPHAS.map((alpha) => simpleSmoothing(history, alpha))).forecast(horizon);
  },
};

function bestFit(fits: SmoothingFit[]): SmoothingFit {
  return fits.reduce((best, fit) => (fit.sse < best.sse ? fit : best));
}

/**
 * Additive Holt-Winters (level, damped trend, 52-week season). Started from the first year (a
 * trend from the first two years when there are two); the smoothing weights are chosen from a
 * small grid by the one-step error over the history it is given, and nothing else.
 */
export function holtWintersFit(history: readonly number[], alpha: number, beta: number, gamma: number, phi = 0.98, period = SEASON): SmoothingFit {
  const n = history.length;
  const firstYear = mean(history.slice(0, period));
  const trendStart = n >= 2 * period ? (mean(history.slice(period, 2 * period)) - firstYear) / period : 0;
  const season = history.slice(0, period).map((y, i) => y - (firstYear + trendStart * (i - (period - 1) / 2)));
  let level = firstYear + (trendStart * (period - 1)) / 2;
  let trend = trendStart;
  let sse = 0;
  for (let t = period; t < n; t++) {
    const s = season[t % period]!;
    const error = history[t]! - (level + phi * trend + s);
    sse += error * error;
    const previous = level;
    level = alpha * (history[t]! - s) + (1 - alpha) * (previous + phi * trend);
    trend = beta * (level - previous) + (1 - beta) * phi * trend;
    season[t % period] = gamma * (history[t]! - level) + (1 - gamma) * s;
  }
  return {
    sse,
    forecast(horizon) {
      let damped = 0;
      return Array.from({ length: horizon }, (_, i) => {
        damped += phi ** (i + 1);
        return level + damped * trend + season[(n + i) % period]!;
      });
    },
  };
}

const HW_ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5];
const HW_BETAS = [0, 0.02, 0.1];
const HW_GAMMAS = [0.05, 0.1, 0.2, 0.4];

export const holtWinters: Method = {
  name: "holt-winters",
  label: "Holt-Winters (additive, 52-week season)",
  minimumHistory: SEASON + 4,
  forecast(history, horizon) {
    const fits: SmoothingFit[] = [];
    for (const alpha of HW_ALPHAS) for (const beta of HW_BETAS) for (const gamma of HW_GAMMAS) fits.push(holtWintersFit(history, alpha, beta, gamma));
    return bestFit(fits).forecast(horizon);
  },
};

/** Weeks in a calendar year on average: the harmonics follow the year, not a 364-day cycle. */
const WEEKS_PER_YEAR = 365.25 / 7;
const HARMONICS = 3;

function regressionRow(t: number, centre: number): number[] {
  const row = [1, (t - centre) / WEEKS_PER_YEAR];
  for (let k = 1; k <= HARMONICS; k++) {
    const angle = (2 * Math.PI * k * t) / WEEKS_PER_YEAR;
    row.push(Math.sin(angle), Math.cos(angle));
  }
  return row;
}

/** Least squares by the normal equations (a handful of columns), Gaussian elimination with pivoting. */
export function leastSquares(rows: readonly number[][], targets: readonly number[]): number[] {
  const p = rows[0]!.length;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  rows.forEach((row, r) => {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) a[i]![j]! += row[i]! * row[j]!;
      a[i]![p]! += row[i]! * targets[r]!;
    }
  });
  for (let i = 0; i < p; i++) a[i]![i]! += 1e-9;
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= p; c++) a[r]![c]! -= factor * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[p]! / row[i]!);
}

/** A straight-line trend plus three yearly sine-and-cosine pairs, fitted by least squares. */
export const harmonicRegression: Method = {
  name: "harmonic-regression",
  label: "Regression on trend and time of year",
  minimumHistory: SEASON,
  forecast(history, horizon) {
    const n = history.length;
    const centre = (n - 1) / 2;
    const coefficients = leastSquares(
      history.map((_, t) => regressionRow(t, centre)),
      history,
    );
    return Array.from({ length: horizon }, (_, i) => regressionRow(n + i, centre).reduce((sum, x, j) => sum + x * coefficients[j]!, 0));
  },
};

export const SEASONAL_METHODS: readonly Method[] = [seasonalNaive, holtWinters, harmonicRegression];
export const SIMPLE_METHODS: readonly Method[] = [naive, recentMean, exponentialSmoothing];
export const METHODS: Readonly<Record<MethodName, Method>> = Object.fromEntries([...SEASONAL_METHODS, ...SIMPLE_METHODS].map((m) => [m.name, m])) as Record<MethodName, Method>;

// ---------------------------------------------------------------------------------------------
// Accuracy

/**
 * The MASE scale: the mean absolute error of the naive forecast one period back over the
 * training data, mean |y[t] − y[t − period]| for t ≥ period (period 52 for seasonal naive,
 * 1 for plain naive).
 */
export function naiveScale(training: readonly number[], period: number): number {
  let total = 0;
  let count = 0;
  for (let t = period; t < training.length; t++) {
    total += Math.abs(training[t]! - training[t - period]!);
    count++;
  }
  return count === 0 ? Number.NaN : total / count;
}

/**
 * Mean absolute scaled error of a forecast against what happened: mean |actual − forecast|
 * divided by the naive scale of the training data. Below 1 it beats the naive forecast's
 * typical one-step error on that history.
 */
export function mase(actual: readonly number[], forecast: readonly number[], training: readonly number[], period: number): number {
  const errors = actual.map((a, i) => Math.abs(a - forecast[i]!));
  return mean(errors) / naiveScale(training, period);
}

export interface Evaluation {
  method: MethodName;
  /** Pooled over every origin and horizon: each error scaled by its own origin's training history. */
  mase: number;
  /** errors[h − 1]: actual − forecast at h weeks ahead, one per origin that reaches that far. */
  errors: number[][];
  origins: number;
}

export interface EvaluationOptions {
  /** The first origin: the first forecast is fitted on series[0 .. firstOrigin). */
  firstOrigin: number;
  horizon: number;
  /** 52 for seasonal naive scaling, 1 for naive. */
  period: number;
  /** Use nothing at or after this index, not even as an actual (defaults to the whole series). */
  end?: number;
}

/**
 * Rolling-origin evaluation: at each origin o the method sees only the weeks before o, forecasts
 * up to `horizon` weeks, and is scored on the weeks that then happened (those before `end`).
 * The MASE scale at each origin is also worked out from the weeks before o alone.
 */
export function rollingOrigin(series: readonly number[], method: Method, options: EvaluationOptions): Evaluation {
  const end = Math.min(options.end ?? series.length, series.length);
  const errors: number[][] = Array.from({ length: options.horizon }, () => []);
  let scaledTotal = 0;
  let scaledCount = 0;
  let origins = 0;
  for (let origin = Math.max(options.firstOrigin, method.minimumHistory); origin < end; origin++) {
    const training = series.slice(0, origin);
    const steps = Math.min(options.horizon, end - origin);
    const forecast = method.forecast(training, steps);
    const scale = naiveScale(training, options.period);
    origins++;
    for (let h = 1; h <= steps; h++) {
      const error = series[origin + h - 1]! - forecast[h - 1]!;
      errors[h - 1]!.push(error);
      if (scale > 0) {
        scaledTotal += Math.abs(error) / scale;
        scaledCount++;
      }
    }
  }
  return { method: method.name, mase: scaledCount ? scaledTotal / scaledCount : Number.NaN, errors, origins };
}

/** The q-quantile of values by linear interpolation between order statistics (R's type 7). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/**
 * 80% intervals from the method's own past errors at each horizon: forecast + the 10th and 90th
 * percentiles of (actual − forecast). A horizon with fewer than ten past errors borrows the
 * errors of the furthest horizon that has enough, widened by √(h / h′).
 */
export function empiricalIntervals(forecast: readonly number[], errors: readonly number[][]): Array<[number, number]> {
  const trusted = errors.map((e, i) => (e.length >= MINIMUM_ERRORS_PER_HORIZON ? i : -1)).filter((i) => i >= 0);
  const pooled = errors.flat();
  return forecast.map((value, i) => {
    let offsets: [number, number];
    if ((errors[i]?.length ?? 0) >= MINIMUM_ERRORS_PER_HORIZON) offsets = [quantile(errors[i]!, INTERVAL[0]), quantile(errors[i]!, INTERVAL[1])];
    else {
      const borrowed = trusted.filter((j) => j < i).at(-1);
      const source = borrowed !== undefined ? errors[borrowed]! : pooled;
      const widen = Math.sqrt((i + 1) / ((borrowed ?? 0) + 1));
      offsets = source.length ? [quantile(source, INTERVAL[0]) * widen, quantile(source, INTERVAL[1]) * widen] : [0, 0];
    }
    return [Math.max(0, value + offsets[0]), Math.max(0, value + offsets[1])];
  });
}

// ---------------------------------------------------------------------------------------------
// The forecast the planner shows

export interface ForecastWeek {
  weekStart: string;
  values: Record<CallGrade, number>;
  intervals: Record<CallGrade, [number, number]>;
}

export interface DemandForecast {
  possible: boolean;
  seasonal: boolean;
  method: MethodName | null;
  methodLabel: string | null;
  /** Mean MASE over emergency and priority, per method evaluated. */
  scores: Partial<Record<MethodName, number>>;
  gradeScores: Record<string, Partial<Record<MethodName, number>>>;
  /** What MASE is scaled by. */
  scale: "seasonal-naive" | "naive";
  historyWeeks: number;
  firstWeek: string | null;
  lastWeek: string | null;
  origins: number;
  horizon: number;
  weeks: ForecastWeek[];
  notes: string[];
}

export const TIME_NOTE = "Weeks run Monday to Sunday, UK time (Europe/London); only complete weeks are counted.";

/**
 * Forecasts each grade `horizon` weeks beyond the last complete week. With at least 104 weeks it
 * compares seasonal naive, Holt-Winters and the harmonic regression; with fewer, naive, the recent
 * mean and simple exponential smoothing, and says why. Each is scored by rolling-origin MASE on
 * emergency and priority calls; the lowest mean score is used (a tie keeps the simpler method).
 */
export function forecastDemand(history: readonly WeekCounts[], options: { horizon?: number } = {}): DemandForecast {
  const horizon = Math.max(1, Math.min(52, Math.floor(options.horizon ?? 13)));
  const n = history.length;
  const seasonal = n >= SEASONAL_MINIMUM_WEEKS;
  const empty: DemandForecast = {
    possible: false,
    seasonal,
    method: null,
    methodLabel: null,
    scores: {},
    gradeScores: {},
    scale: seasonal ? "seasonal-naive" : "naive",
    historyWeeks: n,
    firstWeek: history[0]?.weekStart ?? null,
    lastWeek: history.at(-1)?.weekStart ?? null,
    origins: 0,
    horizon,
    weeks: [],
    notes: [],
  };
  if (n === 0) return { ...empty, notes: ["No complete week of calls for service has been imported, so no forecast is possible. Import calls to see one."] };
  if (n < MINIMUM_WEEKS) {
    return { ...empty, notes: [`Only ${n} complete week${n === 1 ? "" : "s"} of calls for service: at least ${MINIMUM_WEEKS} are needed before a forecast is worth showing, so none is shown.`] };
  }
  const methods = seasonal ? SEASONAL_METHODS : SIMPLE_METHODS;
  const period = seasonal ? SEASON : 1;
  // The last year is the test: every origin still has at least 18 months (or 8 weeks) behind it.
  const firstOrigin = seasonal ? Math.max(n - SEASON, 78) : Math.max(n - 26, 8);
  const series = Object.fromEntries(CALL_GRADES.map((g) => [g, history.map((w) => w.counts[g])])) as Record<CallGrade, number[]>;
  const evaluations = new Map<string, Evaluation>();
  const evaluate = (grade: CallGrade, method: Method) => {
    const key = `${grade}|${method.name}`;
    if (!evaluations.has(key)) evaluations.set(key, rollingOrigin(series[grade], method, { firstOrigin, horizon, period }));
    return evaluations.get(key)!;
  };
  const scores: Partial<Record<MethodName, number>> = {};
  const gradeScores: Record<string, Partial<Record<MethodName, number>>> = {};
  for (const grade of SCORED_GRADES) gradeScores[grade] = {};
  for (const method of methods) {
    const perGrade = SCORED_GRADES.map((grade) => evaluate(grade, method).mase);
    SCORED_GRADES.forEach((grade, i) => (gradeScores[grade]![method.name] = perGrade[i]!));
    scores[method.name] = mean(perGrade);
  }
  let best = methods[0]!;
  for (const method of methods) {
    const score = scores[method.name]!;
    const bestScore = scores[best.name]!;
    if (Number.isFinite(score) && (!Number.isFinite(bestScore) || score < bestScore)) best = method;
  }

  const lastWeek = history[n - 1]!.weekStart;
  const forecasts = Object.fromEntries(CALL_GRADES.map((g) => [g, best.forecast(series[g], horizon).map((v) => Math.max(0, v))])) as Record<CallGrade, number[]>;
  const intervals = Object.fromEntries(CALL_GRADES.map((g) => [g, empiricalIntervals(forecasts[g], evaluate(g, best).errors)])) as Record<CallGrade, Array<[number, number]>>;
  const weeks: ForecastWeek[] = Array.from({ length: horizon }, (_, i) => ({
    weekStart: addDays(lastWeek, 7 * (i + 1)),
    values: Object.fromEntries(CALL_GRADES.map((g) => [g, forecasts[g][i]!])) as Record<CallGrade, number>,
    intervals: Object.fromEntries(CALL_GRADES.map((g) => [g, intervals[g][i]!])) as Record<CallGrade, [number, number]>,
  }));

  const origins = evaluate(SCORED_GRADES[0]!, best).origins;
  const bestScore = scores[best.name]!;
  const notes: string[] = [TIME_NOTE];
  notes.push(`${n} complete weeks of calls, from the week starting ${history[0]!.weekStart} to the week starting ${lastWeek}.`);
  if (seasonal) {
    notes.push(
      `Each method was scored by rolling-origin evaluation over the last ${origins} weeks: forecasting up to ${horizon} weeks ahead from each week using only the weeks before it. MASE compares its errors with the typical error of the seasonal naive forecast (the same week a year before) on that earlier history; below 1 is better than that.`,
    );
  } else {
    notes.push(
      `Fewer than ${SEASONAL_MINIMUM_WEEKS} complete weeks of calls (${n}): a seasonal model needs two full years to learn the yearly pattern, so this forecast uses a simpler model that cannot foresee a seasonal peak such as the summer. Import more history to get a seasonal forecast.`,
    );
    notes.push(
      `Each method was scored by rolling-origin evaluation over the last ${origins} weeks, using only the weeks before each. With less than a year of seasonal history MASE is scaled by the naive one-step error (last week repeated), not by seasonal naive.`,
    );
  }
  notes.push(
    Number.isFinite(bestScore)
      ? `${best.label} had the lowest mean MASE on emergency and priority calls (${bestScore.toFixed(2)}), so it is used for every grade.`
      : `The history is too flat to score the methods (the naive error is 0), so ${best.label} is used.`,
  );
  notes.push("The 80% range is where 8 in 10 of the method's own past errors at the same distance ahead fell; it is not a guarantee.");
  return { ...empty, possible: true, method: best.name, methodLabel: best.label, scores, gradeScores, origins, weeks, notes };
}
