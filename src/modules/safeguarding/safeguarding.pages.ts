// The safeguarding lead's pages under /safeguarding. The whole area answers "not found" to
// anyone without the safeguarding role, every page sends no-store and offers "Exit this page",
// and a case is only shown for a stated reason, carried from page to page so each read is logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, errors, type FieldProblem } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import {
  AGE_BANDS,
  CASE_REASON_CODES,
  CASE_STATUSES,
  CLOSURE_REASONS,
  CONSENT_STATUSES,
  INDICATOR_GROUPS,
  NEEDS,
  NRM_OUTCOMES,
  caseReference,
  nextConsentStatuses,
  type CaseStatus,
} from "../../domain/safeguarding.ts";
import { REASON_CODES } from "../audit/audit.service.ts";
import { access } from "../auth/policy.ts";
import { field, fieldList, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { parseDateInput, parseReason, reasonQuery, ukToday, dateParts, type CaseReason } from "./safeguarding-form.ts";
import type { CaseInput } from "./safeguarding.service.ts";

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: FormBody }>;

const SAVED_MESSAGES: Record<string, string> = {
  opened: "Case opened",
  assessment: "Assessment saved",
  consent: "Consent recorded",
  duty: "Urgent duty recorded",
  note: "Note added",
  engagement: "Engagement linked",
  referral: "Referral sent to the partner agency",
  closed: "Case closed",
  reopened: "Case reopened",
};

