// The public dashboard of a published operation: what the police did, what changed, and how sure
// anyone can be, with nothing that locates a person. Its figures are worked out once into a
// snapshot (the evaluation's own figures, the maps over H3 cells, the trends, the activity
// against plan) and worked out again only when something they come from changes, so a visit
// costs a row read and a render whatever the size of the police.uk tables.
//
// Privacy (PRODUCT.md, principle 3): every figure here comes from the disclosure gate
// (modules/disclosure) as a Published value; this module only puts them together, stores the
// snapshot and says when it is out of date. It reads no report, crime or activity row itself.
import { monthRange } from "../../domain/evaluation.ts";
import { ALL_CRIME, OUTCOME_GROUP_NAMES, POLICE_UK_ATTRIBUTION, SYNTHETIC_POLICE_UK_ATTRIBUTION, type OutcomeGroup } from "../../domain/police-uk.ts";
import { addDays, londonDate, mondayOf } from "../../domain/forecasting.ts";
import { plannedHoursFor } from "../../domain/planning.ts";
import { utcToLondonParts } from "../../domain/time.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { errors } from "../../http/errors.ts";
import type { ActivityQuarter, DisclosureRules, DisclosureService, MapLayer, Published, ReportOutcomes, ReportTrends, StudyMap, TrendSeries } from "../disclosure/disclosure.service.ts";
import { setUpAfterItEnded, type Evaluation, type EvaluationService } from "../evaluation/evaluation.service.ts";
import type { PlannerService } from "../planner/planner.service.ts";
import { projectMap, type MapGeometry } from "./maps.ts";
import type { DashboardOperation, DashboardRepository } from "./dashboard.repository.ts";

export type { ActivityQuarter, LayerKey, MapLayer, TrendSeries } from "../disclosure/disclosure.service.ts";

/** Bumped when the snapshot's shape changes, so an older snapshot is never read as a newer one. */
const SNAPSHOT_FORMAT = 3;
/** Months of police.uk data on the map: the last twelve held. */
const MAP_MONTHS = 12;
const UPDATES_SHOWN = 20;
/** Operations whose parsed snapshot is kept in memory. */
const REMEMBERED = 50;
/** Weeks of patrol hours shown one by one; the rest are in the totals since the start. */
const WEEKS_SHOWN = 13;

export interface DashboardData {
  format: number;
  computedOn: string;
  operation: {
    id: number;
    slug: string;
    name: string;
    summary: string;
    objectives: string[];
    startsOn: string;
    endsOn: string | null;
    status: string;
    isDemo: boolean;
    /** Set up to show openbeat on real police.uk data: labelled so, never "Demo". */
    realDataExample: boolean;
    published: boolean;
  };
  dataAsOf: { policeUk: string | null; reports: string; activity: string | null; updates: string | null };
  areas: Array<{ role: string; name: string; definition: string; lsoaCodes?: string[]; ringMetres?: number; snapPoints: number; geometry: Polygonal }>;
  areaMap: MapGeometry;
  map: { cells: Array<{ cell: string; label: number; place: string | null }>; geometry: MapGeometry; tooLarge: boolean };
  layers: MapLayer[];
  trends: {
    police: { months: string[]; noData: string[]; transition: string | null; startMonth: string; series: TrendSeries[] };
    reports: ReportTrends["reports"];
    sensitive: ReportTrends["sensitive"];
  };
  activity: {
    /** Set up in openbeat only after it ended: openbeat holds none of its activity (missing, not zero). */
    notHeld: { setUpOn: string } | null;
    /** The last complete weeks (the public sees only the past). */
    weeks: Array<{ weekStart: string; planned: number; delivered: number }>;
    /** Every complete week since the start. */
    sinceStart: { weeks: number; planned: number; delivered: number; from: string | null; to: string | null };
    quarters: ActivityQuarter[];
    since: { patrolHours: number | null; enforcementActions: number | null; from: string | null; to: string | null };
  };
  reportOutcomes: ReportOutcomes;
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
      /** null unless both periods hold police.uk data. */
      oddsRatio: { value: number; ci95: [number, number]; ci95Adjusted: [number, number]; overdispersion: number; zeroCorrected: boolean } | null;
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
  rules: DisclosureRules;
}

export interface PublishedOperation {
  name: string;
  slug: string;
  summary: string;
  startsOn: string;
  endsOn: string | null;
  status: string;
  isDemo: boolean;
  realDataExample: boolean;
}

