// The operation lead's pages: list the operations, set one up with its areas, objectives, scope,
// dates and plan, change its details, and change one area at a time. An area is drawn on the map
// (which fills in the GeoJSON box), pasted as GeoJSON, given as LSOA codes, or, for a buffer, a
// ring of some metres around the target. Every page works without JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fromJson, toJson } from "../../db/database.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { checkBufferOutsideTarget, checkComparisonApart, parseAreaGeoJson } from "../../domain/geojson.ts";
import { isRealDate } from "../../domain/time.ts";
import { AppError, errors, type FieldProblem } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access, can } from "../auth/policy.ts";
import { AREA_ROLES, parseLsoaCodes, type AreaDefinition, type DesignArea } from "../areas/areas.service.ts";
import { ringAround } from "../areas/geometry.ts";
import { field, fieldList, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import type { OperationRow } from "./operations.repository.ts";
import { OPERATION_STATUSES, type AreaRole, type OperationDetails, type OperationStatus } from "./operations.service.ts";

const NAME_LIMIT = 120;
const SLUG_LIMIT = 60;
const SUMMARY_LIMIT = 1_000;
const OBJECTIVE_LIMIT = 200;
const OBJECTIVES_MAX = 12;
const REASON_LIMIT = 300;
const MAX_PLANNED_HOURS = 10_000;
const MAX_RING_METRES = 5_000;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const ROLE_LABELS: Record<AreaRole, string> = { target: "target area", buffer: "buffer", comparison: "comparison area" };
const STATUS_LABELS: Record<OperationStatus, string> = { planned: "Planned", active: "Running", ended: "Ended" };
const DEFINITION_LABELS: Record<AreaDefinition["kind"], string> = {
  polygon: "Drawn on the map or pasted as GeoJSON",
  lsoas: "LSOA codes",
  "snap-points": "police.uk points",
  ring: "A ring around the target",
};

type DateParts = { day: string; month: string; year: string };
type AreaKind = "geojson" | "lsoas" | "ring";

interface DetailsForm {
  name: string;
  slug: string;
  summary: string;
  objectives: string;
  categoriesInScope: string[];
  startsOn: DateParts;
  endsOn: DateParts;
  plannedHoursPerWeek: string;
  status: string;
  published: boolean;
}

interface AreaForm {
  kind: string;
  geojson: string;
  lsoas: string;
  metres: string;
}

type WithId = { Params: { id: string } };
type WithRole = { Params: { id: string; role: string } };

function dateParts(body: FormBody, name: string): DateParts {
  return { day: field(body, `${name}-day`).trim(), month: field(body, `${name}-month`).trim(), year: field(body, `${name}-year`).trim() };
}

function partsOf(date: string | null): DateParts {
  if (!date) return { day: "", month: "", year: "" };
  const [year, month, day] = date.split("-");
  return { day: String(Number(day)), month: String(Number(month)), year: year! };
}

/** 'YYYY-MM-DD' from the three boxes, null when they are empty, or a problem to show. */
function dateFrom(parts: DateParts, what: string, required: boolean): { value: string | null; problem: string | null } {
  if (!parts.day && !parts.month && !parts.year) return { value: null, problem: required ? `Enter the date the operation ${what}, like 1 4 2018` : null };
  const [day, month, year] = [Number(parts.day), Number(parts.month), Number(parts.year)];
  if (![day, month, year].every(Number.isInteger) || parts.year.length !== 4 || !isRealDate(year, month, day)) {
    return { value: null, problem: `The date the operation ${what} must be a real date, like 1 4 2018` };
  }
  return { value: `${parts.year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`, problem: null };
}

function readDetails(body: FormBody): DetailsForm {
  return {
    name: field(body, "name").trim(),
    slug: field(body, "slug").trim().toLowerCase(),
    summary: field(body, "summary").trim(),
    objectives: field(body, "objectives"),
    categoriesInScope: fieldList(body, "categoriesInScope"),
    startsOn: dateParts(body, "startsOn"),
    endsOn: dateParts(body, "endsOn"),
    plannedHoursPerWeek: field(body, "plannedHoursPerWeek").trim(),
    status: field(body, "status"),
    published: field(body, "published") === "yes",
  };
}

function formOf(operation: OperationRow): DetailsForm {
  return {
    name: operation.name,
    slug: operation.slug,
    summary: operation.summary,
    objectives: fromJson<string[]>(operation.objectives, []).join("\n"),
    categoriesInScope: fromJson<string[]>(operation.categoriesInScope, []),
    startsOn: partsOf(operation.startsOn),
    endsOn: partsOf(operation.endsOn),
    plannedHoursPerWeek: String(operation.plannedHoursPerWeek),
    status: operation.status,
    published: Boolean(operation.published),
  };
}

/** Checks the details form; a new operation may leave its short name blank (it is made from the name). */
function checkDetails(form: DetailsForm, categoryCodes: string[], isNew: boolean): { details: OperationDetails | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!form.name) problems.push({ field: "name", message: "Enter the operation's name" });
  else if (form.name.length > NAME_LIMIT) problems.push({ field: "name", message: `Shorten the name to ${NAME_LIMIT} characters or fewer` });
  if (!form.slug && !isNew) problems.push({ field: "slug", message: "Enter a short name for web addresses, like ambleside" });
  else if (form.slug && (!SLUG.test(form.slug) || form.slug.length > SLUG_LIMIT)) {
    problems.push({ field: "slug", message: `The short name can only hold lower-case letters, numbers and single dashes between them, up to ${SLUG_LIMIT} characters, like ambleside-2018` });
  }
  if (form.summary.length > SUMMARY_LIMIT) problems.push({ field: "summary", message: `Shorten the public summary to ${SUMMARY_LIMIT} characters or fewer` });
  const objectives = form.objectives.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (objectives.length > OBJECTIVES_MAX) problems.push({ field: "objectives", message: `Give at most ${OBJECTIVES_MAX} objectives, one a line` });
  else if (objectives.some((o) => o.length > OBJECTIVE_LIMIT)) problems.push({ field: "objectives", message: `Shorten each objective to ${OBJECTIVE_LIMIT} characters or fewer` });
  const unknown = form.categoriesInScope.filter((code) => !categoryCodes.includes(code));
  if (unknown.length) problems.push({ field: "categoriesInScope", message: "Choose categories from the list" });
  const starts = dateFrom(form.startsOn, "starts", true);
  if (starts.problem) problems.push({ field: "startsOn", message: starts.problem });
  const ends = dateFrom(form.endsOn, "ends", false);
  if (ends.problem) problems.push({ field: "endsOn", message: ends.problem });
  else if (ends.value && starts.value && ends.value < starts.value) problems.push({ field: "endsOn", message: "The end date must be on or after the start date, or left blank while the operation runs" });
  const hours = Number(form.plannedHoursPerWeek);
  if (!/^\d+(\.\d+)?$/.test(form.plannedHoursPerWeek) || hours > MAX_PLANNED_HOURS) {
    problems.push({ field: "plannedHoursPerWeek", message: `Enter the planned officer hours a week as a number from 0 to ${MAX_PLANNED_HOURS}, like 40` });
  }
  if (!(OPERATION_STATUSES as readonly string[]).includes(form.status)) problems.push({ field: "status", message: "Choose whether the operation is planned, running or ended" });
  if (problems.length) return { details: null, problems };
  return {
    details: {
      name: form.name,
      slug: form.slug,
      summary: form.summary,
      objectives,
      categoriesInScope: categoryCodes.filter((code) => form.categoriesInScope.includes(code)),
      startsOn: starts.value!,
      endsOn: ends.value,
      plannedHoursPerWeek: hours,
      status: form.status as OperationStatus,
      published: form.published,
    },
    problems,
  };
}