export function registerSafeguardingPages(app: FastifyInstance, services: Services): void {
  // record: a page in this area does not exist for anyone without the safeguarding role.
  const rule = { access: access.to("safeguarding:cases", { record: true }) };
  const safeguarding = services.safeguarding;

  const sensitive = (context: Record<string, unknown>) => ({ exitThisPage: true, noStore: true, ...context });

  const reasonItems = (chosen?: string) => [
    { value: "", text: "Choose a reason" },
    ...CASE_REASON_CODES.map((code) => ({ value: code, text: REASON_CODES[code], selected: chosen === code })),
  ];

  function caseId(request: IdRequest): number {
    if (!/^\d{1,9}$/.test(request.params.id)) throw errors.notFound("case");
    return Number(request.params.id);
  }

  function caseInput(body: FormBody): CaseInput {
    return {
      alias: field(body, "alias"),
      realName: field(body, "realName"),
      ageBand: field(body, "ageBand"),
      indicators: fieldList(body, "indicators"),
      needs: fieldList(body, "needs"),
      needsDetails: field(body, "needsDetails"),
    };
  }

  const caseFormOptions = {
    ageBands: Object.entries(AGE_BANDS).map(([value, text]) => ({ value, text })),
    indicatorGroups: INDICATOR_GROUPS.map((group) => ({
      code: group.code,
      title: group.title,
      opensUrgentPath: group.opensUrgentPath,
      items: Object.entries(group.indicators).map(([value, text]) => ({ value, text })),
    })),
    needs: Object.entries(NEEDS).map(([value, text]) => ({ value, text })),
  };

  /** Shows the "why do you need this case?" page: nothing of the case appears on it. */
  function askReason(reply: FastifyReply, id: number, problems: FieldProblem[] = [], values: FormBody = {}, status = 200) {
    return reply.page(
      "safeguarding/views/reason.njk",
      sensitive({
        title: `Why do you need case ${caseReference(id)}?`,
        caseId: id,
        caseReference: caseReference(id),
        reasonItems: reasonItems(field(values, "reasonCode")),
        reasonReference: field(values, "reasonReference"),
        errors: problems.length ? formErrors(problems) : undefined,
      }),
      status,
    );
  }

  async function showCase(reply: FastifyReply, request: FastifyRequest, id: number, reason: CaseReason, extra: Record<string, unknown> = {}, status = 200) {
    const user = request.staff!.user;
    const opened = await safeguarding.readCase(id, reason, user);
    const [referralOptions, engagements] = opened.status === "open" ? await Promise.all([safeguarding.referralOptions(), safeguarding.linkableEngagements(id)]) : [[], []];
    const today = dateParts(ukToday());
    const query = (request.query ?? {}) as FormBody;
    const saved = SAVED_MESSAGES[field(query, "saved")];
    return reply.page(
      "safeguarding/views/case.njk",
      sensitive({
        title: `Case ${opened.reference}`,
        case: opened,
        reason,
        reasonQuery: reasonQuery(reason),
        reasonLabel: REASON_CODES[reason.code],
        saved,
        newDuties: field(query, "urgent") === "1",
        today,
        referralOptions: [{ value: "", text: "Choose an agency and service" }, ...referralOptions],
        engagementItems: [
          { value: "", text: "Choose an engagement" },
          ...engagements.map((e) => ({
            value: String(e.id),
            text: `${formatDateTime(e.occurredAt)}: ${e.kind.replace(/-/g, " ")} (${e.operationName}${e.safeguardingConcern ? ", safeguarding concern" : ""})`,
          })),
        ],
        consentItems: nextConsentStatuses(opened.consent.status).map((value) => ({ value, text: CONSENT_STATUSES[value] })),
        closureItems: Object.entries(CLOSURE_REASONS).map(([value, text]) => ({ value, text })),
        nrmOutcomes: Object.entries(NRM_OUTCOMES).map(([value, text]) => ({ value, text })),
        ...extra,
      }),
      status,
    );
  }

  /** Reads the stated reason from a form; a form without one goes back to the reason page. */
  async function withReason(request: IdRequest, reply: FastifyReply, act: (id: number, reason: CaseReason, body: FormBody) => Promise<string | FastifyReply>) {
    const id = caseId(request);
    const body = (request.body ?? {}) as FormBody;
    const { reason, problems } = parseReason(body);
    if (!reason) {
      if (!(await safeguarding.exists(id))) throw errors.notFound("case");
      return askReason(reply, id, problems, body, 400);
    }
    try {
      const saved = await act(id, reason, body);
      if (typeof saved !== "string") return saved;
      return reply.redirect(`/safeguarding/cases/${id}?${reasonQuery(reason, { saved })}`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return showCase(reply, request, id, reason, { errors: formErrors(error.fields), form: body }, 400);
      }
      throw error;
    }
  }

  app.get<{ Querystring: { status?: string } }>("/safeguarding", { config: rule }, async (request, reply) => {
    const status: CaseStatus = request.query.status === "closed" ? "closed" : "open";
    const cases = await safeguarding.listCases(status, request.staff!.user);
    return reply.page(
      "safeguarding/views/cases.njk",
      sensitive({ title: "Safeguarding cases", cases, status, statusLabel: CASE_STATUSES[status] }),
    );
  });

  app.get("/safeguarding/cases/new", { config: rule }, async (_request, reply) =>
    reply.page(
      "safeguarding/views/new-case.njk",
      sensitive({ title: "Open a safeguarding case", ...caseFormOptions, values: { consent: "", indicators: [], needs: [] }, reasonItems: reasonItems("safeguarding") }),
    ),
  );

  app.post("/safeguarding/cases", { config: rule }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = { ...caseInput(body), consent: field(body, "consent") };
    const { reason, problems } = parseReason(body);
    try {
      if (!reason) throw errors.invalid(problems);
      const { id, opened } = await safeguarding.openCase(input, reason, request.staff!.user);
      return reply.redirect(`/safeguarding/cases/${id}?${reasonQuery(reason, { saved: "opened", ...(opened.length ? { urgent: "1" } : {}) })}`);
    } catch (error) {
      if (!(error instanceof AppError && error.statusCode === 400)) throw error;
      // Both sets of problems at once, so the lead fixes the form in one go.
      const all = reason ? error.fields : [...problems, ...safeguarding.checkOpening(input)];
      return reply.page(
        "safeguarding/views/new-case.njk",
        sensitive({
          title: "Open a safeguarding case",
          ...caseFormOptions,
          values: { ...input, realName: "" },
          reasonItems: reasonItems(field(body, "reasonCode")),
          reasonReference: field(body, "reasonReference"),
          errors: formErrors(all),
        }),
        400,
      );
    }
  });

  app.get("/safeguarding/cases/:id", { config: rule }, async (request: IdRequest, reply) => {
    const id = caseId(request);
    const query = (request.query ?? {}) as FormBody;
    const { reason, problems } = parseReason(query);
    if (!reason) {
      if (!(await safeguarding.exists(id))) throw errors.notFound("case");
      const asked = field(query, "reasonCode") || field(query, "reasonReference");
      return askReason(reply, id, asked ? problems : [], query, asked ? 400 : 200);
    }
    return showCase(reply, request, id, reason);
  });

  app.get("/safeguarding/cases/:id/assessment", { config: rule }, async (request: IdRequest, reply) => {
    const id = caseId(request);
    const { reason } = parseReason((request.query ?? {}) as FormBody);
    if (!reason) {
      if (!(await safeguarding.exists(id))) throw errors.notFound("case");
      return askReason(reply, id);
    }
    const assessment = await safeguarding.assessmentOf(id, reason, request.staff!.user);
    return reply.page(
      "safeguarding/views/assessment.njk",
      sensitive({ title: `Change the assessment for case ${assessment.reference}`, ...caseFormOptions, ...assessment, reason, reasonQuery: reasonQuery(reason) }),
    );
  });

  app.post("/safeguarding/cases/:id/assessment", { config: rule }, async (request: IdRequest, reply) => {
    const id = caseId(request);
    const body = (request.body ?? {}) as FormBody;
    const { reason, problems } = parseReason(body);
    if (!reason) {
      if (!(await safeguarding.exists(id))) throw errors.notFound("case");
      return askReason(reply, id, problems, body, 400);
    }
    const input = { ...caseInput(body), removeRealName: field(body, "removeRealName") === "yes" };
    try {
      const { opened } = await safeguarding.updateAssessment(id, input, reason, request.staff!.user);
      return reply.redirect(`/safeguarding/cases/${id}?${reasonQuery(reason, { saved: "assessment", ...(opened.length ? { urgent: "1" } : {}) })}`);
    } catch (error) {
      if (!(error instanceof AppError && error.statusCode === 400)) throw error;
      const assessment = await safeguarding.assessmentOf(id, reason, request.staff!.user);
      return reply.page(
        "safeguarding/views/assessment.njk",
        sensitive({
          title: `Change the assessment for case ${assessment.reference}`,
          ...caseFormOptions,
          ...assessment,
          values: { ...input, realName: "" },
          reason,
          reasonQuery: reasonQuery(reason),
          errors: formErrors(error.fields),
        }),
        400,
      );
    }
  });

  app.post("/safeguarding/cases/:id/real-name", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason) => {
      const realName = await safeguarding.revealRealName(id, reason, request.staff!.user);
      return showCase(reply, request, id, reason, { realName });
    }),
  );

  app.post("/safeguarding/cases/:id/consent", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason, body) => {
      await safeguarding.changeConsent(id, field(body, "consent"), reason, request.staff!.user);
      return "consent";
    }),
  );

  app.post<{ Params: { id: string; duty: string } }>("/safeguarding/cases/:id/duties/:duty", { config: rule }, async (request, reply) =>
    withReason(request as unknown as IdRequest, reply, async (id, reason, body) => {
      const duty = request.params.duty;
      const doneOn = parseDateInput(body, `duty-${duty}-doneOn`, "date it was made");
      await safeguarding.recordDuty(id, duty, { doneOn, reference: field(body, `duty-${duty}-reference`), outcome: field(body, `duty-${duty}-outcome`) }, reason, request.staff!.user);
      return "duty";
    }),
  );

  app.post("/safeguarding/cases/:id/notes", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason, body) => {
      await safeguarding.addNote(id, field(body, "note"), reason, request.staff!.user);
      return "note";
    }),
  );

  app.post("/safeguarding/cases/:id/engagements", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason, body) => {
      const value = field(body, "engagementId");
      await safeguarding.linkEngagement(id, /^\d{1,9}$/.test(value) ? Number(value) : 0, reason, request.staff!.user);
      return "engagement";
    }),
  );

  app.post("/safeguarding/cases/:id/referrals", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, _reason, body) => {
      const [agency = "", service = ""] = field(body, "service").split(":");
      await safeguarding.refer(id, { agencyId: /^\d{1,9}$/.test(agency) ? Number(agency) : 0, service, summary: field(body, "summary") }, request.staff!.user);
      return "referral";
    }),
  );

  app.post("/safeguarding/cases/:id/close", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason, body) => {
      await safeguarding.close(id, field(body, "closureReason"), reason, request.staff!.user);
      return "closed";
    }),
  );

  app.post("/safeguarding/cases/:id/reopen", { config: rule }, async (request: IdRequest, reply) =>
    withReason(request, reply, async (id, reason) => {
      await safeguarding.reopen(id, reason, request.staff!.user);
      return "reopened";
    }),
  );
}

function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" }).format(new Date(iso));
}
