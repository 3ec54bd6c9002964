// The planner's pages: forecast demand, hours left for the operation, planning settings,
// calls-for-service import and the budget. Staff-only (planner:use): forward-looking gaps tell
// offenders when patrols will be thin, so nothing here is public.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { METHODS } from "../../domain/forecasting.ts";
import { access } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { HORIZONS, type BudgetLineForm, type SettingsForm } from "./planner.service.ts";
import { demandChart, format, hoursChart } from "./planner.present.ts";
import type { BudgetKind } from "./planner.repository.ts";

/** A CSV of calls for service for three years runs to a few megabytes. */
export const CALLS_UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

type WithId = { Params: { id: string } };

const SETTINGS_FIELDS = ["capacityHoursPerWeek", "abstractionPercent", "emergencyHours", "priorityHours", "scheduledHours", "resolvedHours", "hourlyRate"] as const;
const BUDGET_FIELDS = ["description", "amount", "date-day", "date-month", "date-year"] as const;

export function registerPlannerPages(app: FastifyInstance, services: Services): void {
  const planner = access.to("planner:use");
  const record = access.to("planner:use", { record: true });
  const base = (id: number) => `/staff/operations/${id}/planner`;
  const idOf = (request: FastifyRequest<WithId>) => Number(request.params.id);
  const methodLabels = Object.fromEntries(Object.values(METHODS).map((m) => [m.name, m.label]));

  app.get("/staff/planner", { config: { access: planner } }, async (_request, reply) => {
    const operations = await services.planner.listOperations();
    if (operations.length === 1) return reply.redirect(base(operations[0]!.id));
    return reply.page("planner/views/operations.njk", { title: "Planner", operations });
  });

  app.get<WithId & { Querystring: { weeks?: string; saved?: string } }>("/staff/operations/:id/planner", { config: { access: record } }, async (request, reply) => {
    const horizon = Number(request.query.weeks ?? 13);
    const plan = await services.planner.plan(idOf(request), { horizon });
    const budget = await services.planner.budget(plan.operation.id);
    return reply.page("planner/views/planner.njk", {
      title: `Planner: ${plan.operation.name}`,
      plan,
      budget,
      horizon: plan.forecast.horizon,
      horizons: HORIZONS.map((h) => ({ value: String(h), text: `${h} weeks`, selected: h === plan.forecast.horizon })),
      demand: plan.forecast.possible ? demandChart(plan.history, plan.forecast) : null,
      hours: plan.weeks.length ? hoursChart(plan.weeks) : null,
      methodLabels,
      format,
      saved: request.query.saved === "settings",
      base: base(plan.operation.id),
    });
  });

  // Settings

  const settingsValues = async (operationId: number): Promise<SettingsForm | null> => {
    const settings = await services.planner.settings(operationId);
    if (!settings) return null;
    return {
      capacityHoursPerWeek: String(settings.capacityHoursPerWeek),
      abstractionPercent: String(Math.round(settings.abstractionRate * 1000) / 10),
      emergencyHours: String(settings.hoursPerIncident.emergency),
      priorityHours: String(settings.hoursPerIncident.priority),
      scheduledHours: String(settings.hoursPerIncident.scheduled),
      resolvedHours: String(settings.hoursPerIncident.resolved),
      hourlyRate: (settings.hourlyRatePence / 100).toFixed(2),
    };
  };

  const showSettings = async (reply: FastifyReply, operationId: number, values: SettingsForm | null, problems?: AppError) => {
    const operation = await services.planner.operation(operationId);
    return reply.page(
      "planner/views/settings.njk",
      { title: `Planning settings: ${operation.name}`, operation, values: values ?? {}, isNew: values === null, base: base(operation.id), errors: problems ? formErrors(problems.fields) : undefined },
      problems ? 400 : 200,
    );
  };

  app.get<WithId>("/staff/operations/:id/planner/settings", { config: { access: record } }, async (request, reply) => {
    const id = idOf(request);
    await services.planner.operation(id);
    return showSettings(reply, id, await settingsValues(id));
  });

  app.post<WithId>("/staff/operations/:id/planner/settings", { config: { access: record } }, async (request, reply) => {
    const id = idOf(request);
    const body = (request.body ?? {}) as FormBody;
    const values = Object.fromEntries(SETTINGS_FIELDS.map((name) => [name, field(body, name)])) as SettingsForm;
    try {
      await services.planner.saveSettings(id, values, request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showSettings(reply, id, values, error);
      throw error;
    }
    return reply.redirect(`${base(id)}?saved=settings#hours-left`);
  });

  // Calls for service

  const showCalls = async (reply: FastifyReply, operationId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const operation = await services.planner.operation(operationId);
    const [summary, history] = await Promise.all([services.planner.callsSummary(operationId), services.planner.history(operationId)]);
    return reply.page(
      "planner/views/calls.njk",
      { title: `Calls for service: ${operation.name}`, operation, summary, history: { weeks: history.length, first: history[0]?.weekStart, last: history.at(-1)?.weekStart }, base: base(operation.id), format, uploadLimitMb: CALLS_UPLOAD_LIMIT_BYTES / 1024 / 1024, ...extra },
      status,
    );
  };

  app.get<WithId & { Querystring: { imported?: string } }>("/staff/operations/:id/planner/calls", { config: { access: record } }, async (request, reply) => {
    const id = idOf(request);
    const imported = Number(request.query.imported);
    return showCalls(reply, id, { imported: Number.isSafeInteger(imported) && imported > 0 ? imported : null });
  });

  // The import form sends a file (multipart) or pasted text (either encoding). Multipart is
  // parsed only in this scope, with its fields on the body so the CSRF check reads them as usual.
  app.register(async (scope) => {
    await scope.register(multipart, { attachFieldsToBody: "keyValues", limits: { fileSize: CALLS_UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 } });
    scope.post<WithId>("/staff/operations/:id/planner/calls", { bodyLimit: CALLS_UPLOAD_LIMIT_BYTES, config: { access: record } }, async (request, reply) => {
      const id = idOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const file = body.file;
      const pasted = typeof body.calls === "string" ? body.calls : "";
      const csv = Buffer.isBuffer(file) && file.length > 0 ? file.toString("utf8") : pasted;
      if (!csv.trim()) {
        return showCalls(reply, id, { errors: { list: [{ text: "Choose a CSV file of calls for service, or paste its contents", href: "#file" }], field: { file: { text: "Choose a CSV file of calls for service, or paste its contents" } } } }, 400);
      }
      try {
        const result = await services.planner.importCalls(id, csv);
        return reply.redirect(`${base(id)}/calls?imported=${result.calls}`);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
        const list = error.fields.map((f) => ({ text: f.message, href: "#file" }));
        return showCalls(reply, id, { errors: { list, field: { file: { text: error.message } } }, problemSummary: error.message, pasted: Buffer.isBuffer(file) && file.length > 0 ? "" : pasted }, 400);
      }
    });
  });

  // Budget

  const showBudget = async (reply: FastifyReply, operationId: number, plannedHours: string | undefined, extra: Record<string, unknown> = {}, status = 200) => {
    let whatIfHours: number | null = null;
    let whatIfError: string | null = null;
    if (plannedHours !== undefined && plannedHours.trim() !== "") {
      const parsed = Number(plannedHours.trim());
      if (/^\d+(\.\d+)?$/.test(plannedHours.trim()) && parsed <= 10_000) whatIfHours = parsed;
      else whatIfError = "Enter the planned officer hours a week as a number from 0 to 10000, like 60";
    }
    const budget = await services.planner.budget(operationId, { plannedHoursPerWeek: whatIfHours });
    const errors = whatIfError ? { list: [{ text: whatIfError, href: "#plannedHours" }], field: { plannedHours: { text: whatIfError } } } : (extra.errors as unknown);
    return reply.page(
      "planner/views/budget.njk",
      { title: `Budget: ${budget.operation.name}`, budget, plannedHours: plannedHours ?? "", format, base: base(operationId), ...extra, errors },
      whatIfError ? 400 : status,
    );
  };

  app.get<WithId & { Querystring: { plannedHours?: string | string[] } }>("/staff/operations/:id/planner/budget", { config: { access: record } }, async (request, reply) =>
    // A repeated parameter counts once, as its first value.
    showBudget(reply, idOf(request), [request.query.plannedHours].flat()[0]),
  );

  for (const kind of ["allocation", "spend"] as const satisfies readonly BudgetKind[]) {
    const path = kind === "allocation" ? "allocations" : "spend";
    app.post<WithId>(`/staff/operations/:id/planner/budget/${path}`, { config: { access: record } }, async (request, reply) => {
      const id = idOf(request);
      const body = (request.body ?? {}) as FormBody;
      const values = Object.fromEntries(BUDGET_FIELDS.map((name) => [name, field(body, `${kind}-${name}`)])) as BudgetLineForm;
      try {
        await services.planner.addBudgetLine(id, kind, values, request.staff!.user);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
        const errors = formErrors(error.fields.map((f) => ({ ...f, field: `${kind}-${f.field}` })));
        return showBudget(reply, id, undefined, { errors, values: { [kind]: values } }, 400);
      }
      return reply.redirect(`${base(id)}/budget#${path}`);
    });

    app.post<{ Params: { id: string; line: string } }>(`/staff/operations/:id/planner/budget/${path}/:line/remove`, { config: { access: record } }, async (request, reply) => {
      const id = Number(request.params.id);
      await services.planner.operation(id);
      const line = Number(request.params.line);
      if (!Number.isSafeInteger(line) || line < 1) return reply.callNotFound();
      await services.planner.removeBudgetLine(id, kind, line);
      return reply.redirect(`${base(id)}/budget#${path}`);
    });
  }
}
