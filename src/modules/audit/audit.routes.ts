// The auditor's view of the audit log: search, export and verify. Reading the log is itself a
// consultation, so each search and export needs a reason and is written to the log.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { formErrors } from "../../web/render.ts";
import type { FieldProblem } from "../../http/errors.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { AUDIT_OPERATIONS, REASON_CODES, type ReasonCode } from "./audit.service.ts";

interface AuditQuery {
  operation?: string;
  recordType?: string;
  actorId?: string;
  from?: string;
  to?: string;
  reasonCode?: string;
  reasonReference?: string;
  page?: string;
}

const PAGE_SIZE = 100;
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/;

function parseQuery(query: AuditQuery): { filter: Record<string, unknown>; reason: { code: ReasonCode; reference: string } | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const date = (value: string | undefined, name: string) => {
    if (!value) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
      problems.push({ field: name, message: "Enter a date like 2026-11-01" });
      return undefined;
    }
    return new Date(`${value}T00:00:00Z`).toISOString();
  };
  const filter = {
    operation: (AUDIT_OPERATIONS as readonly string[]).includes(query.operation ?? "") ? query.operation : undefined,
    recordType: query.recordType && /^[a-z-]{1,40}$/.test(query.recordType) ? query.recordType : undefined,
    actorId: Number(query.actorId) > 0 ? Number(query.actorId) : undefined,
    from: date(query.from, "from"),
    to: date(query.to, "to"),
  };
  let reason: { code: ReasonCode; reference: string } | null = null;
  if (query.reasonCode !== undefined || query.reasonReference !== undefined) {
    if (!(query.reasonCode && query.reasonCode in REASON_CODES)) problems.push({ field: "reasonCode", message: "Choose why you are reading the log" });
    if (!REFERENCE.test(query.reasonReference ?? "")) problems.push({ field: "reasonReference", message: "Give a reference for the reason (letters, numbers, slashes and dashes)" });
    if (problems.length === 0) reason = { code: query.reasonCode as ReasonCode, reference: query.reasonReference!.trim() };
  }
  return { filter, reason, problems };
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function registerAuditPages(app: FastifyInstance, services: Services): void {
  const read = access.to("audit:read");

  async function logRead(request: FastifyRequest, recordType: string, reason: { code: ReasonCode; reference: string }) {
    const user = request.staff!.user;
    await services.audit.record({ actor: { id: user.id, role: user.role }, operation: "consultation", recordType, recordIds: [], reason });
  }

  app.get<{ Querystring: AuditQuery }>("/staff/audit", { config: { access: read } }, async (request, reply) => {
    const { filter, reason, problems } = parseQuery(request.query);
    // Whole pages within reach: a huge page number would be an offset no database takes.
    const page = Math.min(100_000, Math.max(1, Math.floor(Number(request.query.page)) || 1));
    const context = { title: "Audit log", query: request.query, operations: AUDIT_OPERATIONS, reasonCodes: REASON_CODES, page };
    if (problems.length) return reply.page("audit/views/search.njk", { ...context, errors: formErrors(problems) }, 400);
    if (!reason) return reply.page("audit/views/search.njk", context);
    await logRead(request, "audit-log", reason);
    const events = await services.audit.search({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const issuances = Object.fromEntries(await services.audit.issuances(events.map((e) => e.actorCredentialsEventId)));
    const exportQuery = new URLSearchParams(Object.entries(request.query).filter(([k, v]) => v && k !== "page") as Array<[string, string]>).toString();
    return reply.page("audit/views/search.njk", { ...context, events, issuances, exportQuery, nextPage: events.length === PAGE_SIZE ? page + 1 : null });
  });

  app.get<{ Querystring: AuditQuery }>("/staff/audit/export.csv", { config: { access: read } }, async (request, reply) => {
    const { filter, reason, problems } = parseQuery(request.query);
    if (problems.length || !reason) return reply.status(400).type("text/plain").send("Give a reason code and reference to export the audit log.");
    await logRead(request, "audit-log-export", reason);
    const events = await services.audit.search({ ...filter, limit: 100_000 });
    const issuances = await services.audit.issuances(events.map((e) => e.actorCredentialsEventId));
    // credentials_event: the event that issued the credentials the actor signed in with;
    // credentials_issued_by: the user who issued them, or "command-line".
    const issuer = (eventId: number | null) => {
      const issuance = eventId === null ? undefined : issuances.get(eventId);
      return issuance ? (issuance.actorId ?? "command-line") : null;
    };
    const header = ["id", "occurred_at", "actor_id", "actor_role", "credentials_event", "credentials_issued_by", "operation", "record_type", "record_ids", "reason_code", "reason_reference", "recipients", "previous_hash", "hash"];
    const lines = [header.join(",")];
    for (const e of events) {
      lines.push(
        [e.id, e.occurredAt, e.actorId, e.actorRole, e.actorCredentialsEventId, issuer(e.actorCredentialsEventId), e.operation, e.recordType, e.recordIds, e.reasonCode, e.reasonReference, e.recipients, e.previousHash, e.hash]
          .map(csvCell)
          .join(","),
      );
    }
    return reply
      .header("cache-control", "no-store")
      .header("content-disposition", `attachment; filename="openbeat-audit-${new Date().toISOString().slice(0, 10)}.csv"`)
      .type("text/csv; charset=utf-8")
      .send(`${lines.join("\r\n")}\r\n`);
  });

  app.post("/staff/audit/verify", { config: { access: read } }, async (_request, reply) => {
    const result = await services.audit.verify();
    const anchor = await services.audit.anchor();
    return reply.page("audit/views/verify.njk", { title: "Verify the audit log", result, anchor });
  });
}
