// The pages every visitor can reach from anywhere: the start page, the accessibility
// statement and the privacy notice.
import type { FastifyInstance } from "fastify";
import { access } from "../auth/policy.ts";
import { DRAFT_LIFETIME_MINUTES } from "../reports/drafts.ts";
import { REOPEN_WINDOW_DAYS } from "../../domain/reports.ts";
import type { Services } from "../../services.ts";

export function registerPages(app: FastifyInstance, services: Services): void {
  app.get("/", { config: { access: access.public } }, async (_request, reply) => {
    const [operations, updates] = await Promise.all([services.operations.listActive(), services.updates.list(3)]);
    return reply.page("pages/views/home.njk", { title: "Report what you see, follow what is done", operations, updates });
  });

  app.get("/accessibility", { config: { access: access.public } }, async (_request, reply) =>
    reply.page("pages/views/accessibility.njk", { title: "Accessibility statement" }),
  );

  app.get("/privacy", { config: { access: access.public } }, async (_request, reply) =>
    reply.page("pages/views/privacy.njk", {
      title: "Privacy notice",
      draftHours: DRAFT_LIFETIME_MINUTES / 60,
      reopenDays: REOPEN_WINDOW_DAYS,
    }),
  );
}
