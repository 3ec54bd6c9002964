// /staff: each role's home page, its waiting work first.
import type { FastifyInstance } from "fastify";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";

export function registerStaffHome(app: FastifyInstance, services: Services): void {
  app.get("/staff", { config: { access: access.signedIn } }, async (request, reply) => {
    const { work, about } = await services.staffHome.homeFor(request.staff!.user);
    return reply.page("staff-home/views/home.njk", { title: "Staff", work, about, primary: work.find((w) => w.primary) ?? null });
  });
}
