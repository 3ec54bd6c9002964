// Open311 GeoReport v2: other apps list what residents can report, post a report exactly as
// the web form makes one, and follow it. Reading is limited to what openbeat publishes
// anyway (principle 3): no resident's words, no vehicle, no contact, no address; dates only
// to the month; a report, its category and its place (the centre of its cell) only when the
// disclosure gate publishes its category's cell-month, as the dashboard would count it.
import type { Category, Question } from "../../domain/categories.ts";
import { londonToUtc } from "../../domain/time.ts";
import { AppError } from "../../http/errors.ts";
import type { CategoriesService } from "../categories/categories.service.ts";
import type { DisclosureService, ListedReport, Published } from "../disclosure/disclosure.service.ts";
import type { RateLimitsService } from "../rate-limits/rate-limits.service.ts";
import { DESCRIPTION_LIMIT, newReportSchema, type NewReport } from "../reports/reports.schemas.ts";
import type { ReportsService } from "../reports/reports.service.ts";
import type { TokensService } from "../tokens/tokens.service.ts";
import { open311Errors, type Value } from "./open311.format.ts";

export const SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2";
/** When this endpoint's behaviour last changed, for discovery's changeset. */
export const CHANGESET = "2026-05-01T00:00:00Z";

export const CALL_999 = "If someone is in danger now, or a crime is happening now, call 999. Do not use an app.";
const POSTED_NOTICE =
  "Keep the receipt code: it is the only way to follow this report, and it is not shown again. Officers read every report; if someone is in danger now, call 999.";
const NO_DESCRIPTION = "(No description was given: the report was sent through an Open311 app.)";

const MAX_WINDOW_DAYS = 90;
/** Dates outside these years cannot hold a report, and far ones would overflow month arithmetic. */
const EARLIEST_YEAR = 2000;
const LATEST_YEAR = 2100;
const MAX_RESULTS = 1000;
const MAX_IDS = 100;
/** GET requests documents kept in memory (one per format and query), the least recently made dropped first. */
const MAX_DOCUMENTS = 32;
const OPEN_STATUSES = ["received", "triaged", "in_progress"];

/** Vehicle details are asked as attributes of the categories that ask for a vehicle. */
const VEHICLE_ATTRIBUTES = [
  { code: "vehicle-registration", field: "registration", description: "The vehicle's registration, if you saw it, like AB12 CDE", limit: 20 },
  { code: "vehicle-make", field: "make", description: "The vehicle's make, like Ford", limit: 40 },
  { code: "vehicle-colour", field: "colour", description: "The vehicle's colour", limit: 30 },
] as const;

const DATATYPE_DESCRIPTIONS: Record<Question["type"], string> = {
  string: "Up to 200 characters",
  text: "Up to 2000 characters",
  number: "A whole number, like 3",
  datetime: "A date and time in W3C format, like 2026-05-01T21:30:00Z",
  singlevaluelist: "One of the keys listed in values",
  multivaluelist: "One or more of the keys listed in values, each sent as attribute[code][]",
};

export type FormFields = Record<string, unknown>;

export interface Open311Report extends Record<string, Value> {
  service_request_id: string;
  status: "open" | "closed";
}

export interface RequestsQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
}

