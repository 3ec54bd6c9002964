// GET /api/operations/{id}/areas: an operation's target, buffer and comparison as GeoJSON, public
// once the operation is published (staff who evaluate operations see them before that).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errors } from "../../http/errors.ts";
import { access, can } from "../auth/policy.ts";
import type { Services } from "../../services.ts";

const position = z.array(z.number()).min(2);

export const operationAreasSchema = z
  .object({
    type: z.literal("FeatureCollection"),
    features: z.array(
      z.object({
        type: z.literal("Feature"),
        properties: z.object({
          role: z.enum(["target", "buffer", "comparison"]).describe("What the area is for in the evaluation"),
          name: z.string(),
          definition: z.enum(["polygon", "lsoas", "snap-points", "ring"]).describe("How the area is defined: drawn, by LSOA codes, by police.uk snap points, or a ring around the target"),
          lsoaCodes: z.array(z.string()).optional().describe("For an area defined by LSOA codes: the codes"),
          ringMetres: z.number().optional().describe("For a buffer drawn around the target: its width in metres"),
          snapPoints: z.number().int().describe("police.uk snap points in the area"),
        }),
        geometry: z.union([
          z.object({ type: z.literal("Polygon"), coordinates: z.array(z.array(position)) }),
          z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(z.array(z.array(position))) }),
        ]),
      }),
    ),
  })
  .meta({ id: "OperationAreas" });

const errorSchema = z.object({ error: z.string(), message: z.string() });

export function registerAreasApi(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/api/operations/:id/areas",
    {
      config: { access: access.public, csrf: false },
      schema: {
        tags: ["operations"],
        summary: "An operation's target, buffer and comparison areas, as GeoJSON",
        description:
          "Public for published operations. For an area defined by LSOA codes, the geometry is a padded outline around its police.uk snap points, drawn for maps; membership is by LSOA, not by the outline.",
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: operationAreasSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const operation = await services.operationsRepository.findById(request.params.id);
      const staffMayRead = request.staff && can(request.staff.user.role, "evaluation:read");
      if (!operation || (!operation.published && !staffMayRead)) throw errors.notFound("operation");
      if (!operation.published) reply.header("cache-control", "no-store");
      return { type: "FeatureCollection" as const, features: await services.areas.features(operation.id) };
    },
  );
}
