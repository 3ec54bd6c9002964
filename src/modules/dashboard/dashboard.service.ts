// The public dashboard of a published operation: what the police did, what changed, and how sure
// anyone can be, with nothing that locates a person. Its figures are worked out once into a
// snapshot (the evaluation's own figures, the maps over H3 cells, the trends, the activity
// against plan) and worked out again only when something they come from changes, so a visit
// costs a row read and a render whatever the size of the police.uk tables.
//
// Privacy (PRODUCT.md, principle 3): maps count whole months over resolution-8 cells, suppress
// cell-months under k with complementary suppression (privacy.ts), and place residents' reports
// only by the rule Open311 and the feeds share (public-reports.ts); sensitive categories,
// engagements, referrals and enforcement against people selling sex appear only as
// operation-level quarterly totals, withheld under k. Nothing here carries a point, a time of
// day, a registration or a resident's words.
import { publicCell, K_POLICE_UK, K_REPORTS, lastCompleteMonth, monthOf, publishableTotal, suppress } from "../../domain/privacy.ts";
import { cellToBoundary, cellToLatLng } from "h3-js";
import { hotspots, type HotspotKind } from "../../domain/hotspots.ts";
import { addMonths, monthRange } from "../../domain/evaluation.ts";
import { ALL_CRIME, ANTI_SOCIAL_BEHAVIOUR, OUTCOME_GROUP_NAMES, type OutcomeGroup } from "../../domain/police-uk.ts";
import { OUTCOMES } from "../../domain/reports.ts";
import { addDays, londonDate, mondayOf } from "../../domain/forecasting.ts";
import { plannedHoursFor } from "../../domain/planning.ts";
import { utcToLondonParts } from "../../domain/time.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { errors } from "../../http/errors.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import type { Evaluation, EvaluationService } from "../evaluation/evaluation.service.ts";
import type { PlannerService } from "../planner/planner.service.ts";
import { POLICE_UK_ATTRIBUTION } from "../imports/police-uk.data.ts";
import { cellsOverlapping, projectMap, type MapGeometry } from "./maps.ts";
import type { DashboardOperation, DashboardRepository } from "./dashboard.repository.ts";

/** Bumped when the snapshot's shape changes, so an older snapshot is never read as a newer one. */
const SNAPSHOT_FORMAT = 1;
/** Months on the map: the last twelve with data. */
const MAP_MONTHS = 12;
/** A study area bigger than this is not drawn cell by cell (it would not be a neighbourhood). */
const MAX_MAP_CELLS = 1500;
const UPDATES_SHOWN = 20;
/** Operations whose parsed snapshot is kept in memory. */
const REMEMBERED = 50;
/** Weeks of patrol hours shown one by one; the rest are in the totals since the start. */
const WEEKS_SHOWN = 13;

export type LayerKey = "crime" | "anti-social-behaviour" | "reports";

export interface MapLayer {
  key: LayerKey;
  title: string;
  source: "police-uk" | "reports";
  k: number;
  /** The months counted, oldest first ('YYYY-MM'). */
  months: string[];
  /**
   * One per map cell, in the order of `DashboardData.map.cells`: each month's count (null:
   * withheld) and the total over the months (null: withheld). Totals are given per cell only,
   * never per month or for the whole map: a second set of totals across the first would let a
   * withheld figure be worked out from the difference.
   */
  cells: Array<{ months: Array<number | null>; total: number | null }>;
  /** How many cell-months are withheld. */
  withheld: number;
  /** Gi* per cell with the false discovery rate correction (police.uk layers only). */
  hotspots: Array<{ z: number | null; q: number | null; kind: HotspotKind }> | null;
}

export interface TrendSeries {
  key: string;
  name: string;
  policeGenerated?: boolean;
  /** One per month of the trend; null where there is no data (police.uk) or the figure is withheld (reports). */
  values: Array<number | null>;
}