export class DashboardService {
  /** Rebuilds in progress in this process, so simultaneous visits share one. */
  private readonly building = new Map<string, Promise<{ freshness: string; data: DashboardData }>>();
  /** The snapshots last read, parsed, by operation: a visit checks their freshness and reads nothing more. */
  private readonly remembered = new Map<number, { freshness: string; data: DashboardData }>();

  constructor(
    private readonly repository: DashboardRepository,
    private readonly evaluation: EvaluationService,
    private readonly planner: PlannerService,
    private readonly disclosure: DisclosureService,
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
      realDataExample: Boolean(o.realDataExample),
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
    const freshness = `${SNAPSHOT_FORMAT}|${operation.id}|${now.toISOString().slice(0, 10)}|${londonDate(now)}|${operation.updatedAt}|${await this.disclosure.inputsOf(operation.id)}`;
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
    const police = evaluation.sources[0];
    const areas = evaluation.areas.map((feature) => ({ ...feature.properties, geometry: feature.geometry }));
    const policeMonths = await this.policeMonths(police.forces, evaluation.periods.before.designed.from, police.dataAsOf);
    const hours = await this.patrolHours(operation, now);
    const settings = await this.repository.settings(operation.id);
    const updates = await this.repository.updatesOf(operation.id, UPDATES_SHOWN);
    return assemble(operation, now, {
      rules: this.disclosure.rules(),
      areas,
      study: await this.disclosure.studyMap(operation.id, areas, { months: policeMonths.slice(-MAP_MONTHS), forces: police.forces }, now),
      trends: await this.disclosure.reportTrends(operation.id, now),
      quarters: await this.disclosure.activityQuarters(operation.id, operation.startsOn, now),
      outcomes: await this.disclosure.reportOutcomes(operation.id, now),
      reportsAsOf: this.disclosure.lastCompleteMonth(now),
      evaluation: this.disclosure.whole(publicEvaluation(evaluation), "police-uk"),
      hours: this.disclosure.whole(
        {
          ...hours,
          since: {
            patrolHours: evaluation.policeActivity.after.patrolHours,
            enforcementActions: evaluation.policeActivity.after.enforcementActions,
            from: evaluation.periods.after.from,
            to: evaluation.periods.after.to,
          },
        },
        "hours-and-money",
      ),
      updates: this.disclosure.whole(
        updates.map((u) => ({ id: u.id, title: u.title, body: u.body, date: londonDay(u.publishedAt) })),
        "text-written-to-publish",
      ),
      budget: settings?.publishBudget ? this.disclosure.whole(await this.budget(operation.id, now), "hours-and-money") : null,
    });
  }

  /**
   * The police.uk months held for every force the operation's rows come from, within the
   * evaluation's periods: from the first month before the start up to its "data as of".
   */
  private async policeMonths(forces: string[], firstMonth: string, dataAsOf: string | null): Promise<string[]> {
    if (!dataAsOf) return [];
    const held = new Map<string, Set<string>>();
    for (const row of await this.repository.heldMonths()) {
      if (!held.has(row.fallsWithin)) held.set(row.fallsWithin, new Set());
      held.get(row.fallsWithin)!.add(row.month);
    }
    const relevant = forces.length ? forces : [...held.keys()];
    const months = [...new Set(relevant.flatMap((force) => [...(held.get(force) ?? [])]))];
    return months.filter((m) => m >= firstMonth && m <= dataAsOf && relevant.every((force) => held.get(force)?.has(m))).sort();
  }