function readArea(body: FormBody, role: AreaRole): AreaForm {
  return { kind: field(body, `${role}-kind`), geojson: field(body, `${role}-geojson`), lsoas: field(body, `${role}-lsoas`), metres: field(body, `${role}-metres`).trim() };
}

/** An area as the form gives it: its definition, and its outline when it was drawn or pasted. */
function checkArea(form: AreaForm, role: AreaRole): { definition: AreaDefinition | null; geometry: Polygonal | null; problem: FieldProblem | null } {
  const label = ROLE_LABELS[role];
  const none = (fieldName: string, message: string) => ({ definition: null, geometry: null, problem: { field: `${role}-${fieldName}`, message } });
  switch (form.kind as AreaKind) {
    case "geojson": {
      const parsed = parseAreaGeoJson(form.geojson, label);
      if (!parsed.ok) return none("geojson", parsed.problem);
      return { definition: { kind: "polygon", geometry: parsed.geometry }, geometry: parsed.geometry, problem: null };
    }
    case "lsoas": {
      if (!form.lsoas.trim()) return none("lsoas", `Enter the LSOA codes of the ${label}, like E01015840, E01015894`);
      try {
        return { definition: { kind: "lsoas", lsoaCodes: parseLsoaCodes(form.lsoas) }, geometry: null, problem: null };
      } catch (error) {
        if (error instanceof AppError) return none("lsoas", error.message);
        throw error;
      }
    }
    case "ring": {
      if (role !== "buffer") break;
      const metres = Number(form.metres);
      if (!/^\d+$/.test(form.metres) || metres < 1 || metres > MAX_RING_METRES) return none("metres", `Enter the buffer's width in whole metres, from 1 to ${MAX_RING_METRES.toLocaleString("en-GB")}, like 400`);
      return { definition: { kind: "ring", metres }, geometry: null, problem: null };
    }
  }
  return none("kind", `Choose how to give the ${label}`);
}

