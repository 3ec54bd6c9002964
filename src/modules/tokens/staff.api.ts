// The staff JSON API: the same permissions as the pages, reached with a browser session or a
// personal access token (`Authorization: Bearer obt_…`). Every read is a consultation in the
// audit log, naming the token when one was used.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { STATUSES } from "../../domain/reports.ts";
import { access } from "../auth/policy.ts";
import { errorSchema } from "../reports/reports.schemas.ts";
import type { Services } from "../../services.ts";
import { staffTokenId } from "./tokens.service.ts";

const queueQuerySchema = z
  .object({
    status: z.enum(STATUSES).optional().meta({ description: "Only reports in this state" }),
    category: z.string().regex(/^[a-z0-9-]{1,60}$/).optional().meta({ description: "Only reports of this category code", example: "kerb-crawling" }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

const queueSchema = z
  .object({
    total: z.number().int(),
    reports: z.array(
      z.object({
        reference: z.string(),
        category: z.string(),
        status: z.enum(STATUSES),
        grade: z.string().nullable(),
        areaRole: z.string().nullable(),
        occurredAt: z.string(),
        createdAt: z.string(),
        reopened: z.boolean(),
        isDemo: z.boolean(),
        safeguarding: z.boolean().meta({ description: "The answers suggest someone may be under 18 or controlled by another person" }),
      }),
    ),
  })
  .meta({
    id: "TriageQueue",
    example: {
      total: 1,
      reports: [
        {
          reference: "OB-7K3M9QX",
          category: "Kerb crawling",
          status: "received",
          grade: null,
          areaRole: "target",
          occurredAt: "2026-05-01T21:30:00.000Z",
          createdAt: "2026-05-01T21:41:07.000Z",
          reopened: false,
          isDemo: false,
          safeguarding: false,
        },
      ],
    },
  });

/** Records a read of personal data through the staff API, naming the personal access token when one was used. */
export async function auditStaffRead(services: Services, request: FastifyRequest, recordType: string, recordIds: Array<string | number>): Promise<void> {
  const staff = request.staff!;
  const tokenId = staffTokenId(staff);
  await services.audit.record({
    actor: { id: staff.user.id, role: staff.user.role },
    operation: "consultation",
    recordType,
    recordIds,
    reason: { code: "triage", reference: tokenId ? `api-token-${tokenId}` : "web-session" },
  });
}

export function registerStaffApi(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/staff/reports",
    {
      config: { access: access.to("reports:triage"), csrf: false },
      schema: {
        tags: ["staff"],
        summary: "The triage queue",
        description:
          "Residents' reports, newest first, for officers and operation leads. Sign in, or send `Authorization: Bearer obt_…` with a personal access token made at /staff/tokens. Each read is recorded in the audit log as a consultation.",
        querystring: queueQuerySchema,
        response: { 200: queueSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const { status, category, limit, offset } = request.query;
      const queue = await services.triage.queue({ status, category, limit, offset });
      await auditStaffRead(services, request, "report", queue.reports.map((r) => r.reference));
      reply.header("cache-control", "no-store");
      return queue;
    },
  );
}
