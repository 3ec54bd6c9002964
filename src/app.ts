// buildApp: the whole HTTP application for one configuration and database, without listening.
// Tests drive it with app.inject; main.ts puts it on a port. Cross-cutting rules live here:
// who may reach each route, CSRF on forms, security headers, error pages, logs without addresses.
import crypto from "node:crypto";
import path from "node:path";
import { PROJECT_ROOT } from "./paths.ts";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import qs from "node:querystring";
import { sql } from "kysely";
import type { Config } from "./config.ts";
import { isDatabaseDown, type Database } from "./db/database.ts";
import { AppError, errors } from "./http/errors.ts";
import { clientKey } from "./http/client-address.ts";
import { AdmissionGate, BUSY_RETRY_AFTER_SECONDS } from "./http/load-shedding.ts";
import { ANONYMOUS_CSRF_COOKIE, SESSION_COOKIE } from "./http/cookies.ts";
import { can, ROLE_NAMES, SECOND_FACTOR_ROLES, type Access } from "./modules/auth/policy.ts";
import type { ResolvedSession, StaffUser } from "./modules/auth/auth.service.ts";
import { createServices, type Services } from "./services.ts";
import { createViews, inPageOrder } from "./web/render.ts";
import { registerPages } from "./modules/pages/pages.routes.ts";
import { registerReportPages } from "./modules/reports/reports.pages.ts";
import { registerReportApi } from "./modules/reports/reports.api.ts";
import { registerTrackingPages } from "./modules/reports/tracking.pages.ts";
import { registerAuthPages } from "./modules/auth/auth.routes.ts";
import { registerStaffHome } from "./modules/staff-home/staff-home.routes.ts";
import { registerTriagePages } from "./modules/triage/triage.routes.ts";
import { registerUpdatePages } from "./modules/updates/updates.routes.ts";
import { registerVehiclePages } from "./modules/vehicles/vehicles.routes.ts";
import { registerPlannerPages } from "./modules/planner/planner.routes.ts";
import { registerTiles } from "./modules/tiles/tiles.routes.ts";
import { registerActivityPages } from "./modules/activity/activity.routes.ts";
import { registerUserPages } from "./modules/admin/users.routes.ts";
import { registerAuditPages } from "./modules/audit/audit.routes.ts";
import { registerSafeguardingPages } from "./modules/safeguarding/safeguarding.pages.ts";
import { registerPartnerPages } from "./modules/partners/partners.pages.ts";
import { registerOpen311 } from "./modules/open311/open311.routes.ts";
import { registerAlertPages } from "./modules/alerts/alerts.routes.ts";
import { registerTokenPages } from "./modules/tokens/tokens.routes.ts";
import { registerStaffApi } from "./modules/tokens/staff.api.ts";
import { registerApiDocs } from "./modules/apidocs/apidocs.routes.ts";
import { registerImportPages } from "./modules/imports/imports.routes.ts";
import { registerEvaluationPages } from "./modules/evaluation/evaluation.routes.ts";
import { registerAreasApi } from "./modules/areas/areas.api.ts";
import { registerDashboardPages } from "./modules/dashboard/dashboard.routes.ts";
import { registerOperationPages } from "./modules/operations/operations.routes.ts";

const root = PROJECT_ROOT;

/** Forms and JSON bodies are small; a larger body is refused with 413 before it is read. */
export const BODY_LIMIT_BYTES = 100 * 1024;

declare module "fastify" {
  interface FastifyInstance {
    services: Services;
    /** Every route with its access rule: the authorisation matrix and the OpenAPI check read it. */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    staff: (ResolvedSession & { token: string }) | null;
    /** Keyed hash of the client's address bucket: for rate limits only, never stored with data. */
    clientKey: string;
  }
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
    csrfToken(): string;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** Set false on routes that take no cookies (JSON API, Open311): CSRF does not apply. */
    csrf?: boolean;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
  /** Left out of the OpenAPI document (HTML pages, the document itself). */
  hidden: boolean;
}

