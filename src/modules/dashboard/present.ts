// How the dashboard's figures read on the page and in the downloads: one set of formatters, so
// the CSV says exactly what the page says, and the view of each section with its chart (SVG) and
// the table of the same numbers beside it.
import { ALL_CRIME } from "../../domain/police-uk.ts";
import { TARGET_GROUPS } from "../../domain/activity.ts";
import { areaMap, barChart, cellMap, COLOURS, shadeClasses } from "./charts.ts";
import type { DashboardData, LayerKey, MapLayer } from "./dashboard.service.ts";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const QUARTERS_SHOWN = 8;

export const format = {
  count: (value: number) => value.toLocaleString("en-GB"),
  /** A published count, or the word for why there is none. */
  cell: (value: number | null, missing = "Withheld") => (value === null ? missing : value.toLocaleString("en-GB")),
  hours: (value: number) => (Math.round(value * 10) / 10).toLocaleString("en-GB"),
  /** Three significant figures, as the evaluation writes its statistics. */
  statistic: (value: number | null | undefined) =>
    value === null || value === undefined || !Number.isFinite(value) ? "—" : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3),
  pounds: (pence: number) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(Math.round(pence) / 100),
  /** '2018-04' → 'April 2018'. */
  month: (month: string | null) => (month ? `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}` : "none yet"),
  shortMonth: (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]!.slice(0, 3)} ${month.slice(0, 4)}`,
  /** '2018-04-02' → '2 April 2018'. */
  day: (date: string | null) => (date ? `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}` : "none yet"),
  /** '2018-04-02' → '2 Apr 2018'. */
  shortDate: (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]!.slice(0, 3)} ${date.slice(0, 4)}`,
  shortDay: (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]!.slice(0, 3)}`,
};

export const ASSESSMENTS: Record<string, string> = {
  "too-few": "Too few events to assess",
  improved: "Fell relative to the comparison area",
  worsened: "Rose relative to the comparison area",
  "no-clear-change": "No clear change",
  "no-data": "No police.uk data for one of the periods: nothing to compare",
};

const LAYER_NOTES: Record<LayerKey, string> = {
  crime: "Crimes recorded by the police (police.uk), every category except anti-social behaviour.",
  "anti-social-behaviour": "Anti-social behaviour incidents recorded by the police (police.uk): incidents, not crimes.",
  reports: "Residents' reports to openbeat, by the month they were received. Reports of sex-work activity seen are never mapped.",
};

export interface Selection {
  layer: LayerKey;
  crime: string;
  report: string;
}

/** What the visitor asked to see, falling back to the defaults for anything unknown. */
export function selection(data: DashboardData, query: Record<string, string | undefined>): Selection {
  const layer = data.layers.find((l) => l.key === query.layer)?.key ?? "crime";
  const crime = data.trends.police.series.find((s) => s.key === query.crime)?.key ?? ALL_CRIME;
  const report = query.report === "all" || !data.trends.reports.series.some((s) => s.key === query.report) ? "all" : query.report!;
  return { layer, crime, report };
}

function mapView(data: DashboardData, layer: MapLayer) {
  const period = layer.months.length ? `${format.month(layer.months[0]!)} to ${format.month(layer.months.at(-1)!)}` : "no months yet";
  const hot = layer.hotspots?.filter((h) => h.kind === "hot").length ?? 0;
  const highest = Math.max(0, ...layer.cells.map((c) => c.total ?? 0));
  const rows = data.map.cells.map((cell, i) => ({
    label: cell.label,
    place: cell.place,
    cell: cell.cell,
    total: layer.cells[i]!.total,
    months: layer.cells[i]!.months,
    hotspot: layer.hotspots?.[i] ?? null,
  }));
  const top = [...rows].filter((r) => r.total !== null).sort((a, b) => b.total! - a.total!)[0];
  const description =
    `Map of ${rows.length} hexagonal cells covering the target area and the buffer around it, each numbered and shaded by its count of ${layer.title.toLowerCase()} from ${period}. ` +
    (top && top.total ? `The highest is cell ${top.label}${top.place ? ` (around ${top.place})` : ""} with ${format.count(top.total)}. ` : "") +
    (layer.hotspots ? `${hot ? `${hot} cell${hot === 1 ? " is" : "s are"} a hotspot` : "No cell is a hotspot"} after the false discovery rate correction. ` : "") +
    "The table below gives every cell.";
  return {
    layer,
    period,
    note: LAYER_NOTES[layer.key],
    svg: data.map.geometry.cells.length
      ? cellMap("cell-map", `${layer.title}, ${period}, by cell`, description, data.map.geometry, {
          values: layer.cells.map((c) => c.total),
          labels: data.map.cells.map((c) => c.label),
          hotspots: layer.hotspots?.map((h) => h.kind) ?? null,
        })
      : null,
    shades: shadeClasses(highest),
    rows,
    monthLabels: layer.months.map(format.shortMonth),
    withheldCells: rows.filter((r) => r.total === null).length,
  };
}

function policeTrend(data: DashboardData, key: string) {
  const trend = data.trends.police;
  const series = trend.series.find((s) => s.key === key)!;
  const why = (month: string) => (month === trend.transition ? "Start month (in neither period)" : "No data");
  const start = trend.months.indexOf(trend.startMonth);
  const held = series.values.filter((v) => v !== null).length;
  return {
    series,
    svg: trend.months.length
      ? barChart({
          id: "police-trend",
          title: `${series.name}: police.uk counts in the target area each month`,
          description: `Bar chart of ${series.name.toLowerCase()} recorded by the police in the target area each month from ${format.month(trend.months[0]!)} to ${format.month(trend.months.at(-1)!)}. ${held} of ${trend.months.length} months have data; months with no police.uk data are gaps, not zero. The table beside it gives every month.`,
          labels: trend.months.map(format.shortMonth),
          series: [{ name: "Target area", colour: COLOURS.blue, values: series.values }],
          gapKind: () => "no-data",
          marker: start >= 0 ? { index: start, label: "Start" } : undefined,
        })
      : null,
    rows: trend.months.map((month, i) => ({ month, label: format.month(month), value: series.values[i] ?? null, missing: why(month) })),
    options: trend.series.map((s) => ({ value: s.key, text: s.name, selected: s.key === key })),
  };
}

function reportTrend(data: DashboardData, key: string) {
  const trend = data.trends.reports;
  const chosen = key === "all" ? { key: "all", name: "All reports (not sex-work activity seen)", values: trend.totals } : trend.series.find((s) => s.key === key)!;
  return {
    series: chosen,
    svg: trend.months.length
      ? barChart({
          id: "reports-trend",
          title: `${chosen.name}: residents' reports each month`,
          description: `Bar chart of residents' reports (${chosen.name.toLowerCase()}) by the month received, from ${format.month(trend.months[0]!)} to ${format.month(trend.months.at(-1)!)}. Months with a small number are withheld and drawn hatched. The table beside it gives every month.`,
          labels: trend.months.map(format.shortMonth),
          series: [{ name: "Reports", colour: COLOURS.purple, values: chosen.values }],
          gapKind: () => "withheld",
        })
      : null,
    rows: trend.months.map((month, i) => ({ month, label: format.month(month), value: chosen.values[i] ?? null })),
    options: [{ value: "all", text: "All reports (not sex-work activity seen)", selected: key === "all" }, ...trend.series.map((s) => ({ value: s.key, text: s.name, selected: s.key === key }))],
  };
}