/** Which field an areas-service refusal belongs to, from the area it names. */
function fieldForAreaMessage(message: string, fallback: AreaRole): string {
  const named = /comparison area/i.test(message) ? "comparison" : /\bbuffer\b/i.test(message) ? "buffer" : /target area/i.test(message) ? "target" : fallback;
  return `${named}-${/\bLSOA\b/.test(message) ? "lsoas" : "kind"}`;
}

/** The drawn outlines an area's checks need, from what is stored: a ring or LSOA outline is worked out, not drawn. */
function storedOutlines(areas: DesignArea[]): Partial<Record<AreaRole, { definition: AreaDefinition["kind"]; geometry: Polygonal }>> {
  return Object.fromEntries(areas.map((area) => [area.role, { definition: area.definition, geometry: area.geometry }]));
}

function describeDefinition(area: DesignArea): string {
  if (area.definition === "lsoas") return `LSOA codes ${(area.lsoaCodes ?? []).join(", ")}`;
  if (area.definition === "ring") return `A ring of ${area.ringMetres} metres around the target`;
  if (area.definition === "snap-points") return `${(area.snapPointIds ?? []).length} police.uk points`;
  return DEFINITION_LABELS.polygon;
}

function areaFormOf(area: DesignArea | undefined): AreaForm {
  if (!area) return { kind: "", geojson: "", lsoas: "", metres: "" };
  return {
    kind: area.definition === "lsoas" ? "lsoas" : area.definition === "ring" ? "ring" : "geojson",
    geojson: area.definition === "polygon" ? toJson(area.geometry) : "",
    lsoas: (area.lsoaCodes ?? []).join(", "),
    metres: area.ringMetres ? String(area.ringMetres) : "",
  };
}

