// "You said, we did": officers write public updates, preview them before they go out, and can
// change or withdraw them afterwards (each audited); anyone reads them.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError, errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access, can } from "../auth/policy.ts";
import { field, fieldList, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";

export function registerUpdatePages(app: FastifyInstance, services: Services): void {
  app.get("/updates", { config: { access: access.public } }, async (_request, reply) =>
    reply.page("updates/views/list.njk", { title: "You said, we did", section: "updates", updates: await services.updates.list(100) }),
  );

  /** What a finished change says at the top of the update's page. */
  const DONE: Record<string, string> = { published: "The update is published.", changed: "The update is changed. Its page says so.", withdrawn: "The update is withdrawn. Its page says when and why." };

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>("/updates/:id", { config: { access: access.public } }, async (request, reply) => {
    const update = await services.updates.find(updateId(request.params.id));
    const mayChange = Boolean(request.staff && can(request.staff.user.role, "updates:publish"));
    return reply.page("updates/views/show.njk", {
      title: update.withdrawnAt ? `Withdrawn: ${update.title}` : update.title,
      section: "updates",
      update,
      mayChange,
      done: mayChange ? DONE[request.query.done ?? ""] : undefined,
      versions: mayChange ? await services.updates.versions(update.id) : [],
    });
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

  // The form's first button previews; the preview's buttons publish, or go back to change it.
  app.post("/staff/updates", { config: { access: access.to("updates:publish") } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = {
      title: field(body, "title"),
      body: field(body, "body"),
      operationId: field(body, "operationId"),
      reports: [...fieldList(body, "reports"), ...field(body, "moreReports").split(/[\s,]+/)].map((r) => r.trim()).filter(Boolean),
    };
    const operationId = Number(values.operationId) || null;
    const action = field(body, "action");
    if (action === "change") return reply.page("updates/views/new.njk", await formContext(values));
    try {
      // A chosen operation must exist: the database would refuse the update with a server error.
      const operation = operationId === null ? null : await services.operations.find(operationId);
      if (operationId !== null && !operation) throw errors.invalid([{ field: "operationId", message: "Choose the operation the update is about" }]);
      const input = { title: values.title, body: values.body, operationId, reportReferences: values.reports };
      if (action !== "publish") {
        const preview = await services.updates.preview(input);
        return reply.page("updates/views/preview.njk", { title: "Check the update before it is published", preview, values, operationName: operation?.name ?? null });
      }
      const id = await services.updates.publish(input, request.staff!.user);
      return reply.redirect(`/updates/${id}?done=published`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return reply.page("updates/views/new.njk", { ...(await formContext(values)), errors: formErrors(error.fields) }, 400);
      }
      throw error;
    }
  });

  // These name an update: refused as "not found" to roles that may not change updates.
  const oneUpdate = access.to("updates:publish", { record: true });

  const changePage = (reply: FastifyReply, update: { id: number; title: string; body: string }, values: { title: string; body: string }, problems?: AppError) =>
    reply.page("updates/views/change.njk", { title: `Change “${update.title}”`, update, values, errors: problems ? formErrors(problems.fields) : undefined }, problems ? 400 : 200);

  app.get<{ Params: { id: string } }>("/staff/updates/:id/change", { config: { access: oneUpdate } }, async (request, reply) => {
    const update = await services.updates.find(updateId(request.params.id));
    if (update.withdrawnAt) return reply.redirect(`/updates/${update.id}`);
    return changePage(reply, update, update);
  });

  app.post<{ Params: { id: string } }>("/staff/updates/:id/change", { config: { access: oneUpdate } }, async (request, reply) => {
    const update = await services.updates.find(updateId(request.params.id));
    const body = (request.body ?? {}) as FormBody;
    const values = { title: field(body, "title"), body: field(body, "body") };
    try {
      await services.updates.change(update.id, values, request.staff!.user);
      return reply.redirect(`/updates/${update.id}?done=changed`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return changePage(reply, update, values, error);
      throw error;
    }
  });

  const withdrawPage = (reply: FastifyReply, update: { id: number; title: string }, reason: string, problems?: AppError) =>
    reply.page("updates/views/withdraw.njk", { title: `Withdraw “${update.title}”`, update, reason, errors: problems ? formErrors(problems.fields) : undefined }, problems ? 400 : 200);

  app.get<{ Params: { id: string } }>("/staff/updates/:id/withdraw", { config: { access: oneUpdate } }, async (request, reply) => {
    const update = await services.updates.find(updateId(request.params.id));
    if (update.withdrawnAt) return reply.redirect(`/updates/${update.id}`);
    return withdrawPage(reply, update, "");
  });

  app.post<{ Params: { id: string } }>("/staff/updates/:id/withdraw", { config: { access: oneUpdate } }, async (request, reply) => {
    const update = await services.updates.find(updateId(request.params.id));
    const reason = field((request.body ?? {}) as FormBody, "reason");
    try {
      await services.updates.withdraw(update.id, reason, request.staff!.user);
      return reply.redirect(`/updates/${update.id}?done=withdrawn`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return withdrawPage(reply, update, reason, error);
      throw error;
    }
  });
}

/** An update's number from its address; anything else is not found. */
function updateId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw errors.notFound("update");
  return id;
}
