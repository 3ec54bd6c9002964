// The evaluation for analysts and operation leads: the same figures as `openbeat evaluate`, each
// in a table, with the verdict, the warnings, the design and its versions, and the method.
import type { FastifyInstance } from "fastify";
import { errors } from "../../http/errors.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { POLICE_UK_ATTRIBUTION } from "../../domain/police-uk.ts";

const figure = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? "—" : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);

export function registerEvaluationPages(app: FastifyInstance, services: Services): void {
  const read = access.to("evaluation:read");
  const record = access.to("evaluation:read", { record: true });

  app.get("/staff/evaluation", { config: { access: read } }, async (_request, reply) => {
    const operations = await services.operations.list();
    return reply.page("evaluation/views/operations.njk", { title: "Evaluation", operations });
  });

  app.get<{ Params: { id: string } }>("/staff/operations/:id/evaluation", { config: { access: record } }, async (request, reply) => {
    if (!/^\d{1,9}$/.test(request.params.id)) throw errors.notFound("operation");
    const evaluation = await services.evaluation.evaluate(Number(request.params.id));
    return reply.page("evaluation/views/evaluation.njk", {
      title: `Is it working? ${evaluation.operation.name}`,
      evaluation,
      police: evaluation.sources[0],
      reports: evaluation.sources[1],
      figure,
      attribution: POLICE_UK_ATTRIBUTION,
    });
  });
}
