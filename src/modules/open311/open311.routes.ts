// Open311 GeoReport v2 under /open311/v2/, each resource as .xml (the required format) and
// .json. Errors, including unknown paths, oversized bodies and rate limits, are answered in
// the specification's own form, in the format the path asked for.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseDown } from "../../db/database.ts";
import { AppError, type FieldProblem } from "../../http/errors.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { CONTENT_TYPES, errorDocument, formatOf, Open311Error, open311Errors, toJson, toXml, type Format, type Value } from "./open311.format.ts";
import { SPECIFICATION_URL, type RequestsQuery } from "./open311.service.ts";
import { CLIENT_TERMS } from "../tokens/tokens.service.ts";

const FORMATS: Format[] = ["xml", "json"];
const route = { access: access.public, csrf: false };

function baseUrl(services: Services, request: FastifyRequest): string {
  return (services.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, "");
}

function send(reply: FastifyReply, format: Format, root: string, item: string | null, body: Value, cache = "public, max-age=60") {
  const text = format === "json" ? toJson(body) : toXml(root, body as never, item ?? undefined);
  return reply.header("cache-control", cache).type(CONTENT_TYPES[format]).send(text);
}

/** `name.xml` or `name.json` from the last path segment, or a 404 in the specification's form. */
function splitFile(file: string): { name: string; format: Format } {
  const match = /^(.+)\.(xml|json)$/.exec(file);
  if (!match) throw open311Errors.notFound("Add .xml or .json to the address to choose the format.");
  return { name: match[1]!, format: match[2] as Format };
}

function fromAppError(error: AppError): Open311Error {
  const descriptions = error.fields.length ? error.fields.map((f: FieldProblem) => `${f.field}: ${f.message}`) : [error.message];
  return new Open311Error(error.statusCode, descriptions, error.headers);
}

export function registerOpen311(app: FastifyInstance, services: Services): void {
  app.get("/open311", { config: { access: access.public } }, async (request, reply) =>
    reply.page("open311/views/index.njk", { title: "Open311: report from other apps", base: baseUrl(services, request), specification: SPECIFICATION_URL, terms: CLIENT_TERMS }),
  );

  app.register(
    async (scope) => {
      scope.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
        let problem: Open311Error;
        if (error instanceof Open311Error) problem = error;
        else if (error instanceof AppError) problem = fromAppError(error);
        else if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") problem = new Open311Error(413, ["The request is larger than 100 KB."]);
        else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) problem = new Open311Error(error.statusCode, [error.message]);
        else if (isDatabaseDown(error)) {
          request.log.error({ err: { message: error.message, code: error.code } }, "database unavailable");
          problem = new Open311Error(503, ["The database is not answering. Try again in a minute."], { "retry-after": "30" });
        } else {
          request.log.error({ err: error }, "open311 request failed");
          problem = new Open311Error(500, ["Something went wrong on our side. Try again in a minute."]);
        }
        const format = formatOf(request.url);
        return reply.status(problem.status).headers(problem.headers).header("cache-control", "no-store").type(CONTENT_TYPES[format]).send(errorDocument(format, problem));
      });
      scope.setNotFoundHandler({}, async (request, reply) => {
        const format = formatOf(request.url);
        const problem = open311Errors.notFound("There is nothing at this address. Start from discovery.xml.");
        return reply.status(404).type(CONTENT_TYPES[format]).send(errorDocument(format, problem));
      });

      for (const format of FORMATS) {
        scope.get(`/discovery.${format}`, { config: route }, async (request, reply) =>
          send(reply, format, "discovery", null, services.open311.discovery(baseUrl(services, request)), "public, max-age=300"),
        );

        scope.get(`/services.${format}`, { config: route }, async (_request, reply) =>
          send(reply, format, "services", "service", await services.open311.services(), "public, max-age=300"),
        );

        scope.get<{ Querystring: RequestsQuery }>(`/requests.${format}`, { config: route }, async (request, reply) => {
          const render = (reports: Value) => (format === "json" ? toJson(reports) : toXml("service_requests", reports as never, "request"));
          const body = await services.open311.listDocument(stringsOnly(request.query), format, render);
          return reply.header("cache-control", "public, max-age=60").type(CONTENT_TYPES[format]).send(body);
        });

        scope.post(`/requests.${format}`, { config: route }, async (request, reply) => {
          const created = await services.open311.submit((request.body ?? {}) as Record<string, unknown>, request.clientKey);
          // The receipt code is in this answer: nothing on the way may keep a copy.
          return send(reply, format, "service_requests", "request", created, "no-store");
        });

        scope.get<{ Querystring: { start_date?: string; end_date?: string } }>(`/servicerequestupdates.${format}`, { config: route }, async (request, reply) =>
          send(reply, format, "service_request_updates", "request_update", await services.open311.updates(stringsOnly(request.query))),
        );
      }

      scope.get<{ Params: { file: string } }>("/services/:file", { config: route }, async (request, reply) => {
        const { name, format } = splitFile(request.params.file);
        return send(reply, format, "service_definition", null, await services.open311.definition(name), "public, max-age=300");
      });

      scope.get<{ Params: { file: string } }>("/requests/:file", { config: route }, async (request, reply) => {
        const { name, format } = splitFile(request.params.file);
        return send(reply, format, "service_requests", "request", await services.open311.one(name));
      });

      // openbeat answers every POST at once with its service_request_id, so it never issues tokens.
      scope.get<{ Params: { file: string } }>("/tokens/:file", { config: route }, async (request) => {
        const { name } = splitFile(request.params.file);
        throw open311Errors.notFound(`There is no token “${name}”: openbeat answers every request at once with its service_request_id, and issues no tokens.`);
      });
    },
    { prefix: "/open311/v2" },
  );
}

/** Query values as single strings: a repeated parameter counts once, as its first value. */
function stringsOnly<T extends object>(query: T): T {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") out[key] = first;
  }
  return out as T;
}