export interface ActivityQuarter {
  quarter: string;
  label: string;
  enforcement: Record<"buyer" | "dealer" | "other", number>;
  /** Enforcement against buyers, dealers and others: never the action against people selling sex. */
  enforcementTotal: number;
  /** Reported apart and never counted as success; withheld (null) under k. */
  againstSellers: number | null;
  engagements: number | null;
  referralsOffered: number | null;
  referralsAccepted: number | null;
}

export interface DashboardData {
  format: number;
  computedOn: string;
  operation: { id: number; slug: string; name: string; summary: string; objectives: string[]; startsOn: string; endsOn: string | null; status: string; isDemo: boolean; published: boolean };
  dataAsOf: { policeUk: string | null; reports: string; activity: string | null; updates: string | null };
  areas: Array<{ role: string; name: string; definition: string; lsoaCodes?: string[]; ringMetres?: number; snapPoints: number; geometry: Polygonal }>;
  areaMap: MapGeometry;
  map: { cells: Array<{ cell: string; label: number; place: string | null }>; geometry: MapGeometry; tooLarge: boolean };
  layers: MapLayer[];
  trends: {
    police: { months: string[]; noData: string[]; transition: string | null; startMonth: string; series: TrendSeries[] };
    reports: { months: string[]; series: TrendSeries[]; totals: Array<number | null>; withheld: number };
    sensitive: { quarters: Array<{ quarter: string; label: string }>; series: TrendSeries[] };
  };
  activity: {
    /** The last complete weeks (the public sees only the past). */
    weeks: Array<{ weekStart: string; planned: number; delivered: number }>;
    /** Every complete week since the start. */
    sinceStart: { weeks: number; planned: number; delivered: number; from: string | null; to: string | null };
    quarters: ActivityQuarter[];
    since: { patrolHours: number | null; enforcementActions: number | null; from: string | null; to: string | null };
  };
  reportOutcomes: { from: string | null; to: string; received: number; closed: number; open: number; outcomes: Array<{ code: string; label: string; count: number }>; medianDaysToClose: number | null };
  crimeOutcomes: {
    reading: string;
    groups: Array<{ group: OutcomeGroup; name: string; before: number; after: number }>;
    outcomes: Array<{ outcome: string; before: number; after: number }>;
    crimes: { before: number; after: number };
  };
  evaluation: {
    verdict: string;
    warnings: string[];
    periods: Evaluation["periods"];
    design: { version: number; recordedOn: string; versions: Array<{ version: number; recordedOn: string; reason: string; afterStart: boolean }> };
    categories: Array<{
      category: string;
      policeGenerated: boolean;
      counts: Evaluation["sources"][0]["categories"][number]["counts"];
      oddsRatio: { value: number; ci95: [number, number]; ci95Adjusted: [number, number]; overdispersion: number; zeroCorrected: boolean };
      assessment: string;
      summary: string;
      wdq: { value: number | null; meaningful: boolean; reading: string };
      totalNetEffect: number | null;
    }>;
    methodology: string[];
  };
  updates: Array<{ id: number; title: string; body: string; date: string }>;
  budget: { allocatedPence: number; costedHoursPence: number; otherSpendPence: number; spentPence: number; remainingPence: number; overspent: boolean; deliveredHours: number; asOf: string } | null;
  attribution: string;
}

export interface PublishedOperation {
  name: string;
  slug: string;
  summary: string;
  startsOn: string;
  endsOn: string | null;
  status: string;
  isDemo: boolean;
}

const QUARTER_NAMES = ["January to March", "April to June", "July to September", "October to December"];

export function quarterOf(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  return `${year}-Q${Math.floor((number - 1) / 3) + 1}`;
}

function quarterMonths(quarter: string): string[] {
  const [year, q] = [Number(quarter.slice(0, 4)), Number(quarter.slice(6))];
  const first = `${year}-${String((q - 1) * 3 + 1).padStart(2, "0")}`;
  return [first, addMonths(first, 1), addMonths(first, 2)];
}

function quarterLabel(quarter: string): string {
  return `${QUARTER_NAMES[Number(quarter.slice(6)) - 1]} ${quarter.slice(0, 4)}`;
}

