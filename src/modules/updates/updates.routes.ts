// "You said, we did": officers write public updates; anyone reads them.
import type { FastifyInstance } from "fastify";
import { AppError, errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access } from "../auth/policy.ts";
import { field, fieldList, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";

export function registerUpdatePages(app: FastifyInstance, services: Services): void {
  app.get("/updates", { config: { access: access.public } }, async (_request, reply) =>
    reply.page("updates/views/list.njk", { title: "You said, we did", section: "updates", updates: await services.updates.list(100) }),
  );

  app.get<{ Params: { id: string } }>("/updates/:id", { config: { access: access.public } }, async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id < 1) return reply.callNotFound();
    const update = await services.updates.find(id);
    return reply.page("updates/views/show.njk", { title: update.title, section: "updates", update });
  });

  const formContext = async (values: { title?: string; body?: string; reports: string[]; operationId?: string }) => ({
    title: "Write a public update",
    values,
    operations: await services.operations.list(),
  });

  app.get<{ Querystring: { reports?: string | string[] } }>("/staff/updates/new", { config: { access: access.to("updates:publish") } }, async (request, reply) => {
    const raw = request.query.reports;
    const reports = (Array.isArray(raw) ? raw : raw ? raw.split(",") : []).map((r) => r.trim()).filter((r) => /^OB-[0-9A-Z]{7}$/i.test(r));
    return reply.page("updates/views/new.njk", await formContext({ reports }));
  });

  app.post("/staff/updates", { config: { access: access.to("updates:publish") } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = {
      title: field(body, "title"),
      body: field(body, "body"),
      operationId: field(body, "operationId"),
      reports: [...fieldList(body, "reports"), ...field(body, "moreReports").split(/[\s,]+/)].map((r) => r.trim()).filter(Boolean),
    };
    const operationId = Number(values.operationId) || null;
    try {
      // A chosen operation must exist: the database would refuse the update with a server error.
      if (operationId !== null && !(await services.operations.find(operationId))) throw errors.invalid([{ field: "operationId", message: "Choose the operation the update is about" }]);
      const id = await services.updates.publish({ title: values.title, body: values.body, operationId, reportReferences: values.reports }, request.staff!.user);
      return reply.redirect(`/updates/${id}`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return reply.page("updates/views/new.njk", { ...(await formContext(values)), errors: formErrors(error.fields) }, 400);
      }
      throw error;
    }
  });
}
