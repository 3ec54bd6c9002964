// /api/docs: the API reference as a page, for people; /api/openapi.json stays for software.
import type { FastifyInstance } from "fastify";
import type { OpenAPIV3 } from "openapi-types";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { apiReference } from "./apidocs.ts";

export function registerApiDocs(app: FastifyInstance, _services: Services): void {
  app.get("/api/docs", { config: { access: access.public }, schema: { hide: true } }, async (_request, reply) => {
    const reference = apiReference(app.swagger() as OpenAPIV3.Document);
    const tags = [...new Set(reference.operations.map((operation) => operation.tag))];
    return reply.page("apidocs/views/reference.njk", { title: "API reference", reference, tags });
  });
}
