// The disclosure gate: the only code that turns stored rows into public numbers or places
// (PRODUCT.md, principle 3). What it publishes about residents' reports comes from one
// publication (reports.publication.ts), suppressed as one system, so the dashboard's map, its
// trends and totals, the downloads, Open311, the feeds and the alerts can never be set against
// each other to work out what one of them withheld. Police.uk counts and police activity go
// through here too, each under its own rule, said where it is applied.
import { cellToBoundary, cellToLatLng } from "h3-js";
import { addMonths, monthRange } from "../../domain/evaluation.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { hotspots, type HotspotKind } from "../../domain/hotspots.ts";
import { ANTI_SOCIAL_BEHAVIOUR } from "../../domain/police-uk.ts";
import { OUTCOMES } from "../../domain/reports.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import type { DisclosureRepository, ListedReportRow } from "./disclosure.repository.ts";
import { suppressLinked } from "./linked.ts";
import { publish, type Published } from "./published.ts";
import { figureKeys, ReportsPublication, type ReportAtom } from "./reports.publication.ts";
import {
  cellCentre,
  cellsOverlapping,
  isCompleteMonth,
  K_POLICE_UK,
  K_REPORTS,
  lastCompleteMonth,
  monthBounds,
  monthOfInstant,
  monthsBetween,
  publicCell,
  publishableTotal,
  PUBLIC_H3_RESOLUTION,
  quarterMonths,
  quarterOf,
  reportMonth,
} from "./rules.ts";
import { suppress } from "./tables.ts";

export type { Published } from "./published.ts";

/** Months on the map: the last twelve with data. */
const MAP_MONTHS = 12;
/** A study area bigger than this is not drawn cell by cell (it would not be a neighbourhood). */
const MAX_MAP_CELLS = 1500;

export type LayerKey = "crime" | "anti-social-behaviour" | "reports";

export interface MapLayer {
  key: LayerKey;
  title: string;
  source: "police-uk" | "reports";
  k: number;
  /** The months counted, oldest first ('YYYY-MM'). */
  months: string[];
  /**
   * One per map cell, in the order of the study map's cells: each month's count (null:
   * withheld) and the total over the months (null: withheld). Totals are given per cell only,
   * never per month or for the whole map.
   */
  cells: Array<{ months: Array<number | null>; total: number | null }>;
  /** How many cell-months are withheld. */
  withheld: number;
  /** Gi* per cell with the false discovery rate correction (police.uk layers only). */
  hotspots: Array<{ z: number | null; q: number | null; kind: HotspotKind }> | null;
}

export interface StudyMap {
  /** The public cells that overlap the target or the buffer, numbered from the north-west, each named after its main street. */
  cells: Array<{ cell: string; label: number; place: string | null }>;
  tooLarge: boolean;
  layers: MapLayer[];
}

export interface TrendSeries {
  key: string;
  name: string;
  policeGenerated?: boolean;
  /** One per month (or quarter); null where there is no data or the figure is withheld. */
  values: Array<number | null>;
}

export interface ReportTrends {
  /** By the month received, for categories that may be shown month by month; totals are the operation's. */
  reports: { months: string[]; series: TrendSeries[]; totals: Array<number | null>; withheld: number };
  sensitive: { quarters: Array<{ quarter: string; label: string }>; series: TrendSeries[] };
}