export interface BuildOptions {
  config: Config;
  database: Database;
  /** Fastify's logger; off in tests. */
  logger?: boolean;
  /** Where log lines go (standard output unless given): tests read them back. */
  logStream?: NodeJS.WritableStream;
  /** Told of every access decision: the authorisation matrix test watches the rule being applied. */
  onAccessDecision?: (decision: AccessDecision) => void;
}

export interface AccessDecision {
  method: string;
  route: string;
  role: string | null;
  outcome: "allowed" | "sign-in" | "denied";
}

function isApiPath(url: string): boolean {
  return url.startsWith("/api/") || url === "/healthz" || url.startsWith("/open311/");
}

export async function buildApp({ config, database, logger = true, logStream, onAccessDecision }: BuildOptions): Promise<FastifyInstance> {
  const services = createServices(config, database);
  const views = createViews();
  const app = Fastify({
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    logger: logger
      ? {
          level: config.logLevel,
          ...(logStream ? { stream: logStream } : {}),
          // Fastify logs the client's address by default: openbeat logs none, nor bodies or queries,
          // nor the path itself, which holds registrations, alert tokens and the tiles looked at:
          // only the route's pattern (/staff/vehicles/:registration).
          serializers: {
            req: (request) => ({ method: request.method, url: routePattern(request as unknown as FastifyRequest), id: request.id }),
            res: (reply) => ({ statusCode: reply.statusCode }),
          },
        }
      : false,
    genReqId: () => crypto.randomUUID(),
    // An address that cannot be decoded (a stray %) reaches no route: say so plainly, without
    // echoing the address back, and log it like any other request, by pattern.
    frameworkErrors: (error, request, frameworkReply) => {
      const reply = frameworkReply as FastifyReply;
      if (error.code !== "FST_ERR_BAD_URL") return reply.send(error);
      request.log.info({ req: request, res: reply.code(400) }, "address not well formed");
      return reply.send({ error: "bad_request", message: "This address is not well formed (a % sign must be followed by two hexadecimal digits). Check the link and try again." });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(formbody, { parser: (body) => qs.parse(body) });
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    hsts: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "no-referrer" },
  });
  await app.register(fastifyStatic, { root: path.join(root, "public"), prefix: "/static/", maxAge: "1h" });
  await app.register(fastifyStatic, {
    root: path.join(root, "node_modules/govuk-frontend/dist/govuk/assets"),
    prefix: "/assets/",
    decorateReply: false,
    maxAge: "1d",
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "openbeat API",
        version: "1",
        description: "Report anonymously, follow a report with its receipt code, and read what openbeat publishes.",
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.decorate("services", services);
  app.decorateRequest("staff", null);
  app.decorateRequest("clientKey", "");
  app.decorateReply("csrfToken", function (this: FastifyReply) {
    return csrfTokenFor(this.request, this);
  });
  app.decorateReply("page", function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status = 200) {
    const request = this.request;
    const staff = request.staff?.user ?? null;
    const full = {
      ...context,
      cspNonce: (this as unknown as { cspNonce: { script: string } }).cspNonce.script,
      csrfToken: csrfTokenFor(request, this),
      staff,
      deployment: config.deployment,
      staffRoleName: staff ? ROLE_NAMES[staff.role] : null,
      staffNavigation: staff ? staffNavigation(staff, request.url) : [],
    };
    let html = views.render(template, full);
    // A page with errors is rendered again with its summary in the order of the fields on it.
    const errors = context.errors as { list?: Array<{ href: string; text: string }> } | undefined;
    if (errors?.list && errors.list.length > 1) {
      const ordered = inPageOrder(errors.list, html);
      if (ordered.some((item, i) => item !== errors.list![i])) html = views.render(template, { ...full, errors: { ...errors, list: ordered } });
    }
    if (staff || context.noStore) this.header("cache-control", "no-store");
    return this.status(status).type("text/html; charset=utf-8").send(html);
  });

  function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
    const sign = (value: string) => crypto.createHmac("sha256", services.keys.csrf).update(value).digest("base64url");
    if (request.staff) return sign(`session:${request.staff.sessionId}`);
    let anonymous = request.cookies[ANONYMOUS_CSRF_COOKIE];
    if (!anonymous) {
      anonymous = crypto.randomBytes(18).toString("base64url");
      request.cookies[ANONYMOUS_CSRF_COOKIE] = anonymous;
      reply.setCookie(ANONYMOUS_CSRF_COOKIE, anonymous, { path: "/", httpOnly: true, sameSite: "strict", secure: config.secureCookies });
    }
    return sign(`anonymous:${anonymous}`);
  }

  // A route without a stated access rule is a mistake: refuse to start rather than guess.
  const routeTable: RouteEntry[] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (route) => {
    if (route.method === "HEAD") return;
    if (route.url.startsWith("/static/") || route.url.startsWith("/assets/")) {
      route.config = { ...(route.config ?? {}), access: { kind: "public" } };
      return;
    }
    if (!route.config?.access) throw new Error(`Route ${route.method} ${route.url} has no access rule (config.access)`);
    const hidden = !route.url.startsWith("/api/") || Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
    // Pages are HTML for people; the OpenAPI document describes the JSON API only.
    if (hidden) route.schema = { ...(route.schema ?? {}), hide: true };
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, access: route.config.access, hidden });
  });

  // First of all, before anything reaches the database (the session is read next).
  const gate = database.poolSize ? new AdmissionGate(database.poolSize + config.databaseQueueLimit) : null;
  app.addHook("onRequest", async (request, reply) => {
    if (!gate || request.url.startsWith("/static/") || request.url.startsWith("/assets/") || gate.admit(reply)) return;
    // Health says what is true: the database may well be up, but this instance is full.
    if (request.routeOptions.url === "/healthz") {
      return reply.status(503).header("retry-after", String(BUSY_RETRY_AFTER_SECONDS)).send({ status: "busy", database: database.dialect });
    }
    throw errors.busy(BUSY_RETRY_AFTER_SECONDS);
  });

  app.addHook("onRequest", async (request, reply) => {
    request.clientKey = clientKey(services.keys.clientAddress, request.ip);
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const resolved = await services.auth.resolveSession(token);
      if (resolved) request.staff = { ...resolved, token };
      else reply.clearCookie(SESSION_COOKIE, { path: "/" });
    } else if (request.headers.authorization && request.url.startsWith("/api/staff/")) {
      // A personal access token: only on the staff JSON API, whose routes take no CSRF token.
      const resolved = await services.tokens.resolveBearer(request.headers.authorization);
      if (resolved) request.staff = { ...resolved, token: "" };
    }
  });

  // preValidation: the body is parsed (CSRF needs it) but not yet validated, so a request
  // that may not reach a route learns nothing about what the route would accept.
  app.addHook("preValidation", async (request, reply) => {
    const config = request.routeOptions.config;
    const rule = config.access ?? { kind: "public" };
    const decide = (outcome: AccessDecision["outcome"]) =>
      onAccessDecision?.({ method: request.method, route: request.routeOptions.url ?? request.url, role: request.staff?.user.role ?? null, outcome });
    if (rule.kind !== "public") {
      const staff = request.staff;
      if (!staff) {
        decide("sign-in");
        if (isApiPath(request.url) || request.method !== "GET") throw errors.signInRequired();
        return reply.redirect(`/staff/sign-in?next=${encodeURIComponent(request.url)}`);
      }
      // Sign-in is finished in order: the second factor, a password of their own, then a
      // second factor set up where the role requires one. Until then only those pages open.
      const step = unfinishedSignIn(staff);
      if (step && ![step, "/staff/sign-out"].includes(request.routeOptions.url ?? "")) {
        if (isApiPath(request.url) || request.method !== "GET") throw errors.signInRequired();
        return reply.redirect(step);
      }
      if (rule.kind === "permission" && !can(staff.user.role, rule.permission)) {
        decide("denied");
        // A record the user may not read is answered as if it did not exist.
        throw rule.record ? errors.notFound() : errors.forbidden();
      }
    }
    decide("allowed");
  });

  // CSRF after validation: multipart forms attach their fields to the body in their own
  // preValidation hook, which runs after the access check above.
  app.addHook("preHandler", async (request, reply) => {
    const config = request.routeOptions.config;
    const unsafe = request.method !== "GET" && request.method !== "HEAD";
    if (unsafe && config.csrf !== false && request.routeOptions.url) {
      const body = request.body as Record<string, unknown> | undefined;
      const given = typeof body?._csrf === "string" ? body._csrf : "";
      const expected = csrfTokenFor(request, reply);
      const ok = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!ok) throw new AppError("csrf", 403, "This form has expired or was sent from another site. Go back, reload the page and try again.");
    }
  });

  // A NUL character is not text: PostgreSQL refuses it in any query (a server error), SQLite
  // would store it. Refused the same way on both, wherever it comes in.
  app.addHook("preHandler", async (request) => {
    if (holdsNul(request.params) || holdsNul(request.query) || holdsNul(request.body)) {
      throw new AppError("bad_request", 400, "What was sent holds a NUL character, which is not text. Remove it and try again.");
    }
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    let problem: AppError;
    if (error instanceof AppError) problem = error;
    else if (hasZodFastifySchemaValidationErrors(error)) {
      problem = errors.invalid(
        error.validation.map((issue) => ({
          field: issue.instancePath.replace(/^\//, "").replace(/\//g, ".") || String((issue.params as { issue?: { keys?: string[] } })?.issue?.keys?.[0] ?? "body"),
          message: issue.message ?? "is not valid",
        })),
      );
    } else if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      problem = new AppError("payload_too_large", 413, `The request is larger than ${BODY_LIMIT_BYTES / 1024} KB. Shorten the text and try again.`);
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      problem = new AppError("bad_request", error.statusCode, error.message);
    } else if (isMalformedUpload(error)) {
      problem = new AppError("bad_request", 400, "The upload is not a well-formed form. Go back, reload the page and choose the file again.");
    } else if (isNumberOutOfRange(error)) {
      // An id or amount beyond what a PostgreSQL integer holds (SQLite's are 64-bit): no record has it.
      problem = new AppError("bad_request", 400, "A number in the address or the form is too large or not a number. Check it and try again.");
    } else if (isDatabaseDown(error)) {
      request.log.error({ err: { message: error.message, code: error.code } }, "database unavailable");
      problem = errors.unavailable();
    } else {
      request.log.error({ err: error }, "request failed");
      problem = new AppError("internal", 500, "Something went wrong on our side. Nothing you sent was lost if you saw no error before; try again in a minute.");
    }
    reply.headers(problem.headers);
    if (isApiPath(request.url) || !request.headers.accept?.includes("text/html")) {
      return reply.status(problem.statusCode).send({
        error: problem.id,
        message: problem.message,
        ...(problem.fields.length ? { fields: problem.fields } : {}),
      });
    }
    return reply.page("error.njk", { title: errorTitle(problem.statusCode), problem }, problem.statusCode);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isApiPath(request.url) || !request.headers.accept?.includes("text/html")) {
      return reply.status(404).send({ error: "not_found", message: "There is nothing at this address" });
    }
    return reply.page("error.njk", { title: "Page not found", problem: errors.notFound() }, 404);
  });

  app.get("/healthz", { config: { access: { kind: "public" } }, schema: { hide: true } }, async (_request, reply) => {
    try {
      // A query that reaches the database every time (categories are cached in memory).
      await sql`select 1`.execute(database.db);
      return { status: "ok", database: database.dialect };
    } catch {
      return reply.status(503).send({ status: "unavailable", database: database.dialect });
    }
  });

  registerPages(app, services);
  registerReportPages(app, services);
  registerTrackingPages(app, services);
  registerReportApi(app, services);
  registerAuthPages(app, services);
  registerStaffHome(app, services);
  registerTriagePages(app, services);
  registerUpdatePages(app, services);
  registerVehiclePages(app, services);
  registerPlannerPages(app, services);
  registerTiles(app, services);
  registerActivityPages(app, services);
  registerUserPages(app, services);
  registerAuditPages(app, services);
  registerSafeguardingPages(app, services);
  registerPartnerPages(app, services);
  registerOpen311(app, services);
  registerAlertPages(app, services);
  registerTokenPages(app, services);
  registerStaffApi(app, services);
  registerApiDocs(app, services);
  registerImportPages(app, services);
  registerEvaluationPages(app, services);
  registerAreasApi(app, services);
  registerDashboardPages(app, services);
  registerOperationPages(app, services);

  app.get("/api/openapi.json", { config: { access: { kind: "public" } }, schema: { hide: true } }, async () => app.swagger());

  await app.ready();
  return app;
}

