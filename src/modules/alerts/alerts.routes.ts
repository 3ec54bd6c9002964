// Residents subscribe to email alerts here, confirm and unsubscribe through the links sent to
// them, and anyone can follow the Atom feeds. None of it needs an account.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { MAX_AREA_KM2, MIN_AREA_KM2, parseBbox } from "./area.ts";
import { areaReportEntries, ATOM_CONTENT_TYPE, renderAtom, REPORT_FEED_MONTHS, updateEntries } from "./feeds.ts";
import { CONFIRM_DAYS, type LinkKind } from "./alerts.service.ts";

const FEED_SIZE = 50;

export function publicBase(services: Services, request: FastifyRequest): string {
  return (services.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, "");
}

export function registerAlertPages(app: FastifyInstance, services: Services): void {
  const open = { access: access.public };

  async function form(reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const [operations, centre] = await Promise.all([services.alerts.operations(), services.operations.mapCentre()]);
    return reply.page(
      "alerts/views/subscribe.njk",
      {
        title: "Get email alerts",
        section: "updates",
        operations,
        sending: services.mail.sending,
        minKm2: MIN_AREA_KM2,
        maxKm2: MAX_AREA_KM2,
        map: { tiles: services.config.tileUrl ? "/tiles/{z}/{x}/{y}.png" : "", attribution: services.config.tileUrl ? "Map data © OpenStreetMap contributors" : "", centre },
        values: {},
        noStore: true,
        ...extra,
      },
      status,
    );
  }

  // ?operation=ID, from an operation's dashboard, chooses it already.
  app.get<{ Querystring: { operation?: string } }>("/alerts", { config: open }, async (request, reply) =>
    form(reply, /^\d{1,9}$/.test(request.query.operation ?? "") ? { values: { choice: `operation-${request.query.operation}` } } : {}),
  );

  app.post("/alerts", { config: open }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = { email: field(body, "email"), choice: field(body, "choice"), area: field(body, "area") };
    try {
      await services.rateLimits.hit({ name: "alerts", max: 10, windowSeconds: 3600 }, request.clientKey);
      await services.alerts.subscribe(values);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return form(reply, { values, errors: formErrors(error.fields) }, 400);
      throw error;
    }
    return reply.page("alerts/views/check-email.njk", { title: "Check your email", section: "updates", sending: services.mail.sending, days: CONFIRM_DAYS, noStore: true });
  });

  const link = (kind: LinkKind) => async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const found = await services.alerts.describe(kind, request.params.token);
    if (!found) return reply.page("alerts/views/link.njk", { title: "This link does not work", kind, state: "unknown", noStore: true }, 404);
    return reply.page("alerts/views/link.njk", { title: kind === "confirm" ? "Confirm your email alerts" : "Stop your email alerts", kind, state: found.state, token: request.params.token, noStore: true });
  };

  app.get<{ Params: { token: string } }>("/alerts/confirm/:token", { config: open }, link("confirm"));
  app.get<{ Params: { token: string } }>("/alerts/unsubscribe/:token", { config: open }, link("unsubscribe"));

  app.post<{ Params: { token: string } }>("/alerts/confirm/:token", { config: open }, async (request, reply) => {
    const confirmed = await services.alerts.confirm(request.params.token);
    if (!confirmed) return reply.page("alerts/views/link.njk", { title: "This link does not work", kind: "confirm", state: "unknown", noStore: true }, 404);
    return reply.page("alerts/views/done.njk", { title: "Your email alerts have started", kind: "confirm", sending: services.mail.sending, unsubscribe: services.alerts.linkPath("unsubscribe", Number(request.params.token.split(".")[0])), noStore: true });
  });

  // One-click unsubscribe (RFC 8058): mail programs POST here without a form or a cookie,
  // so the link's own keyed hash is the only check.
  app.post<{ Params: { token: string } }>("/alerts/unsubscribe/:token", { config: { ...open, csrf: false } }, async (request, reply) => {
    const ended = await services.alerts.unsubscribe(request.params.token);
    if (!ended) return reply.page("alerts/views/link.njk", { title: "This link does not work", kind: "unsubscribe", state: "unknown", noStore: true }, 404);
    return reply.page("alerts/views/done.njk", { title: "Your email alerts have stopped", kind: "unsubscribe", noStore: true });
  });

  // Feeds.

  function atom(reply: FastifyReply, body: string) {
    return reply.header("cache-control", "public, max-age=300").type(ATOM_CONTENT_TYPE).send(body);
  }

  app.get("/feeds/updates.atom", { config: open }, async (request, reply) => {
    const base = publicBase(services, request);
    return atom(
      reply,
      renderAtom({
        id: `${base}/feeds/updates.atom`,
        title: "openbeat: you said, we did",
        subtitle: "Public updates from the police and partners about residents' reports",
        self: `${base}/feeds/updates.atom`,
        alternate: `${base}/updates`,
        entries: updateEntries(base, await services.alerts.publicUpdates({ limit: FEED_SIZE })),
      }),
    );
  });

  app.get<{ Params: { slug: string } }>("/feeds/operations/:slug/updates.atom", { config: open }, async (request, reply) => {
    const operation = await services.alerts.publishedOperation(request.params.slug);
    if (!operation) throw new AppError("not_found", 404, "There is no published operation at this address");
    const base = publicBase(services, request);
    const self = `${base}/feeds/operations/${encodeURIComponent(operation.slug)}/updates.atom`;
    return atom(
      reply,
      renderAtom({
        id: self,
        title: `${operation.name}: public updates`,
        subtitle: `What was done about residents' reports in ${operation.name}`,
        self,
        alternate: `${base}/updates`,
        entries: updateEntries(base, await services.alerts.publicUpdates({ operationId: operation.id, limit: FEED_SIZE })),
      }),
    );
  });

  app.get<{ Querystring: { bbox?: string } }>("/feeds/reports.atom", { config: open }, async (request, reply) => {
    const parsed = parseBbox(typeof request.query.bbox === "string" ? request.query.bbox : undefined);
    if (!parsed.ok) throw new AppError("bad_request", 400, parsed.problem);
    const base = publicBase(services, request);
    const self = `${base}/feeds/reports.atom?bbox=${parsed.area.coordinates[0]![0]![0]},${parsed.area.coordinates[0]![0]![1]},${parsed.area.coordinates[0]![2]![0]},${parsed.area.coordinates[0]![2]![1]}`;
    return atom(
      reply,
      renderAtom({
        id: self,
        title: "openbeat: residents' reports in an area, by month",
        subtitle: "Counts of reports by map cell over complete months; small counts are not shown",
        self,
        alternate: `${base}/updates`,
        entries: areaReportEntries(await services.disclosure.publishedCells(services.disclosure.lastCompleteMonths(REPORT_FEED_MONTHS)), base, self, parsed.area),
      }),
    );
  });
}
