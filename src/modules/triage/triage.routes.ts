// The officer's side of a report: the queue, one report, grading it and moving it on.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { GRADES, OUTCOMES, STATUS_LABELS, STATUSES, THRIVE_HEADINGS } from "../../domain/reports.ts";
import { REASON_CODES, type ReasonCode } from "../audit/audit.service.ts";
import { access } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";

const PAGE_SIZE = 50;

interface QueueQuery {
  status?: string;
  category?: string;
  grade?: string;
  area?: string;
  page?: string;
}

export function registerTriagePages(app: FastifyInstance, services: Services): void {
  const triage = access.to("reports:triage");
  const record = access.to("reports:triage", { record: true });

  app.get<{ Querystring: QueueQuery }>("/staff/reports", { config: { access: triage } }, async (request, reply) => {
    const query = request.query;
    const pageNumber = Math.max(1, Math.min(10_000, Number.parseInt(query.page ?? "1", 10) || 1));
    const filter = {
      status: (STATUSES as readonly string[]).includes(query.status ?? "") ? query.status : undefined,
      category: query.category && /^[a-z0-9-]{1,60}$/.test(query.category) ? query.category : undefined,
      grade: query.grade && query.grade in GRADES ? query.grade : undefined,
      area: (["target", "buffer", "outside"] as const).find((a) => a === query.area),
    };
    const [queue, categories] = await Promise.all([
      services.triage.queue({ ...filter, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE }),
      services.categories.list(),
    ]);
    const pages = Math.max(1, Math.ceil(queue.total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
    return reply.page("triage/views/queue.njk", {
      title: "Residents' reports",
      queue,
      filter,
      categories,
      statuses: STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s] })),
      grades: Object.entries(GRADES).map(([value, g]) => ({ value, text: g.label })),
      statusLabels: STATUS_LABELS,
      gradeLabels: Object.fromEntries(Object.entries(GRADES).map(([k, g]) => [k, g.label])),
      pagination: {
        page: pageNumber,
        pages,
        previous: pageNumber > 1 ? `?${new URLSearchParams([...params, ["page", String(pageNumber - 1)]])}` : null,
        next: pageNumber < pages ? `?${new URLSearchParams([...params, ["page", String(pageNumber + 1)]])}` : null,
      },
    });
  });

  async function showReport(reply: FastifyReply, reference: string, extra: Record<string, unknown> = {}, status = 200) {
    const opened = await services.triage.open(reference);
    return reply.page(
      "triage/views/report.njk",
      {
        title: `Report ${reference}`,
        ...opened,
        grades: GRADES,
        thriveHeadings: THRIVE_HEADINGS,
        outcomes: OUTCOMES,
        statusLabels: STATUS_LABELS,
        reasonCodes: REASON_CODES,
        ...extra,
      },
      status,
    );
  }

  app.get<{ Params: { reference: string } }>("/staff/reports/:reference", { config: { access: record } }, async (request, reply) =>
    showReport(reply, request.params.reference.toUpperCase()),
  );

  app.post<{ Params: { reference: string } }>("/staff/reports/:reference/grade", { config: { access: record } }, async (request, reply) => {
    const reference = request.params.reference.toUpperCase();
    const body = (request.body ?? {}) as FormBody;
    const thrive = Object.fromEntries(Object.keys(THRIVE_HEADINGS).map((key) => [key, field(body, `thrive-${key}`)]));
    try {
      await services.triage.grade(reference, { grade: field(body, "grade"), thrive, forceReference: field(body, "forceReference") }, request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return showReport(reply, reference, { errors: formErrors(error.fields), form: { grade: field(body, "grade"), thrive, forceReference: field(body, "forceReference") } }, 400);
      }
      throw error;
    }
    return reply.redirect(`/staff/reports/${reference}?saved=graded`);
  });

  app.post<{ Params: { reference: string } }>("/staff/reports/:reference/status", { config: { access: record } }, async (request, reply) => {
    const reference = request.params.reference.toUpperCase();
    const body = (request.body ?? {}) as FormBody;
    try {
      await services.triage.move(reference, field(body, "status"), field(body, "outcome") || undefined, request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showReport(reply, reference, { errors: formErrors(error.fields) }, 400);
      throw error;
    }
    return reply.redirect(`/staff/reports/${reference}?saved=moved`);
  });

  app.post<{ Params: { reference: string } }>("/staff/reports/:reference/contact", { config: { access: record } }, async (request, reply) => {
    const reference = request.params.reference.toUpperCase();
    const body = (request.body ?? {}) as FormBody;
    const code = field(body, "reasonCode");
    const reasonReference = field(body, "reasonReference").trim();
    const problems = [];
    if (!(code in REASON_CODES)) problems.push({ field: "reasonCode", message: "Choose why you need the contact details" });
    if (!/^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/.test(reasonReference)) {
      problems.push({ field: "reasonReference", message: "Give a reference for the reason (an incident or crime number, letters, numbers, slashes and dashes)" });
    }
    if (problems.length) return showReport(reply, reference, { errors: formErrors(problems) }, 400);
    const email = await services.triage.revealContact(reference, { code: code as ReasonCode, reference: reasonReference }, request.staff!.user);
    return showReport(reply, reference, { contactEmail: email });
  });
}
