// The planner's command-line commands: a forecast straight from a CSV file (for scripts and
// tests, no database needed), and importing calls for service into an operation.
import fs from "node:fs";
import { AppError, errors } from "../../http/errors.ts";
import { CALL_GRADES, dailyCounts, forecastDemand, parseCallsCsv, weeklyCounts, type DemandForecast } from "../../domain/forecasting.ts";
import type { Services } from "../../services.ts";

const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw errors.badRequest(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "there is no such file" : (error as Error).message}`);
  }
}

export function parseWeeks(text: string): number {
  const weeks = Number(text);
  if (!/^\d+$/.test(text) || weeks < 1 || weeks > 52) throw errors.badRequest("--weeks must be a whole number from 1 to 52");
  return weeks;
}

/** The forecast as the JSON `openbeat forecast --json` prints. */
export function forecastJson(forecast: DemandForecast) {
  return {
    method: forecast.method,
    methodLabel: forecast.methodLabel,
    scores: Object.fromEntries(Object.entries(forecast.scores).map(([name, score]) => [name, Number.isFinite(score) ? round(score!, 4) : null])),
    gradeScores: Object.fromEntries(
      Object.entries(forecast.gradeScores).map(([grade, scores]) => [grade, Object.fromEntries(Object.entries(scores).map(([name, score]) => [name, Number.isFinite(score) ? round(score!, 4) : null]))]),
    ),
    scale: forecast.scale,
    seasonal: forecast.seasonal,
    historyWeeks: forecast.historyWeeks,
    firstWeek: forecast.firstWeek,
    lastWeek: forecast.lastWeek,
    weeks: forecast.weeks.map((week) => ({
      weekStart: week.weekStart,
      ...Object.fromEntries(CALL_GRADES.flatMap((grade) => [[grade, round(week.values[grade])], [`${grade}80`, week.intervals[grade].map((v) => round(v))]])),
    })),
    notes: forecast.notes,
  };
}

function problemsToStderr(error: AppError): void {
  for (const problem of error.fields) console.error(problem.message);
}

/** `openbeat forecast CALLS.csv [--weeks 13] [--json]` */
export function forecastCommand(file: string, options: { weeks: string; json?: boolean }): void {
  const horizon = parseWeeks(options.weeks);
  const parsed = parseCallsCsv(readFile(file));
  if (parsed.badLines > 0) {
    for (const problem of parsed.problems) console.error(`Line ${problem.line}: ${problem.message}`);
    if (parsed.badLines > parsed.problems.length) console.error(`… and ${parsed.badLines - parsed.problems.length} more lines with problems`);
    throw errors.badRequest(`${parsed.badLines} line${parsed.badLines === 1 ? "" : "s"} of ${file} need${parsed.badLines === 1 ? "s" : ""} fixing; no forecast was made`);
  }
  const forecast = forecastDemand(weeklyCounts(dailyCounts(parsed.calls)), { horizon });
  if (options.json) {
    console.log(JSON.stringify(forecastJson(forecast), null, 2));
    return;
  }
  if (!forecast.possible) {
    for (const note of forecast.notes) console.log(note);
    return;
  }
  console.log(`Method: ${forecast.methodLabel}`);
  console.log(`MASE (lower is better; below 1 beats ${forecast.seasonal ? "seasonal naive" : "naive"}): ${Object.entries(forecast.scores).map(([name, score]) => `${name} ${Number.isFinite(score) ? score!.toFixed(2) : "not scored"}`).join(", ")}`);
  console.log("");
  const cell = (value: number, range: [number, number]) => `${value.toFixed(1)} (${range[0].toFixed(0)}–${range[1].toFixed(0)})`.padEnd(20);
  console.log(`${"Week starting".padEnd(15)}${"Emergency (80%)".padEnd(20)}${"Priority (80%)".padEnd(20)}`);
  for (const week of forecast.weeks) console.log(`${week.weekStart.padEnd(15)}${cell(week.values.emergency, week.intervals.emergency)}${cell(week.values.priority, week.intervals.priority)}`);
  console.log("");
  for (const note of forecast.notes) console.log(`- ${note}`);
}

/** `openbeat calls import FILE --operation ID` */
export async function importCallsCommand(services: Services, file: string, operation: string): Promise<void> {
  const operationId = Number(operation);
  const text = readFile(file);
  try {
    const result = await services.planner.importCalls(operationId, text);
    const name = (await services.planner.operation(operationId)).name;
    console.log(`Imported ${result.calls} calls for service into ${name}, replacing any held before.`);
    console.log(result.weeks ? `${result.weeks} complete weeks, from the week starting ${result.firstWeek} to the week starting ${result.lastWeek}.` : "No complete week yet: a forecast needs complete weeks (Monday to Sunday, UK time).");
  } catch (error) {
    if (error instanceof AppError && error.statusCode === 400) problemsToStderr(error);
    throw error;
  }
}
