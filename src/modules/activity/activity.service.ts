// What officers log on the street (patrols, engagements, enforcement) and what an operation
// lead sees of it against the plan. The rules themselves are in src/domain/activity.ts.
import crypto from "node:crypto";
import { errors, type FieldProblem } from "../../http/errors.ts";
import { h3CellFor, isInUk } from "../../domain/geo.ts";
import {
  checkEnforcement,
  ENFORCEMENT_ACTIONS,
  ENGAGEMENT_KINDS,
  hoursByWeek,
  MAX_DISPERSAL_HOURS,
  OFFENCES,
  TARGET_GROUPS,
  weekStart,
  type EnforcementAction,
} from "../../domain/activity.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import type { OperationsService } from "../operations/operations.service.ts";
import type { ActivityRepository } from "./activity.repository.ts";

export const ENFORCEMENT_OUTCOMES = [
  "Advice given",
  "Warned",
  "Notice served",
  "Reported for summons",
  "Charged",
  "Cautioned",
  "Released under investigation",
  "No further action",
  "Drugs seized",
  "Order granted by the court",
] as const;

const AREA_ROLES = ["target", "buffer"] as const;

export interface Place {
  areaRole: string | null;
  latitude?: number | null;
  longitude?: number | null;
  locationText?: string | null;
}

function placeColumns(place: Place) {
  const hasPoint = typeof place.latitude === "number" && typeof place.longitude === "number";
  return {
    latitude: hasPoint ? place.latitude! : null,
    longitude: hasPoint ? place.longitude! : null,
    h3Cell: hasPoint ? h3CellFor(place.latitude!, place.longitude!) : null,
  };
}

function checkPlace(place: Place, problems: FieldProblem[]): void {
  const hasPoint = typeof place.latitude === "number" || typeof place.longitude === "number";
  if (hasPoint && !(typeof place.latitude === "number" && typeof place.longitude === "number" && isInUk(place.latitude, place.longitude))) {
    problems.push({ field: "locationText", message: "The map position is not in the UK: move the pin or describe the place" });
  }
}

export class ActivityService {
  constructor(
    private readonly repository: ActivityRepository,
    private readonly operations: OperationsService,
    private readonly audit: AuditService,
    /** Keys the hash that links enforcement against the same person or premises without storing who. */
    private readonly subjectKey: Buffer,
  ) {}

  private async activeOperation(operationId: number, now: Date) {
    const operation = (await this.operations.listActive(now)).find((o) => o.id === operationId);
    if (!operation) throw errors.invalid([{ field: "operationId", message: "Choose an operation that is running now" }]);
    return operation;
  }

  officers() {
    return this.repository.officers();
  }

  /** The officer's patrol now, with who is on it and the running log of what was logged on it. */
  async currentPatrol(user: StaffUser) {
    const patrol = await this.repository.currentPatrolOf(user.id);
    if (!patrol) return null;
    const [officers, logged] = await Promise.all([this.repository.officersOn(patrol.id), this.repository.loggedOn(patrol.id)]);
    const log = logged.map((entry) => ({
      at: entry.at,
      text:
        entry.kind === "engagement"
          ? (ENGAGEMENT_KINDS[entry.what as keyof typeof ENGAGEMENT_KINDS] ?? entry.what)
          : entry.kind === "enforcement"
            ? `${ENFORCEMENT_ACTIONS[entry.what as keyof typeof ENFORCEMENT_ACTIONS]?.label ?? entry.what} (${TARGET_GROUPS[entry.group as keyof typeof TARGET_GROUPS] ?? entry.group})`
            : "Vehicle sighting recorded",
    }));
    return { ...patrol, officers, log };
  }

  /** `isDemo` marks what the demo loader logs (never set from a form). */
  async startPatrol(user: StaffUser, input: { operationId: number; areaRole: string; officerIds: number[]; isDemo?: boolean }, now: Date = new Date()): Promise<number> {
    await this.activeOperation(input.operationId, now);
    if (!(AREA_ROLES as readonly string[]).includes(input.areaRole)) throw errors.invalid([{ field: "areaRole", message: "Choose the area you are patrolling" }]);
    if (await this.repository.currentPatrolOf(user.id)) throw errors.invalid([{ field: "areaRole", message: "You are already on a patrol: end it before starting another" }]);
    const known = new Set((await this.repository.officers()).map((o) => o.id));
    const officerIds = [user.id, ...input.officerIds.filter((id) => known.has(id))];
    return this.repository.startPatrol(
      { operationId: input.operationId, areaRole: input.areaRole, startedAt: now.toISOString(), endedAt: null, startedBy: user.id, isDemo: input.isDemo ?? false, createdAt: now.toISOString() },
      officerIds,
    );
  }

  async endPatrol(user: StaffUser, patrolId: number, now: Date = new Date()): Promise<void> {
    const patrol = await this.repository.currentPatrolOf(user.id);
    if (!patrol || patrol.id !== patrolId) throw errors.notFound("patrol");
    await this.repository.endPatrol(patrolId, now.toISOString());
  }