/** Complete quarters from the one holding `fromMonth` to the last that is over by `lastMonth`. */
function completeQuarters(fromMonth: string, lastMonth: string): string[] {
  const quarters: string[] = [];
  for (let quarter = quarterOf(fromMonth); quarterMonths(quarter)[2]! <= lastMonth; quarter = quarterOf(addMonths(quarterMonths(quarter)[2]!, 1))) quarters.push(quarter);
  return quarters;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "On or near Ambleside Drive" → "Ambleside Drive". */
function placeName(location: string): string {
  return location.replace(/^on or near\s+/i, "").trim();
}

/** police.uk names some points after what is there ("Parking Area"): a street name tells a resident more. */
const STREET = /\b(road|drive|street|avenue|lane|way|close|crescent|terrace|gardens|grove|place|hill|parade|walk|court|rise|view|square|mews|row|green|chase|broadway|boulevard)$/i;

export class DashboardService {
  /** Rebuilds in progress in this process, so simultaneous visits share one. */
  private readonly building = new Map<string, Promise<{ freshness: string; data: DashboardData }>>();
  /** The snapshots last read, parsed, by operation: a visit checks their freshness and reads nothing more. */
  private readonly remembered = new Map<number, { freshness: string; data: DashboardData }>();

  constructor(
    private readonly repository: DashboardRepository,
    private readonly evaluation: EvaluationService,
    private readonly planner: PlannerService,
    private readonly categories: CategoriesService,
  ) {}

  async publishedOperations(): Promise<PublishedOperation[]> {
    return (await this.repository.publishedOperations()).map((o) => ({
      name: o.name,
      slug: o.slug,
      summary: o.summary,
      startsOn: o.startsOn,
      endsOn: o.endsOn,
      status: o.status,
      isDemo: Boolean(o.isDemo),
    }));
  }

  /** A published operation by its address; unpublished ones only when `includeUnpublished` (staff previewing). */
  async operation(slug: string, includeUnpublished = false): Promise<DashboardOperation> {
    const operation = /^[a-z0-9-]{1,80}$/.test(slug) ? await this.repository.operationBySlug(slug) : undefined;
    if (!operation || (!operation.published && !includeUnpublished)) throw errors.notFound("operation");
    return operation;
  }

  async operationById(id: number): Promise<DashboardOperation> {
    const operation = Number.isSafeInteger(id) && id > 0 ? await this.repository.operationById(id) : undefined;
    if (!operation) throw errors.notFound("operation");
    return operation;
  }

  /**
   * The operation's figures and the state of their inputs they reflect: the last ones read when
   * nothing has changed since (one small query), else the stored snapshot, else worked out again now.
   */
  async current(operation: DashboardOperation, now: Date = new Date()): Promise<{ freshness: string; data: DashboardData }> {
    // What the figures depend on that can change: the day (complete months, weeks and quarters
    // move on), the operation's own row, and the versions and counts of everything else.
    const freshness = `${SNAPSHOT_FORMAT}|${operation.id}|${now.toISOString().slice(0, 10)}|${londonDate(now)}|${operation.updatedAt}|${await this.repository.inputs(operation.id)}`;
    const remembered = this.remembered.get(operation.id);
    if (remembered?.freshness === freshness) return remembered;
    const stored = await this.repository.snapshot(operation.id);
    if (stored?.freshness === freshness) return this.remember(operation.id, { freshness, data: JSON.parse(stored.data) as DashboardData });
    let pending = this.building.get(freshness);
    if (!pending) {
      pending = this.build(operation, now)
        .then(async (data) => {
          await this.repository.saveSnapshot({ operationId: operation.id, freshness, data: JSON.stringify(data), computedAt: now.toISOString() });
          return this.remember(operation.id, { freshness, data });
        })
        .finally(() => this.building.delete(freshness));
      this.building.set(freshness, pending);
    }
    return pending;
  }

  async data(operation: DashboardOperation, now: Date = new Date()): Promise<DashboardData> {
    return (await this.current(operation, now)).data;
  }

  private remember(operationId: number, snapshot: { freshness: string; data: DashboardData }) {
    this.remembered.delete(operationId);
    this.remembered.set(operationId, snapshot);
    if (this.remembered.size > REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    return snapshot;
  }

  async settings(operationId: number): Promise<{ publishBudget: boolean }> {
    return { publishBudget: (await this.repository.settings(operationId))?.publishBudget ?? false };
  }

  async saveSettings(operationId: number, publishBudget: boolean, userId: number, now: Date = new Date()): Promise<void> {
    await this.operationById(operationId);
    await this.repository.saveSettings(operationId, publishBudget, userId, now.toISOString());
  }

  /** Works out every figure of the dashboard. Work in proportion to the operation, never to police_crimes. */
  async build(operation: DashboardOperation, now: Date = new Date()): Promise<DashboardData> {
    const evaluation = await this.evaluation.evaluate(operation.id);
    const [police, residents] = evaluation.sources;
    const categories = await this.categories.list();
    const lastComplete = lastCompleteMonth(now);

    const areas = evaluation.areas.map((feature) => ({ ...feature.properties, geometry: feature.geometry }));
    const region = await this.region(operation.id, areas);
    const policeMonths = await this.policeMonths(police.forces, police.dataAsOf);
    const layers = [...(await this.policeLayers(region, policeMonths.slice(-MAP_MONTHS))), await this.reportsLayer(region.cells, monthRange(addMonths(lastComplete, -(MAP_MONTHS - 1)), lastComplete), now)];

    const { weeks, sinceStart } = await this.patrolHours(operation, now);
    const settings = await this.repository.settings(operation.id);
    const updates = await this.repository.updatesOf(operation.id, UPDATES_SHOWN);
    const londonDay = (iso: string) => {
      const parts = utcToLondonParts(iso);
      return `${parts.year}-${String(parts.month).padStart(2, "0")}-${String(parts.day).padStart(2, "0")}`;
    };

    return {
      format: SNAPSHOT_FORMAT,
      computedOn: londonDate(now),
      operation: {
        id: operation.id,
        slug: operation.slug,
        name: operation.name,
        summary: operation.summary,
        objectives: JSON.parse(operation.objectives || "[]") as string[],
        startsOn: operation.startsOn,
        endsOn: operation.endsOn,
        status: operation.status,
        isDemo: Boolean(operation.isDemo),
        published: Boolean(operation.published),
      },
      dataAsOf: {
        policeUk: police.dataAsOf,
        reports: lastComplete,
        activity: weeks.length ? weeks.at(-1)!.weekStart : null,
        updates: updates[0] ? londonDay(updates[0].publishedAt) : null,
      },
      areas,
      areaMap: projectMap([], areas),
      map: {
        cells: region.cells.map((cell, i) => ({ cell, label: i + 1, place: region.places.get(cell) ?? null })),
        geometry: projectMap(region.cells, areas.filter((a) => a.role !== "comparison")),
        tooLarge: region.tooLarge,
      },
      layers,
      trends: {
        police: this.policeTrends(evaluation),
        ...this.reportTrends(residents, categories, lastComplete),
      },
      activity: {
        weeks,
        sinceStart,
        quarters: await this.activityQuarters(operation, lastComplete),
        since: {
          patrolHours: evaluation.policeActivity.after.patrolHours,
          enforcementActions: evaluation.policeActivity.after.enforcementActions,
          from: evaluation.periods.after.from,
          to: evaluation.periods.after.to,
        },
      },
      reportOutcomes: await this.reportOutcomes(operation.id, categories, lastComplete),
      crimeOutcomes: this.crimeOutcomes(police.outcomes),
      evaluation: {
        verdict: evaluation.verdict,
        warnings: evaluation.warnings,
        periods: evaluation.periods,
        design: {
          version: evaluation.design.version,
          recordedOn: evaluation.design.recordedAt.slice(0, 10),
          versions: evaluation.design.versions.map((v) => ({ version: v.version, recordedOn: v.recordedAt.slice(0, 10), reason: v.reason, afterStart: v.afterStart })),
        },
        categories: police.categories.map((c) => ({
          category: c.category,
          policeGenerated: c.policeGenerated,
          counts: c.counts,
          oddsRatio: { value: c.oddsRatio.value, ci95: c.oddsRatio.ci95, ci95Adjusted: c.oddsRatio.ci95Adjusted, overdispersion: c.oddsRatio.overdispersion, zeroCorrected: c.oddsRatio.zeroCorrected },
          assessment: c.assessment,
          summary: c.summary,
          wdq: c.wdq,
          totalNetEffect: c.totalNetEffect,
        })),
        methodology: evaluation.methodology,
      },
      updates: updates.map((u) => ({ id: u.id, title: u.title, body: u.body, date: londonDay(u.publishedAt) })),
      budget: settings?.publishBudget ? await this.budget(operation.id, now) : null,
      attribution: POLICE_UK_ATTRIBUTION,
    };
  }

  /**
   * The study area of the maps and hotspots: every public cell that overlaps the target or the
   * buffer, or holds one of their snap points, with zero-count cells included. Numbered from the
   * north-west, each named after the street most of its police.uk points are on.
   */
  private async region(operationId: number, areas: DashboardData["areas"]) {
    const cells = new Set<string>();
    for (const area of areas.filter((a) => a.role === "target" || a.role === "buffer")) for (const cell of cellsOverlapping(area.geometry)) cells.add(cell);
    for (const stored of await this.repository.memberCells(operationId)) cells.add(publicCell(stored));
    if (cells.size > MAX_MAP_CELLS) return { cells: [] as string[], places: new Map<string, string>(), points: new Map<number, string>(), tooLarge: true };
    const ordered = [...cells].sort((a, b) => {
      const [latA, lngA] = cellToLatLng(a);
      const [latB, lngB] = cellToLatLng(b);
      return Math.round((latB - latA) * 200) || lngA - lngB;
    });
    const points = new Map<number, string>();
    const names = new Map<string, Map<string, number>>();
    if (ordered.length) {
      const corners = ordered.flatMap((cell) => cellToBoundary(cell));
      const box: [number, number, number, number] = [
        Math.min(...corners.map((c) => c[1])),
        Math.min(...corners.map((c) => c[0])),
        Math.max(...corners.map((c) => c[1])),
        Math.max(...corners.map((c) => c[0])),
      ];
      for (const point of await this.repository.pointsInBox(box)) {
        const cell = publicCell(point.h3Cell);
        if (!cells.has(cell)) continue;
        points.set(point.id, cell);
        const counts = names.get(cell) ?? new Map<string, number>();
        const name = placeName(point.location);
        if (name && !/^no location$/i.test(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
        names.set(cell, counts);
      }
    }
    const places = new Map<string, string>();
    for (const [cell, counts] of names) {
      const street = (name: string) => (STREET.test(name) ? 1 : 0);
      const best = [...counts.entries()].sort((a, b) => street(b[0]) - street(a[0]) || b[1] - a[1] || a[0].localeCompare(b[0]))[0];
      if (best) places.set(cell, best[0]);
    }
    return { cells: ordered, places, points, tooLarge: false };
  }

  /** The police.uk months held for every force the operation's rows come from, up to the evaluation's "data as of". */
  private async policeMonths(forces: string[], dataAsOf: string | null): Promise<string[]> {
    if (!dataAsOf) return [];
    const held = new Map<string, Set<string>>();
    for (const row of await this.repository.heldMonths()) {
      if (!held.has(row.fallsWithin)) held.set(row.fallsWithin, new Set());
      held.get(row.fallsWithin)!.add(row.month);
    }
    const relevant = forces.length ? forces : [...held.keys()];
    const months = [...new Set(relevant.flatMap((force) => [...(held.get(force) ?? [])]))];
    return months.filter((m) => m <= dataAsOf && relevant.every((force) => held.get(force)?.has(m))).sort();
  }

  /** Recorded crime and anti-social behaviour per cell-month (k = 3), with hotspots over the months' totals. */
  private async policeLayers(region: { cells: string[]; points: Map<number, string> }, months: string[]): Promise<MapLayer[]> {
    const counts = { crime: new Map<string, Map<string, number>>(), asb: new Map<string, Map<string, number>>() };
    for (const row of await this.repository.crimeCounts([...region.points.keys()], months)) {
      const cell = region.points.get(row.snapPointId)!;
      const table = row.crimeType === ANTI_SOCIAL_BEHAVIOUR ? counts.asb : counts.crime;
      const line = table.get(row.month) ?? new Map<string, number>();
      line.set(cell, (line.get(cell) ?? 0) + row.count);
      table.set(row.month, line);
    }
    const layer = (key: LayerKey, title: string, table: Map<string, Map<string, number>>): MapLayer => {
      const result = suppress({ rows: months, columns: region.cells, counts: table }, K_POLICE_UK);
      const totals = region.cells.map((cell) => months.reduce((sum, month) => sum + (table.get(month)?.get(cell) ?? 0), 0));
      const found = region.cells.length && months.length ? hotspots(region.cells, totals) : null;
      const cells = region.cells.map((cell) => ({ months: months.map((month) => result.cells.get(month)!.get(cell)!), total: result.columnTotals.get(cell)! }));
      // Each z-score depends on every count: with one total withheld, the others would let it be
      // worked out again. Then only which cells are hot or cold is said.
      const exact = cells.every((c) => c.total !== null);
      return {
        key,
        title,
        source: "police-uk",
        k: K_POLICE_UK,
        months,
        cells,
        withheld: result.suppressedCount,
        hotspots: found && found.map((h) => ({ z: exact && h.z !== null ? Math.round(h.z * 100) / 100 : null, q: exact && h.q !== null ? Number(h.q.toPrecision(3)) : null, kind: h.kind })),
      };
    };
    return [layer("crime", "Recorded crime", counts.crime), layer("anti-social-behaviour", "Anti-social behaviour", counts.asb)];
  }

  /**
   * Residents' reports per cell-month, by the rule every public output shares: the month they
   * were received, categories that may be placed, and a cell-month shown only when that rule
   * publishes it. A cell-month with no report shows 0; one the rule withholds shows nothing.
   */
  private async reportsLayer(cells: string[], months: string[], now: Date): Promise<MapLayer> {
    const inRegion = new Set(cells);
    const [first, last] = [months[0]!, months.at(-1)!];
    const raw = new Map<string, number>();
    const start = `${first}-01T00:00:00.000Z`;
    const end = new Date(Date.UTC(Number(last.slice(0, 4)), Number(last.slice(5, 7)), 1)).toISOString();
    for (const report of await this.repository.reportCells(start, end)) {
      const cell = publicCell(report.h3Cell!);
      if (!inRegion.has(cell)) continue;
      const key = `${monthOf(report.createdAt)}|${cell}`;
      raw.set(key, (raw.get(key) ?? 0) + 1);
    }
    const published = await this.repository.publishedReportCellMonths(months, now);
    const values = new Map(published.entries().map((entry) => [`${entry.month}|${entry.cell}`, entry.count]));
    let withheld = 0;
    const layerCells = cells.map((cell) => {
      const perMonth = months.map((month) => {
        const key = `${month}|${cell}`;
        if (values.has(key)) return values.get(key)!;
        if (!raw.get(key)) return 0;
        withheld++;
        return null;
      });
      return { months: perMonth, total: perMonth.includes(null) ? null : perMonth.reduce<number>((sum, n) => sum + (n ?? 0), 0) };
    });
    return { key: "reports", title: "Residents' reports", source: "reports", k: K_REPORTS, months, cells: layerCells, withheld, hotspots: null };
  }

  /** The evaluation's monthly police.uk counts in the target area, with months not held (or the start month) as gaps. */
  private policeTrends(evaluation: Evaluation): DashboardData["trends"]["police"] {
    const { before, after, transition } = evaluation.periods;
    const police = evaluation.sources[0];
    const lastMonth = after.designed.to ?? police.dataAsOf ?? after.to ?? after.designed.from;
    const months = lastMonth >= before.designed.from ? monthRange(before.designed.from, lastMonth) : [];
    const series = police.categories.map((category) => {
      const byMonth = new Map(category.monthly.map((row) => [row.month, row.target]));
      return { key: category.category, name: category.category === ALL_CRIME ? "All crime (not anti-social behaviour)" : category.category, policeGenerated: category.policeGenerated, values: months.map((m) => byMonth.get(m) ?? null) };
    });
    const withData = new Set(police.categories[0]?.monthly.map((row) => row.month) ?? []);
    return { months, noData: months.filter((m) => !withData.has(m) && m !== transition), transition, startMonth: evaluation.operation.startsOn.slice(0, 7), series };
  }

  /**
   * Residents' reports by the month they say it happened (the evaluation's trend), complete
   * months only: categories that may be shown month by month, suppressed under k with
   * complementary suppression; sensitive categories only as quarterly totals, withheld under k.
   */
  private reportTrends(residents: Evaluation["sources"][1], categories: Array<{ code: string; name: string; sensitive: boolean }>, lastComplete: string) {
    const monthly = new Map(residents.categories.map((c) => [c.category, c.monthly]));
    const months = [...new Set(residents.categories.flatMap((c) => Object.keys(c.monthly)))].filter((m) => m <= lastComplete).sort();
    const open = categories.filter((c) => !c.sensitive);
    const counts = new Map(months.map((month) => [month, new Map(open.map((c) => [c.code, monthly.get(c.code)?.[month] ?? 0]))]));
    const result = suppress({ rows: months, columns: open.map((c) => c.code), counts }, K_REPORTS);
    const quarters = months.length ? completeQuarters(months[0]!, lastComplete).filter((q) => quarterMonths(q).some((m) => months.includes(m))) : [];
    const sensitive = categories.filter((c) => c.sensitive);
    return {
      reports: {
        months,
        series: open.map((c) => ({ key: c.code, name: c.name, values: months.map((m) => result.cells.get(m)!.get(c.code)!) })),
        totals: months.map((m) => result.rowTotals.get(m)!),
        withheld: result.suppressedCount,
      },
      sensitive: {
        quarters: quarters.map((quarter) => ({ quarter, label: quarterLabel(quarter) })),
        series: sensitive.map((c) => ({
          key: c.code,
          name: c.name,
          values: quarters.map((q) => publishableTotal(quarterMonths(q).reduce((sum, m) => sum + (monthly.get(c.code)?.[m] ?? 0), 0), K_REPORTS)),
        })),
      },
    };
  }

  /**
   * Patrol hours planned and delivered in complete weeks (Monday to Sunday, UK time), as the
   * planner counts them: each of the last weeks, and every week since the start in total.
   */
  private async patrolHours(operation: DashboardOperation, now: Date): Promise<Pick<DashboardData["activity"], "weeks" | "sinceStart">> {
    const lastComplete = addDays(mondayOf(londonDate(now)), -7);
    const first = mondayOf(operation.startsOn);
    const last = operation.endsOn && mondayOf(operation.endsOn) < lastComplete ? mondayOf(operation.endsOn) : lastComplete;
    const all: string[] = [];
    for (let week = first; week <= last; week = addDays(week, 7)) all.push(week);
    if (all.length === 0) return { weeks: [], sinceStart: { weeks: 0, planned: 0, delivered: 0, from: null, to: null } };
    const weeks = [];
    for (const week of all.slice(-WEEKS_SHOWN)) {
      weeks.push({ weekStart: week, planned: plannedHoursFor(operation, week), delivered: await this.planner.hoursDelivered(operation.id, week, addDays(week, 6)) });
    }
    return {
      weeks,
      sinceStart: {
        weeks: all.length,
        planned: all.reduce((sum, week) => sum + plannedHoursFor(operation, week), 0),
        delivered: await this.planner.hoursDelivered(operation.id, first, addDays(last, 6)),
        from: first,
        to: addDays(last, 6),
      },
    };
  }

  /** Enforcement by whom it targeted, engagements and referrals, per complete quarter since the start. */
  private async activityQuarters(operation: DashboardOperation, lastComplete: string): Promise<ActivityQuarter[]> {
    const quarters = completeQuarters(operation.startsOn.slice(0, 7), lastComplete);
    if (quarters.length === 0) return [];
    const [enforcement, engagements] = await Promise.all([this.repository.enforcementOf(operation.id), this.repository.engagementsOf(operation.id)]);
    return quarters.map((quarter) => {
      const inQuarter = <T extends { occurredAt: string }>(rows: T[]) => rows.filter((row) => quarterOf(monthOf(row.occurredAt)) === quarter);
      const actions = inQuarter(enforcement);
      const met = inQuarter(engagements);
      const count = (group: string) => actions.filter((a) => a.targetGroup === group).length;
      const byGroup = { buyer: count("buyer"), dealer: count("dealer"), other: count("other") };
      return {
        quarter,
        label: quarterLabel(quarter),
        enforcement: byGroup,
        enforcementTotal: byGroup.buyer + byGroup.dealer + byGroup.other,
        againstSellers: publishableTotal(count("seller")),
        engagements: publishableTotal(met.length),
        referralsOffered: publishableTotal(met.filter((e) => Boolean(e.referralOffered)).length),
        referralsAccepted: publishableTotal(met.filter((e) => e.referralResponse === "accepted").length),
      };
    });
  }

  /** Reports received in complete months, in categories that may be shown: how many were closed, how, and how fast. */
  private async reportOutcomes(operationId: number, categories: Array<{ code: string; sensitive: boolean }>, lastComplete: string): Promise<DashboardData["reportOutcomes"]> {
    const sensitive = new Set(categories.filter((c) => c.sensitive).map((c) => c.code));
    const reports = (await this.repository.reportsOf(operationId)).filter((r) => !sensitive.has(r.categoryCode) && monthOf(r.createdAt) <= lastComplete);
    const closed = reports.filter((r) => r.status === "closed" && r.closedAt);
    const days = closed.map((r) => (Date.parse(r.closedAt!) - Date.parse(r.createdAt)) / 86_400_000);
    const middle = median(days);
    return {
      from: reports.length ? reports.map((r) => monthOf(r.createdAt)).sort()[0]! : null,
      to: lastComplete,
      received: reports.length,
      closed: closed.length,
      open: reports.length - closed.length,
      outcomes: Object.entries(OUTCOMES).map(([code, label]) => ({ code, label, count: closed.filter((r) => r.outcome === code).length })),
      medianDaysToClose: middle === null ? null : Math.round(middle * 10) / 10,
    };
  }

  private crimeOutcomes(outcomes: Evaluation["sources"][0]["outcomes"]): DashboardData["crimeOutcomes"] {
    const { before, after } = outcomes.byArea.target;
    const names = [...new Set([...Object.keys(after.outcomes), ...Object.keys(before.outcomes)])];
    return {
      reading: outcomes.reading,
      groups: (Object.keys(OUTCOME_GROUP_NAMES) as OutcomeGroup[]).map((group) => ({ group, name: OUTCOME_GROUP_NAMES[group], before: before.groups[group], after: after.groups[group] })),
      outcomes: names.map((outcome) => ({ outcome, before: before.outcomes[outcome] ?? 0, after: after.outcomes[outcome] ?? 0 })).sort((a, b) => b.after - a.after || b.before - a.before || a.outcome.localeCompare(b.outcome)),
      crimes: { before: before.crimes, after: after.crimes },
    };
  }

  /** The money: allocated against spent so far. Nothing forward-looking (when it runs out) is public. */
  private async budget(operationId: number, now: Date): Promise<NonNullable<DashboardData["budget"]>> {
    const { current, deliveredHours, today } = await this.planner.budget(operationId, { now });
    return {
      allocatedPence: current.allocatedPence,
      costedHoursPence: current.costedHoursPence,
      otherSpendPence: current.otherSpendPence,
      spentPence: current.spentPence,
      remainingPence: current.remainingPence,
      overspent: current.overspent,
      deliveredHours,
      asOf: today,
    };
  }
}

