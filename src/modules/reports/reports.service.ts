// A resident's report, from submission to following it up with the receipt code. Nothing here
// knows the resident: no address, no device, no account; contact details only when given,
// encrypted, and their collection written to the audit log.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { encrypt } from "../../http/encryption.ts";
import { checkAnswers, type Category } from "../../domain/categories.ts";
import { h3CellFor, isInUk } from "../../domain/geo.ts";
import { hashReceiptCode, newReceiptCode, newReportReference, normaliseReceiptCode } from "../../domain/receipts.ts";
import { canResidentReopen, OUTCOMES, STATUS_LABELS, type ReportStatus } from "../../domain/reports.ts";
import { normaliseRegistration, RegistrationError } from "../../domain/registrations.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import { markDashboardStale } from "../dashboard/dashboard.repository.ts";
import type { OperationsService } from "../operations/operations.service.ts";
import type { ReportRow, ReportsRepository } from "./reports.repository.ts";
import type { WriteBatcher } from "../../db/write-batcher.ts";
import type { Limit, RateLimitsService } from "../rate-limits/rate-limits.service.ts";
import type { NewReport, TrackedReport } from "./reports.schemas.ts";

/** How far ahead a clock may be before a report "from the future" is refused. */
const CLOCK_SKEW_MS = 10 * 60_000;
const OLDEST_REPORT_DAYS = 365;

export interface ReportKeys {
  receipt: Buffer;
  contact: Buffer;
}

export class ReportsService {
  constructor(
    private readonly repository: ReportsRepository,
    private readonly categories: CategoriesService,
    private readonly operations: OperationsService,
    private readonly audit: AuditService,
    private readonly keys: ReportKeys,
    private readonly writes: WriteBatcher,
    private readonly rateLimits: RateLimitsService,
  ) {}

  /** Checks what schema validation cannot: the category's own questions, plates, places, times. */
  async check(input: NewReport, now: Date = new Date()): Promise<{ category: Category; problems: FieldProblem[] }> {
    const problems: FieldProblem[] = [];
    const category = await this.categories.find(input.category);
    if (!category) {
      const codes = (await this.categories.list()).map((c) => c.code).join(", ");
      return { category: undefined as never, problems: [{ field: "category", message: `Choose a category from the list (one of ${codes})` }] };
    }
    const { problems: answerProblems } = checkAnswers(category, input.answers ?? {});
    for (const p of answerProblems) problems.push({ field: `answers.${p.question}`, message: p.message });

    const hasPoint = input.lat !== undefined || input.lng !== undefined;
    if (hasPoint) {
      if (input.lat === undefined || input.lng === undefined) problems.push({ field: "lat", message: "Give both lat and lng, or neither" });
      else if (!isInUk(input.lat, input.lng)) problems.push({ field: "lat", message: "That place is outside the UK: check the latitude and longitude" });
    } else if (!input.locationText?.trim()) {
      problems.push({ field: "locationText", message: "Say where it happened: drop a pin on the map or describe the street and nearest landmark" });
    }

    const occurred = new Date(input.occurredAt);
    if (occurred.getTime() > now.getTime() + CLOCK_SKEW_MS) problems.push({ field: "occurredAt", message: "The date and time it happened must be in the past" });
    else if (occurred.getTime() < now.getTime() - OLDEST_REPORT_DAYS * 86_400_000) problems.push({ field: "occurredAt", message: "Report things from the last 12 months" });
    if (input.occurredUntil) {
      const until = new Date(input.occurredUntil);
      if (until < occurred) problems.push({ field: "occurredUntil", message: "The end of the time range must be after its start" });
      else if (until.getTime() > now.getTime() + CLOCK_SKEW_MS) problems.push({ field: "occurredUntil", message: "The end of the time range must be in the past" });
    }

    if (input.vehicle) {
      if (!category.askVehicle) problems.push({ field: "vehicle", message: `Vehicle details are not asked for “${category.name}”` });
      else if (input.vehicle.registration?.trim()) {
        try {
          normaliseRegistration(input.vehicle.registration);
        } catch (error) {
          if (!(error instanceof RegistrationError)) throw error;
          problems.push({ field: "vehicle.registration", message: error.message });
        }
      }
    }
    return { category, problems };
  }

