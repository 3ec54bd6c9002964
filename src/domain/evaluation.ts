// The statistics of "is it working?", exactly as PRODUCT.md defines them: before and after the
// start, target against comparison, displacement to the buffer, and a verdict that never says
// more than the numbers do. Pure functions: the evaluation service counts, these judge.

/** Two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

/** Below these the verdict is "too few events to assess". */
export const MIN_EVENTS_PER_CELL = 5;
export const MIN_TARGET_EVENTS = 20;
/** Months before the start needed to check for a spike (regression to the mean). */
export const MIN_MONTHS_FOR_SPIKE_CHECK = 6;

/** R target, C comparison, D buffer; b before the start, a after. */
export interface Counts {
  ra: number;
  rb: number;
  ca: number;
  cb: number;
}

export interface OddsRatio {
  value: number;
  ci95: [number, number];
  /** The interval with var(ln OR) multiplied by the overdispersion: the one the verdict uses. */
  ci95Adjusted: [number, number];
  /** var(ln OR) before the overdispersion adjustment. */
  variance: number;
  overdispersion: number;
  /** 0.5 was added to every cell because one of them was zero. */
  zeroCorrected: boolean;
}

/**
 * OR = (Rb·Ca)/(Ra·Cb): above 1 the target improved relative to the comparison. Its 95% interval
 * comes from var(ln OR) = 1/Ra + 1/Rb + 1/Ca + 1/Cb, and a second interval multiplies that
 * variance by the overdispersion of the monthly counts. A zero cell adds 0.5 to every cell.
 */
export function oddsRatio(counts: Counts, overdispersion = 1): OddsRatio {
  const zeroCorrected = counts.ra === 0 || counts.rb === 0 || counts.ca === 0 || counts.cb === 0;
  const add = zeroCorrected ? 0.5 : 0;
  const ra = counts.ra + add;
  const rb = counts.rb + add;
  const ca = counts.ca + add;
  const cb = counts.cb + add;
  const value = (rb * ca) / (ra * cb);
  const variance = 1 / ra + 1 / rb + 1 / ca + 1 / cb;
  const dispersion = Math.max(1, overdispersion);
  return {
    value,
    ci95: interval(value, variance),
    ci95Adjusted: interval(value, variance * dispersion),
    variance,
    overdispersion: dispersion,
    zeroCorrected,
  };
}

function interval(value: number, variance: number): [number, number] {
  const half = Z95 * Math.sqrt(variance);
  const log = Math.log(value);
  return [Math.exp(log - half), Math.exp(log + half)];
}

/**
 * Overdispersion of monthly counts: variance/mean, pooled over several series (target and
 * comparison, before and after) so that the difference between their levels, which is the
 * effect being measured, does not count as noise. For one series it is its sample variance over
 * its mean. Never below 1 (Poisson); 1 when there are too few months to tell.
 */
export function overdispersion(series: number[][]): { value: number; degreesOfFreedom: number } {
  let chiSquare = 0;
  let degreesOfFreedom = 0;
  for (const counts of series) {
    if (counts.length < 2) continue;
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    if (mean === 0) continue;
    for (const count of counts) chiSquare += (count - mean) ** 2 / mean;
    degreesOfFreedom += counts.length - 1;
  }
  if (degreesOfFreedom === 0) return { value: 1, degreesOfFreedom };
  return { value: Math.max(1, chiSquare / degreesOfFreedom), degreesOfFreedom };
}

export interface WithBuffer extends Counts {
  da: number;
  db: number;
}

export interface Wdq {
  value: number | null;
  meaningful: boolean;
  reading: string;
}

/**
 * Weighted Displacement Quotient (Bowers and Johnson 2003):
 * WDQ = (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb). Meaningful only when the denominator is negative
 * (the target improved relative to the comparison); undefined when Ca or Cb is 0.
 */