  /**
   * Patrol hours planned and delivered in complete weeks (Monday to Sunday, UK time), as the
   * planner counts them: each of the last weeks, and every week since the start in total.
   */
  private async patrolHours(operation: DashboardOperation, now: Date): Promise<Pick<DashboardData["activity"], "weeks" | "sinceStart">> {
    const lastComplete = addDays(mondayOf(londonDate(now)), -7);
    if (setUpAfterItEnded(operation)) return { weeks: [], sinceStart: { weeks: 0, planned: 0, delivered: 0, from: null, to: null } };
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

function londonDay(iso: string): string {
  const parts = utcToLondonParts(iso);
  return `${parts.year}-${String(parts.month).padStart(2, "0")}-${String(parts.day).padStart(2, "0")}`;
}

/** The evaluation's monthly police.uk counts in the target area, with months not held (or the start month) as gaps. */
function policeTrends(evaluation: Evaluation): DashboardData["trends"]["police"] {
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

function crimeOutcomes(outcomes: Evaluation["sources"][0]["outcomes"]): DashboardData["crimeOutcomes"] {
  const { before, after } = outcomes.byArea.target;
  const names = [...new Set([...Object.keys(after.outcomes), ...Object.keys(before.outcomes)])];
  return {
    reading: outcomes.reading,
    groups: (Object.keys(OUTCOME_GROUP_NAMES) as OutcomeGroup[]).map((group) => ({ group, name: OUTCOME_GROUP_NAMES[group], before: before.groups[group], after: after.groups[group] })),
    outcomes: names.map((outcome) => ({ outcome, before: before.outcomes[outcome] ?? 0, after: after.outcomes[outcome] ?? 0 })).sort((a, b) => b.after - a.after || b.before - a.before || a.outcome.localeCompare(b.outcome)),
    crimes: { before: before.crimes, after: after.crimes },
  };
}

/** The evaluation as the public sees it: the police.uk figures and the verdict, none of the residents' figures (those come from the gate). */
function publicEvaluation(evaluation: Evaluation) {
  const police = evaluation.sources[0];
  return {
    areas: evaluation.areas,
    dataAsOf: police.dataAsOf,
    trend: policeTrends(evaluation),
    crimeOutcomes: crimeOutcomes(police.outcomes),
    summary: {
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
        oddsRatio: c.oddsRatio && { value: c.oddsRatio.value, ci95: c.oddsRatio.ci95, ci95Adjusted: c.oddsRatio.ci95Adjusted, overdispersion: c.oddsRatio.overdispersion, zeroCorrected: c.oddsRatio.zeroCorrected },
        assessment: c.assessment,
        summary: c.summary,
        wdq: c.wdq,
        totalNetEffect: c.totalNetEffect,
      })),
      methodology: evaluation.methodology,
    },
  };
}

/** What a dashboard is made of: every figure in it has been through the disclosure gate. */
interface PublishedParts {
  rules: Published<DisclosureRules>;
  areas: DashboardData["areas"];
  study: Published<StudyMap>;
  trends: Published<ReportTrends>;
  quarters: Published<ActivityQuarter[]>;
  outcomes: Published<ReportOutcomes>;
  reportsAsOf: string;
  evaluation: Published<ReturnType<typeof publicEvaluation>>;
  hours: Published<Pick<DashboardData["activity"], "weeks" | "sinceStart" | "since">>;
  updates: Published<DashboardData["updates"]>;
  budget: Published<NonNullable<DashboardData["budget"]>> | null;
}

function assemble(operation: DashboardOperation, now: Date, parts: PublishedParts): DashboardData {
  const { areas, study, evaluation, hours } = parts;
  // Set up in openbeat only after it ended: its activity is not held, so none is shown (missing, not zero).
  const notHeld = setUpAfterItEnded(operation) ? { setUpOn: londonDay(operation.createdAt) } : null;
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
      realDataExample: Boolean(operation.realDataExample),
      published: Boolean(operation.published),
    },
    dataAsOf: {
      policeUk: evaluation.dataAsOf,
      reports: parts.reportsAsOf,
      activity: hours.weeks.length ? hours.weeks.at(-1)!.weekStart : null,
      updates: parts.updates[0]?.date ?? null,
    },
    areas,
    areaMap: projectMap([], areas),
    map: {
      cells: study.cells,
      geometry: projectMap(study.cells.map((c) => c.cell), areas.filter((a) => a.role !== "comparison")),
      tooLarge: study.tooLarge,
    },
    layers: study.layers,
    trends: { police: evaluation.trend, reports: parts.trends.reports, sensitive: parts.trends.sensitive },
    activity: notHeld
      ? { notHeld, weeks: [], sinceStart: hours.sinceStart, quarters: [], since: hours.since }
      : { notHeld, weeks: hours.weeks, sinceStart: hours.sinceStart, quarters: parts.quarters, since: hours.since },
    reportOutcomes: parts.outcomes,
    crimeOutcomes: evaluation.crimeOutcomes,
    evaluation: evaluation.summary,
    updates: parts.updates,
    budget: parts.budget,
    attribution: operation.isDemo ? SYNTHETIC_POLICE_UK_ATTRIBUTION : POLICE_UK_ATTRIBUTION,
    rules: parts.rules,
  };
}