function activityView(data: DashboardData) {
  const weeks = data.activity.weeks;
  const quarters = data.activity.quarters.slice(-QUARTERS_SHOWN);
  return {
    weeks,
    totals: data.activity.sinceStart,
    hoursSvg: weeks.length
      ? barChart({
          id: "patrol-hours",
          title: "Patrol hours each week: planned and delivered",
          description: `Bar chart of the patrol hours delivered in each of the last ${weeks.length} complete weeks, with the hours planned as a dashed line. ${format.hours(weeks.reduce((s, w) => s + w.delivered, 0))} hours were delivered against ${format.hours(weeks.reduce((s, w) => s + w.planned, 0))} planned. The table beside it gives every week.`,
          labels: weeks.map((w) => format.shortDay(w.weekStart)),
          series: [{ name: "Delivered", colour: COLOURS.blue, values: weeks.map((w) => w.delivered) }],
          line: { name: "Planned", colour: COLOURS.orange, values: weeks.map((w) => w.planned) },
        })
      : null,
    quarters,
    enforcementSvg: quarters.length
      ? barChart({
          id: "enforcement",
          title: "Enforcement each quarter, by whom it targeted",
          description: `Grouped bar chart of enforcement actions against buyers (kerb crawlers), drug dealers and others in each of the last ${quarters.length} complete quarters. Action against people selling sex is not in this chart: it is reported apart. The table beside it gives every quarter.`,
          labels: quarters.map((q) => `Q${q.quarter.slice(6)} ${q.quarter.slice(0, 4)}`),
          series: [
            { name: "Buyers", colour: COLOURS.blue, values: quarters.map((q) => q.enforcement.buyer) },
            { name: "Dealers", colour: COLOURS.orange, values: quarters.map((q) => q.enforcement.dealer) },
            { name: "Others", colour: COLOURS.green, values: quarters.map((q) => q.enforcement.other) },
          ],
        })
      : null,
    targetGroups: TARGET_GROUPS,
  };
}

