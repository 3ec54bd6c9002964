// The public dashboard: /operations lists the published operations, /operations/{slug} shows one
// (its methodology at /methodology, its figures as data.csv and data.geojson), and
// GET /api/public/operations lists them for other software. No account is needed for any of it;
// staff who evaluate operations can see an unpublished one before it goes out. The operation
// lead chooses at /staff/operations/{id}/dashboard whether the budget is shown.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { createViews, formErrors } from "../../web/render.ts";
import { access, can } from "../auth/policy.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { csvLines, geojsonChunks } from "./export.ts";
import { dashboardView, format, selection } from "./present.ts";
import { HOTSPOT_FDR } from "../../domain/hotspots.ts";

export const publicOperationsSchema = z
  .array(
    z.object({
      name: z.string(),
      slug: z.string().describe("The operation's short name, in its dashboard's address"),
      url: z.string().describe("The public dashboard"),
      summary: z.string(),
      startsOn: z.string().describe("YYYY-MM-DD"),
      endsOn: z.string().nullable().describe("YYYY-MM-DD, or null while it runs"),
      status: z.string().describe("planned, active or ended"),
      isDemo: z.boolean().describe("Demonstration data, not a real operation: its figures, crime included, are synthetic"),
      realDataExample: z.boolean().describe("An example set up to show openbeat on real police.uk data: its dates are illustrative, its crime figures real"),
      data: z.object({ csv: z.string(), geojson: z.string() }).describe("The dashboard's figures as open data"),
    }),
  )
  .meta({ id: "PublicOperations" });

/** Rendered dashboards kept, across operations and choices. */
const RENDERED = 60;

/** Joins small pieces into chunks of about 16 KB: one write per line would cost more than the writing. */
function* batched(pieces: Iterable<string>): Generator<string> {
  let chunk = "";
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= 16_384) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

function baseUrl(services: Services, request: FastifyRequest): string {
  return (services.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, "");
}

export function registerDashboardPages(app: FastifyInstance, services: Services): void {
  const open = { access: access.public };

  /** The operation a visitor may see: published, or unpublished for staff who evaluate operations (never cached). */
  async function visible(request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) {
    const staffMayPreview = Boolean(request.staff && can(request.staff.user.role, "evaluation:read"));
    const operation = await services.dashboard.operation(request.params.slug, staffMayPreview);
    if (!operation.published) reply.header("cache-control", "no-store");
    return operation;
  }

  app.get("/operations", { config: open }, async (_request, reply) =>
    reply.page("dashboard/views/operations.njk", { title: "Is it working? Operations in the open", section: "operations", operations: await services.dashboard.publishedOperations(), format }),
  );

  // The dashboard itself is the same for every visitor of a snapshot and choice of what to show:
  // rendered once and kept (a few dozen at most), so a visit costs the freshness check and the page around it.
  const views = createViews();
  const rendered = new Map<string, string>();

  app.get<{ Params: { slug: string }; Querystring: Record<string, string | undefined> }>("/operations/:slug", { config: open }, async (request, reply) => {
    const operation = await visible(request, reply);
    const { freshness, data } = await services.dashboard.current(operation);
    const chosen = selection(data, request.query ?? {});
    const canManage = Boolean(request.staff && can(request.staff.user.role, "operations:manage"));
    const key = `${operation.id}|${freshness}|${chosen.layer}|${chosen.crime}|${chosen.report}|${canManage}`;
    let body = rendered.get(key);
    if (body === undefined) {
      body = views.render("dashboard/views/_dashboard.njk", { ...dashboardView(data, chosen), canManage });
      rendered.set(key, body);
      if (rendered.size > RENDERED) rendered.delete(rendered.keys().next().value!);
    }
    return reply.page("dashboard/views/dashboard.njk", {
      title: data.operation.name,
      section: "operations",
      body,
      preview: !operation.published,
      noStore: !operation.published,
      feed: { title: `${data.operation.name}: public updates`, href: `/feeds/operations/${data.operation.slug}/updates.atom` },
    });
  });

  app.get<{ Params: { slug: string } }>("/operations/:slug/methodology", { config: open }, async (request, reply) => {
    const operation = await visible(request, reply);
    const data = await services.dashboard.data(operation);
    return reply.page("dashboard/views/methodology.njk", {
      section: "operations",
      title: `How the figures are made: ${data.operation.name}`,
      data,
      format,
      k: data.rules.k,
      resolution: data.rules.resolution,
      monthRule: data.rules.monthRule,
      fdr: HOTSPOT_FDR,
      suppressionNote: data.rules.withheld,
      noStore: !operation.published,
    });
  });

  app.get<{ Params: { slug: string } }>("/operations/:slug/data.csv", { config: open }, async (request, reply) => {
    const operation = await visible(request, reply);
    const data = await services.dashboard.data(operation);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${data.operation.slug}-dashboard.csv"`)
      .send(Readable.from(batched(csvLines(data))));
  });

  app.get<{ Params: { slug: string } }>("/operations/:slug/data.geojson", { config: open }, async (request, reply) => {
    const operation = await visible(request, reply);
    const data = await services.dashboard.data(operation);
    return reply
      .type("application/geo+json; charset=utf-8")
      .header("content-disposition", `attachment; filename="${data.operation.slug}-dashboard.geojson"`)
      .send(Readable.from(batched(geojsonChunks(data))));
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/public/operations",
    {
      config: { access: access.public, csrf: false },
      schema: {
        tags: ["operations"],
        summary: "The operations published on public dashboards",
        description: "Each published operation with the address of its dashboard and of its figures as CSV and GeoJSON. No account needed.",
        response: { 200: publicOperationsSchema },
      },
    },
    async (request) => {
      const base = baseUrl(services, request);
      return (await services.dashboard.publishedOperations()).map((o) => ({
        ...o,
        url: `${base}/operations/${o.slug}`,
        data: { csv: `${base}/operations/${o.slug}/data.csv`, geojson: `${base}/operations/${o.slug}/data.geojson` },
      }));
    },
  );

  const manage = access.to("operations:manage", { record: true });

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>("/staff/operations/:id/dashboard", { config: { access: manage } }, async (request, reply) => {
    const operation = await services.dashboard.operationById(Number(request.params.id));
    return reply.page("dashboard/views/settings.njk", { title: `Public dashboard: ${operation.name}`, operation, settings: await services.dashboard.settings(operation.id), saved: request.query.saved === "1" });
  });

  app.post<{ Params: { id: string } }>("/staff/operations/:id/dashboard", { config: { access: manage } }, async (request, reply) => {
    const operation = await services.dashboard.operationById(Number(request.params.id));
    const body = (request.body ?? {}) as FormBody;
    const choice = field(body, "publishBudget");
    if (choice !== "yes" && choice !== "no") {
      const problems = [{ field: "publishBudget", message: "Choose whether the force publishes this operation's budget" }];
      return reply.page("dashboard/views/settings.njk", { title: `Public dashboard: ${operation.name}`, operation, settings: await services.dashboard.settings(operation.id), errors: formErrors(problems) }, 400);
    }
    await services.dashboard.saveSettings(operation.id, choice === "yes", request.staff!.user.id);
    return reply.redirect(`/staff/operations/${operation.id}/dashboard?saved=1`);
  });
}