export function registerOperationPages(app: FastifyInstance, services: Services): void {
  const read = access.to("operations:read");
  const manage = access.to("operations:manage");
  const readOne = access.to("operations:read", { record: true });
  const manageOne = access.to("operations:manage", { record: true });

  const mapSettings = async () => ({
    tiles: services.config.tileUrl ? "/tiles/{z}/{x}/{y}.png" : "",
    attribution: services.config.tileUrl ? "Map data © OpenStreetMap contributors" : "",
    centre: await services.operations.mapCentre(new Date(), { unpublished: true }),
  });

  async function operationOf(request: FastifyRequest<WithId>): Promise<OperationRow> {
    const operation = /^\d{1,9}$/.test(request.params.id) ? await services.operations.find(Number(request.params.id)) : undefined;
    if (!operation) throw errors.notFound("operation");
    return operation;
  }

  const categoryItems = async (chosen: string[]) =>
    (await services.categories.list()).map((c) => ({ value: c.code, text: c.name, checked: chosen.includes(c.code) }));

  app.get("/staff/operations", { config: { access: read } }, async (request, reply) => {
    const operations = await services.operations.list();
    return reply.page("operations/views/list.njk", {
      title: "Operations",
      operations,
      statusLabels: STATUS_LABELS,
      canManage: can(request.staff!.user.role, "operations:manage"),
    });
  });

  // A new operation

  async function showNew(reply: FastifyReply, values: DetailsForm, areas: Record<AreaRole, AreaForm>, problems: FieldProblem[] = []) {
    return reply.page(
      "operations/views/new.njk",
      {
        title: "Set up an operation",
        values,
        areas,
        categories: await categoryItems(values.categoriesInScope),
        statuses: OPERATION_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], checked: values.status === s })),
        map: await mapSettings(),
        errors: problems.length ? formErrors(problems) : undefined,
      },
      problems.length ? 400 : 200,
    );
  }

  app.get("/staff/operations/new", { config: { access: manage } }, async (_request, reply) => {
    const blankArea = { kind: "", geojson: "", lsoas: "", metres: "" };
    const values: DetailsForm = {
      name: "",
      slug: "",
      summary: "",
      objectives: "",
      categoriesInScope: (await services.categories.list()).filter((c) => c.inScope).map((c) => c.code),
      startsOn: { day: "", month: "", year: "" },
      endsOn: { day: "", month: "", year: "" },
      plannedHoursPerWeek: "",
      status: "planned",
      published: false,
    };
    return showNew(reply, values, { target: { ...blankArea }, buffer: { ...blankArea, kind: "ring", metres: "400" }, comparison: { ...blankArea } });
  });

  app.post("/staff/operations", { config: { access: manage } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = readDetails(body);
    const areaForms = Object.fromEntries(AREA_ROLES.map((role) => [role, readArea(body, role)])) as Record<AreaRole, AreaForm>;
    const codes = (await services.categories.list()).map((c) => c.code);
    const { details, problems } = checkDetails(values, codes, true);
    const areas = Object.fromEntries(AREA_ROLES.map((role) => [role, checkArea(areaForms[role], role)])) as Record<AreaRole, ReturnType<typeof checkArea>>;
    for (const role of AREA_ROLES) if (areas[role].problem) problems.push(areas[role].problem!);
    const target = areas.target.geometry;
    const buffer = areas.buffer.geometry ?? (target && areas.buffer.definition?.kind === "ring" ? ringAround(target, areas.buffer.definition.metres) : null);
    if (target && areas.buffer.geometry) {
      const problem = checkBufferOutsideTarget(areas.buffer.geometry, target);
      if (problem) problems.push({ field: "buffer-geojson", message: problem });
    }
    if (areas.comparison.geometry) {
      const problem = checkComparisonApart(areas.comparison.geometry, { target, buffer });
      if (problem) problems.push({ field: "comparison-geojson", message: problem });
    }
    if (details?.slug && (await services.operations.slugTaken(details.slug))) {
      problems.push({ field: "slug", message: `Another operation already uses the short name ${details.slug}: choose another, or leave it blank` });
    }
    if (problems.length || !details) return showNew(reply, values, areaForms, problems);

    const user = request.staff!.user;
    let id: number;
    try {
      id = await services.areas.createOperation(
        {
          name: details.name,
          startsOn: details.startsOn,
          endsOn: details.endsOn,
          summary: details.summary,
          target: { definition: areas.target.definition! },
          buffer: { definition: areas.buffer.definition! },
          comparison: { definition: areas.comparison.definition! },
        },
        user.id,
      );
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return showNew(reply, values, areaForms, error.fields.length ? error.fields : [{ field: fieldForAreaMessage(error.message, "target"), message: error.message }]);
      }
      throw error;
    }
    const created = (await services.operations.find(id))!;
    await services.operations.saveDetails(id, { ...details, slug: details.slug || created.slug });
    return reply.redirect(`/staff/operations/${id}?saved=created`);
  });

  // One operation

  app.get<WithId & { Querystring: { saved?: string } }>("/staff/operations/:id", { config: { access: readOne } }, async (request, reply) => {
    const operation = await operationOf(request);
    const role = request.staff!.user.role;
    const [areas, categories] = await Promise.all([services.areas.describe(operation.id), services.categories.list()]);
    const inScope = fromJson<string[]>(operation.categoriesInScope, []);
    return reply.page("operations/views/show.njk", {
      title: operation.name,
      operation,
      objectives: fromJson<string[]>(operation.objectives, []),
      categories: categories.filter((c) => inScope.includes(c.code)).map((c) => c.name),
      statusLabel: STATUS_LABELS[operation.status as OperationStatus] ?? operation.status,
      areas: areas.map((area) => ({ ...area, label: ROLE_LABELS[area.role as AreaRole] ?? area.role, definedAs: describeDefinition(area) })),
      saved: request.query.saved,
      map: await mapSettings(),
      can: {
        manage: can(role, "operations:manage"),
        planner: can(role, "planner:use"),
        evaluation: can(role, "evaluation:read"),
        dispersal: can(role, "dispersal:authorise"),
      },
    });
  });

  // Its details

  async function showEdit(reply: FastifyReply, operation: OperationRow, values: DetailsForm, problems: FieldProblem[] = []) {
    return reply.page(
      "operations/views/edit.njk",
      {
        title: `Change ${operation.name}`,
        operation,
        values,
        categories: await categoryItems(values.categoriesInScope),
        statuses: OPERATION_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], checked: values.status === s })),
        errors: problems.length ? formErrors(problems) : undefined,
      },
      problems.length ? 400 : 200,
    );
  }

  app.get<WithId>("/staff/operations/:id/edit", { config: { access: manageOne } }, async (request, reply) => {
    const operation = await operationOf(request);
    return showEdit(reply, operation, formOf(operation));
  });

  app.post<WithId>("/staff/operations/:id/edit", { config: { access: manageOne } }, async (request, reply) => {
    const operation = await operationOf(request);
    const values = readDetails((request.body ?? {}) as FormBody);
    const { details, problems } = checkDetails(values, (await services.categories.list()).map((c) => c.code), false);
    if (!details) return showEdit(reply, operation, values, problems);
    try {
      await services.operations.saveDetails(operation.id, details);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showEdit(reply, operation, values, error.fields);
      throw error;
    }
    if (details.startsOn !== operation.startsOn || details.endsOn !== operation.endsOn) {
      // The periods compared are part of the evaluation's design: a change is kept and shown.
      const period = (from: string, to: string | null) => `${from} to ${to ?? "open-ended"}`;
      await services.evaluation.recordDesign(operation.id, `The operation's dates changed from ${period(operation.startsOn, operation.endsOn)} to ${period(details.startsOn, details.endsOn)}`, request.staff!.user.id);
    }
    return reply.redirect(`/staff/operations/${operation.id}?saved=details`);
  });

  // One area at a time: each change is a new version of the evaluation design, with its reason.

  async function areaPage(request: FastifyRequest<WithRole>) {
    const operation = await operationOf(request);
    const role = request.params.role as AreaRole;
    if (!AREA_ROLES.includes(role)) throw errors.notFound("area");
    const [rows, areas] = await Promise.all([services.operationsRepository.areasOf([operation.id]), services.areas.describe(operation.id)]);
    const row = rows.find((a) => a.role === role);
    if (!row) throw errors.notFound("area");
    return { operation, role, areaId: row.id, areas, current: areas.find((a) => a.role === role)! };
  }

  async function showArea(reply: FastifyReply, page: Awaited<ReturnType<typeof areaPage>>, values: AreaForm, reason: string, problems: FieldProblem[] = []) {
    return reply.page(
      "operations/views/area.njk",
      {
        title: `Change the ${ROLE_LABELS[page.role]}: ${page.operation.name}`,
        operation: page.operation,
        role: page.role,
        label: ROLE_LABELS[page.role],
        current: { ...page.current, definedAs: describeDefinition(page.current) },
        values,
        reason,
        started: page.operation.startsOn <= new Date().toISOString().slice(0, 10),
        map: await mapSettings(),
        errors: problems.length ? formErrors(problems) : undefined,
      },
      problems.length ? 400 : 200,
    );
  }

  app.get<WithRole>("/staff/operations/:id/areas/:role", { config: { access: manageOne } }, async (request, reply) => {
    const page = await areaPage(request);
    return showArea(reply, page, areaFormOf(page.current), "");
  });

  app.post<WithRole>("/staff/operations/:id/areas/:role", { config: { access: manageOne } }, async (request, reply) => {
    const page = await areaPage(request);
    const body = (request.body ?? {}) as FormBody;
    const values = readArea(body, page.role);
    const reason = field(body, "reason").trim();
    const { definition, geometry, problem } = checkArea(values, page.role);
    const problems: FieldProblem[] = problem ? [problem] : [];
    if (geometry) {
      const stored = storedOutlines(page.areas);
      const drawn = (role: AreaRole) => (stored[role]?.definition === "polygon" ? stored[role]!.geometry : null);
      let crossCheck: string | null = null;
      if (page.role === "buffer" && drawn("target")) crossCheck = checkBufferOutsideTarget(geometry, drawn("target")!);
      if (page.role === "target" && drawn("buffer")) crossCheck = checkBufferOutsideTarget(drawn("buffer")!, geometry);
      if (page.role === "comparison") crossCheck = checkComparisonApart(geometry, { target: stored.target?.geometry, buffer: stored.buffer?.geometry });
      if (crossCheck) problems.push({ field: `${page.role}-geojson`, message: crossCheck });
    }
    if (!reason) problems.push({ field: "reason", message: "Say why the area is changing: it is kept with the evaluation design" });
    else if (reason.length > REASON_LIMIT) problems.push({ field: "reason", message: `Shorten the reason to ${REASON_LIMIT} characters or fewer` });
    if (problems.length || !definition) return showArea(reply, page, values, reason, problems);
    try {
      await services.areas.redefine(page.areaId, definition, reason, request.staff!.user.id);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) {
        return showArea(reply, page, values, reason, error.fields.length ? error.fields : [{ field: `${page.role}-${values.kind === "lsoas" ? "lsoas" : "kind"}`, message: error.message }]);
      }
      throw error;
    }
    return reply.redirect(`/staff/operations/${page.operation.id}?saved=${page.role}`);
  });
}
