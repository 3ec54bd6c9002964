// "You said, we did": public updates written by officers, attached to the reports they answer.
// Their text is public, so the form warns against names, addresses and registrations.
import { errors, type FieldProblem } from "../../http/errors.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import { markDashboardStale } from "../dashboard/dashboard.repository.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { DisclosureService } from "../disclosure/disclosure.service.ts";
import type { ReportsRepository } from "../reports/reports.repository.ts";
import type { UpdatesRepository } from "./updates.repository.ts";

export interface NewUpdate {
  title: string;
  body: string;
  operationId: number | null;
  reportReferences: string[];
}

export class UpdatesService {
  constructor(
    private readonly repository: UpdatesRepository,
    private readonly reports: ReportsRepository,
    private readonly disclosure: DisclosureService,
    private readonly audit: AuditService,
  ) {}

  /** The title and text checked as every public update's are: what is wrong, field by field. */
  private wording(input: { title: string; body: string }): { title: string; body: string; problems: FieldProblem[] } {
    const problems: FieldProblem[] = [];
    const title = input.title.trim();
    const body = input.body.trim();
    if (!title) problems.push({ field: "title", message: "Enter a title, like “Extra patrols on Ambleside Drive”" });
    else if (title.length > 120) problems.push({ field: "title", message: "Keep the title to 120 characters or fewer" });
    if (!body) problems.push({ field: "body", message: "Say what was done" });
    else if (body.length > 4000) problems.push({ field: "body", message: "Keep the update to 4000 characters or fewer" });
    return { title, body, problems };
  }

  /** A new update checked, field by field, with the reports it answers. */
  private async checked(input: NewUpdate) {
    const { title, body, problems } = this.wording(input);
    const references = [...new Set(input.reportReferences.map((r) => r.trim().toUpperCase()).filter(Boolean))];
    const reports = await this.reports.findByReferences(references);
    const missing = references.filter((ref) => !reports.some((r) => r.reference === ref));
    if (missing.length) problems.push({ field: "reports", message: `No report has the reference ${missing.join(", ")}` });
    if (problems.length) throw errors.invalid(problems);
    return { title, body, references, reports };
  }

  /** What a new update would look like, checked but not saved: the preview before publishing. */
  async preview(input: NewUpdate): Promise<{ title: string; body: string; reports: string[] }> {
    const { title, body, references } = await this.checked(input);
    return { title, body, reports: references };
  }

  async publish(input: NewUpdate, user: StaffUser | null, options: { isDemo?: boolean; now?: Date } = {}): Promise<number> {
    const { title, body, reports } = await this.checked(input);
    const id = await this.repository.create(
      {
        operationId: input.operationId ?? reports[0]?.operationId ?? null,
        title,
        body,
        authorId: user?.id ?? null,
        isDemo: options.isDemo ?? false,
        publishedAt: (options.now ?? new Date()).toISOString(),
      },
      reports.map((r) => r.id),
    );
    await this.reports.transaction((trx) => markDashboardStale(trx, input.operationId ?? reports[0]?.operationId ?? null));
    return id;
  }

  /** The newest updates, each with how many reports it answers as the gate allows (withheld under k). */
  async list(limit = 50) {
    return (await this.repository.list(limit)).map((update) => ({ ...update, reportCount: this.disclosure.reportsAnsweredCount(update.reportCount) }));
  }

  async find(id: number) {
    const update = await this.repository.findById(id);
    if (!update) throw errors.notFound("update");
    return update;
  }

  /** Changes an update's wording; the earlier wording is kept for staff, and the change is audited. */
  async change(id: number, input: { title: string; body: string }, user: StaffUser, now: Date = new Date()): Promise<void> {
    const update = await this.find(id);
    if (update.withdrawnAt) throw errors.conflict("This update was withdrawn: it cannot be changed. Write a new one.");
    const { title, body, problems } = this.wording(input);
    if (problems.length) throw errors.invalid(problems);
    await this.repository.change(id, { title, body }, user.id, now.toISOString());
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "public-update", recordIds: [id] }, now);
    await this.reports.transaction((trx) => markDashboardStale(trx, update.operationId));
  }

  /** Withdraws an update: it leaves every list and feed, and its page says when and why. Audited. */
  async withdraw(id: number, reason: string, user: StaffUser, now: Date = new Date()): Promise<void> {
    const update = await this.find(id);
    if (update.withdrawnAt) return;
    const why = reason.trim();
    if (!why) throw errors.invalid([{ field: "reason", message: "Say why it is withdrawn, for example “It named a street it should not have”" }]);
    if (why.length > 300) throw errors.invalid([{ field: "reason", message: "Keep the reason to 300 characters or fewer" }]);
    await this.repository.withdraw(id, why, now.toISOString());
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "public-update", recordIds: [id] }, now);
    await this.reports.transaction((trx) => markDashboardStale(trx, update.operationId));
  }

  versions(id: number) {
    return this.repository.versions(id);
  }
}