/** The pattern of the route a request reached, or "(no route)" for a 404 or an address that is not well formed. */
function routePattern(request: FastifyRequest): string {
  return request.routeOptions?.url ?? "(no route)";
}

function unfinishedSignIn(staff: ResolvedSession): string | null {
  if (staff.user.twoFactorEnabled && !staff.secondFactorDone) return "/staff/sign-in/code";
  if (staff.user.mustChangePassword) return "/staff/password";
  if (staff.user.twoFactorRequired && !staff.user.twoFactorEnabled) return "/staff/two-factor";
  return null;
}

function staffNavigation(user: StaffUser, url: string) {
  const items: Array<{ href: string; text: string }> = [{ href: "/staff", text: "Home" }];
  if (can(user.role, "reports:triage")) items.push({ href: "/staff/reports", text: "Reports" });
  if (can(user.role, "activity:log")) items.push({ href: "/staff/activity", text: "On patrol" });
  if (can(user.role, "updates:publish")) items.push({ href: "/staff/updates/new", text: "Public update" });
  if (can(user.role, "vehicles:record")) items.push({ href: "/staff/vehicles", text: "Vehicles" });
  if (can(user.role, "operations:manage")) items.push({ href: "/staff/operations", text: "Operations" });
  if (can(user.role, "planner:use")) items.push({ href: "/staff/planner", text: "Planner" });
  if (can(user.role, "evaluation:read")) items.push({ href: "/staff/evaluation", text: "Evaluation" });
  if (can(user.role, "imports:run")) items.push({ href: "/staff/imports", text: "Imports" });
  if (can(user.role, "safeguarding:cases")) items.push({ href: "/safeguarding", text: "Safeguarding" });
  if (can(user.role, "partners:referrals")) items.push({ href: "/partner/referrals", text: "Referrals" });
  if (can(user.role, "partners:manage")) items.push({ href: "/staff/partners", text: "Partner agencies" });
  if (can(user.role, "users:manage")) items.push({ href: "/staff/users", text: "Staff accounts" });
  if (can(user.role, "audit:read")) items.push({ href: "/staff/audit", text: "Audit log" });
  if (can(user.role, "clients:manage")) items.push({ href: "/staff/api-clients", text: "Open311 apps" });
  if (!SECOND_FACTOR_ROLES.includes(user.role)) items.push({ href: "/staff/tokens", text: "API tokens" });
  items.push({ href: "/staff/password", text: "Change password" });
  return items.map((item) => ({ ...item, active: item.href === "/staff" ? url === "/staff" : url.startsWith(item.href) }));
}