function single(fields: FormFields, name: string): string | undefined {
  const value = fields[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? undefined : String(first);
}

/** A W3C datetime (ISO 8601 with a time zone), or a bare date taken as midnight UTC; null if malformed or impossible. */
export function parseW3cDate(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour = "00", minute = "00", second = "00"] = match;
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const parsed = new Date(match[4] ? text.trim() : `${text.trim()}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** The first instant of a month (UK time), in W3C format with the UK's offset then: how Open311 shows every report date. */
function monthStart(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  const start = londonToUtc(year, number, 1, 0, 0);
  const offset = Date.UTC(year, number - 1, 1) - start.getTime();
  return `${month}-01T00:00:00${offset === 0 ? "Z" : `+${String(offset / 3_600_000).padStart(2, "0")}:00`}`;
}

function open311Status(open: boolean): "open" | "closed" {
  return open ? "open" : "closed";
}

export class Open311Service {
  private readonly documents = new Map<string, { fingerprint: string; body: Buffer }>();

  constructor(
    private readonly disclosure: DisclosureService,
    private readonly categories: CategoriesService,
    private readonly reports: ReportsService,
    private readonly tokens: TokensService,
    private readonly rateLimits: RateLimitsService,
    private readonly limits: { reportsPerHour: number },
  ) {}

  discovery(baseUrl: string) {
    return {
      changeset: CHANGESET,
      contact: `Apps need a key to post reports: see ${baseUrl}/open311. ${CALL_999}`,
      key_service: `${baseUrl}/open311`,
      endpoints: [
        {
          specification: SPECIFICATION_URL,
          url: `${baseUrl}/open311/v2`,
          changeset: CHANGESET,
          type: "production",
          formats: ["text/xml", "application/json"],
        },
      ],
    };
  }

  /** Categories other apps may offer: every one but the sensitive ones. */
  async offered(): Promise<Category[]> {
    return (await this.categories.list()).filter((category) => !category.sensitive).sort((a, b) => a.sortOrder - b.sortOrder);
  }

  private async offeredCategory(code: string | undefined): Promise<Category | undefined> {
    return code ? (await this.offered()).find((category) => category.code === code) : undefined;
  }

  async services(): Promise<Array<Record<string, Value>>> {
    return (await this.offered()).map((category) => ({
      service_code: category.code,
      service_name: category.name,
      description: `${category.hint} ${CALL_999}`,
      metadata: true,
      type: "realtime",
      keywords: category.code.split("-").join(", "),
      group: category.inScope ? "The operation's priorities" : "Other reports",
    }));
  }

  async definition(code: string): Promise<Record<string, Value>> {
    const category = await this.offeredCategory(code);
    if (!category) throw open311Errors.notFound(`There is no service with the code “${code}”. The services are listed at services.xml.`);
    const questions = category.questions.map((question) => ({
      variable: true,
      code: question.code,
      datatype: question.type,
      required: question.required,
      datatype_description: DATATYPE_DESCRIPTIONS[question.type],
      description: question.hint ? `${question.label} ${question.hint}` : question.label,
      values: question.values.map((value) => ({ key: value.key, name: value.name })),
    }));
    const vehicle = category.askVehicle
      ? VEHICLE_ATTRIBUTES.map((attribute) => ({
          variable: true,
          code: attribute.code,
          datatype: "string",
          required: false,
          datatype_description: `Up to ${attribute.limit} characters`,
          description: attribute.description,
          values: [],
        }))
      : [];
    return {
      service_code: category.code,
      // In the specification's order of fields.
      attributes: [...questions, ...vehicle].map((attribute, index) => ({
        variable: attribute.variable,
        code: attribute.code,
        datatype: attribute.datatype,
        required: attribute.required,
        datatype_description: attribute.datatype_description,
        order: index + 1,
        description: attribute.description,
        values: attribute.values,
      })),
    };
  }

  /**
   * POST requests: creates a report as the web form does, for the app holding `api_key`.
   * device_id, account_id, media_url, names and phone are never read: openbeat asks residents
   * for nothing but an optional email address.
   */
  async submit(fields: FormFields, clientAddressKey: string, now: Date = new Date()): Promise<Array<Record<string, Value>>> {
    const client = await this.tokens.clientForKey(single(fields, "api_key"), now);
    if (!client) throw open311Errors.forbidden("api_key is missing, not valid or revoked. Apps get a key from the operation's administrators.");
    await this.rateLimits.hit({ name: "open311-key", max: this.limits.reportsPerHour * 25, windowSeconds: 3600 }, `client-${client.id}`, now);
    await this.rateLimits.hit({ name: "open311-reports", max: this.limits.reportsPerHour, windowSeconds: 3600 }, clientAddressKey, now);

    const code = single(fields, "service_code")?.trim();
    if (!code) throw open311Errors.badRequest("service_code is required: choose one from services.xml.");
    const category = await this.offeredCategory(code);
    if (!category) throw open311Errors.badRequest(`service_code “${code}” is not a service openbeat offers through Open311: choose one from services.xml.`);

    const problems: string[] = [];
    const latText = single(fields, "lat")?.trim();
    const longText = single(fields, "long")?.trim();
    const address = single(fields, "address_string")?.trim();
    const number = /^[+-]?\d{1,3}(\.\d{1,15})?$/;
    let lat: number | undefined;
    let lng: number | undefined;
    if (latText || longText) {
      if (!latText || !longText) problems.push("lat and long must be given together.");
      else if (!number.test(latText) || !number.test(longText)) problems.push("lat and long must be decimal degrees (WGS84), like 51.5383 and 0.7274.");
      else [lat, lng] = [Number(latText), Number(longText)];
    } else if (!address) {
      problems.push("Give the place as lat and long, or describe it in address_string.");
    }

    const rawDescription = single(fields, "description") ?? "";
    if (rawDescription.length > DESCRIPTION_LIMIT) problems.push(`description must be ${DESCRIPTION_LIMIT} characters or fewer.`);

    const answers: Record<string, string | string[]> = {};
    const vehicle: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) {
      const match = /^attribute\[([^\]]{1,60})\](\[\])?$/.exec(key);
      if (!match) continue;
      const values = (Array.isArray(value) ? value : [value]).map((v) => String(v ?? ""));
      const vehicleAttribute = VEHICLE_ATTRIBUTES.find((attribute) => attribute.code === match[1]);
      if (vehicleAttribute && category.askVehicle) {
        if (values[0]?.trim()) vehicle[vehicleAttribute.field] = values[0];
        continue;
      }
      const question = category.questions.find((q) => q.code === match[1]);
      if (!question) continue;
      const existing = answers[question.code];
      const merged = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), ...values];
      answers[question.code] = question.type === "multivaluelist" || merged.length > 1 ? merged : merged[0]!;
    }
    if (problems.length) throw open311Errors.badRequest(...problems);

    const email = single(fields, "email")?.trim();
    const candidate: NewReport = {
      category: category.code,
      occurredAt: now.toISOString(),
      ...(lat !== undefined && lng !== undefined ? { lat, lng } : {}),
      ...(address ? { locationText: address } : {}),
      description: rawDescription.trim() ? rawDescription : NO_DESCRIPTION,
      answers,
      ...(Object.keys(vehicle).length ? { vehicle } : {}),
      ...(email ? { contact: { email } } : {}),
    };
    const parsed = newReportSchema.safeParse(candidate);
    if (!parsed.success) {
      throw open311Errors.badRequest(...parsed.error.issues.map((issue) => `${open311Field(issue.path.map(String).join("."))}: ${issue.message}`));
    }
    try {
      const receipt = await this.reports.submit(parsed.data, { now });
      return [{ service_request_id: receipt.reference, service_notice: POSTED_NOTICE, receipt_code: receipt.receiptCode }];
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        throw open311Errors.badRequest(...(error.fields.length ? error.fields.map((f) => `${open311Field(f.field)}: ${f.message}`) : [error.message]));
      }
      throw error;
    }
  }

  /** GET requests: the public-safe list, as the disclosure gate allows it. */
  async list(query: RequestsQuery, now: Date = new Date()): Promise<Open311Report[]> {
    if (query.service_request_id !== undefined) return this.present(await this.disclosure.reportsByReferences(this.requestIds(query.service_request_id), now));
    return this.listWindow(await this.plan(query, now), now);
  }

  /**
   * GET requests as a whole document (`render` makes the JSON or XML), kept in memory between
   * requests: a kept document is used only while a fingerprint of the reports and public updates
   * it was made from is unchanged, so a change made through any instance shows at once.
   */
  async listDocument(query: RequestsQuery, format: string, render: (reports: Open311Report[]) => string, now: Date = new Date()): Promise<Buffer> {
    if (query.service_request_id !== undefined) return Buffer.from(render(await this.list(query, now)));
    const plan = await this.plan(query, now);
    const offered = (await this.offered()).map((c) => [c.code, c.name]);
    const key = JSON.stringify([format, plan, offered, this.disclosure.lastCompleteMonth(now)]);
    // Read before the list is made: a change racing with it leaves a newer document under an older
    // fingerprint, which the next request finds out of date and makes again.
    const fingerprint = await this.disclosure.listFingerprint(plan.months);
    const kept = this.documents.get(key);
    if (kept && kept.fingerprint === fingerprint) return kept.body;
    // Kept encoded: a 200 kB document is not turned into UTF-8 again for every answer.
    const body = Buffer.from(render(await this.listWindow(plan, now)));
    this.documents.delete(key);
    this.documents.set(key, { fingerprint, body });
    if (this.documents.size > MAX_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    return body;
  }

  private requestIds(text: string): string[] {
    const ids = text.split(",").map((id) => id.trim().toUpperCase()).filter(Boolean);
    if (ids.length === 0) throw open311Errors.badRequest("service_request_id must name at least one request.");
    if (ids.length > MAX_IDS) throw open311Errors.badRequest(`Ask for at most ${MAX_IDS} service_request_id values at once.`);
    return [...new Set(ids.filter((id) => /^OB-[0-9A-Z]{7}$/.test(id)))];
  }

  /** What a list query asks for, checked: categories, states and the whole months it covers. */
  private async plan(query: RequestsQuery, now: Date): Promise<{ codes: string[]; statuses: string[]; months: string[] }> {
    const offered = await this.offered();
    let codes = offered.map((c) => c.code);
    if (query.service_code !== undefined) {
      const asked = query.service_code.split(",").map((c) => c.trim()).filter(Boolean);
      const unknown = asked.filter((c) => !codes.includes(c));
      if (asked.length === 0 || unknown.length) throw open311Errors.badRequest(`service_code “${unknown.join(", ") || query.service_code}” is not a service openbeat offers: see services.xml.`);
      codes = asked;
    }
    const statuses = this.statusFilter(query.status);
    const { start, end } = window(query.start_date, query.end_date, now);
    // Whole months only: a report is in the window when its month overlaps it, so narrowing the
    // dates can never tell when in the month a report came in.
    return { codes, statuses, months: this.disclosure.monthsBetween(start, end) };
  }

  private async listWindow({ codes, statuses, months }: { codes: string[]; statuses: string[]; months: string[] }, now: Date): Promise<Open311Report[]> {
    return this.present(await this.disclosure.listReports({ months, categoryCodes: codes, statuses, limit: MAX_RESULTS }, now));
  }

  /** GET requests/{id}: the status and public update of any report; the rest only as the list would show it. */
  async one(id: string, now: Date = new Date()): Promise<Open311Report[]> {
    const found = await this.present(await this.disclosure.reportsByReferences(this.requestIds(id), now));
    if (found.length === 0) throw open311Errors.notFound(`There is no service request “${id}”.`);
    return found;
  }

  private async present(reports: Published<ListedReport[]>): Promise<Open311Report[]> {
    const names = new Map((await this.offered()).map((c) => [c.code, c.name]));
    return reports.map((report) => ({
      service_request_id: report.reference,
      status: open311Status(report.open),
      status_notes: report.update ? `${report.update.title}\n${report.update.body}` : undefined,
      service_name: report.categoryCode ? names.get(report.categoryCode) : undefined,
      service_code: report.categoryCode ?? undefined,
      requested_datetime: report.month ? monthStart(report.month) : undefined,
      updated_datetime: report.updatedMonth ? monthStart(report.updatedMonth) : undefined,
      lat: report.centre?.lat,
      long: report.centre?.long,
    }));
  }

  private statusFilter(status: string | undefined): string[] {
    if (status === undefined) return [...OPEN_STATUSES, "closed"];
    const asked = status.split(",").map((s) => s.trim().toLowerCase());
    const wrong = asked.filter((s) => s !== "open" && s !== "closed");
    if (asked.length === 0 || wrong.length) throw open311Errors.badRequest(`status must be open or closed (or both, comma-separated), not “${status}”.`);
    return [...(asked.includes("open") ? OPEN_STATUSES : []), ...(asked.includes("closed") ? ["closed"] : [])];
  }

  /** mySociety's servicerequestupdates: public updates since a time, once per report they answer that the list shows. */
  async updates(query: { start_date?: string; end_date?: string }, now: Date = new Date()): Promise<Array<Record<string, Value>>> {
    const { start, end } = window(query.start_date, query.end_date, now);
    const rows = await this.disclosure.updatesOfShownReports(start.toISOString(), new Date(end.getTime() + 1).toISOString(), MAX_RESULTS, now);
    return rows.map((row) => ({
      update_id: `${row.updateId}-${row.reference}`,
      service_request_id: row.reference,
      status: open311Status(row.open),
      updated_datetime: row.publishedAt.replace(/\.\d{3}Z$/, "Z"),
      description: `${row.title}\n${row.body}`,
    }));
  }
}

/** A report field as Open311 names it, for error descriptions. */
function open311Field(field: string): string {
  if (field === "lng") return "long";
  if (field === "locationText") return "address_string";
  if (field === "category") return "service_code";
  if (field.startsWith("contact")) return "email";
  if (field.startsWith("answers.")) return `attribute[${field.slice("answers.".length)}]`;
  if (field.startsWith("vehicle.")) return `attribute[vehicle-${field.slice("vehicle.".length)}]`;
  return field || "request";
}

/** start_date and end_date: checked, at most 90 days apart, the last 90 days by default. */
function window(startText: string | undefined, endText: string | undefined, now: Date): { start: Date; end: Date } {
  const problems: string[] = [];
  const start = startText === undefined ? null : parseW3cDate(startText);
  const end = endText === undefined ? null : parseW3cDate(endText);
  if (startText !== undefined && !start) problems.push(`start_date must be a W3C date and time with a time zone, like 2026-05-01T00:00:00Z, not “${startText}”.`);
  if (endText !== undefined && !end) problems.push(`end_date must be a W3C date and time with a time zone, like 2026-05-31T23:59:59Z, not “${endText}”.`);
  for (const [name, date] of [["start_date", start], ["end_date", end]] as const) {
    if (date && (date.getUTCFullYear() < EARLIEST_YEAR || date.getUTCFullYear() > LATEST_YEAR)) problems.push(`${name} must be a date between ${EARLIEST_YEAR} and ${LATEST_YEAR}, not “${name === "start_date" ? startText : endText}”.`);
  }
  if (problems.length) throw open311Errors.badRequest(...problems);
  const span = MAX_WINDOW_DAYS * 86_400_000;
  const from = start ?? new Date((end ?? now).getTime() - span);
  const to = end ?? (start ? new Date(start.getTime() + span) : now);
  if (to < from) throw open311Errors.badRequest("end_date must be after start_date.");
  if (to.getTime() - from.getTime() > span) throw open311Errors.badRequest(`start_date and end_date may be at most ${MAX_WINDOW_DAYS} days apart.`);
  return { start: from, end: to };
}

