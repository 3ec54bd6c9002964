// Following a report with its receipt code: see its status and the public updates on it, add
// information, or reopen it within 28 days of closure. Guessing is rate limited, and a wrong
// code is answered exactly as an unknown one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { field, type FormBody } from "./report-form.ts";
import { DESCRIPTION_LIMIT } from "./reports.schemas.ts";

const NOT_FOUND = "We could not find a report with that receipt code. Check the code and try again.";

export function registerTrackingPages(app: FastifyInstance, services: Services): void {
  const limit = () => ({ name: "tracking", max: services.config.rateLimits.tracking, windowSeconds: 600 });
  const page = (reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) =>
    reply.page(`reports/views/${template}`, { section: "track", noStore: true, ...context }, status);

  app.get("/track", { config: { access: access.public } }, async (_request, reply) => page(reply, "track.njk", { title: "Follow a report" }));

  async function lookUp(request: FastifyRequest) {
    await services.rateLimits.hit(limit(), request.clientKey);
    const code = field((request.body ?? {}) as FormBody, "receiptCode").slice(0, 40);
    return { code, report: code ? await services.reports.track(code) : null };
  }

  app.post("/track", { config: { access: access.public } }, async (request, reply) => {
    const { code, report } = await lookUp(request);
    if (!report) {
      const message = code ? NOT_FOUND : "Enter your receipt code";
      return page(reply, "track.njk", { title: "Follow a report", code, errors: formErrors([{ field: "receiptCode", message }]) }, code ? 404 : 400);
    }
    return page(reply, "tracked.njk", { title: `Report ${report.reference}`, report, code });
  });

  app.post("/track/add", { config: { access: access.public } }, async (request, reply) => {
    const { code, report } = await lookUp(request);
    if (!report) return page(reply, "track.njk", { title: "Follow a report", errors: formErrors([{ field: "receiptCode", message: NOT_FOUND }]) }, 404);
    const body = (request.body ?? {}) as FormBody;
    const text = field(body, "text").trim();
    const reopen = field(body, "reopen") === "yes";
    const problems = !text
      ? [{ field: "text", message: reopen ? "Say why you are reopening the report" : "Enter the information you want to add" }]
      : text.length > DESCRIPTION_LIMIT
        ? [{ field: "text", message: `Keep it to ${DESCRIPTION_LIMIT} characters or fewer` }]
        : /<[a-z!/?]/i.test(text)
          ? [{ field: "text", message: "Remove anything written between < and >" }]
          : [];
    if (problems.length) return page(reply, "tracked.njk", { title: `Report ${report.reference}`, report, code, text, errors: formErrors(problems) }, 400);
    try {
      const updated = await services.reports.addInformation(code, text, reopen);
      return page(reply, "tracked.njk", { title: `Report ${updated.reference}`, report: updated, code, added: reopen ? "reopened" : "added" });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return page(reply, "tracked.njk", { title: `Report ${report.reference}`, report, code, text, errors: formErrors(error.fields) }, 400);
      }
      throw error;
    }
  });
}