export function weightedDisplacementQuotient(counts: WithBuffer): Wdq {
  const { ra, rb, ca, cb, da, db } = counts;
  if (ca === 0 || cb === 0) {
    return { value: null, meaningful: false, reading: "Undefined: the comparison area had no events in one of the periods." };
  }
  const denominator = ra / ca - rb / cb;
  if (denominator === 0) {
    return { value: null, meaningful: false, reading: "Undefined: the target changed exactly as the comparison area did, so there is no success to be displaced." };
  }
  const value = (da / ca - db / cb) / denominator;
  if (denominator > 0) {
    return { value, meaningful: false, reading: "Not meaningful: the target did not improve relative to the comparison area, so there is no success to be displaced from." };
  }
  let reading: string;
  if (value > 0) reading = "Diffusion of benefit: the buffer improved too.";
  else if (value === 0) reading = "No sign of displacement to the buffer, nor of diffusion of benefit.";
  else if (value >= -1) reading = "Some displacement to the buffer, smaller than the improvement in the target: a net benefit.";
  else reading = "Displacement to the buffer larger than the improvement in the target: no net benefit.";
  return { value, meaningful: true, reading };
}

/**
 * Total net effect TNE = (Rb·Ca/Cb − Ra) + (Db·Ca/Cb − Da): events prevented (positive) or added
 * (negative) in target and buffer together, had both followed the comparison. Null when Cb is 0.
 */
export function totalNetEffect(counts: WithBuffer): number | null {
  const { ra, rb, ca, cb, da, db } = counts;
  if (cb === 0) return null;
  return (rb * ca) / cb - ra + ((db * ca) / cb - da);
}

// Months as police.uk writes them: "YYYY-MM".

export function addMonths(month: string, count: number): string {
  const [year, mm] = month.split("-").map(Number) as [number, number];
  const index = year * 12 + (mm - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Every month from one to another, both included. */
export function monthRange(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to; month = addMonths(month, 1)) months.push(month);
  return months;
}

export interface DesignPeriods {
  /** The 12 months before the start. */
  before: { from: string; to: string };
  /** From the start to the end, or to whatever data exists when there is no end. */
  after: { from: string; to: string | null };
  /** A month the operation started part-way through: in neither period. */
  transition: string | null;
}

/** Default periods for an operation starting (and perhaps ending) on these dates. */
export function defaultPeriods(startsOn: string, endsOn: string | null = null): DesignPeriods {
  const startMonth = startsOn.slice(0, 7);
  const midMonth = startsOn.slice(8, 10) !== "01";
  return {
    before: { from: addMonths(startMonth, -12), to: addMonths(startMonth, -1) },
    after: { from: midMonth ? addMonths(startMonth, 1) : startMonth, to: endsOn ? endsOn.slice(0, 7) : null },
    transition: midMonth ? startMonth : null,
  };
}

export interface Spike {
  checked: boolean;
  spike: boolean;
  /** Mean of the last 3 months before the start, and of the months before those. */
  lastMean: number | null;
  earlierMean: number | null;
}

/**
 * Did the operation start after a spike? Compares the last 3 months before the start with the
 * months before them: a spike when they are more than 25% higher and more than two standard
 * errors apart (Poisson, times the overdispersion). A spike falls back on its own, and that
 * fall would look like success.
 */
export function spikeBeforeStart(monthly: number[], dispersion = 1): Spike {
  if (monthly.length < MIN_MONTHS_FOR_SPIKE_CHECK) return { checked: false, spike: false, lastMean: null, earlierMean: null };
  const last = monthly.slice(-3);
  const earlier = monthly.slice(0, -3);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const lastMean = mean(last);
  const earlierMean = mean(earlier);
  const standardError = Math.sqrt(Math.max(1, dispersion) * Math.max(earlierMean, 0.5) * (1 / last.length + 1 / earlier.length));
  const spike = lastMean > earlierMean * 1.25 && lastMean - earlierMean > 2 * standardError;
  return { checked: true, spike, lastMean, earlierMean };
}

export type Assessment = "too-few" | "improved" | "worsened" | "no-clear-change";

export function tooFewEvents(counts: Counts): boolean {
  return Math.min(counts.ra, counts.rb, counts.ca, counts.cb) < MIN_EVENTS_PER_CELL || counts.ra + counts.rb < MIN_TARGET_EVENTS;
}

/** What one category's figures allow us to say, judged on the overdispersion-adjusted interval. */
export function assess(counts: Counts, ratio: OddsRatio): Assessment {
  if (tooFewEvents(counts)) return "too-few";
  const [low, high] = ratio.ci95Adjusted;
  if (low > 1) return "improved";
  if (high < 1) return "worsened";
  return "no-clear-change";
}

const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));