  /**
   * Stores a report. Rate limits given here are counted in the report's own transaction, which
   * shares its commit with other reports arriving at the same moment (see WriteBatcher).
   */
  async submit(input: NewReport, options: { isDemo?: boolean; now?: Date; rateLimits?: Array<{ limit: Limit; client: string }> } = {}): Promise<{ reference: string; receiptCode: string }> {
    const now = options.now ?? new Date();
    const { category, problems } = await this.check(input, now);
    if (problems.length) throw errors.invalid(problems);
    const { answers } = checkAnswers(category, input.answers ?? {});
    const point = input.lat !== undefined && input.lng !== undefined ? { latitude: input.lat, longitude: input.lng } : null;
    const placement = await this.operations.place(point, now);
    const receiptCode = newReceiptCode();
    const nowIso = now.toISOString();
    const vehicle = input.vehicle && Object.values(input.vehicle).some((v) => v?.trim()) ? input.vehicle : null;
    const registration = vehicle?.registration?.trim() ? normaliseRegistration(vehicle.registration) : null;
    const email = input.contact?.email?.trim().toLowerCase();

    // References are random; a clash is vanishingly rare but retried rather than failed.
    for (let attempt = 0; ; attempt++) {
      const reference = newReportReference();
      try {
        const report = {
            reference,
            receiptHash: hashReceiptCode(this.keys.receipt, normaliseReceiptCode(receiptCode)!),
            categoryCode: category.code,
            operationId: placement.operationId,
            areaRole: placement.areaRole,
            status: "received",
            occurredAt: new Date(input.occurredAt).toISOString(),
            occurredUntil: input.occurredUntil ? new Date(input.occurredUntil).toISOString() : null,
            latitude: point?.latitude ?? null,
            longitude: point?.longitude ?? null,
            accuracyMetres: point ? (input.accuracy ?? null) : null,
            h3Cell: point ? h3CellFor(point.latitude, point.longitude) : null,
            locationText: input.locationText?.trim() || null,
            description: input.description.trim(),
            answers: JSON.stringify(answers),
            grade: null,
            thrive: null,
            forceReference: null,
            outcome: null,
            triagedAt: null,
            triagedBy: null,
            closedAt: null,
            reopenedAt: null,
            isDemo: options.isDemo ?? false,
            createdAt: nowIso,
            updatedAt: nowIso,
        };
        const sighting = vehicle
            ? {
                registration: registration?.normalised ?? null,
                registrationFormat: registration?.format ?? null,
                make: vehicle.make?.trim() || null,
                colour: vehicle.colour?.trim() || null,
                seenAt: new Date(input.occurredAt).toISOString(),
                source: "report",
                latitude: point?.latitude ?? null,
                longitude: point?.longitude ?? null,
                corroborated: false,
                createdAt: nowIso,
              }
            : null;
        const sealedEmail = email ? encrypt(this.keys.contact, email) : null;
        const id = await this.writes.run(async (trx) => {
          for (const { limit, client } of options.rateLimits ?? []) await this.rateLimits.hitIn(trx, limit, client, now);
          // No dashboard change mark: a dashboard sees a new report by the highest report id.
          return this.repository.createIn(trx, report, sighting, sealedEmail);
        });
        if (email) await this.audit.record({ actor: null, operation: "collection", recordType: "report-contact", recordIds: [id] }, now);
        return { reference, receiptCode };
      } catch (error) {
        if (attempt < 3 && /unique|duplicate/i.test(String((error as Error).message)) && /reference/i.test(String((error as Error).message))) continue;
        throw error;
      }
    }
  }

  /** The report a receipt code unlocks, or null: a malformed code and an unknown one look the same. */
  async findByReceipt(code: string): Promise<ReportRow | null> {
    const normalised = normaliseReceiptCode(code);
    if (!normalised) return null;
    return (await this.repository.findByReceiptHash(hashReceiptCode(this.keys.receipt, normalised))) ?? null;
  }

  async track(code: string, now: Date = new Date()): Promise<TrackedReport | null> {
    const report = await this.findByReceipt(code);
    if (!report) return null;
    const [updates, notes, category] = await Promise.all([
      this.repository.publicUpdatesFor(report.id),
      this.repository.notesFor(report.id),
      this.categories.find(report.categoryCode),
    ]);
    const status = report.status as ReportStatus;
    return {
      reference: report.reference,
      category: category?.name ?? report.categoryCode,
      status,
      statusLabel: STATUS_LABELS[status],
      outcome: report.outcome ? (OUTCOMES[report.outcome as keyof typeof OUTCOMES] ?? report.outcome) : null,
      receivedAt: report.createdAt,
      closedAt: report.closedAt,
      canReopen: canResidentReopen(status, report.closedAt, now),
      updates: updates.map(({ title, body, publishedAt }) => ({ title, body, publishedAt })),
      additions: notes
        .filter((note) => note.kind === "addition" || note.kind === "reopen")
        .map((note) => ({ kind: note.kind as "addition" | "reopen", addedAt: note.createdAt })),
    };
  }

  /** A resident adds to their report, or reopens it within 28 days of closure. */
  async addInformation(code: string, text: string, reopen: boolean, now: Date = new Date()): Promise<TrackedReport> {
    const report = await this.findByReceipt(code);
    if (!report) throw errors.notFound("report");
    const status = report.status as ReportStatus;
    if (reopen && !canResidentReopen(status, report.closedAt, now)) {
      throw errors.invalid([{ field: "reopen", message: status === "closed" ? "Reports can only be reopened within 28 days of being closed" : "This report is still open" }]);
    }
    if (!reopen && status === "closed" && !canResidentReopen(status, report.closedAt, now)) {
      throw errors.invalid([{ field: "text", message: "This report was closed more than 28 days ago. Make a new report instead." }]);
    }
    await this.repository.addNote(
      report.id,
      { kind: reopen ? "reopen" : "addition", body: text.trim(), authorId: null },
      reopen ? { fromStatus: "closed", status: "in_progress", reopenedAt: now.toISOString() } : null,
      now.toISOString(),
    );
    await this.repository.transaction((trx) => markDashboardStale(trx, report.operationId));
    return (await this.track(code, now))!;
  }
}