export interface ReportOutcomes {
  /** The months whose reports are counted: those whose total for the operation is published. */
  from: string | null;
  to: string;
  received: number;
  closed: number | null;
  open: number | null;
  outcomes: Array<{ code: string; label: string; count: number | null }>;
  medianDaysToClose: number | null;
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

/** A report as a public list may show it. Category, month and place only when its category's cell-month is published. */
export interface ListedReport {
  id: number;
  reference: string;
  open: boolean;
  categoryCode: string | null;
  month: string | null;
  /** The month of its last change or public update, when the rest is shown. */
  updatedMonth: string | null;
  centre: { lat: number; long: number } | null;
  update: { title: string; body: string } | null;
}

export interface PublicUpdateOfReport {
  updateId: number;
  reference: string;
  open: boolean;
  publishedAt: string;
  title: string;
  body: string;
}

/** The rules, for methodology pages: what k is, how big a cell is, which month a report counts in. */
export interface DisclosureRules {
  k: { reports: number; policeUk: number };
  resolution: number;
  monthRule: string;
  /** What is withheld, in a sentence, for downloads and methodology pages. */
  withheld: string;
}

/** Figures published whole, each for a reason that is not a person's: say which. */
export type WholeReason =
  | "police-uk" // counts police.uk itself publishes for every snapped point, month and category
  | "hours-and-money" // patrol hours planned and delivered, and the budget: no person, no place
  | "text-written-to-publish"; // public updates, written by officers for the public

const QUARTER_NAMES = ["January to March", "April to June", "July to September", "October to December"];

export function quarterLabel(quarter: string): string {
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

export class DisclosureService {
  /** The publication of the complete months, and the newest report id it has seen. */
  private state: { key: string; lastId: number; publication: Promise<ReportsPublication> } | null = null;

  constructor(
    private readonly repository: DisclosureRepository,
    private readonly categories: CategoriesService,
  ) {}

  /** A fingerprint of everything an operation's public figures come from: it changes whenever one of them may. */
  inputsOf(operationId: number): Promise<string> {
    return this.repository.inputs(operationId);
  }

  rules(): Published<DisclosureRules> {
    return publish({
      k: { reports: K_REPORTS, policeUk: K_POLICE_UK },
      resolution: PUBLIC_H3_RESOLUTION,
      monthRule: "A resident's report counts in the month it was received (UK time), never the month the resident says it happened, so a month once published never changes.",
      withheld: `Counts of cells and months under k (${K_POLICE_UK} for police.uk data, ${K_REPORTS} for residents' reports and police activity), and any figure that would let one be worked out from other published figures (on this page, in the downloads, in Open311 or in the feeds), are withheld and left out; sex-work activity seen, engagements, referrals and enforcement against people selling sex are given only as quarterly totals for the whole operation.`,
    });
  }

  whole<T>(value: T, _why: WholeReason): Published<T> {
    return publish(value);
  }

  /** Complete months, the last `count` of them, oldest first. */
  lastCompleteMonths(count: number, now: Date = new Date()): string[] {
    const last = lastCompleteMonth(now);
    return monthRange(addMonths(last, -(count - 1)), last);
  }

  lastCompleteMonth(now: Date = new Date()): string {
    return lastCompleteMonth(now);
  }

  /**
   * The one publication of residents' reports. Worked out again when a month completes, when
   * categories change whether they are sensitive, or when a report arrives dated in a complete
   * month (only the demo and tests do that); a report received now cannot change it.
   */
  private async publication(now: Date): Promise<ReportsPublication> {
    const through = lastCompleteMonth(now);
    const before = monthBounds(through).end;
    const sensitive = (await this.categories.list()).filter((c) => c.sensitive).map((c) => c.code).sort().join(",");
    const key = `${through}|${sensitive}`;
    const state = this.state;
    if (state && state.key === key) {
      const change = await this.repository.newReports(state.lastId, before);
      if (!change.backdated) {
        state.lastId = Math.max(state.lastId, change.lastId);
        return state.publication;
      }
    }
    const { lastId } = await this.repository.newReports(0, before);
    const publication = this.repository.reportsReceivedBefore(before).then((rows) =>
      ReportsPublication.build(
        rows.map((row): ReportAtom => ({ month: reportMonth(row.createdAt), cell: row.h3Cell ? publicCell(row.h3Cell) : null, category: row.categoryCode, operationId: row.operationId })),
        through,
        K_REPORTS,
      ),
    );
    this.state = { key, lastId, publication };
    publication.catch(() => {
      if (this.state?.publication === publication) this.state = null;
    });
    return publication;
  }

  /**
   * The study map of an operation: every public cell that overlaps its target or buffer, or holds
   * one of their snap points, with recorded crime and anti-social behaviour from police.uk (k = 3)
   * and residents' reports (k = 5, from the one publication) per cell-month.
   */
  /** `police`: the police.uk months to map and the forces whose rows count (the evaluation's: synthetic for a demo operation, real otherwise). */
  async studyMap(
    operationId: number,
    areas: ReadonlyArray<{ role: string; geometry: Polygonal }>,
    police: { months: string[]; forces: string[] },
    now: Date = new Date(),
  ): Promise<Published<StudyMap>> {
    const region = await this.region(operationId, areas);
    if (region.tooLarge) return publish({ cells: [], tooLarge: true, layers: [] });
    const layers = [...(await this.policeLayers(region, police.months.slice(-MAP_MONTHS), police.forces)), await this.reportsLayer(region.cells, this.lastCompleteMonths(MAP_MONTHS, now), now)];
    return publish({ cells: region.cells.map((cell, i) => ({ cell, label: i + 1, place: region.places.get(cell) ?? null })), tooLarge: false, layers });
  }

  private async region(operationId: number, areas: ReadonlyArray<{ role: string; geometry: Polygonal }>) {
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

  /**
   * Recorded crime and anti-social behaviour per cell-month (k = 3), with hotspots over the
   * months' totals. police.uk publishes every one of these rows itself, at its snap point: the
   * map is suppressed as a table of its own, and the evaluation's counts are published whole.
   */
  private async policeLayers(region: { cells: string[]; points: Map<number, string> }, months: string[], forces: string[]): Promise<MapLayer[]> {
    const counts = { crime: new Map<string, Map<string, number>>(), asb: new Map<string, Map<string, number>>() };
    for (const row of await this.repository.crimeCounts([...region.points.keys()], months, forces)) {
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
   * Residents' reports per cell-month, from the one publication. A cell's total over the months
   * is given only when every one of its months is: the months slide on, and a total over a
   * sliding window, set against last month's, would give away the month that left it.
   */
  private async reportsLayer(cells: string[], months: string[], now: Date): Promise<MapLayer> {
    const publication = await this.publication(now);
    let withheld = 0;
    const layerCells = cells.map((cell) => {
      const perMonth = months.map((month) => {
        const value = publication.figure(month, figureKeys.cell(cell));
        if (value === null) withheld++;
        return value;
      });
      return { months: perMonth, total: perMonth.includes(null) ? null : perMonth.reduce<number>((sum, n) => sum + (n ?? 0), 0) };
    });
    return { key: "reports", title: "Residents' reports", source: "reports", k: K_REPORTS, months, cells: layerCells, withheld, hotspots: null };
  }

  /**
   * The operation's reports month by month (by the month received), per category that may be
   * shown, with the month's total, from the one publication; sensitive categories only as
   * quarterly totals for the whole operation, withheld under k.
   */
  async reportTrends(operationId: number, now: Date = new Date()): Promise<Published<ReportTrends>> {
    const publication = await this.publication(now);
    const last = lastCompleteMonth(now);
    const categories = await this.categories.list();
    const open = categories.filter((c) => !c.sensitive);
    const sensitiveRows = await this.repository.sensitiveReportsOf(operationId);
    const first = publication.firstMonthOf(operationId);
    const sensitiveFirst = sensitiveRows.map((r) => reportMonth(r.createdAt)).sort()[0];
    const start = [first, sensitiveFirst].filter((m): m is string => Boolean(m) && m! <= last).sort()[0];
    const months = start ? monthRange(start, last) : [];
    let withheld = 0;
    const series = open.map((c) => ({
      key: c.code,
      name: c.name,
      values: months.map((m) => {
        const value = publication.figure(m, figureKeys.operationKind(operationId, c.code));
        if (value === null) withheld++;
        return value;
      }),
    }));
    const totals = months.map((m) => publication.figure(m, figureKeys.operation(operationId)));
    withheld += totals.filter((t) => t === null).length;
    const quarters = months.length ? completeQuarters(months[0]!, last) : [];
    const sensitive = categories.filter((c) => c.sensitive);
    return publish({
      reports: { months, series, totals, withheld },
      sensitive: {
        quarters: quarters.map((quarter) => ({ quarter, label: quarterLabel(quarter) })),
        series: sensitive.map((c) => ({
          key: c.code,
          name: c.name,
          values: quarters.map((q) => publishableTotal(sensitiveRows.filter((r) => r.categoryCode === c.code && quarterOf(reportMonth(r.createdAt)) === q).length, K_REPORTS)),
        })),
      },
    });
  }

  /**
   * What happened to the operation's reports, counted over the months whose total is published
   * (so "received" is a sum of published figures and adds nothing to them): how many are closed
   * and how, each withheld under k with the others that would give it away.
   */
  async reportOutcomes(operationId: number, now: Date = new Date()): Promise<Published<ReportOutcomes>> {
    const publication = await this.publication(now);
    const last = lastCompleteMonth(now);
    const shown = new Set<string>();
    const first = publication.firstMonthOf(operationId);
    for (const month of first ? monthRange(first, last) : []) if (publication.figure(month, figureKeys.operation(operationId))) shown.add(month);
    const reports = (await this.repository.statesOf(operationId)).filter((r) => shown.has(reportMonth(r.createdAt)));
    const closed = reports.filter((r) => r.status === "closed");
    const codes = Object.keys(OUTCOMES);
    const atoms = [reports.length - closed.length, ...codes.map((code) => closed.filter((r) => r.outcome === code).length), closed.filter((r) => !r.outcome || !codes.includes(r.outcome)).length];
    const outcomeAtoms = codes.map((_, i) => i + 1);
    const { withheld, values } = suppressLinked(
      {
        atoms,
        figures: [
          { key: "received", atoms: atoms.map((_, i) => i) },
          { key: "open", atoms: [0] },
          { key: "closed", atoms: atoms.slice(1).map((_, i) => i + 1) },
          ...codes.map((code, i) => ({ key: code, atoms: [outcomeAtoms[i]!] })),
        ],
        relations: [{ total: "received", parts: ["open", "closed"] }],
        known: new Set(["received"]),
      },
      K_REPORTS,
    );
    const value = (key: string) => (withheld.has(key) ? null : values.get(key)!);
    const days = closed.filter((r) => r.closedAt).map((r) => (Date.parse(r.closedAt!) - Date.parse(r.createdAt)) / 86_400_000);
    const middle = value("closed") !== null && closed.length >= K_REPORTS ? median(days) : null;
    return publish({
      from: [...shown].sort()[0] ?? null,
      to: last,
      received: reports.length,
      closed: value("closed"),
      open: value("open"),
      outcomes: Object.entries(OUTCOMES).map(([code, label]) => ({ code, label, count: value(code) })),
      medianDaysToClose: middle === null ? null : Math.round(middle * 10) / 10,
    });
  }

  /**
   * Enforcement by whom it targeted, engagements and referrals, per complete quarter since the
   * start. Enforcement against buyers, dealers and others is a count of police actions, not of
   * people or places, and is published whole; action against people selling sex, engagements and
   * referrals only as quarterly totals of k or more, never added into any other figure.
   */
  async activityQuarters(operationId: number, startsOn: string, now: Date = new Date()): Promise<Published<ActivityQuarter[]>> {
    const quarters = completeQuarters(startsOn.slice(0, 7), lastCompleteMonth(now));
    if (quarters.length === 0) return publish([]);
    const [enforcement, engagements] = await Promise.all([this.repository.enforcementOf(operationId), this.repository.engagementsOf(operationId)]);
    return publish(
      quarters.map((quarter) => {
        const inQuarter = <T extends { occurredAt: string }>(rows: T[]) => rows.filter((row) => quarterOf(monthOfInstant(row.occurredAt)) === quarter);
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
      }),
    );
  }

  /** Whether a listed report's category, month and place may be shown: its category's cell-month is published. */
  private shown(publication: ReportsPublication, row: ListedReportRow): boolean {
    if (row.sensitive || !row.h3Cell) return false;
    const month = reportMonth(row.createdAt);
    return Boolean(publication.figure(month, figureKeys.kind(publicCell(row.h3Cell), row.categoryCode)));
  }

  private async listed(rows: ListedReportRow[], publication: ReportsPublication, { onlyShown }: { onlyShown: boolean }): Promise<ListedReport[]> {
    const kept = onlyShown ? rows.filter((row) => this.shown(publication, row)) : rows;
    const updates = new Map<number, { title: string; body: string; publishedAt: string }>();
    for (const update of await this.repository.updatesOfReports(kept.map((row) => row.id))) updates.set(update.reportId, update);
    return kept.map((row) => {
      const shown = this.shown(publication, row);
      const update = updates.get(row.id) ?? null;
      const updatedAt = update && update.publishedAt > row.updatedAt ? update.publishedAt : row.updatedAt;
      return {
        id: row.id,
        reference: row.reference,
        open: row.status !== "closed",
        categoryCode: shown ? row.categoryCode : null,
        month: shown ? reportMonth(row.createdAt) : null,
        updatedMonth: shown ? monthOfInstant(updatedAt) : null,
        centre: shown ? cellCentre(publicCell(row.h3Cell!)) : null,
        update: update && { title: update.title, body: update.body },
      };
    });
  }

  /**
   * Reports received in the given months (each complete) that a public list may show: only
   * those whose category's cell-month is published, each at its cell's centre.
   */
  async listReports(query: { months: string[]; categoryCodes: string[]; statuses: string[]; limit: number }, now: Date = new Date()): Promise<Published<ListedReport[]>> {
    const months = query.months.filter((m) => isCompleteMonth(m, now)).sort();
    if (months.length === 0) return publish([]);
    const publication = await this.publication(now);
    const rows = await this.repository.reportsReceivedBetween(monthBounds(months[0]!).start, monthBounds(months.at(-1)!).end, query.categoryCodes, query.statuses);
    const shown = rows
      .filter((row) => this.shown(publication, row))
      .sort((a, b) => reportMonth(b.createdAt).localeCompare(reportMonth(a.createdAt)) || a.reference.localeCompare(b.reference))
      .slice(0, query.limit);
    return publish(await this.listed(shown, publication, { onlyShown: true }));
  }

  /** The months (UK time) an interval touches, oldest first: a list covers whole months only. */
  monthsBetween(from: Date, to: Date): string[] {
    return monthsBetween(from, to);
  }

  /**
   * Reports asked for by reference: the status and public updates of any (someone holding the
   * reference may follow it), the category, month and place only as the list would show them.
   */
  async reportsByReferences(references: string[], now: Date = new Date()): Promise<Published<ListedReport[]>> {
    const publication = await this.publication(now);
    const order = new Map(references.map((reference, i) => [reference, i]));
    const rows = (await this.repository.reportsByReferences(references)).sort((a, b) => order.get(a.reference)! - order.get(b.reference)!);
    return publish(await this.listed(rows, publication, { onlyShown: false }));
  }

  /** Changes whenever a list of reports received in those months may have changed. */
  listFingerprint(months: string[]): Promise<string> {
    const sorted = [...months].sort();
    return this.repository.listFingerprint(monthBounds(sorted[0]!).start, monthBounds(sorted.at(-1)!).end);
  }

  /** Public updates published in [from, to), once for each report they answer that the list shows. */
  async updatesOfShownReports(from: string, to: string, limit: number, now: Date = new Date()): Promise<Published<PublicUpdateOfReport[]>> {
    const publication = await this.publication(now);
    const pairs = await this.repository.updatesPublishedBetween(from, to, limit);
    const reports = new Map((await this.repository.reportsByIds([...new Set(pairs.map((p) => p.reportId))])).map((r) => [r.id, r]));
    return publish(
      pairs
        .filter((pair) => reports.has(pair.reportId) && this.shown(publication, reports.get(pair.reportId)!))
        .map((pair) => {
          const report = reports.get(pair.reportId)!;
          return { updateId: pair.updateId, reference: report.reference, open: report.status !== "closed", publishedAt: pair.publishedAt, title: pair.title, body: pair.body };
        })
        .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.updateId - b.updateId || a.reference.localeCompare(b.reference)),
    );
  }

  /** The published cells with reports, month by month (newest first), each at its centre: for feeds of an area. */
  async publishedCells(months: string[], now: Date = new Date()): Promise<Published<Array<{ month: string; cells: Array<{ cell: string; lat: number; long: number; count: number }> }>>> {
    const publication = await this.publication(now);
    return publish(
      [...months]
        .filter((m) => isCompleteMonth(m, now))
        .sort((a, b) => b.localeCompare(a))
        .map((month) => ({ month, cells: publication.publishedCells(month).map(({ cell, count }) => ({ cell, ...cellCentre(cell), count })) })),
    );
  }

  /** Where the reports each update answers are, as a public list shows them (a cell's centre), or nowhere. */
  async placesOfUpdates(updateIds: number[], now: Date = new Date()): Promise<Published<Map<number, Array<{ lat: number; long: number }>>>> {
    const publication = await this.publication(now);
    const pairs = await this.repository.reportsAnswered(updateIds);
    const reports = new Map((await this.repository.reportsByIds([...new Set(pairs.map((p) => p.reportId))])).map((r) => [r.id, r]));
    const places = new Map<number, Array<{ lat: number; long: number }>>();
    for (const pair of pairs) {
      const report = reports.get(pair.reportId);
      if (!report || !this.shown(publication, report)) continue;
      places.set(pair.updateId, [...(places.get(pair.updateId) ?? []), cellCentre(publicCell(report.h3Cell!))]);
    }
    return publish(places);
  }

  /** How many reports a public update answers, withheld under k (a count of one would say a single report exists). */
  reportsAnsweredCount(count: number): Published<number | null> {
    return publish(count > 0 && count < K_REPORTS ? null : count);
  }
}
