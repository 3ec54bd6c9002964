// Officers' phone pages: start and end a patrol, log an engagement or an enforcement action;
// the operation lead's s.34 authorisations and activity against plan. No JavaScript needed.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError, errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { ENFORCEMENT_ACTIONS, ENGAGEMENT_KINDS, OFFENCES, TARGET_GROUPS } from "../../domain/activity.ts";
import { londonToUtc, utcToLondonParts } from "../../domain/time.ts";
import { access, can } from "../auth/policy.ts";
import { field, fieldList, parseTime, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { ENFORCEMENT_OUTCOMES } from "./activity.service.ts";
import { format } from "../planner/planner.present.ts";

/** "21:30" today in the UK, or yesterday when that would be in the future (logging after midnight). */
function whenFrom(text: string, now: Date = new Date()): string | null {
  if (!text.trim()) return now.toISOString();
  const time = parseTime(text);
  if (!time) return null;
  const today = utcToLondonParts(now.toISOString());
  let at = londonToUtc(today.year, today.month, today.day, time.hour, time.minute);
  if (at.getTime() > now.getTime() + 5 * 60_000) at = new Date(at.getTime() - 86_400_000);
  return at.toISOString();
}

function occurredAtFrom(time: string): string {
  const occurredAt = whenFrom(time);
  if (!occurredAt) throw errors.invalid([{ field: "time", message: "Enter the time like 21:30, or leave it blank for now" }]);
  return occurredAt;
}

function placeFrom(body: FormBody) {
  const latitude = Number.parseFloat(field(body, "latitude"));
  const longitude = Number.parseFloat(field(body, "longitude"));
  const areaRole = field(body, "areaRole");
  return {
    areaRole: areaRole === "elsewhere" ? null : areaRole,
    latitude: Number.isFinite(latitude) ? latitude : null,
    longitude: Number.isFinite(longitude) ? longitude : null,
    locationText: field(body, "locationText").slice(0, 500),
  };
}

export function registerActivityPages(app: FastifyInstance, services: Services): void {
  const log = access.to("activity:log");

  async function formContext(extra: Record<string, unknown> = {}) {
    const operations = await services.operations.listActive();
    return {
      operations,
      engagementKinds: ENGAGEMENT_KINDS,
      actions: Object.fromEntries(Object.entries(ENFORCEMENT_ACTIONS).map(([k, v]) => [k, v.label])),
      offences: OFFENCES,
      targetGroups: TARGET_GROUPS,
      outcomes: ENFORCEMENT_OUTCOMES,
      ...extra,
    };
  }

  async function invalidOr(reply: FastifyReply, work: () => Promise<unknown>, template: string, context: Record<string, unknown>) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return reply.page(`activity/views/${template}`, { ...(await formContext(context)), errors: formErrors(error.fields) }, 400);
      }
      throw error;
    }
  }

  app.get<{ Querystring: { logged?: string } }>("/staff/activity", { config: { access: log } }, async (request, reply) => {
    const user = request.staff!.user;
    return reply.page("activity/views/home.njk", {
      title: "On patrol",
      patrol: await services.activity.currentPatrol(user),
      logged: request.query.logged,
      canAuthorise: can(user.role, "dispersal:authorise"),
      operations: await services.operations.listActive(),
    });
  });

  app.get("/staff/patrols/new", { config: { access: log } }, async (_request, reply) =>
    reply.page("activity/views/patrol.njk", { title: "Start a patrol", ...(await formContext({ officers: await services.activity.officers(), values: {} })) }),
  );

  app.post("/staff/patrols", { config: { access: log } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = { operationId: field(body, "operationId"), areaRole: field(body, "areaRole"), officerIds: fieldList(body, "officerIds") };
    return invalidOr(
      reply,
      async () => {
        await services.activity.startPatrol(request.staff!.user, { operationId: Number(values.operationId), areaRole: values.areaRole, officerIds: values.officerIds.map(Number) });
        return reply.redirect("/staff/activity?logged=patrol-started");
      },
      "patrol.njk",
      { title: "Start a patrol", officers: await services.activity.officers(), values },
    );
  });

  app.get<{ Params: { id: string } }>("/staff/patrols/:id/end", { config: { access: access.to("activity:log", { record: true }) } }, async (request, reply) => {
    const patrol = await services.activity.currentPatrol(request.staff!.user);
    if (!patrol || patrol.id !== Number(request.params.id)) throw errors.notFound("patrol");
    return reply.page("activity/views/end-patrol.njk", { title: "End the patrol?", patrol });
  });

  app.post<{ Params: { id: string } }>("/staff/patrols/:id/end", { config: { access: access.to("activity:log", { record: true }) } }, async (request, reply) => {
    await services.activity.endPatrol(request.staff!.user, Number(request.params.id) || 0);
    return reply.redirect("/staff/activity?logged=patrol-ended");
  });

  app.get("/staff/engagements/new", { config: { access: log } }, async (_request, reply) =>
    reply.page("activity/views/engagement.njk", { title: "Log an engagement", ...(await formContext({ values: {} })) }),
  );

  app.post("/staff/engagements", { config: { access: log } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = {
      operationId: field(body, "operationId"),
      kind: field(body, "kind"),
      referralResponse: field(body, "referralResponse"),
      safeguardingConcern: field(body, "safeguardingConcern") === "yes",
      time: field(body, "time"),
      ...placeFrom(body),
    };
    return invalidOr(
      reply,
      async () => {
        const occurredAt = occurredAtFrom(values.time);
        const { safeguardingConcern } = await services.activity.logEngagement(request.staff!.user, {
          ...values,
          operationId: Number(values.operationId),
          referralResponse: values.referralResponse || null,
          occurredAt,
        });
        return reply.redirect(`/staff/activity?logged=${safeguardingConcern ? "engagement-safeguarding" : "engagement"}`);
      },
      "engagement.njk",
      { title: "Log an engagement", values },
    );
  });

  app.get("/staff/enforcement/new", { config: { access: log } }, async (_request, reply) =>
    reply.page("activity/views/enforcement.njk", { title: "Log an enforcement action", ...(await formContext({ values: {} })) }),
  );

  app.post("/staff/enforcement", { config: { access: log } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = {
      operationId: field(body, "operationId"),
      action: field(body, "action"),
      offence: field(body, "offence"),
      targetGroup: field(body, "targetGroup"),
      subjectReference: field(body, "subjectReference"),
      outcome: field(body, "outcome"),
      time: field(body, "time"),
      ...placeFrom(body),
    };
    return invalidOr(
      reply,
      async () => {
        const occurredAt = occurredAtFrom(values.time);
        await services.activity.logEnforcement(request.staff!.user, { ...values, operationId: Number(values.operationId), occurredAt });
        return reply.redirect("/staff/activity?logged=enforcement");
      },
      "enforcement.njk",
      { title: "Log an enforcement action", values },
    );
  });

  app.get<{ Params: { id: string } }>("/staff/operations/:id/dispersal", { config: { access: access.to("dispersal:authorise", { record: true }) } }, async (request, reply) => {
    const operation = await services.operations.find(Number(request.params.id) || 0);
    if (!operation) throw errors.notFound("operation");
    return reply.page("activity/views/dispersal.njk", { title: "Authorise dispersal (s.34)", operation, authorisations: await services.activity.authorisations(operation.id), values: {} });
  });

  app.post<{ Params: { id: string } }>("/staff/operations/:id/dispersal", { config: { access: access.to("dispersal:authorise", { record: true }) } }, async (request, reply) => {
    const operation = await services.operations.find(Number(request.params.id) || 0);
    if (!operation) throw errors.notFound("operation");
    const body = (request.body ?? {}) as FormBody;
    const values = { areaRole: field(body, "areaRole"), startsTime: field(body, "startsTime"), hours: field(body, "hours"), grounds: field(body, "grounds") };
    try {
      const startsAt = whenFrom(values.startsTime);
      const hours = Number(values.hours);
      if (!startsAt) throw new AppError("invalid_input", 400, "", [{ field: "startsTime", message: "Enter the start time like 18:00, or leave it blank for now" }]);
      // Bounded here as well as by the service: a huge number of hours is no date at all.
      if (!Number.isFinite(hours) || hours <= 0 || hours > 48) throw new AppError("invalid_input", 400, "", [{ field: "hours", message: "Enter how many hours it lasts, up to 48" }]);
      await services.activity.authoriseDispersal(request.staff!.user, {
        operationId: operation.id,
        areaRole: values.areaRole,
        startsAt,
        endsAt: new Date(new Date(startsAt).getTime() + hours * 3_600_000).toISOString(),
        grounds: values.grounds,
      });
      return reply.redirect(`/staff/operations/${operation.id}/dispersal?saved=1`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return reply.page("activity/views/dispersal.njk", { title: "Authorise dispersal (s.34)", operation, authorisations: await services.activity.authorisations(operation.id), values, errors: formErrors(error.fields) }, 400);
      }
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>("/staff/operations/:id/activity", { config: { access: access.to("operations:read", { record: true }) } }, async (request, reply) => {
    const { operation, rows } = await services.activity.againstPlan(Number(request.params.id) || 0);
    const totals = {
      plannedHours: rows.reduce((s, r) => s + r.plannedHours, 0),
      deliveredHours: Math.round(rows.reduce((s, r) => s + r.deliveredHours, 0) * 10) / 10,
      engagements: rows.reduce((s, r) => s + r.engagements, 0),
      referralsOffered: rows.reduce((s, r) => s + r.referralsOffered, 0),
      referralsAccepted: rows.reduce((s, r) => s + r.referralsAccepted, 0),
      buyer: rows.reduce((s, r) => s + r.enforcement.buyer, 0),
      dealer: rows.reduce((s, r) => s + r.enforcement.dealer, 0),
      other: rows.reduce((s, r) => s + r.enforcement.other, 0),
      seller: rows.reduce((s, r) => s + r.enforcement.seller, 0),
      reportsReceived: rows.reduce((s, r) => s + r.reportsReceived, 0),
      reportsClosed: rows.reduce((s, r) => s + r.reportsClosed, 0),
    };
    // Budget spent against allocation, from the planner (whose budget page holds the detail).
    const budget = can(request.staff!.user.role, "planner:use") ? await services.planner.budget(operation.id) : null;
    return reply.page("activity/views/against-plan.njk", { title: `${operation.name}: activity against plan`, operation, rows, totals, budget, format });
  });
}
