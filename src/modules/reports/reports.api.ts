// The JSON API for residents' reports: what other software and the tests use. The same zod
// schemas validate these requests and write the OpenAPI document.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errors } from "../../http/errors.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { addInformationSchema, errorSchema, newReportSchema, receiptSchema, trackedReportSchema, trackRequestSchema } from "./reports.schemas.ts";

const categorySchema = z
  .object({
    code: z.string(),
    name: z.string(),
    hint: z.string(),
    guidance: z.string(),
    askVehicle: z.boolean(),
    inScope: z.boolean(),
    questions: z.array(
      z.object({
        code: z.string(),
        label: z.string(),
        hint: z.string().optional(),
        type: z.string(),
        required: z.boolean(),
        values: z.array(z.object({ key: z.string(), name: z.string() })),
      }),
    ),
  })
  .meta({ id: "Category" });

const featureCollectionSchema = z
  .object({
    type: z.literal("FeatureCollection"),
    features: z.array(z.object({ type: z.literal("Feature"), properties: z.record(z.string(), z.unknown()), geometry: z.record(z.string(), z.unknown()) })),
  })
  .meta({ id: "AreaCollection" });

export function registerReportApi(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const json = { access: access.public, csrf: false };

  api.get(
    "/api/categories",
    {
      config: json,
      schema: { tags: ["reports"], summary: "What residents can report", response: { 200: z.array(categorySchema) } },
    },
    async () => (await services.categories.list()).map(({ sensitive: _sensitive, sortOrder: _sortOrder, ...category }) => category),
  );

  api.get(
    "/api/areas/active",
    {
      config: json,
      schema: { tags: ["operations"], summary: "Target and buffer areas of the published operations running now, as GeoJSON", response: { 200: featureCollectionSchema } },
    },
    async () => ({ type: "FeatureCollection" as const, features: (await services.operations.activeAreaFeatures()) as never }),
  );

  api.post(
    "/api/reports",
    {
      config: json,
      schema: {
        tags: ["reports"],
        summary: "Make an anonymous report",
        description: "No account and no personal data needed. Answers with a reference and a receipt code, shown once: the only way back to the report.",
        body: newReportSchema,
        response: { 201: receiptSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      // The limit is counted in the report's own commit (see WriteBatcher): one disk wait, not two.
      const receipt = await services.reports.submit(request.body, { rateLimits: [{ limit: { name: "reports", max: services.config.rateLimits.reports, windowSeconds: 3600 }, client: request.clientKey }] });
      reply.header("cache-control", "no-store");
      return reply.status(201).send(receipt);
    },
  );

  api.post(
    "/api/track",
    {
      config: json,
      schema: {
        tags: ["reports"],
        summary: "Follow a report with its receipt code",
        body: trackRequestSchema,
        response: { 200: trackedReportSchema, 404: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      await services.rateLimits.hit({ name: "tracking", max: services.config.rateLimits.tracking, windowSeconds: 600 }, request.clientKey);
      const report = await services.reports.track(request.body.receiptCode);
      if (!report) throw errors.notFound("report");
      reply.header("cache-control", "no-store");
      return report;
    },
  );

  api.post(
    "/api/track/additions",
    {
      config: json,
      schema: {
        tags: ["reports"],
        summary: "Add information to a report, or reopen it within 28 days of closure",
        body: addInformationSchema,
        response: { 200: trackedReportSchema, 400: errorSchema, 404: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      await services.rateLimits.hit({ name: "tracking", max: services.config.rateLimits.tracking, windowSeconds: 600 }, request.clientKey);
      const report = await services.reports.addInformation(request.body.receiptCode, request.body.text, request.body.reopen ?? false);
      reply.header("cache-control", "no-store");
      return report;
    },
  );
}