/** "rose 35%" / "fell 12%" / "did not change", from one monthly rate to another. */
function change(before: number, after: number): string {
  if (before === 0) return after === 0 ? "stayed at none" : "rose from none";
  const percent = Math.round(((after - before) / before) * 100);
  return percent === 0 ? "did not change" : `${percent > 0 ? "rose" : "fell"} ${Math.abs(percent)}%`;
}

const perMonth = (count: number, months: number) => Math.round((count / months) * 10) / 10;

/**
 * The page's first words: what happened, in rates per month (the periods before and since are
 * rarely the same length, so raw counts would mislead), then the verdict's caution.
 */
export function plainSummary(data: DashboardData): string[] {
  const sentences: string[] = [];
  const all = data.evaluation.categories.find((c) => c.category === ALL_CRIME);
  const { before, after } = data.evaluation.periods;
  const target = all?.counts.target;
  const comparison = all?.counts.comparison;
  if (target && comparison && target.before !== null && target.after !== null && comparison.before !== null && comparison.after !== null && before.months > 0 && after.months > 0) {
    sentences.push(
      `Recorded crime (not counting anti-social behaviour) ${change(perMonth(target.before, before.months), perMonth(target.after, after.months))} in the target area, from ${format.statistic(perMonth(target.before, before.months))} a month in the ${before.months} month${before.months === 1 ? "" : "s"} before the start to ${format.statistic(perMonth(target.after, after.months))} a month in the ${after.months} since; in the comparison area, which the operation does not police, it ${change(perMonth(comparison.before, before.months), perMonth(comparison.after, after.months))}.`,
    );
  } else {
    sentences.push("There is not yet police.uk data for both the months before the start and the months since, so nothing can be said about recorded crime.");
  }
  const since = data.activity.sinceStart;
  if (since.weeks > 0 && since.delivered === 0) sentences.push("No patrols have been logged in openbeat for this operation, so the hours delivered are not known here.");
  else if (since.weeks > 0) sentences.push(`Officers logged ${format.hours(since.delivered)} patrol hours of the ${format.hours(since.planned)} planned in the ${since.weeks} complete week${since.weeks === 1 ? "" : "s"} since the start.`);
  const outcomes = data.reportOutcomes;
  if (outcomes.received > 0) sentences.push(`Residents sent ${format.count(outcomes.received)} reports in the months shown${outcomes.closed !== null ? `; ${format.count(outcomes.closed)} are closed` : ""}.`);
  return sentences;
}

/** Everything the dashboard page shows, for the template. */
export function dashboardView(data: DashboardData, chosen: Selection) {
  const layer = data.layers.find((l) => l.key === chosen.layer)!;
  const evaluation = data.evaluation;
  return {
    data,
    format,
    chosen,
    k: data.rules.k,
    summary: plainSummary(data),
    areasSvg: data.areaMap.outlines.length
      ? areaMap(
          "area-map",
          `${data.operation.name}: target, buffer and comparison areas`,
          `Outline map of the operation's areas: the target area (blue), the buffer around it (orange), where displacement is measured, and the comparison area (green), which the operation does not police. The table below describes each.`,
          data.areaMap,
        )
      : null,
    evaluationRows: evaluation.categories.map((c) => ({
      ...c,
      name: c.category === ALL_CRIME ? "All crime (not anti-social behaviour)" : c.category,
      reading: ASSESSMENTS[c.assessment] ?? c.assessment,
    })),
    map: mapView(data, layer),
    layerOptions: data.layers.map((l) => ({ value: l.key, text: `${l.title} (${l.source === "police-uk" ? "police.uk" : "openbeat"})`, selected: l.key === chosen.layer })),
    policeTrend: policeTrend(data, chosen.crime),
    reportTrend: reportTrend(data, chosen.report),
    activity: activityView(data),
  };
}
