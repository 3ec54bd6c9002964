// The resident's report form: one question per page, GOV.UK style, working with and without
// JavaScript. Answers wait in an encrypted server-side draft between pages (see drafts.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type FieldProblem } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { DRAFT_COOKIE, SENT_COOKIE } from "../../http/cookies.ts";
import { access } from "../auth/policy.ts";
import { COLOURS } from "../../domain/vehicles.ts";
import { utcToLondonParts } from "../../domain/time.ts";
import type { Services } from "../../services.ts";
import { DRAFT_LIFETIME_MINUTES, type Draft } from "./drafts.ts";
import { draftToReport, field, parseContact, parseDetails, parseWhere, type FormBody } from "./report-form.ts";

const STEPS = ["where", "category", "details", "contact", "check"] as const;
type Step = (typeof STEPS)[number];

export function registerReportPages(app: FastifyInstance, services: Services): void {
  const cookieOptions = {
    path: "/report",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: services.config.secureCookies,
    maxAge: DRAFT_LIFETIME_MINUTES * 60,
  };
  const page = (reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) =>
    reply.page(`reports/views/${template}`, { section: "report", noStore: true, ...context }, status);

  async function loadDraft(request: FastifyRequest): Promise<{ token: string; draft: Draft } | null> {
    const token = request.cookies[DRAFT_COOKIE];
    const draft = await services.drafts.read(token);
    return draft && token ? { token, draft } : null;
  }

  /** Where to go after a page: the next one, or back to the check page when changing an answer. */
  function next(body: FormBody, step: Step): string {
    if (field(body, "returnTo") === "check") return "/report/check";
    return `/report/${STEPS[STEPS.indexOf(step) + 1]}`;
  }

  function firstMissing(draft: Draft): Step | null {
    if (!draft.latitude && !draft.locationText) return "where";
    if (!draft.category) return "category";
    if (!draft.description || !draft.time) return "details";
    if (!draft.wantsContact) return "contact";
    return null;
  }

  /** A page asked for before the pages it depends on sends the resident to the first missing one. */
  function guard(draft: Draft, step: Step): string | null {
    const missing = firstMissing(draft);
    if (missing && STEPS.indexOf(missing) < STEPS.indexOf(step)) return `/report/${missing}`;
    return null;
  }

  // Back from "Report sent" finds no draft: the sent mark (no identifier, only "1") says the report
  // went, so the resident is not told it timed out and invited to send it again.
  const expired = (request: FastifyRequest, reply: FastifyReply) => reply.redirect(request.cookies[SENT_COOKIE] ? "/report?sent=1" : "/report?expired=1");

  // A draft is a row in the database: one connection may start three times the reports it may
  // send in an hour (going back to the start, a second device), and no more.
  const draftLimit = () => ({ name: "report-drafts", max: 3 * services.config.rateLimits.reports, windowSeconds: 3600 });

  app.get<{ Querystring: { expired?: string; sent?: string } }>("/report", { config: { access: access.public } }, async (request, reply) =>
    page(reply, "start.njk", { title: "Make a report", expired: request.query.expired === "1", sent: request.query.sent === "1" && Boolean(request.cookies[SENT_COOKIE]) }),
  );

  app.post("/report", { config: { access: access.public } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const danger = field(body, "danger");
    if (danger === "yes") return page(reply, "call-999.njk", { title: "Call 999 now" });
    if (danger !== "no") {
      return page(reply, "start.njk", { title: "Make a report", errors: formErrors([{ field: "danger", message: "Say whether it is happening now and anyone is in danger" }]) }, 400);
    }
    const existing = await loadDraft(request);
    if (existing) return reply.redirect("/report/where");
    try {
      await services.rateLimits.hit(draftLimit(), request.clientKey);
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode !== 429) throw error;
      reply.headers(error.headers);
      const minutes = Math.ceil(Number(error.headers["retry-after"]) / 60);
      return page(reply, "too-many-drafts.njk", { title: "Please wait before starting another report", minutes }, 429);
    }
    const token = await services.drafts.create({ danger: "no" });
    reply.setCookie(DRAFT_COOKIE, token, cookieOptions);
    reply.clearCookie(SENT_COOKIE, { path: "/report" });
    return reply.redirect("/report/where");
  });

  const whereContext = async (draft: Draft) => {
    const centre = await services.operations.mapCentre();
    return {
      title: "Where did it happen?",
      draft,
      map: {
        tiles: services.config.tileUrl ? "/tiles/{z}/{x}/{y}.png" : "",
        attribution: services.config.tileUrl ? "Map data © OpenStreetMap contributors" : "",
        centre,
      },
    };
  };

  app.get<{ Querystring: { change?: string } }>("/report/where", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    return page(reply, "where.njk", { ...(await whereContext(loaded.draft)), returnTo: request.query.change ? "check" : "" });
  });

  app.post("/report/where", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const body = (request.body ?? {}) as FormBody;
    const { values, problems } = parseWhere(body);
    const draft = { ...loaded.draft, ...values };
    if (problems.length) return page(reply, "where.njk", { ...(await whereContext(draft)), errors: formErrors(problems), returnTo: field(body, "returnTo") }, 400);
    await services.drafts.save(loaded.token, draft);
    return reply.redirect(next(body, "where"));
  });

  const categoryContext = async (draft: Draft) => ({ title: "What are you reporting?", draft, categories: await services.categories.list() });

  app.get<{ Querystring: { change?: string } }>("/report/category", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const redirect = guard(loaded.draft, "category");
    if (redirect) return reply.redirect(redirect);
    return page(reply, "category.njk", { ...(await categoryContext(loaded.draft)), returnTo: request.query.change ? "check" : "" });
  });

  app.post("/report/category", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const body = (request.body ?? {}) as FormBody;
    const code = field(body, "category");
    const category = await services.categories.find(code);
    if (!category) {
      return page(reply, "category.njk", { ...(await categoryContext(loaded.draft)), errors: formErrors([{ field: "category", message: "Choose what you are reporting" }]) }, 400);
    }
    const changed = loaded.draft.category !== code;
    // A new category has other questions; its answers (and any vehicle) must be given afresh.
    const draft: Draft = changed ? { ...loaded.draft, category: code, answers: {}, vehicle: undefined } : loaded.draft;
    await services.drafts.save(loaded.token, draft);
    return reply.redirect(changed ? "/report/details" : next(body, "category"));
  });

  const detailsContext = async (draft: Draft) => {
    const category = await services.categories.find(draft.category ?? "");
    return { title: "What happened?", draft, category, colours: COLOURS };
  };

  app.get<{ Querystring: { change?: string } }>("/report/details", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const redirect = guard(loaded.draft, "details");
    if (redirect) return reply.redirect(redirect);
    return page(reply, "details.njk", { ...(await detailsContext(loaded.draft)), returnTo: request.query.change ? "check" : "" });
  });

  app.post("/report/details", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const redirect = guard(loaded.draft, "details");
    if (redirect) return reply.redirect(redirect);
    const body = (request.body ?? {}) as FormBody;
    const category = (await services.categories.find(loaded.draft.category!))!;
    const { values, problems } = parseDetails(body, category);
    const draft = { ...loaded.draft, ...values };
    if (problems.length) {
      return page(reply, "details.njk", { ...(await detailsContext(draft)), errors: formErrors(problems), returnTo: field(body, "returnTo") }, 400);
    }
    await services.drafts.save(loaded.token, draft);
    return reply.redirect(next(body, "details"));
  });

  app.get<{ Querystring: { change?: string } }>("/report/contact", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const redirect = guard(loaded.draft, "contact");
    if (redirect) return reply.redirect(redirect);
    return page(reply, "contact.njk", { title: "Can we contact you about this report?", draft: loaded.draft, returnTo: request.query.change ? "check" : "" });
  });

  app.post("/report/contact", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const body = (request.body ?? {}) as FormBody;
    const { values, problems } = parseContact(body);
    const draft = { ...loaded.draft, ...values };
    if (problems.length) {
      return page(reply, "contact.njk", { title: "Can we contact you about this report?", draft, errors: formErrors(problems), returnTo: field(body, "returnTo") }, 400);
    }
    await services.drafts.save(loaded.token, draft);
    return reply.redirect("/report/check");
  });

  const checkContext = async (draft: Draft, problems: FieldProblem[] = []) => {
    const category = await services.categories.find(draft.category ?? "");
    const report = draftToReport(draft);
    const answers = (category?.questions ?? [])
      .filter((q) => draft.answers?.[q.code] !== undefined)
      .map((q) => {
        const value = draft.answers![q.code]!;
        const list = Array.isArray(value) ? value : [value];
        return { label: q.label, value: list.map((v) => q.values.find((o) => o.key === v)?.name ?? v).join(", ") };
      });
    return {
      title: "Check your answers before sending your report",
      draft,
      category,
      answers,
      when: report ? { start: utcToLondonParts(report.occurredAt), until: report.occurredUntil ? utcToLondonParts(report.occurredUntil) : null, occurredAt: report.occurredAt, occurredUntil: report.occurredUntil } : null,
      errors: problems.length ? formErrors(problems) : undefined,
    };
  };

  app.get("/report/check", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    if (!loaded) return expired(request, reply);
    const redirect = guard(loaded.draft, "check");
    if (redirect) return reply.redirect(redirect);
    return page(reply, "check.njk", await checkContext(loaded.draft));
  });

  app.post("/report/check", { config: { access: access.public } }, async (request, reply) => {
    const loaded = await loadDraft(request);
    // Sent twice (a reload, a double click): the draft is gone, so say so rather than file it again.
    if (!loaded) {
      const sent = Boolean(request.cookies[SENT_COOKIE]);
      return page(reply, "already-sent.njk", { title: sent ? "Your report has already been sent" : "This report has already been sent or has expired", sent }, 410);
    }
    const report = draftToReport(loaded.draft);
    if (!report) return reply.redirect(`/report/${firstMissing(loaded.draft) ?? "where"}`);
    try {
      const receipt = await services.reports.submit(report, { rateLimits: [{ limit: { name: "reports", max: services.config.rateLimits.reports, windowSeconds: 3600 }, client: request.clientKey }] });
      await services.drafts.delete(loaded.token);
      reply.clearCookie(DRAFT_COOKIE, { path: "/report" });
      reply.setCookie(SENT_COOKIE, "1", cookieOptions);
      return page(reply, "confirmation.njk", { title: "Report sent", receipt });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return page(reply, "check.njk", await checkContext(loaded.draft, error.fields), 400);
      throw error;
    }
  });
}
