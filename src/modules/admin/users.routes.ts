// The administrator's pages for staff accounts: create (a one-time password shown once),
// change role, disable, end sessions, reset two-factor sign-in or the password.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError, errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access, isRole, ROLE_NAMES, SECOND_FACTOR_ROLES, STAFF_ROLES } from "../auth/policy.ts";
import { newOneTimePassword } from "../auth/passwords.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";

export function registerUserPages(app: FastifyInstance, services: Services): void {
  const manage = access.to("users:manage");
  const record = access.to("users:manage", { record: true });
  const roles = STAFF_ROLES.map((role) => ({ value: role, text: ROLE_NAMES[role] }));

  app.get("/staff/users", { config: { access: manage } }, async (_request, reply) => {
    const users = (await services.users.list()).map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: ROLE_NAMES[u.role as keyof typeof ROLE_NAMES] ?? u.role,
      twoFactor: Boolean(u.totpSecret),
      disabled: Boolean(u.disabledAt),
    }));
    return reply.page("admin/views/users.njk", { title: "Staff accounts", users });
  });

  app.get("/staff/users/new", { config: { access: manage } }, async (_request, reply) => reply.page("admin/views/new-user.njk", { title: "Add a staff account", roles, values: {} }));

  app.post("/staff/users", { config: { access: manage } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = { email: field(body, "email").trim(), name: field(body, "name").trim(), role: field(body, "role") };
    const problems = [];
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) problems.push({ field: "email", message: "Enter an email address in the correct format, like name@example.police.uk" });
    if (!values.name) problems.push({ field: "name", message: "Enter the person's name" });
    else if (values.name.length > 100) problems.push({ field: "name", message: "Keep the name to 100 characters or fewer" });
    if (!isRole(values.role)) problems.push({ field: "role", message: "Choose a role" });
    if (problems.length) return reply.page("admin/views/new-user.njk", { title: "Add a staff account", roles, values, errors: formErrors(problems) }, 400);
    try {
      const { id, password } = await services.auth.addUser(values);
      return reply.page("admin/views/created.njk", { title: "Account created", id, email: values.email.toLowerCase(), password, noStore: true, twoFactor: SECOND_FACTOR_ROLES.includes(values.role as never) });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 409) {
        return reply.page("admin/views/new-user.njk", { title: "Add a staff account", roles, values, errors: formErrors([{ field: "email", message: error.message }]) }, 409);
      }
      throw error;
    }
  });

  async function showUser(reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const user = await services.users.findById(id);
    if (!user) throw errors.notFound("account");
    return reply.page("admin/views/user.njk", { title: user.name, user: { ...user, twoFactor: Boolean(user.totpSecret), disabled: Boolean(user.disabledAt) }, roles, ...extra }, status);
  }

  app.get<{ Params: { id: string } }>("/staff/users/:id", { config: { access: record } }, async (request, reply) => showUser(reply, Number(request.params.id) || 0));

  app.post<{ Params: { id: string } }>("/staff/users/:id", { config: { access: record } }, async (request, reply) => {
    const id = Number(request.params.id) || 0;
    const user = await services.users.findById(id);
    if (!user) throw errors.notFound("account");
    const body = (request.body ?? {}) as FormBody;
    const action = field(body, "action");
    const self = request.staff!.user.id === id;
    switch (action) {
      case "role": {
        const role = field(body, "role");
        if (!isRole(role)) return showUser(reply, id, { errors: formErrors([{ field: "role", message: "Choose a role" }]) }, 400);
        if (self) return showUser(reply, id, { errors: formErrors([{ field: "role", message: "Ask another administrator to change your own role" }]) }, 400);
        await services.users.update(id, { role });
        // A new role means new permissions: end the old sessions so nothing runs on the old ones.
        await services.auth.signOutEverywhere(id);
        return showUser(reply, id, { done: "Role changed. The person must sign in again." });
      }
      case "disable":
        if (self) return showUser(reply, id, { errors: formErrors([{ field: "action", message: "You cannot disable your own account" }]) }, 400);
        await services.users.update(id, { disabledAt: new Date().toISOString() });
        await services.auth.signOutEverywhere(id);
        return showUser(reply, id, { done: "Account disabled and signed out everywhere." });
      case "enable":
        await services.users.update(id, { disabledAt: null });
        return showUser(reply, id, { done: "Account enabled." });
      case "sign-out": {
        const ended = await services.auth.signOutEverywhere(id);
        return showUser(reply, id, { done: `Signed out of ${ended} session${ended === 1 ? "" : "s"}.` });
      }
      case "reset-two-factor":
        await services.auth.resetTwoFactor(id);
        return showUser(reply, id, { done: "Two-factor sign-in reset. The person sets up their app again at next sign-in." });
      case "reset-password": {
        const password = newOneTimePassword();
        await services.auth.setPassword(id, password, true);
        await services.auth.signOutEverywhere(id);
        return showUser(reply, id, { done: "Password reset. Give the person this one-time password securely; they must change it at sign-in.", oneTimePassword: password, noStore: true });
      }
      default:
        return showUser(reply, id, { errors: formErrors([{ field: "action", message: "Choose what to do" }]) }, 400);
    }
  });
}