  async logEngagement(
    user: StaffUser,
    input: { operationId: number; kind: string; referralResponse: string | null; safeguardingConcern: boolean; occurredAt: string; isDemo?: boolean } & Place,
    now: Date = new Date(),
  ): Promise<{ id: number; safeguardingConcern: boolean }> {
    await this.activeOperation(input.operationId, now);
    const problems: FieldProblem[] = [];
    if (!(input.kind in ENGAGEMENT_KINDS)) problems.push({ field: "kind", message: "Choose what kind of engagement it was" });
    if (input.kind === "referral-offered" && !["accepted", "declined"].includes(input.referralResponse ?? "")) {
      problems.push({ field: "referralResponse", message: "Say whether the referral was accepted or declined" });
    }
    checkPlace(input, problems);
    if (problems.length) throw errors.invalid(problems);
    const patrol = await this.repository.currentPatrolOf(user.id);
    const id = await this.repository.addEngagement({
      operationId: input.operationId,
      patrolId: patrol?.id ?? null,
      occurredAt: input.occurredAt,
      ...placeColumns(input),
      kind: input.kind,
      referralOffered: input.kind === "referral-offered",
      referralResponse: input.kind === "referral-offered" ? input.referralResponse : null,
      safeguardingConcern: input.safeguardingConcern,
      officerId: user.id,
      isDemo: input.isDemo ?? false,
      createdAt: now.toISOString(),
    });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "collection", recordType: "engagement", recordIds: [id] }, now);
    return { id, safeguardingConcern: input.safeguardingConcern };
  }

  subjectHash(reference: string): string {
    return crypto.createHmac("sha256", this.subjectKey).update(reference.trim().toUpperCase().replace(/\s+/g, "")).digest("base64url");
  }

  async logEnforcement(
    user: StaffUser,
    input: { operationId: number; action: string; offence: string; targetGroup: string; subjectReference: string; outcome: string; occurredAt: string; isDemo?: boolean } & Place,
    now: Date = new Date(),
  ): Promise<number> {
    await this.activeOperation(input.operationId, now);
    const problems: FieldProblem[] = [];
    if (!(input.action in ENFORCEMENT_ACTIONS)) problems.push({ field: "action", message: "Choose the action taken" });
    if (!(input.offence in OFFENCES)) problems.push({ field: "offence", message: "Choose the offence the action was for" });
    if (!(input.targetGroup in TARGET_GROUPS)) problems.push({ field: "targetGroup", message: "Choose whom the action targeted" });
    if (!(ENFORCEMENT_OUTCOMES as readonly string[]).includes(input.outcome)) problems.push({ field: "outcome", message: "Choose the outcome" });
    const subject = input.subjectReference.trim();
    if (subject && !/^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/.test(subject)) {
      problems.push({ field: "subjectReference", message: "The reference can only hold letters, numbers, slashes and dashes (up to 40)" });
    }
    if (input.areaRole !== null && !(AREA_ROLES as readonly string[]).includes(input.areaRole)) problems.push({ field: "areaRole", message: "Choose the area" });
    checkPlace(input, problems);
    if (problems.length) throw errors.invalid(problems);
    const subjectReference = subject ? this.subjectHash(subject) : null;
    const check = checkEnforcement({
      action: input.action as EnforcementAction,
      occurredAt: input.occurredAt,
      areaRole: input.areaRole,
      hasSubject: subjectReference !== null,
      priorActionsForSubject: subjectReference ? await this.repository.actionsForSubject(input.operationId, subjectReference) : [],
      authorisations: await this.repository.authorisations(input.operationId),
    });
    if (!check.ok) throw errors.invalid([{ field: check.field, message: check.message }]);
    const patrol = await this.repository.currentPatrolOf(user.id);
    const id = await this.repository.addEnforcement({
      operationId: input.operationId,
      patrolId: patrol?.id ?? null,
      occurredAt: input.occurredAt,
      ...placeColumns(input),
      locationText: input.locationText?.trim() || null,
      action: input.action,
      offence: input.offence,
      targetGroup: input.targetGroup,
      subjectReference,
      outcome: input.outcome,
      priorActionId: check.priorActionId,
      dispersalAuthorisationId: check.authorisationId,
      officerId: user.id,
      isDemo: input.isDemo ?? false,
      createdAt: now.toISOString(),
    });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "collection", recordType: "enforcement", recordIds: [id] }, now);
    return id;
  }

  async authoriseDispersal(user: StaffUser, input: { operationId: number; areaRole: string; startsAt: string; endsAt: string; grounds: string }, now: Date = new Date()): Promise<number> {
    await this.activeOperation(input.operationId, now);
    const problems: FieldProblem[] = [];
    if (!(AREA_ROLES as readonly string[]).includes(input.areaRole)) problems.push({ field: "areaRole", message: "Choose the area the authorisation covers" });
    const starts = new Date(input.startsAt).getTime();
    const ends = new Date(input.endsAt).getTime();
    if (!(ends > starts)) problems.push({ field: "endsAt", message: "The authorisation must end after it starts" });
    else if (ends - starts > MAX_DISPERSAL_HOURS * 3_600_000) problems.push({ field: "endsAt", message: `An s.34 authorisation lasts ${MAX_DISPERSAL_HOURS} hours at most` });
    const grounds = input.grounds.trim();
    if (grounds.length < 20) problems.push({ field: "grounds", message: "Record the grounds: why dispersal is necessary to reduce harassment, alarm, distress or crime here (20 characters or more)" });
    else if (grounds.length > 2000) problems.push({ field: "grounds", message: "Keep the grounds to 2000 characters or fewer" });
    if (problems.length) throw errors.invalid(problems);
    return this.repository.addAuthorisation({
      operationId: input.operationId,
      areaRole: input.areaRole,
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(ends).toISOString(),
      grounds,
      authorisedBy: user.id,
      createdAt: now.toISOString(),
    });
  }

  authorisations(operationId: number) {
    return this.repository.authorisations(operationId);
  }

  /**
   * What was done between two instants: patrol hours (split at the edges), engagements,
   * referrals offered, and enforcement — action against people selling sex counted apart.
   */
  async totals(operationId: number, from: string, to: string) {
    const period = { operationId, from, to };
    const [patrols, engagements, enforcement] = await Promise.all([
      this.repository.patrolsIn({ operationId, from: new Date(new Date(from).getTime() - 86_400_000).toISOString(), to }),
      this.repository.engagementsIn(period),
      this.repository.enforcementIn(period),
    ]);
    const start = new Date(from).getTime();
    const end = new Date(to).getTime();
    const hours = patrols.reduce((sum, p) => {
      const s = Math.max(start, new Date(p.startedAt).getTime());
      const e = Math.min(end, p.endedAt ? new Date(p.endedAt).getTime() : Date.now());
      return sum + Math.max(0, e - s) / 3_600_000;
    }, 0);
    return {
      patrolHours: Math.round(hours * 10) / 10,
      engagements: engagements.length,
      referrals: engagements.filter((e) => Boolean(e.referralOffered)).length,
      enforcementActions: enforcement.filter((e) => e.targetGroup !== "seller").length,
      enforcementAgainstSellers: enforcement.filter((e) => e.targetGroup === "seller").length,
    };
  }

  /**
   * Activity against plan, week by week, for the past `weeks` complete and current weeks.
   * Enforcement against people selling sex is counted apart and never in the total.
   */
  async againstPlan(operationId: number, weeks = 12, now: Date = new Date()) {
    const operation = await this.operations.find(operationId);
    if (!operation) throw errors.notFound("operation");
    const thisWeek = weekStart(now.toISOString());
    const first = new Date(new Date(`${thisWeek}T00:00:00Z`).getTime() - (weeks - 1) * 7 * 86_400_000);
    const period = { operationId, from: first.toISOString(), to: now.toISOString() };
    const [patrols, engagements, enforcement, reports] = await Promise.all([
      this.repository.patrolsIn(period),
      this.repository.engagementsIn(period),
      this.repository.enforcementIn(period),
      this.repository.reportsIn(period),
    ]);
    const hours = hoursByWeek(patrols, now);
    const rows = Array.from({ length: weeks }, (_, i) => {
      const week = new Date(first.getTime() + i * 7 * 86_400_000).toISOString().slice(0, 10);
      const inWeek = <T>(items: T[], at: (item: T) => string | null) => items.filter((item) => at(item) && weekStart(at(item)!) === week);
      const weekEnforcement = inWeek(enforcement, (e) => e.occurredAt);
      const delivered = Math.round((hours.get(week) ?? 0) * 10) / 10;
      return {
        week,
        plannedHours: operation.plannedHoursPerWeek,
        deliveredHours: delivered,
        shortfall: Math.max(0, Math.round((operation.plannedHoursPerWeek - delivered) * 10) / 10),
        engagements: inWeek(engagements, (e) => e.occurredAt).length,
        referralsOffered: inWeek(engagements, (e) => e.occurredAt).filter((e) => Boolean(e.referralOffered)).length,
        referralsAccepted: inWeek(engagements, (e) => e.occurredAt).filter((e) => e.referralResponse === "accepted").length,
        enforcement: Object.fromEntries(Object.keys(TARGET_GROUPS).map((g) => [g, weekEnforcement.filter((e) => e.targetGroup === g).length])) as Record<keyof typeof TARGET_GROUPS, number>,
        reportsReceived: inWeek(reports, (r) => r.createdAt).length,
        reportsClosed: inWeek(reports, (r) => r.closedAt).length,
      };
    });
    return { operation, rows };
  }
}
