// Scheduled retention (`openbeat retention run`): erases or anonymises what is due under the
// policy in src/domain/retention.ts, and writes one erasure event per kind of record with the
// ids affected, never the content.
import { daysBefore, type RetentionPolicy } from "../../domain/retention.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { RetentionRepository } from "./retention.repository.ts";

export interface RetentionStep {
  name: string;
  /** Erases what is due and returns how many records it touched. */
  run(now: Date): Promise<number>;
}

export interface RetentionSummary {
  drafts: number;
  sessions: number;
  rateLimits: number;
  contactDetails: number;
  reportsAnonymised: number;
  activityPoints: number;
  auditSegmentsSealed: number;
  auditSegmentsExpired: number;
  auditEventsExpired: number;
  other: Record<string, number>;
}

export class RetentionService {
  readonly #steps: RetentionStep[] = [];

  constructor(
    private readonly repository: RetentionRepository,
    private readonly audit: AuditService,
    private readonly policy: RetentionPolicy,
  ) {}

  /** Other modules add their own erasure here (vehicle sightings, safeguarding cases). */
  addStep(step: RetentionStep): void {
    this.#steps.push(step);
  }

  private async logErasure(recordType: string, ids: number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.audit.record({ actor: null, operation: "erasure", recordType, recordIds: ids, reason: { code: "retention", reference: now.toISOString().slice(0, 10) } }, now);
  }

  async run(now: Date = new Date()): Promise<RetentionSummary> {
    const transient = await this.repository.deleteExpiredTransient(now.toISOString());

    const contacts = await this.repository.contactsOfReportsClosedBefore(daysBefore(now, this.policy.contactAfterClosure));
    await this.repository.deleteContacts(contacts);
    await this.logErasure("report-contact", contacts, now);

    const reports = await this.repository.reportsWithDetailClosedBefore(daysBefore(now, this.policy.reportDetailAfterClosure));
    await this.repository.anonymiseReports(reports, now.toISOString());
    await this.logErasure("report-detail", reports, now);

    const points = await this.repository.dropActivityPoints(daysBefore(now, this.policy.activityPoint));
    await this.logErasure("engagement-location", points.engagements, now);
    await this.logErasure("enforcement-location", points.enforcement, now);

    const other: Record<string, number> = {};
    for (const step of this.#steps) other[step.name] = await step.run(now);

    const sealed = await this.audit.seal(now);
    const expired = await this.audit.expire(now);
    return {
      ...transient,
      contactDetails: contacts.length,
      reportsAnonymised: reports.length,
      activityPoints: points.engagements.length + points.enforcement.length,
      auditSegmentsSealed: sealed ? 1 : 0,
      auditSegmentsExpired: expired.segments,
      auditEventsExpired: expired.events,
      other,
    };
  }
}