function errorTitle(status: number): string {
  switch (status) {
    case 400:
      return "There is a problem with what was sent";
    case 401:
      return "Sign in to continue";
    case 403:
      return "You cannot do that";
    case 404:
      return "Page not found";
    case 413:
      return "What you sent is too large";
    case 429:
      return "Too many attempts";
    case 503:
      return "Sorry, the service is unavailable";
    default:
      return "Sorry, there is a problem with the service";
  }
}

/** Whether a parsed request part (params, query, form or JSON body) holds a NUL character in any string. */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 20 || value === null || typeof value !== "object" || Buffer.isBuffer(value)) return false;
  for (const [key, item] of Object.entries(value)) if (key.includes("\u0000") || holdsNul(item, depth + 1)) return true;
  return false;
}

/** The multipart parser's own errors, thrown without a status: a missing or overlong boundary, a body cut short. */
function isMalformedUpload(error: Error & { statusCode?: number; code?: string }): boolean {
  if (error.statusCode) return false;
  return error.code === "ERR_STREAM_PREMATURE_CLOSE" || /^(Multipart: Boundary not found|Boundary required|The needle cannot)|unexpected end of multipart data/i.test(error.message);
}

/** PostgreSQL's "numeric value out of range" and "invalid text representation" (of a number). */
function isNumberOutOfRange(error: Error & { code?: string }): boolean {
  return error.code === "22003" || error.code === "22P02";
}

