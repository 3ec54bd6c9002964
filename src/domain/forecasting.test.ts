import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addDays,
  dailyCounts,
  empiricalIntervals,
  forecastDemand,
  harmonicRegression,
  holtWinters,
  mase,
  mondayOf,
  naive,
  naiveScale,
  parseCallsCsv,
  quantile,
  rollingOrigin,
  SEASONAL_METHODS,
  seasonalNaive,
  SIMPLE_METHODS,
  weeklyCounts,
  type CallGrade,
  type Method,
  type WeekCounts,
} from "./forecasting.ts";

/** A small deterministic generator with normal noise (Box-Muller), so each test sees the same data. */
function noise(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return (sd: number) => sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const WEEKS_PER_YEAR = 365.25 / 7;
/** Known truth: a summer peak (late July) on a slowly rising level. */
const truth = (t: number, base: number, amplitude: number) => base + 0.05 * t + amplitude * Math.cos((2 * Math.PI * (t - 29)) / WEEKS_PER_YEAR);

function syntheticHistory(weeks: number, seed: number, sd = 4, firstWeek = "2023-01-02"): WeekCounts[] {
  const draw = noise(seed);
  return Array.from({ length: weeks }, (_, t) => ({
    weekStart: addDays(firstWeek, 7 * t),
    counts: {
      emergency: Math.max(0, Math.round(truth(t, 60, 20) + draw(sd))),
      priority: Math.max(0, Math.round(truth(t, 120, 35) + draw(sd * 1.5))),
      scheduled: Math.max(0, Math.round(80 + draw(sd))),
      resolved: Math.max(0, Math.round(50 + draw(sd))),
    } as Record<CallGrade, number>,
  }));
}

describe("reading calls for service from CSV", () => {
  const now = new Date("2026-11-26T12:00:00Z");

  it("reads timestamps with an offset as that instant, and without one as UK local time", () => {
    const { calls, problems } = parseCallsCsv(
      ["timestamp,grade,area", "2026-06-01T21:30:00Z,emergency,Town centre", "2026-06-01 00:30,Priority,", "2026-01-15T08:00:00+01:00,scheduled,\"Leigh, west\"", "2026-03-29,resolved,"].join("\r\n"),
      { now },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(calls, [
      { occurredAt: "2026-06-01T21:30:00.000Z", localDate: "2026-06-01", grade: "emergency", area: "Town centre" },
      // 00:30 British Summer Time is 23:30 the day before in UTC, but it is a Monday call in the UK.
      { occurredAt: "2026-05-31T23:30:00.000Z", localDate: "2026-06-01", grade: "priority", area: null },
      { occurredAt: "2026-01-15T07:00:00.000Z", localDate: "2026-01-15", grade: "scheduled", area: "Leigh, west" },
      { occurredAt: "2026-03-29T00:00:00.000Z", localDate: "2026-03-29", grade: "resolved", area: null },
    ]);
  });

  it("names every bad line by its number and says how to fix it", () => {
    const { calls, problems, badLines } = parseCallsCsv(
      ["timestamp,grade", "2026-06-01T21:30:00Z,emergency", "01/06/2026 21:30,emergency", "2026-02-30T10:00:00Z,priority", "2026-06-01T10:00:00Z,urgent", "2026-06-01T10:00:00Z", "", "2027-01-01T00:00:00Z,priority", "2026-06-01T10:00:00Z,"].join("\n"),
      { now },
    );
    assert.equal(calls.length, 1);
    assert.equal(badLines, 6);
    assert.deepEqual(
      problems.map((p) => p.line),
      [3, 4, 5, 6, 8, 9],
    );
    assert.match(problems[0]!.message, /"01\/06\/2026 21:30" is not an ISO 8601 date and time: write it like 2026-06-01T21:30:00Z/);
    assert.match(problems[1]!.message, /not a real date/);
    assert.match(problems[2]!.message, /The grade "urgent" is not one of emergency, priority, scheduled, resolved/);
    assert.match(problems[3]!.message, /Expected 2 values \(timestamp,grade\) but found 1/);
    assert.match(problems[4]!.message, /in the future/);
    assert.match(problems[5]!.message, /The grade is missing/);
  });

  it("insists on the header, and says so for an empty file or one with no calls", () => {
    assert.match(parseCallsCsv("").problems[0]!.message, /The file is empty/);
    assert.match(parseCallsCsv("date,grade\n2026-01-01,emergency").problems[0]!.message, /first line must be the header timestamp,grade/);
    const headerOnly = parseCallsCsv("timestamp,grade\n\n", { now });
    assert.equal(headerOnly.calls.length, 0);
    assert.match(headerOnly.problems[0]!.message, /no calls/);
    assert.deepEqual(parseCallsCsv("\uFEFFTimestamp,Grade\n2026-01-05T10:00:00Z,emergency", { now }).problems, []);
  });
});

describe("complete weeks", () => {
  it("start on Monday in UK time and leave out the part-weeks at either end", () => {
    assert.equal(mondayOf("2026-01-07"), "2026-01-05");
    assert.equal(mondayOf("2026-01-05"), "2026-01-05");
    assert.equal(mondayOf("2026-01-11"), "2026-01-05");
    const { calls } = parseCallsCsv(
      [
        "timestamp,grade",
        "2026-01-07T10:00:00Z,emergency", // Wednesday: the week of 5 January is incomplete
        "2026-01-12T10:00:00Z,emergency",
        "2026-01-18T23:59:00Z,priority", // Sunday night, still the week of 12 January
        "2026-01-20T10:00:00Z,priority",
        "2026-01-27T10:00:00Z,emergency", // Tuesday: the week of 26 January is incomplete
      ].join("\n"),
      { now: new Date("2026-11-26T00:00:00Z") },
    );
    const weeks = weeklyCounts(dailyCounts(calls));
    assert.deepEqual(weeks, [
      { weekStart: "2026-01-12", counts: { emergency: 1, priority: 1, scheduled: 0, resolved: 0 } },
      { weekStart: "2026-01-19", counts: { emergency: 0, priority: 1, scheduled: 0, resolved: 0 } },
    ]);
  });

  it("count a call just after midnight on a summer Monday in the week that Monday starts", () => {
    const weeks = weeklyCounts(
      dailyCounts(
        parseCallsCsv(["timestamp,grade", "2026-03-23T00:00:00Z,resolved", "2026-03-29T23:30:00Z,emergency", "2026-04-12T12:00:00Z,resolved"].join("\n"), { now: new Date("2026-11-26T00:00:00Z") }).calls,
      ),
    );
    assert.equal(weeks.find((w) => w.weekStart === "2026-03-30")!.counts.emergency, 1);
    assert.equal(weeks.find((w) => w.weekStart === "2026-03-23")!.counts.emergency, 0);
  });
});

describe("MASE", () => {
  it("matches a small example worked by hand", () => {
    // Seasonal period 4. Training differences one season apart, t = 4..7:
    // |12−10| = 2, |22−20| = 2, |28−30| = 2, |44−40| = 4 → scale = 10 / 4 = 2.5.
    // Errors |14−12| = 2 and |21−22| = 1 → mean 1.5 → MASE = 1.5 / 2.5 = 0.6.
    const training = [10, 20, 30, 40, 12, 22, 28, 44];
    assert.equal(naiveScale(training, 4), 2.5);
    assert.equal(mase([14, 21], [12, 22], training, 4), 0.6);
    // Scaled by the naive one-step error instead: differences 10, 10, 10, 28, 10, 6, 16 → 90 / 7.
    assert.ok(Math.abs(mase([14, 21], [12, 22], training, 1) - 1.5 / (90 / 7)) < 1e-12);
  });

  it("is 1 for a seasonal naive forecast whose errors are as large as its usual one-season change", () => {
    const training = [5, 7, 6, 9];
    // Period 2: |6−5| = 1, |9−7| = 2 → scale 1.5. Forecast the last season again: [6, 9]; actual [7.5, 7.5] → errors 1.5, 1.5.
    assert.equal(mase([7.5, 7.5], seasonalNaiveForPeriod(training, 2), training, 2), 1);
  });
});

function seasonalNaiveForPeriod(history: number[], period: number): number[] {
  return history.slice(-period);
}

describe("rolling-origin evaluation", () => {
  it("fits at each origin on the weeks before it only, worked by hand for the naive method", () => {
    // Series 1, 3, 2, 5, 4; origins 2, 3, 4; up to 2 weeks ahead; scaled by the naive one-step error.
    // o=2: forecast 3, 3 for 2, 5 → errors −1, 2; scale |3−1| = 2 → 0.5, 1
    // o=3: forecast 2, 2 for 5, 4 → errors 3, 2; scale (2+1)/2 = 1.5 → 2, 4/3
    // o=4: forecast 5 for 4 → error −1; scale (2+1+3)/3 = 2 → 0.5
    const evaluation = rollingOrigin([1, 3, 2, 5, 4], naive, { firstOrigin: 2, horizon: 2, period: 1 });
    assert.deepEqual(evaluation.errors, [
      [-1, 3, -1],
      [2, 2],
    ]);
    assert.equal(evaluation.origins, 3);
    assert.ok(Math.abs(evaluation.mase - (0.5 + 1 + 2 + 4 / 3 + 0.5) / 5) < 1e-12);
  });

  it("never lets a method see the week it is forecasting or anything after it", () => {
    const series = syntheticHistory(156, 7).map((w) => w.counts.emergency);
    const seen: Array<{ length: number; matches: boolean }> = [];
    const spy: Method = {
      name: "naive",
      label: "spy",
      minimumHistory: 1,
      forecast(history, horizon) {
        seen.push({ length: history.length, matches: history.every((v, i) => v === series[i]) });
        return Array.from({ length: horizon }, () => history.at(-1)!);
      },
    };
    rollingOrigin(series, spy, { firstOrigin: 100, horizon: 13, period: 52 });
    assert.deepEqual(
      seen.map((s) => s.length),
      Array.from({ length: 56 }, (_, i) => 100 + i),
    );
    assert.ok(seen.every((s) => s.matches));
  });

  it("gives the same scores when every week after the evaluation window is poisoned", () => {
    const clean = syntheticHistory(156, 11).map((w) => w.counts.priority);
    const end = 130;
    // Anything that reads past `end` (fitting on the whole series, a scale worked out over all of it,
    // an off-by-one into the future) would see these values and change the score.
    const poisoned = clean.map((v, i) => (i >= end ? 1e9 - v : v));
    for (const method of [...SEASONAL_METHODS, ...SIMPLE_METHODS]) {
      const period = SEASONAL_METHODS.includes(method) ? 52 : 1;
      const a = rollingOrigin(clean, method, { firstOrigin: 90, horizon: 13, period, end });
      const b = rollingOrigin(poisoned, method, { firstOrigin: 90, horizon: 13, period, end });
      assert.ok(Number.isFinite(a.mase), method.name);
      assert.equal(a.mase, b.mase, `${method.name} saw data from after the evaluation window`);
      assert.deepEqual(a.errors, b.errors);
    }
  });
});

describe("forecasting methods on series with known seasonality", () => {
  it("seasonal naive repeats the same week a year before", () => {
    const history = Array.from({ length: 104 }, (_, t) => t % 52);
    assert.deepEqual(seasonalNaive.forecast(history, 3), [0, 1, 2]);
    assert.deepEqual(seasonalNaive.forecast(history, 54).slice(50), [50, 51, 0, 1]);
  });

  it("Holt-Winters and the regression recover a noise-free seasonal pattern", () => {
    const history = Array.from({ length: 156 }, (_, t) => truth(t, 60, 20));
    const future = Array.from({ length: 13 }, (_, i) => truth(156 + i, 60, 20));
    for (const method of [holtWinters, harmonicRegression]) {
      const forecast = method.forecast(history, 13);
      forecast.forEach((value, i) => assert.ok(Math.abs(value - future[i]!) < 2.5, `${method.name} week ${i + 1}: ${value} against ${future[i]}`));
    }
  });

  it("with three years of noisy weekly calls, picks a seasonal method that beats seasonal naive and finds the summer peak", () => {
    const history = syntheticHistory(156, 2024);
    const forecast = forecastDemand(history, { horizon: 26 });
    assert.equal(forecast.possible, true);
    assert.equal(forecast.seasonal, true);
    assert.equal(forecast.scale, "seasonal-naive");
    assert.deepEqual(Object.keys(forecast.scores).sort(), ["harmonic-regression", "holt-winters", "seasonal-naive"]);
    assert.notEqual(forecast.method, "seasonal-naive");
    assert.ok(forecast.scores[forecast.method!]! < forecast.scores["seasonal-naive"]!);
    assert.ok(forecast.scores[forecast.method!]! < 1);
    assert.equal(forecast.weeks[0]!.weekStart, addDays(history.at(-1)!.weekStart, 7));
    // The forecast follows the true curve, and its highest week is in summer like the truth's.
    forecast.weeks.forEach((week, i) => {
      const t = 156 + i;
      assert.ok(Math.abs(week.values.emergency - truth(t, 60, 20)) < 8, `emergency week ${week.weekStart}`);
      assert.ok(Math.abs(week.values.priority - truth(t, 120, 35)) < 12, `priority week ${week.weekStart}`);
      const [low, high] = week.intervals.emergency;
      assert.ok(low <= week.values.emergency && week.values.emergency <= high);
    });
    const peak = forecast.weeks.reduce((a, b) => (b.values.emergency > a.values.emergency ? b : a));
    assert.ok(["06", "07", "08"].includes(peak.weekStart.slice(5, 7)), `peak in ${peak.weekStart}`);
  });

  it("gives 80% ranges that hold about 80% of what then happens", () => {
    let inside = 0;
    let total = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const all = syntheticHistory(169, seed * 97);
      const forecast = forecastDemand(all.slice(0, 156), { horizon: 13 });
      forecast.weeks.forEach((week, i) => {
        const actual = all[156 + i]!.counts.emergency;
        const [low, high] = week.intervals.emergency;
        if (actual >= low && actual <= high) inside++;
        total++;
      });
    }
    const coverage = inside / total;
    assert.ok(coverage > 0.6 && coverage < 0.97, `coverage ${coverage}`);
  });
});

describe("short and empty histories", () => {
  it("uses a simpler model under 104 weeks and says why", () => {
    const forecast = forecastDemand(syntheticHistory(80, 3), { horizon: 13 });
    assert.equal(forecast.possible, true);
    assert.equal(forecast.seasonal, false);
    assert.equal(forecast.scale, "naive");
    assert.ok(["naive", "recent-mean", "exponential-smoothing"].includes(forecast.method!));
    assert.deepEqual(Object.keys(forecast.scores).sort(), ["exponential-smoothing", "naive", "recent-mean"]);
    assert.ok(forecast.notes.some((n) => /Fewer than 104 complete weeks of calls \(80\)/.test(n) && /simpler model/.test(n)));
    assert.ok(forecast.notes.some((n) => /scaled by the naive one-step error/.test(n)));
    assert.equal(forecast.weeks.length, 13);
  });

  it("says no forecast is possible with no calls, or too few weeks, rather than guess", () => {
    const none = forecastDemand([]);
    assert.equal(none.possible, false);
    assert.equal(none.weeks.length, 0);
    assert.match(none.notes[0]!, /no forecast is possible/);
    const few = forecastDemand(syntheticHistory(5, 1));
    assert.equal(few.possible, false);
    assert.match(few.notes[0]!, /Only 5 complete weeks/);
  });
});

describe("80% intervals from past errors", () => {
  it("are the 10th and 90th percentiles of the errors at each horizon, borrowing for far horizons", () => {
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1), 2);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9), 10);
    const errors = [Array.from({ length: 11 }, (_, i) => i - 5), [1, 2]];
    const [first, second] = empiricalIntervals([100, 100], errors);
    assert.deepEqual(first, [96, 104]);
    // Only two errors two weeks ahead: borrow the one-week errors, widened by √2.
    assert.ok(Math.abs(second![0] - (100 - 4 * Math.SQRT2)) < 1e-9 && Math.abs(second![1] - (100 + 4 * Math.SQRT2)) < 1e-9);
  });
});
