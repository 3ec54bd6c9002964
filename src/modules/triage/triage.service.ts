// What officers do with a report: see the queue, open a report, grade it with a THRIVE
// judgement and the force's own reference, and move it on to closure with an outcome.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { decrypt } from "../../http/encryption.ts";
import { fromJson } from "../../db/database.ts";
import { answersRaiseSafeguarding, type Answers } from "../../domain/categories.ts";
import { assertTransition, GRADE_CODES, OUTCOME_CODES, THRIVE_KEYS, TransitionError, type ReportStatus, type Thrive } from "../../domain/reports.ts";
import { displayRegistration, type RegistrationFormat } from "../../domain/registrations.ts";
import type { AuditService, ReasonCode } from "../audit/audit.service.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import { markDashboardStale } from "../dashboard/dashboard.repository.ts";
import type { ReportsRepository } from "../reports/reports.repository.ts";
import type { QueueFilter, TriageRepository } from "./triage.repository.ts";

/** The force's own incident or crime number: letters, digits, slashes and dashes. */
const FORCE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/;

export interface TriageInput {
  grade: string;
  thrive: Partial<Record<string, string>>;
  forceReference?: string;
}

export class TriageService {
  constructor(
    private readonly repository: TriageRepository,
    private readonly reports: ReportsRepository,
    private readonly categories: CategoriesService,
    private readonly audit: AuditService,
    private readonly contactKey: Buffer,
  ) {}

  async queue(filter: QueueFilter) {
    const [{ rows, total }, categories] = await Promise.all([this.repository.queue(filter), this.categories.list()]);
    return {
      total,
      reports: rows.map((row) => ({
        reference: row.reference,
        category: categories.find((c) => c.code === row.categoryCode)?.name ?? row.categoryCode,
        status: row.status as ReportStatus,
        grade: row.grade,
        areaRole: row.areaRole,
        occurredAt: row.occurredAt,
        createdAt: row.createdAt,
        reopened: Boolean(row.reopenedAt) && row.status !== "closed",
        isDemo: Boolean(row.isDemo),
        safeguarding: answersRaiseSafeguarding(fromJson<Answers>(row.answers, {})),
      })),
    };
  }

  async open(reference: string) {
    const report = await this.reports.findByReference(reference);
    if (!report) throw errors.notFound("report");
    const [category, vehicle, history, notes, updates, contact] = await Promise.all([
      this.categories.find(report.categoryCode),
      this.repository.vehicleOf(report.id),
      this.repository.history(report.id),
      this.reports.notesFor(report.id),
      this.reports.publicUpdatesFor(report.id),
      this.repository.contactOf(report.id),
    ]);
    const answers = fromJson<Answers>(report.answers, {});
    return {
      report,
      category,
      answers: (category?.questions ?? [])
        .filter((q) => answers[q.code] !== undefined)
        .map((q) => {
          const value = answers[q.code]!;
          const names = (Array.isArray(value) ? value : [value]).map((v) => q.values.find((option) => option.key === v)?.name ?? v);
          return { label: q.label, value: names.join(", ") };
        }),
      safeguarding: answersRaiseSafeguarding(answers),
      vehicle: vehicle
        ? {
            registration: vehicle.registration ? displayRegistration({ normalised: vehicle.registration, format: vehicle.registrationFormat as RegistrationFormat }) : null,
            unrecognisedFormat: vehicle.registrationFormat === "unrecognised",
            make: vehicle.make,
            colour: vehicle.colour,
          }
        : null,
      thrive: fromJson<Thrive | null>(report.thrive, null),
      history,
      notes,
      updates,
      hasContact: contact !== null,
    };
  }

  async grade(reference: string, input: TriageInput, user: StaffUser, now: Date = new Date()): Promise<void> {
    const report = await this.reports.findByReference(reference);
    if (!report) throw errors.notFound("report");
    const problems: FieldProblem[] = [];
    if (!GRADE_CODES.includes(input.grade as never)) problems.push({ field: "grade", message: "Choose a grade" });
    const thrive: Record<string, string> = {};
    for (const key of THRIVE_KEYS) {
      const reason = (input.thrive[key] ?? "").trim();
      if (!reason) problems.push({ field: `thrive-${key}`, message: `Record your judgement on ${key} and why` });
      else if (reason.length > 1000) problems.push({ field: `thrive-${key}`, message: `Keep the ${key} judgement to 1000 characters or fewer` });
      thrive[key] = reason;
    }
    const forceReference = input.forceReference?.trim() || null;
    if (forceReference && !FORCE_REFERENCE.test(forceReference)) {
      problems.push({ field: "forceReference", message: "The force reference can only hold letters, numbers, slashes and dashes (up to 40), like 42/12345/26" });
    }
    if (problems.length) throw errors.invalid(problems);
    await this.reports.transaction(async (trx) => {
      if (report.status === "received") {
        const moved = await this.reports.changeStatusIn(trx, report.id, "received", "triaged", user.id, now.toISOString());
        if (!moved) throw errors.conflict("Someone else changed this report at the same time. Reload it and try again.");
      }
      await trx
        .updateTable("reports")
        .set({ grade: input.grade, thrive: JSON.stringify(thrive), forceReference, triagedBy: user.id, triagedAt: now.toISOString(), updatedAt: now.toISOString() })
        .where("id", "=", report.id)
        .execute();
      await markDashboardStale(trx, report.operationId);
    });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "report", recordIds: [report.id] }, now);
  }

  async move(reference: string, to: string, outcome: string | undefined, user: StaffUser, now: Date = new Date()): Promise<void> {
    const report = await this.reports.findByReference(reference);
    if (!report) throw errors.notFound("report");
    if (to === "closed" && !OUTCOME_CODES.includes(outcome as never)) throw errors.invalid([{ field: "outcome", message: "Choose an outcome to close the report" }]);
    try {
      assertTransition({ from: report.status as ReportStatus, to: to as ReportStatus, hasGrade: Boolean(report.grade), outcome });
    } catch (error) {
      if (error instanceof TransitionError) throw errors.invalid([{ field: "status", message: error.message }]);
      throw error;
    }
    await this.reports.transaction(async (trx) => {
      const extra = to === "closed" ? { outcome: outcome!, closedAt: now.toISOString() } : { outcome: null, closedAt: null };
      const moved = await this.reports.changeStatusIn(trx, report.id, report.status, to, user.id, now.toISOString(), extra);
      if (!moved) throw errors.conflict("Someone else changed this report at the same time. Reload it and try again.");
      await markDashboardStale(trx, report.operationId);
    });
  }

  /** Shows a resident's contact details to an officer with a stated reason, and logs the consultation. */
  async revealContact(reference: string, reason: { code: ReasonCode; reference: string }, user: StaffUser): Promise<string> {
    const report = await this.reports.findByReference(reference);
    if (!report) throw errors.notFound("report");
    const sealed = await this.repository.contactOf(report.id);
    if (!sealed) throw errors.notFound("contact details");
    await this.audit.record({
      actor: { id: user.id, role: user.role },
      operation: "consultation",
      recordType: "report-contact",
      recordIds: [report.id],
      reason,
    });
    return decrypt(this.contactKey, sealed);
  }
}
