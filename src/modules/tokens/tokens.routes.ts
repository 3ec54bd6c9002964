// Pages for the two kinds of key: a member of staff's own personal access tokens, and the
// administrator's register of Open311 client apps. New secrets are shown once, never again.
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { CLIENT_TERMS, mayUseStaffTokens } from "./tokens.service.ts";

export function registerTokenPages(app: FastifyInstance, services: Services): void {
  const manageClients = access.to("clients:manage");

  async function tokensPage(reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const user = reply.request.staff!.user;
    return reply.page(
      "tokens/views/tokens.njk",
      { title: "Personal access tokens", allowed: mayUseStaffTokens(user.role), tokens: await services.tokens.staffTokensOf(user.id), values: {}, ...extra },
      status,
    );
  }

  app.get("/staff/tokens", { config: { access: access.signedIn } }, async (_request, reply) => tokensPage(reply));

  app.post("/staff/tokens", { config: { access: access.signedIn } }, async (request, reply) => {
    const name = field((request.body ?? {}) as FormBody, "name");
    try {
      const created = await services.tokens.createStaffToken(request.staff!.user, name);
      return reply.page("tokens/views/token-created.njk", { title: "Token created", name: name.trim(), ...created, noStore: true });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return tokensPage(reply, { values: { name }, errors: formErrors(error.fields) }, 400);
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>("/staff/tokens/:id/revoke", { config: { access: access.signedIn } }, async (request, reply) => {
    await services.tokens.revokeStaffToken(request.staff!.user, Number(request.params.id) || 0);
    return tokensPage(reply, { done: "Token revoked. Scripts using it are refused from now on." });
  });

  async function clientsPage(reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    return reply.page("tokens/views/clients.njk", { title: "Open311 client apps", clients: await services.tokens.listClients(), terms: CLIENT_TERMS, values: {}, ...extra }, status);
  }

  app.get("/staff/api-clients", { config: { access: manageClients } }, async (_request, reply) => clientsPage(reply));

  app.post("/staff/api-clients", { config: { access: manageClients } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = { name: field(body, "name"), terms: field(body, "terms") };
    if (values.terms !== "accepted") {
      return clientsPage(reply, { values, errors: formErrors([{ field: "terms", message: "Confirm that the app's operator has accepted the terms" }]) }, 400);
    }
    try {
      const { id, key } = await services.tokens.addClient(values.name, request.staff!.user.id);
      return reply.page("tokens/views/client-created.njk", { title: "Client app registered", id, name: values.name.trim(), key, noStore: true });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return clientsPage(reply, { values, errors: formErrors(error.fields) }, 400);
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>("/staff/api-clients/:id/revoke", { config: { access: access.to("clients:manage", { record: true }) } }, async (request, reply) => {
    const client = await services.tokens.revokeClient(Number(request.params.id) || 0);
    return clientsPage(reply, { done: `The key of “${client.name}” is revoked. The app can no longer post reports.` });
  });
}
