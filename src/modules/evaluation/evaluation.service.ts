// "Is it working?", as PRODUCT.md defines it. The design (areas, periods, categories) is recorded
// when the operation is set up, like a pre-registration, and every later change is kept as a new
// version and shown. Counts come from police.uk rows at the snap points in each area; months not
// imported are "no data", never 0. The statistics are in src/domain/evaluation.ts.
import { fromJson, toJson } from "../../db/database.ts";
import {
  addMonths,
  assess,
  categorySentence,
  defaultPeriods,
  monthRange,
  oddsRatio,
  overdispersion,
  spikeBeforeStart,
  totalNetEffect,
  verdict,
  weightedDisplacementQuotient,
  type Assessment,
  type DesignPeriods,
  type OddsRatio,
} from "../../domain/evaluation.ts";
import { ALL_CRIME, ANTI_SOCIAL_BEHAVIOUR, CRIME_CATEGORIES, OUTCOME_GROUP_NAMES, outcomeGroup, POLICE_GENERATED, type OutcomeGroup } from "../../domain/police-uk.ts";
import { utcToLondonParts } from "../../domain/time.ts";
import { errors } from "../../http/errors.ts";
import type { AreaFeature, AreasService, DesignArea } from "../areas/areas.service.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import type { OperationRow, OperationsRepository } from "../operations/operations.repository.ts";
import type { EvaluationRepository } from "./evaluation.repository.ts";

export interface Design {
  areas: DesignArea[];
  periods: DesignPeriods;
  categories: string[];
}

type Role = "target" | "buffer" | "comparison";
const ROLES: Role[] = ["target", "buffer", "comparison"];
type PerRole<T> = Record<Role, T>;

export interface MonthRow {
  month: string;
  period: "before" | "after";
  target: number | null;
  buffer: number | null;
  comparison: number | null;
  yearEarlier: { month: string; target: number | null; buffer: number | null; comparison: number | null };
}

export interface CategoryResult {
  category: string;
  policeGenerated: boolean;
  /** null for a period with no police.uk month held: no data, never 0. */
  counts: PerRole<{ before: number | null; after: number | null }>;
  /** null unless both periods hold police.uk data: there is nothing to compare. */
  oddsRatio: OddsRatio | null;
  wdq: { value: number | null; meaningful: boolean; reading: string };
  totalNetEffect: number | null;
  assessment: Assessment | "no-data";
  summary: string;
  monthly: MonthRow[];
}

export interface OutcomeSummary {
  crimes: number;
  groups: Record<OutcomeGroup, number>;
  outcomes: Record<string, number>;
}

export interface PeriodInfo {
  from: string | null;
  to: string | null;
  months: number;
  /** Months inside the designed period with no police.uk data imported. */
  monthsWithoutData: string[];
  designed: { from: string; to: string | null };
}

export interface PoliceActivity {
  recorded: boolean;
  note: string;
  before: { patrolHours: number | null; engagements: number | null; referrals: number | null; enforcementActions: number | null };
  after: { patrolHours: number | null; engagements: number | null; referrals: number | null; enforcementActions: number | null };
}

export interface Evaluation {
  operation: { id: number; slug: string; name: string; startsOn: string; endsOn: string | null; published: boolean };
  design: { version: number; recordedAt: string; reason: string; versions: Array<{ version: number; recordedAt: string; reason: string; afterStart: boolean }>; design: Design };
  periods: { before: PeriodInfo; after: PeriodInfo; transition: string | null };
  /** The areas as they are now (membership worked out again after every import), as GeoJSON features. */
  areas: AreaFeature[];
  warnings: string[];
  sources: [
    {
      source: "police-uk";
      forces: string[];
      dataAsOf: string | null;
      unplacedRows: number;
      categories: CategoryResult[];
      outcomes: { byArea: PerRole<{ before: OutcomeSummary; after: OutcomeSummary }>; reading: string; groupNames: Record<OutcomeGroup, string> };
    },
    { source: "reports"; note: string; categories: Array<{ category: string; name: string; monthly: Record<string, number> }> },
  ];
  policeActivity: PoliceActivity;
  verdict: string;
  methodology: string[];
}