/** One plain sentence for a category: what changed, how sure we can be, and the caveat that applies. */
export function categorySentence(category: string, counts: Counts, ratio: OddsRatio, policeGenerated: boolean): string {
  const assessment = assess(counts, ratio);
  const [low, high] = ratio.ci95Adjusted.map(format);
  const figures = `odds ratio ${format(ratio.value)}, 95% interval ${low} to ${high}`;
  switch (assessment) {
    case "too-few":
      return `${category}: too few events to assess (${counts.rb} before and ${counts.ra} after in the target, ${counts.cb} and ${counts.ca} in the comparison area).`;
    case "improved":
      return `${category}: fell in the target relative to the comparison area (${figures}). This is a relative change; it does not show what caused it.`;
    case "worsened":
      return `${category}: rose in the target relative to the comparison area (${figures}).${policeGenerated ? " This category rises when enforcement rises: the rise can mean more policing, not more crime." : ""}`;
    default:
      return `${category}: no clear change relative to the comparison area (${figures}): the difference is within what month-to-month variation alone would give.`;
  }
}

export interface VerdictInput {
  /** null when a period holds no data: there is nothing to compare. */
  allCrime: { counts: Counts; oddsRatio: OddsRatio; wdq: Wdq } | null;
  antiSocialBehaviour: { counts: Counts; oddsRatio: OddsRatio } | null;
  monthsAfter: number;
  monthsBefore: number;
  spike: Spike;
  /** Police-generated categories that rose clearly in the target. */
  policeGeneratedRises: string[];
}

/** The plain-English verdict. It never claims more than the adjusted interval supports. */
export function verdict(input: VerdictInput): string {
  const sentences: string[] = [];
  if (input.monthsBefore === 0 || input.monthsAfter === 0 || !input.allCrime) {
    sentences.push(
      input.monthsBefore === 0
        ? "Not enough evidence yet: there is no police.uk data for the months before the start, so there is nothing to compare with."
        : "Not enough evidence yet: there is no police.uk data for the months since the start.",
    );
  } else {
    const { counts, oddsRatio: ratio, wdq } = input.allCrime;
    const assessment = assess(counts, ratio);
    const [low, high] = ratio.ci95Adjusted.map(format);
    const figures = `odds ratio ${format(ratio.value)}, 95% interval allowing for month-to-month variation ${low} to ${high}`;
    if (assessment === "too-few") {
      sentences.push(
        `Too few events to assess: ${counts.rb + counts.ra} recorded crimes in the target area and ${counts.cb + counts.ca} in the comparison area across both periods. Not enough evidence yet.`,
      );
    } else if (assessment === "improved") {
      sentences.push(
        `Recorded crime (excluding anti-social behaviour) fell in the target area relative to the comparison area (${figures}). This is evidence of a relative improvement, not proof that the operation caused it.`,
      );
      if (wdq.meaningful) sentences.push(`Displacement: ${wdq.reading}`);
    } else if (assessment === "worsened") {
      sentences.push(`Recorded crime (excluding anti-social behaviour) rose in the target area relative to the comparison area (${figures}).`);
    } else {
      sentences.push(
        `Not enough evidence yet: recorded crime in the target area changed no more than month-to-month variation would explain, relative to the comparison area (${figures}).`,
      );
    }
    if (input.monthsAfter < 3) sentences.push(`Only ${input.monthsAfter} month${input.monthsAfter === 1 ? "" : "s"} of data since the start: too early to judge.`);
  }
  if (input.antiSocialBehaviour) {
    const asb = input.antiSocialBehaviour;
    const assessment = assess(asb.counts, asb.oddsRatio);
    const text: Record<Assessment, string> = {
      "too-few": "too few incidents to assess",
      improved: "fell relative to the comparison area",
      worsened: "rose relative to the comparison area",
      "no-clear-change": "no clear change relative to the comparison area",
    };
    sentences.push(`Anti-social behaviour (incidents, reported on its own): ${text[assessment]}.`);
  }
  if (input.policeGeneratedRises.length) {
    sentences.push(`${input.policeGeneratedRises.join(", ")} rose in the target: these categories rise when enforcement rises, so this can mean more policing.`);
  }
  if (input.spike.spike) {
    sentences.push(
      "Caution: the operation started after a spike in recorded crime in the target area. Counts tend to fall back after a spike on their own (regression to the mean), so part of any fall may have happened anyway.",
    );
  }
  return sentences.join(" ");
}
