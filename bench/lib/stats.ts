// Figures over repeated runs: every benchmark reports min/median/max, and every ratio is taken
// run by run between a workload and its ceiling measured side by side, then summarised the same way.

export interface Summary {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export function summarise(values: number[]): Summary {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, runs: values };
}

/** Run-by-run ratios of two series measured in alternation (same length). */
export function pairedRatio(numerators: number[], denominators: number[]): Summary {
  return summarise(numerators.map((value, index) => value / denominators[index]!));
}

/** The q-quantile (0..1) of samples, nearest rank. */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "—";
  if (digits === 0 && Math.abs(value) >= 1) return Math.round(value).toLocaleString("en-GB");
  return value.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)" */
export function formatSummary(summary: Summary, digits = 0, unit = ""): string {
  const f = (v: number) => `${formatNumber(v, digits)}${unit}`;
  return `${f(summary.median)} (${f(summary.min)}–${f(summary.max)})`;
}