export const METHODOLOGY = [
  "Design: the areas, periods and police.uk categories are recorded when the operation is set up, before its results are known; any later change is kept as a new version and listed.",
  "Counts: police.uk street-level crimes and anti-social behaviour incidents at the snap points inside each area (for an area defined by LSOA codes, the rows of those LSOAs). police.uk moves every location to the nearest of a set of anonymous map points.",
  "Periods: by default the 12 months before the start (or all that exist) and everything since. A month with no police.uk data imported is shown as no data, never as zero.",
  "Relative effect: odds ratio OR = (Rb·Ca)/(Ra·Cb), R target, C comparison, b before, a after; above 1 the target improved relative to the comparison. 95% interval from var(ln OR) = 1/Ra + 1/Rb + 1/Ca + 1/Cb, and a second interval with that variance multiplied by the overdispersion of the monthly counts (variance/mean, at least 1), which the verdict uses. A zero count adds 0.5 to every cell.",
  "Displacement: Weighted Displacement Quotient WDQ = (Da/Ca − Db/Cb)/(Ra/Ca − Rb/Cb) (Bowers and Johnson 2003), D the buffer, meaningful only when the target improved (the denominator is negative). Total net effect TNE = (Rb·Ca/Cb − Ra) + (Db·Ca/Cb − Da).",
  "All crime excludes anti-social behaviour, which is reported on its own (its rows are incidents, not crimes). Drugs, public order and other crime (where kerb crawling is counted) rise when enforcement rises and are flagged as police-generated.",
  "Residents' reports are shown as monthly trends beside the figures, never in the odds ratio: they have no before period and no comparison area.",
];

const emptyOutcomes = (): OutcomeSummary => ({ crimes: 0, groups: { court: 0, "out-of-court": 0, "no-further-action": 0, open: 0, other: 0 }, outcomes: {} });

export type ActivityTotals = (
  operationId: number,
  from: string,
  to: string,
) => Promise<{ patrolHours: number; engagements: number; referrals: number; enforcementActions: number; enforcementAgainstSellers: number }>;

/** The first instant of a month and of the month after another, for 'YYYY-MM' lists. */
function monthSpan(months: string[]): { from: string; to: string } | null {
  if (months.length === 0) return null;
  const [first, last] = [months[0]!, months[months.length - 1]!];
  const [year, month] = last.split("-").map(Number) as [number, number];
  return { from: `${first}-01T00:00:00.000Z`, to: new Date(Date.UTC(year, month, 1)).toISOString() };
}

/**
 * Police activity in each period, from the patrols, engagements and enforcement officers log
 * in openbeat. Nothing is recorded before the operation began using openbeat, so the period
 * before the start is missing (null), never zero, and so is all of it for an operation set up in
 * openbeat only after it ended (`held` false). Enforcement against people selling sex is
 * counted apart and never in the operation's enforcement.
 */
export async function policeActivity(
  totals: ActivityTotals | null,
  operationId: number,
  periods: { before: string[]; after: string[] },
  held = true,
): Promise<PoliceActivity> {
  const none = { patrolHours: null, engagements: null, referrals: null, enforcementActions: null };
  const after = monthSpan(periods.after);
  if (!totals || !after || !held) {
    return { recorded: false, note: "No police activity is recorded in openbeat for these periods: the figures are missing, not zero.", before: { ...none }, after: { ...none } };
  }
  const { enforcementAgainstSellers, ...figures } = await totals(operationId, after.from, after.to);
  return {
    recorded: true,
    note: `Police activity is what officers logged in openbeat since the operation began; openbeat holds none from before, so the period before is missing, not zero. ${enforcementAgainstSellers} enforcement action${enforcementAgainstSellers === 1 ? "" : "s"} against people selling sex ${enforcementAgainstSellers === 1 ? "is" : "are"} reported apart and not counted.`,
    before: { ...none },
    after: figures,
  };
}

