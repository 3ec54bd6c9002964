// Partner agency pages: the partner worker's referrals under /partner (their own agency's only;
// any other referral is "not found"), and the administrator's register of agencies under
// /staff/partners. Every page sends no-store and offers "Exit this page".
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { DECLINE_REASONS, REFERRAL_OUTCOMES, REFERRAL_SERVICES } from "../../domain/safeguarding.ts";
import { access } from "../auth/policy.ts";
import { field, fieldList, type FormBody } from "../reports/report-form.ts";
import { parseDateInput } from "../safeguarding/safeguarding-form.ts";
import type { Services } from "../../services.ts";

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: { saved?: string } }>;

const SAVED_MESSAGES: Record<string, string> = {
  accepted: "Referral accepted",
  declined: "Referral declined",
  update: "Update posted",
  closed: "Outcome recorded: the referral is closed",
  agency: "Partner agency added",
  agreement: "Information-sharing agreement recorded",
  worker: "Partner worker attached",
  removed: "Partner worker removed from the agency",
};

function idOf(request: IdRequest, what: string): number {
  if (!/^\d{1,9}$/.test(request.params.id)) throw errors.notFound(what);
  return Number(request.params.id);
}

const sensitive = (context: Record<string, unknown>) => ({ exitThisPage: true, noStore: true, ...context });

export function registerPartnerPages(app: FastifyInstance, services: Services): void {
  const partners = services.partners;
  const worker = { access: access.to("partners:referrals") };
  const referralRecord = { access: access.to("partners:referrals", { record: true }) };
  const manage = { access: access.to("partners:manage") };
  const manageOne = { access: access.to("partners:manage", { record: true }) };

  // The partner worker's side.

  app.get("/partner", { config: worker }, async (_request, reply) => reply.redirect("/partner/referrals"));

  app.get("/partner/referrals", { config: worker }, async (request, reply) => {
    const { agency, referrals } = await partners.referralsFor(request.staff!.user);
    return reply.page("partners/views/referrals.njk", sensitive({ title: "Referrals to your agency", agency, referrals }));
  });

  async function showReferral(reply: FastifyReply, request: FastifyRequest, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const referral = await partners.openReferral(id, request.staff!.user);
    const saved = SAVED_MESSAGES[String((request.query as { saved?: string } | undefined)?.saved ?? "")];
    return reply.page(
      "partners/views/referral.njk",
      sensitive({
        title: `Referral ${referral.reference}`,
        referral,
        saved,
        declineItems: Object.entries(DECLINE_REASONS).map(([value, text]) => ({ value, text })),
        outcomeItems: Object.entries(REFERRAL_OUTCOMES).map(([value, text]) => ({ value, text })),
        ...extra,
      }),
      status,
    );
  }

  app.get("/partner/referrals/:id", { config: referralRecord }, async (request: IdRequest, reply) => showReferral(reply, request, idOf(request, "referral")));

  app.post("/partner/referrals/:id/response", { config: referralRecord }, async (request: IdRequest, reply) => {
    const id = idOf(request, "referral");
    const body = (request.body ?? {}) as FormBody;
    const decision = field(body, "decision");
    try {
      await partners.respond(id, decision, field(body, "declineReason"), request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showReferral(reply, request, id, { errors: formErrors(error.fields), form: body }, 400);
      throw error;
    }
    return reply.redirect(`/partner/referrals/${id}?saved=${decision === "accept" ? "accepted" : "declined"}`);
  });

  app.post("/partner/referrals/:id/updates", { config: referralRecord }, async (request: IdRequest, reply) => {
    const id = idOf(request, "referral");
    const body = (request.body ?? {}) as FormBody;
    try {
      await partners.postUpdate(id, { body: field(body, "body"), outcome: field(body, "outcome") }, request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showReferral(reply, request, id, { errors: formErrors(error.fields), form: body }, 400);
      throw error;
    }
    return reply.redirect(`/partner/referrals/${id}?saved=${field(body, "outcome") ? "closed" : "update"}`);
  });

  // The administrator's register of agencies.

  const serviceItems = (chosen: string[] = []) => Object.entries(REFERRAL_SERVICES).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));

  async function showAgencies(reply: FastifyReply, request: FastifyRequest, extra: Record<string, unknown> = {}, status = 200) {
    const agencies = await partners.listAgencies();
    const saved = SAVED_MESSAGES[String((request.query as { saved?: string } | undefined)?.saved ?? "")];
    return reply.page("partners/views/agencies.njk", sensitive({ title: "Partner agencies", agencies, saved, serviceItems: serviceItems(), ...extra }), status);
  }

  app.get("/staff/partners", { config: manage }, async (request, reply) => showAgencies(reply, request));

  app.post("/staff/partners", { config: manage }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const services = fieldList(body, "services");
    try {
      const id = await partners.createAgency({ name: field(body, "name"), services });
      return reply.redirect(`/staff/partners/${id}?saved=agency`);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return showAgencies(reply, request, { errors: formErrors(error.fields), values: { name: field(body, "name") }, serviceItems: serviceItems(services) }, 400);
      }
      throw error;
    }
  });

  async function showAgency(reply: FastifyReply, request: IdRequest, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const agency = await partners.agency(id);
    const saved = SAVED_MESSAGES[request.query?.saved ?? ""];
    return reply.page("partners/views/agency.njk", sensitive({ title: agency.name, agency, saved, ...extra }), status);
  }

  app.get("/staff/partners/:id", { config: manageOne }, async (request: IdRequest, reply) => showAgency(reply, request, idOf(request, "partner agency")));

  app.post("/staff/partners/:id/agreements", { config: manageOne }, async (request: IdRequest, reply) => {
    const id = idOf(request, "partner agency");
    const body = (request.body ?? {}) as FormBody;
    try {
      await partners.addAgreement(
        id,
        { reference: field(body, "reference"), signedOn: parseDateInput(body, "signedOn", "date it was signed"), expiresOn: parseDateInput(body, "expiresOn", "expiry date") },
        request.staff!.user,
      );
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showAgency(reply, request, id, { errors: formErrors(error.fields), form: body }, 400);
      throw error;
    }
    return reply.redirect(`/staff/partners/${id}?saved=agreement`);
  });

  app.post("/staff/partners/:id/workers", { config: manageOne }, async (request: IdRequest, reply) => {
    const id = idOf(request, "partner agency");
    const body = (request.body ?? {}) as FormBody;
    try {
      await partners.attachWorker(id, field(body, "email"), request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showAgency(reply, request, id, { errors: formErrors(error.fields), form: body }, 400);
      throw error;
    }
    return reply.redirect(`/staff/partners/${id}?saved=worker`);
  });

  app.post<{ Params: { id: string; userId: string } }>("/staff/partners/:id/workers/:userId/remove", { config: manageOne }, async (request, reply) => {
    const id = idOf(request as unknown as IdRequest, "partner agency");
    if (!/^\d{1,9}$/.test(request.params.userId)) throw errors.notFound("partner worker");
    await partners.detachWorker(id, Number(request.params.userId), request.staff!.user);
    return reply.redirect(`/staff/partners/${id}?saved=removed`);
  });
}
