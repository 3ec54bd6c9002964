// Open data: the dashboard's figures as CSV and GeoJSON, written from the same snapshot with the
// same formatters as the page, so every figure in a download is a figure on the page. Withheld
// figures are left out, never written as zero; the police.uk attribution travels with the data.
import { cellToBoundary } from "h3-js";
import { ALL_CRIME } from "../../domain/police-uk.ts";
import { ASSESSMENTS, format } from "./present.ts";
import type { DashboardData } from "./dashboard.service.ts";

const CSV_HEADER = ["section", "figure", "area", "category", "period", "cell", "value"] as const;
type Row = [string, string, string, string, string, string, string | number];

function csvField(value: string | number): string {
  if (typeof value === "number") return String(value);
  // A spreadsheet would run text starting with these as a formula.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function period(months: string[]): string {
  return months.length ? `${months[0]}/${months.at(-1)}` : "";
}

/** Every figure of the dashboard as rows of the CSV, in the page's order. */
export function* csvRows(data: DashboardData): Generator<Row> {
  const about = (figure: string, value: string | number): Row => ["about", figure, "", "", "", "", value];
  yield about("operation", data.operation.name);
  yield about("address", `/operations/${data.operation.slug}`);
  yield about("started", data.operation.startsOn);
  if (data.operation.endsOn) yield about("ended", data.operation.endsOn);
  yield about("police.uk data as of", data.dataAsOf.policeUk ?? "");
  yield about("residents' reports as of", data.dataAsOf.reports);
  yield about("police activity to the week starting", data.dataAsOf.activity ?? "");
  yield about("figures worked out on", data.computedOn);
  yield about("attribution", data.attribution);
  yield about("withheld figures", data.rules.withheld);

  for (const area of data.areas) yield ["area", "police.uk snap points", area.role, area.name, "", "", area.snapPoints];

  const evaluation = data.evaluation;
  yield ["evaluation", "verdict", "", "", "", "", evaluation.verdict];
  for (const warning of evaluation.warnings) yield ["evaluation", "warning", "", "", "", "", warning];
  const before = period([evaluation.periods.before.from, evaluation.periods.before.to].filter((m): m is string => Boolean(m)));
  const after = period([evaluation.periods.after.from, evaluation.periods.after.to].filter((m): m is string => Boolean(m)));
  for (const c of evaluation.categories) {
    const name = c.category === ALL_CRIME ? "All crime (not anti-social behaviour)" : c.category;
    // A period with no police.uk data has no count (never 0), and then there is no odds ratio.
    for (const role of ["target", "buffer", "comparison"] as const) {
      const counts = c.counts[role];
      if (counts.before !== null) yield ["evaluation", "count", role, name, before, "", counts.before];
      if (counts.after !== null) yield ["evaluation", "count", role, name, after, "", counts.after];
    }
    if (!c.oddsRatio) continue;
    yield ["evaluation", "odds ratio", "", name, "", "", format.statistic(c.oddsRatio.value)];
    yield ["evaluation", "95% interval, low (allowing for month-to-month variation)", "", name, "", "", format.statistic(c.oddsRatio.ci95Adjusted[0])];
    yield ["evaluation", "95% interval, high (allowing for month-to-month variation)", "", name, "", "", format.statistic(c.oddsRatio.ci95Adjusted[1])];
    yield ["evaluation", "reading", "", name, "", "", ASSESSMENTS[c.assessment] ?? c.assessment];
  }

  const activity = data.activity;
  if (activity.sinceStart.from && activity.sinceStart.to) {
    const since = `${activity.sinceStart.from}/${activity.sinceStart.to}`;
    yield ["patrol hours", "planned", "operation", "", since, "", format.hours(activity.sinceStart.planned)];
    yield ["patrol hours", "delivered", "operation", "", since, "", format.hours(activity.sinceStart.delivered)];
  }
  for (const week of activity.weeks) {
    yield ["patrol hours", "planned", "operation", "", week.weekStart, "", format.hours(week.planned)];
    yield ["patrol hours", "delivered", "operation", "", week.weekStart, "", format.hours(week.delivered)];
  }
  for (const q of activity.quarters) {
    yield ["enforcement", "against buyers (kerb crawlers)", "operation", "", q.quarter, "", q.enforcement.buyer];
    yield ["enforcement", "against drug dealers", "operation", "", q.quarter, "", q.enforcement.dealer];
    yield ["enforcement", "against others", "operation", "", q.quarter, "", q.enforcement.other];
    yield ["enforcement", "total (not against people selling sex)", "operation", "", q.quarter, "", q.enforcementTotal];
    const apart: Array<[string, number | null]> = [
      ["enforcement against people selling sex (reported apart, never counted as success)", q.againstSellers],
      ["engagements", q.engagements],
      ["referrals to support offered", q.referralsOffered],
      ["referrals to support accepted", q.referralsAccepted],
    ];
    for (const [figure, value] of apart) if (value !== null) yield ["quarterly totals", figure, "operation", "", q.quarter, "", value];
  }

  const outcomes = data.reportOutcomes;
  const received = period([outcomes.from, outcomes.to].filter((m): m is string => Boolean(m)));
  yield ["residents' reports", "received", "operation", "", received, "", outcomes.received];
  if (outcomes.closed !== null) yield ["residents' reports", "closed", "operation", "", received, "", outcomes.closed];
  if (outcomes.open !== null) yield ["residents' reports", "still open", "operation", "", received, "", outcomes.open];
  for (const o of outcomes.outcomes) if (o.count !== null) yield ["residents' reports", "closed with this outcome", "operation", o.label, received, "", o.count];
  if (outcomes.medianDaysToClose !== null) yield ["residents' reports", "median days to close", "operation", "", received, "", outcomes.medianDaysToClose];

  const crimes = data.crimeOutcomes;
  for (const g of crimes.groups) {
    yield ["recorded crime outcomes", "crimes", "target", g.name, before, "", g.before];
    yield ["recorded crime outcomes", "crimes", "target", g.name, after, "", g.after];
  }
  for (const o of crimes.outcomes) {
    yield ["recorded crime outcomes", "latest outcome", "target", o.outcome, before, "", o.before];
    yield ["recorded crime outcomes", "latest outcome", "target", o.outcome, after, "", o.after];
  }

  const police = data.trends.police;
  for (const series of police.series) {
    for (const [i, month] of police.months.entries()) {
      const value = series.values[i];
      if (value !== null && value !== undefined) yield ["trend", "police.uk count", "target", series.name, month, "", value];
    }
  }
  const reports = data.trends.reports;
  for (const [i, month] of reports.months.entries()) {
    const total = reports.totals[i];
    if (total !== null && total !== undefined) yield ["trend", "residents' reports", "operation", "All reports (not sex-work activity seen)", month, "", total];
    for (const series of reports.series) {
      const value = series.values[i];
      if (value !== null && value !== undefined) yield ["trend", "residents' reports", "operation", series.name, month, "", value];
    }
  }
  const sensitive = data.trends.sensitive;
  for (const series of sensitive.series) {
    for (const [i, quarter] of sensitive.quarters.entries()) {
      const value = series.values[i];
      if (value !== null && value !== undefined) yield ["quarterly totals", "residents' reports", "operation", series.name, quarter.quarter, "", value];
    }
  }

  for (const layer of data.layers) {
    for (const [i, cell] of data.map.cells.entries()) {
      const figures = layer.cells[i]!;
      for (const [j, month] of layer.months.entries()) {
        const value = figures.months[j];
        if (value !== null && value !== undefined) yield ["map", layer.title, "", "", month, cell.cell, value];
      }
      if (figures.total !== null) yield ["map", layer.title, "", "", period(layer.months), cell.cell, figures.total];
      const hotspot = layer.hotspots?.[i];
      if (hotspot) {
        if (hotspot.z !== null) yield ["hotspots", "Gi* z-score", "", layer.title, period(layer.months), cell.cell, hotspot.z];
        if (hotspot.q !== null) yield ["hotspots", "q-value (false discovery rate)", "", layer.title, period(layer.months), cell.cell, hotspot.q];
        yield ["hotspots", "hotspot", "", layer.title, period(layer.months), cell.cell, hotspot.kind];
      }
    }
  }

  for (const update of data.updates) yield ["public update", update.title, "operation", "", update.date, "", update.body];

  if (data.budget) {
    const budget = data.budget;
    yield ["budget", "allocated", "operation", "", budget.asOf, "", format.pounds(budget.allocatedPence)];
    yield ["budget", "officer hours, costed", "operation", "", budget.asOf, "", format.pounds(budget.costedHoursPence)];
    yield ["budget", "other spend", "operation", "", budget.asOf, "", format.pounds(budget.otherSpendPence)];
    yield ["budget", "spent", "operation", "", budget.asOf, "", format.pounds(budget.spentPence)];
    yield ["budget", "remaining", "operation", "", budget.asOf, "", format.pounds(budget.remainingPence)];
  }
}