/** An operation set up in openbeat only after it ended (an example on past data): openbeat holds none of its activity. */
export function setUpAfterItEnded(operation: { createdAt: string; endsOn: string | null }): boolean {
  if (!operation.endsOn) return false;
  const { year, month, day } = utcToLondonParts(operation.createdAt);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` > operation.endsOn;
}

export class EvaluationService {
  constructor(
    private readonly repository: EvaluationRepository,
    private readonly operations: OperationsRepository,
    private readonly areas: AreasService,
    private readonly categories: CategoriesService,
    private readonly activityTotals: ActivityTotals | null = null,
    /**
     * A cheap fingerprint of everything an evaluation reads besides the operation's own row
     * (change versions bumped by imports, reports and area edits; activity counts): while it
     * and the row are unchanged the last evaluation is still the answer. Read from the
     * database, so a change made through another instance is seen at once.
     */
    private readonly inputsOf: ((operationId: number) => Promise<string>) | null = null,
  ) {}

  #remembered = new Map<number, { fingerprint: string; evaluation: Evaluation }>();

  private async buildDesign(operation: OperationRow): Promise<Design> {
    return {
      areas: await this.areas.describe(operation.id),
      periods: defaultPeriods(operation.startsOn, operation.endsOn),
      categories: [ALL_CRIME, ...CRIME_CATEGORIES],
    };
  }

  /** Records the design as a new version when it differs from the last one. */
  async recordDesign(operationId: number, reason: string, userId: number | null = null, now: Date = new Date()): Promise<number | null> {
    const operation = await this.operations.findById(operationId);
    if (!operation) throw errors.notFound("operation");
    const design = await this.buildDesign(operation);
    const comparable = (d: Design) => toJson({ ...d, areas: d.areas.map(({ snapPoints: _count, ...area }) => area) });
    const versions = await this.repository.designs(operationId);
    const last = versions.at(-1);
    if (last && comparable(fromJson<Design>(last.design, design)) === comparable(design)) return null;
    return this.repository.addDesign(operationId, toJson(design), reason, userId, now.toISOString());
  }

  async findOperation(idOrSlug: string | number): Promise<OperationRow> {
    const text = String(idOrSlug).trim();
    const operation = /^\d+$/.test(text) ? await this.operations.findById(Number(text)) : await this.operations.findBySlug(text);
    if (!operation) throw errors.notFound("operation");
    return operation;
  }

  /** The evaluation, worked out again only when its inputs have changed (see inputsOf). */
  async evaluate(idOrSlug: string | number, now: Date = new Date()): Promise<Evaluation> {
    const operation = await this.findOperation(idOrSlug);
    if (!this.inputsOf) return this.workOut(operation);
    // The day is part of it: which months count as complete moves with the calendar.
    const fingerprint = `${now.toISOString().slice(0, 10)}|${operation.updatedAt}|${await this.inputsOf(operation.id)}`;
    const remembered = this.#remembered.get(operation.id);
    if (remembered?.fingerprint === fingerprint) return structuredClone(remembered.evaluation);
    const evaluation = await this.workOut(operation);
    if (this.#remembered.size >= 50) this.#remembered.clear();
    this.#remembered.set(operation.id, { fingerprint, evaluation: structuredClone(evaluation) });
    return evaluation;
  }

  private async workOut(operation: OperationRow): Promise<Evaluation> {
    await this.areas.ensureMembership(operation.id);
    const warnings: string[] = [];
    let versions = await this.repository.designs(operation.id);
    if (versions.length === 0) {
      await this.recordDesign(operation.id, "Recorded at the first evaluation (no design had been recorded when the operation was set up)");
      versions = await this.repository.designs(operation.id);
    }
    const firstRecorded = versions[0]!.createdAt.slice(0, 10);
    if (firstRecorded > operation.startsOn) {
      warnings.push(`The evaluation design was first recorded on ${firstRecorded}, after the operation started on ${operation.startsOn}: this is a look back, not a pre-registration.`);
    }
    const current = versions.at(-1)!;
    const design = fromJson<Design>(current.design, await this.buildDesign(operation));
    const changedAfterStart = versions.filter((v) => v.version > 1 && v.createdAt.slice(0, 10) >= operation.startsOn);
    for (const change of changedAfterStart) {
      warnings.push(`The evaluation design was changed after the operation started (version ${change.version}, ${change.createdAt.slice(0, 10)}: ${change.reason}). Every version is listed with the design.`);
    }

    // Months held: those every force with rows in the areas has imported.
    const demo = Boolean(operation.isDemo);
    const forces = await this.repository.forcesIn(operation.id, demo);
    const held = await this.repository.heldMonths("street");
    const heldBy = new Map<string, Set<string>>();
    for (const row of held) {
      if (!heldBy.has(row.fallsWithin)) heldBy.set(row.fallsWithin, new Set());
      heldBy.get(row.fallsWithin)!.add(row.month);
    }
    const relevant = forces.length ? forces : [...heldBy.keys()];
    const isHeld = (month: string) => relevant.length > 0 && relevant.every((force) => heldBy.get(force)?.has(month));
    const { before: designedBefore, after: designedAfter, transition } = design.periods;
    // "Data as of" is the operation's own: months held from before its before period (or after
    // its end) say nothing about it.
    const allHeld = [...new Set(held.filter((r) => relevant.includes(r.fallsWithin)).map((r) => r.month))]
      .filter((m) => isHeld(m) && m >= designedBefore.from && (!designedAfter.to || m <= designedAfter.to))
      .sort();
    const dataAsOf = allHeld.at(-1) ?? null;

    const beforeRange = monthRange(designedBefore.from, designedBefore.to);
    const afterEnd = designedAfter.to ?? dataAsOf;
    const afterRange = afterEnd && afterEnd >= designedAfter.from ? monthRange(designedAfter.from, afterEnd) : [];
    const beforeMonths = beforeRange.filter(isHeld);
    const afterMonths = afterRange.filter(isHeld);
    const period = (range: string[], months: string[], designed: { from: string; to: string | null }): PeriodInfo => ({
      from: months[0] ?? null,
      to: months.at(-1) ?? null,
      months: months.length,
      monthsWithoutData: range.filter((m) => !months.includes(m)),
      designed,
    });
    const periods = { before: period(beforeRange, beforeMonths, designedBefore), after: period(afterRange, afterMonths, designedAfter), transition };

    if (beforeMonths.length < beforeRange.length) {
      warnings.push(
        beforeMonths.length === 0
          ? `There is no police.uk data for the ${beforeRange.length} months before the start (${designedBefore.from} to ${designedBefore.to}): import them to compare.`
          : `Only ${beforeMonths.length} of the ${beforeRange.length} months before the start have police.uk data (${beforeMonths[0]} to ${beforeMonths.at(-1)}): the before period uses those.`,
      );
    }
    const afterGaps = periods.after.monthsWithoutData.filter((m) => !dataAsOf || m <= dataAsOf);
    if (afterMonths.length === 0) warnings.push("There is no police.uk data for the months since the start yet.");
    else if (afterGaps.length) warnings.push(`No police.uk data for ${afterGaps.join(", ")} since the start: those months are left out, not counted as zero.`);
    if (transition) warnings.push(`The operation started part-way through ${transition}: that month is in neither period.`);

    // Counts per role, month and category; "all crime" leaves anti-social behaviour out.
    const counts = new Map<string, number>();
    const key = (role: string, month: string, category: string) => `${role}|${month}|${category}`;
    for (const row of await this.repository.monthlyCounts(operation.id, demo)) {
      counts.set(key(row.role, row.month, row.crimeType), (counts.get(key(row.role, row.month, row.crimeType)) ?? 0) + row.count);
      if (row.crimeType !== ANTI_SOCIAL_BEHAVIOUR) counts.set(key(row.role, row.month, ALL_CRIME), (counts.get(key(row.role, row.month, ALL_CRIME)) ?? 0) + row.count);
    }
    const monthly = (role: Role, month: string, category: string) => (isHeld(month) ? (counts.get(key(role, month, category)) ?? 0) : null);
    const total = (role: Role, months: string[], category: string) => months.reduce((sum, m) => sum + (monthly(role, m, category) ?? 0), 0);

    // The odds ratio needs both periods: with no month held in one, there is nothing to compare.
    const comparable = beforeMonths.length > 0 && afterMonths.length > 0;
    const noDataReading = beforeMonths.length === 0 ? "No police.uk data for the months before the start: nothing to compare with." : "No police.uk data for the months since the start yet.";
    const categories: CategoryResult[] = design.categories.map((category) => {
      const perRole = Object.fromEntries(ROLES.map((role) => [role, { before: total(role, beforeMonths, category), after: total(role, afterMonths, category) }])) as PerRole<{ before: number; after: number }>;
      const counts = Object.fromEntries(
        ROLES.map((role) => [role, { before: beforeMonths.length ? perRole[role].before : null, after: afterMonths.length ? perRole[role].after : null }]),
      ) as CategoryResult["counts"];
      const cells = { rb: perRole.target.before, ra: perRole.target.after, cb: perRole.comparison.before, ca: perRole.comparison.after };
      const series = (role: Role, months: string[]) => months.map((m) => monthly(role, m, category) ?? 0);
      const dispersion = overdispersion([series("target", beforeMonths), series("target", afterMonths), series("comparison", beforeMonths), series("comparison", afterMonths)]);
      const ratio = comparable ? oddsRatio(cells, dispersion.value) : null;
      const withBuffer = { ...cells, db: perRole.buffer.before, da: perRole.buffer.after };
      const policeGenerated = POLICE_GENERATED.has(category);
      return {
        category,
        policeGenerated,
        counts,
        oddsRatio: ratio,
        wdq: ratio ? weightedDisplacementQuotient(withBuffer) : { value: null, meaningful: false, reading: noDataReading },
        totalNetEffect: ratio ? totalNetEffect(withBuffer) : null,
        assessment: ratio ? assess(cells, ratio) : "no-data",
        summary: ratio ? categorySentence(category, cells, ratio, policeGenerated) : `${category}: ${noDataReading.charAt(0).toLowerCase()}${noDataReading.slice(1)}`,
        monthly: [...beforeMonths.map((m) => ["before", m] as const), ...afterMonths.map((m) => ["after", m] as const)].map(([when, month]) => {
          const earlier = addMonths(month, -12);
          return {
            month,
            period: when,
            target: monthly("target", month, category),
            buffer: monthly("buffer", month, category),
            comparison: monthly("comparison", month, category),
            yearEarlier: { month: earlier, target: monthly("target", earlier, category), buffer: monthly("buffer", earlier, category), comparison: monthly("comparison", earlier, category) },
          };
        }),
      };
    });

    const corrected = categories.filter((c) => c.oddsRatio?.zeroCorrected).map((c) => c.category);
    if (corrected.length) {
      warnings.push(`A count of zero in ${corrected.join(", ")}: 0.5 was added to each of the four counts of their odds ratio, which makes those figures rough.`);
    }
    const unplacedRows = await this.repository.unplaced(relevant, [...beforeMonths, ...afterMonths]);
    if (unplacedRows) warnings.push(`${unplacedRows.toLocaleString("en-GB")} police.uk rows in these months have no location ("No Location") and cannot be placed in any area.`);
    warnings.push("police.uk locations are snapped to anonymous map points, so rows near an area's edge may be counted on the wrong side of it.");
    warnings.push("Anti-social behaviour rows are incidents, not crimes: they are reported on their own and left out of all crime.");

    const allCrime = categories.find((c) => c.category === ALL_CRIME)!;
    const asb = categories.find((c) => c.category === ANTI_SOCIAL_BEHAVIOUR) ?? null;
    const targetBefore = beforeMonths.map((m) => monthly("target", m, ALL_CRIME) ?? 0);
    const spike = spikeBeforeStart(targetBefore, allCrime.oddsRatio?.overdispersion ?? 1);
    if (!spike.checked && beforeMonths.length > 0) {
      warnings.push(`Only ${beforeMonths.length} month${beforeMonths.length === 1 ? "" : "s"} before the start: too few to check whether the operation started after a spike (regression to the mean).`);
    }
    const overlapWarning = await this.overlapWarning(operation.id);
    if (overlapWarning) warnings.push(overlapWarning);

    const cellsOf = (c: CategoryResult) => ({ rb: c.counts.target.before ?? 0, ra: c.counts.target.after ?? 0, cb: c.counts.comparison.before ?? 0, ca: c.counts.comparison.after ?? 0 });
    const rises = categories.filter((c) => c.policeGenerated && c.assessment === "worsened").map((c) => c.category);
    const verdictText = verdict({
      allCrime: allCrime.oddsRatio ? { counts: cellsOf(allCrime), oddsRatio: allCrime.oddsRatio, wdq: allCrime.wdq } : null,
      antiSocialBehaviour: asb?.oddsRatio ? { counts: cellsOf(asb), oddsRatio: asb.oddsRatio } : null,
      monthsBefore: beforeMonths.length,
      monthsAfter: afterMonths.length,
      spike,
      policeGeneratedRises: rises,
    });

    const activity = await policeActivity(this.activityTotals, operation.id, { before: beforeRange, after: afterRange }, !setUpAfterItEnded(operation));
    if (!activity.recorded) warnings.push(activity.note);

    return {
      operation: {
        id: operation.id,
        slug: operation.slug,
        name: operation.name,
        startsOn: operation.startsOn,
        endsOn: operation.endsOn,
        published: Boolean(operation.published),
      },
      design: {
        version: current.version,
        recordedAt: current.createdAt,
        reason: current.reason,
        versions: versions.map((v) => ({ version: v.version, recordedAt: v.createdAt, reason: v.reason, afterStart: v.createdAt.slice(0, 10) >= operation.startsOn })),
        design,
      },
      periods,
      areas: await this.areas.features(operation.id),
      warnings,
      sources: [
        {
          source: "police-uk",
          forces: relevant,
          dataAsOf,
          unplacedRows,
          categories,
          outcomes: await this.outcomes(operation.id, demo, beforeMonths, afterMonths),
        },
        await this.reportTrends(operation.id),
      ],
      policeActivity: activity,
      verdict: verdictText,
      methodology: METHODOLOGY,
    };
  }

  private async overlapWarning(operationId: number): Promise<string | null> {
    const features = await this.areas.features(operationId);
    if (!features.some((f) => f.properties.role === "comparison")) return "This operation has no comparison area: the odds ratio compares the target with nothing and cannot be read.";
    const shared = await this.repository.sharedComparisonPoints(operationId);
    if (shared) return `The comparison area now shares ${shared} police.uk snap point${shared === 1 ? "" : "s"} with the target or buffer (newly imported data): the comparison is not independent of the operation. Redefine the comparison area.`;
    return null;
  }

  /** What became of the crimes in each area and period: the answer to "it goes unpunished". */
  private async outcomes(operationId: number, demo: boolean, before: string[], after: string[]) {
    const byArea = Object.fromEntries(ROLES.map((role) => [role, { before: emptyOutcomes(), after: emptyOutcomes() }])) as PerRole<{ before: OutcomeSummary; after: OutcomeSummary }>;
    const beforeSet = new Set(before);
    for (const crime of await this.repository.crimeOutcomes(operationId, demo, [...before, ...after])) {
      const role = crime.role as Role;
      if (!byArea[role]) continue;
      const summary = byArea[role][beforeSet.has(crime.month) ? "before" : "after"];
      const outcome = crime.latestOutcome ?? crime.lastOutcomeCategory ?? "No outcome recorded";
      summary.crimes++;
      summary.groups[outcomeGroup(crime.latestOutcome ?? crime.lastOutcomeCategory)]++;
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
    }
    const target = byArea.target.after;
    const percent = (n: number) => (target.crimes ? Math.round((n / target.crimes) * 100) : 0);
    const dealtWith = target.groups.court + target.groups["out-of-court"];
    const reading = target.crimes
      ? `Of ${target.crimes} crimes recorded in the target area since the start, ${dealtWith} (${percent(dealtWith)}%) have so far led to someone being charged or dealt with, ${target.groups["no-further-action"]} (${percent(target.groups["no-further-action"])}%) were closed with no one charged or dealt with, and ${target.groups.open} (${percent(target.groups.open)}%) are still open or have no outcome known. Outcomes of recent crimes are often still pending.`
      : "No crimes recorded in the target area since the start, so there are no outcomes to show.";
    return { byArea, reading, groupNames: OUTCOME_GROUP_NAMES };
  }

  private async reportTrends(operationId: number) {
    const names = new Map((await this.categories.list()).map((c) => [c.code, c.name]));
    const byCategory = new Map<string, Map<string, number>>();
    let first: string | null = null;
    let last: string | null = null;
    for (const report of await this.repository.reports(operationId)) {
      const parts = utcToLondonParts(report.occurredAt);
      const month = `${parts.year}-${String(parts.month).padStart(2, "0")}`;
      if (!first || month < first) first = month;
      if (!last || month > last) last = month;
      if (!byCategory.has(report.categoryCode)) byCategory.set(report.categoryCode, new Map());
      const months = byCategory.get(report.categoryCode)!;
      months.set(month, (months.get(month) ?? 0) + 1);
    }
    const months = first && last ? monthRange(first, last) : [];
    return {
      source: "reports" as const,
      note: "Residents' reports to openbeat, by the month they say it happened: a trend beside the police.uk figures, not part of the odds ratio (they have no before period or comparison area).",
      categories: [...byCategory.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, counts]) => ({ category: code, name: names.get(code) ?? code, monthly: Object.fromEntries(months.map((m) => [m, counts.get(m) ?? 0])) })),
    };
  }
}
