// The administrator's pages for staff accounts: create (a one-time password shown once),
// change role, disable, end sessions, reset two-factor sign-in or the password, and approve
// what another administrator asked for. The use cases are in users.service.ts.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access, ROLE_NAMES, STAFF_ROLES } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import type { Outcome } from "./users.service.ts";

/** A problem with what the form said, to show on the form (anything else goes to the error page). */
function formProblem(error: unknown): AppError | null {
  return error instanceof AppError && error.fields.length > 0 ? error : null;
}

export function registerUserPages(app: FastifyInstance, services: Services): void {
  const accounts = services.accounts;
  const manage = access.to("users:manage");
  const record = access.to("users:manage", { record: true });
  const roles = STAFF_ROLES.map((role) => ({ value: role, text: ROLE_NAMES[role] }));
  const administrator = (reply: FastifyReply) => reply.request.staff!.user;

  async function listPage(reply: FastifyReply, extra: Record<string, unknown> = {}) {
    return reply.page("admin/views/users.njk", { title: "Staff accounts", ...(await accounts.list(administrator(reply))), ...extra });
  }

  async function userPage(reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const user = await accounts.account(administrator(reply), id);
    return reply.page("admin/views/user.njk", { title: user.name, user, roles, ...extra }, status);
  }

  async function show(reply: FastifyReply, outcome: Outcome) {
    switch (outcome.kind) {
      case "created":
        return reply.page("admin/views/created.njk", { title: "Account created", ...outcome, noStore: true });
      case "waiting":
        return reply.page("admin/views/waiting.njk", { title: "Waiting for a second administrator", approval: outcome.approval }, 202);
      case "done":
        if (outcome.userId === undefined) return listPage(reply, { done: outcome.message });
        return userPage(reply, outcome.userId, { done: outcome.message, oneTimePassword: outcome.oneTimePassword, noStore: Boolean(outcome.oneTimePassword) });
    }
  }

  app.get("/staff/users", { config: { access: manage } }, async (_request, reply) => listPage(reply));

  app.get("/staff/users/new", { config: { access: manage } }, async (_request, reply) => reply.page("admin/views/new-user.njk", { title: "Add a staff account", roles, values: {} }));

  app.post("/staff/users", { config: { access: manage } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = { email: field(body, "email"), name: field(body, "name"), role: field(body, "role") };
    try {
      return await show(reply, await accounts.create(request.staff!.user, values));
    } catch (error) {
      const problem = formProblem(error);
      if (!problem) throw error;
      return reply.page("admin/views/new-user.njk", { title: "Add a staff account", roles, values, errors: formErrors(problem.fields) }, problem.statusCode);
    }
  });

  app.get<{ Params: { id: string } }>("/staff/users/:id", { config: { access: record } }, async (request, reply) => userPage(reply, Number(request.params.id) || 0));

  app.post<{ Params: { id: string } }>("/staff/users/:id", { config: { access: record } }, async (request, reply) => {
    const id = Number(request.params.id) || 0;
    const body = (request.body ?? {}) as FormBody;
    try {
      return await show(reply, await accounts.act(request.staff!.user, id, field(body, "action"), { role: field(body, "role") }));
    } catch (error) {
      const problem = formProblem(error);
      if (!problem) throw error;
      return userPage(reply, id, { errors: formErrors(problem.fields) }, problem.statusCode);
    }
  });

  app.post<{ Params: { id: string } }>("/staff/users/approvals/:id", { config: { access: record } }, async (request, reply) => {
    const decision = field((request.body ?? {}) as FormBody, "decision");
    return show(reply, await accounts.decide(request.staff!.user, Number(request.params.id) || 0, decision));
  });
}