/** The CSV, a line at a time. */
export function* csvLines(data: DashboardData): Generator<string> {
  yield `${CSV_HEADER.join(",")}\r\n`;
  for (const row of csvRows(data)) yield `${row.map(csvField).join(",")}\r\n`;
}

/** The GeoJSON: the areas and every map cell with its published figures, written a feature at a time. */
export function* geojsonChunks(data: DashboardData): Generator<string> {
  yield `{"type":"FeatureCollection","name":${JSON.stringify(data.operation.name)},"attribution":${JSON.stringify(data.attribution)},"withheld":${JSON.stringify(data.rules.withheld)},"dataAsOf":${JSON.stringify(data.dataAsOf)},"features":[`;
  let first = true;
  const feature = (value: unknown) => {
    const text = `${first ? "" : ","}\n${JSON.stringify(value)}`;
    first = false;
    return text;
  };
  for (const area of data.areas) {
    yield feature({ type: "Feature", properties: { kind: "area", role: area.role, name: area.name, policeUkSnapPoints: area.snapPoints }, geometry: area.geometry });
  }
  for (const [i, cell] of data.map.cells.entries()) {
    const ring = cellToBoundary(cell.cell, true).map(([longitude, latitude]) => [Number(longitude!.toFixed(6)), Number(latitude!.toFixed(6))]);
    const layers = Object.fromEntries(
      data.layers.map((layer) => {
        const figures = layer.cells[i]!;
        const months = Object.fromEntries(layer.months.flatMap((month, j) => (figures.months[j] === null || figures.months[j] === undefined ? [] : [[month, figures.months[j]]])));
        return [layer.key, { title: layer.title, period: period(layer.months), ...(figures.total === null ? {} : { total: figures.total }), months, ...(layer.hotspots ? { hotspot: layer.hotspots[i] } : {}) }];
      }),
    );
    yield feature({ type: "Feature", properties: { kind: "cell", cell: cell.cell, number: cell.label, place: cell.place, layers }, geometry: { type: "Polygon", coordinates: [ring] } });
  }
  yield "\n]}\n";
}
