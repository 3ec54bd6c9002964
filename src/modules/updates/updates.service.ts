// "You said, we did": public updates written by officers, attached to the reports they answer.
// Their text is public, so the form warns against names, addresses and registrations.
import { errors, type FieldProblem } from "../../http/errors.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import { markDashboardStale } from "../dashboard/dashboard.repository.ts";
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
  ) {}

  async publish(input: NewUpdate, user: StaffUser | null, options: { isDemo?: boolean; now?: Date } = {}): Promise<number> {
    const problems: FieldProblem[] = [];
    const title = input.title.trim();
    const body = input.body.trim();
    if (!title) problems.push({ field: "title", message: "Enter a title, like “Extra patrols on Ambleside Drive”" });
    else if (title.length > 120) problems.push({ field: "title", message: "Keep the title to 120 characters or fewer" });
    if (!body) problems.push({ field: "body", message: "Say what was done" });
    else if (body.length > 4000) problems.push({ field: "body", message: "Keep the update to 4000 characters or fewer" });
    const references = [...new Set(input.reportReferences.map((r) => r.trim().toUpperCase()).filter(Boolean))];
    const reports = await this.reports.findByReferences(references);
    const missing = references.filter((ref) => !reports.some((r) => r.reference === ref));
    if (missing.length) problems.push({ field: "reports", message: `No report has the reference ${missing.join(", ")}` });
    if (problems.length) throw errors.invalid(problems);
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
}
