// The vehicle register's staff pages: the register, recording a sighting from a phone, one
// vehicle with its keeper's details, approval and the warning letter. No JavaScript needed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { isRealDate, londonToUtc, utcToLondonParts } from "../../domain/time.ts";
import { normaliseRegistration } from "../../domain/registrations.ts";
import { COLOURS } from "../../domain/vehicles.ts";
import { REASON_CODES, type ReasonCode } from "../audit/audit.service.ts";
import { access, can } from "../auth/policy.ts";
import { field, parseTime, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { REFERENCE_PATTERN, type SightingInput } from "./vehicles.service.ts";

type WithRegistration = { Params: { registration: string } };

function seenAtFrom(body: FormBody): Date | null {
  const [day, month, year] = ["date-day", "date-month", "date-year"].map((name) => field(body, name).trim());
  const time = parseTime(field(body, "time"));
  if (!/^\d{1,2}$/.test(day!) || !/^\d{1,2}$/.test(month!) || !/^\d{4}$/.test(year!) || !time) return null;
  if (!isRealDate(Number(year), Number(month), Number(day))) return null;
  return londonToUtc(Number(year), Number(month), Number(day), time.hour, time.minute);
}

/** Where a vehicle's page lives: its registration as the register keys it. */
function vehicleUrl(registration: string, saved: string): string {
  return `/staff/vehicles/${normaliseRegistration(registration).normalised}?saved=${saved}`;
}

function sightingForm(body: FormBody): Record<string, string> {
  const names = ["registration", "make", "colour", "date-day", "date-month", "date-year", "time", "latitude", "longitude", "locationText", "area", "source", "patrolId"];
  return Object.fromEntries(names.map((name) => [name, field(body, name)]));
}

export function registerVehiclePages(app: FastifyInstance, services: Services): void {
  const record = access.to("vehicles:record");
  const recordOne = access.to("vehicles:record", { record: true });
  const keeper = access.to("vehicles:keeper", { record: true });
  const approve = access.to("vehicles:approve", { record: true });
  const vehicles = services.vehicles;

  app.get("/staff/vehicles", { config: { access: record } }, async (_request, reply) => {
    const entries = await vehicles.register();
    return reply.page("vehicles/views/register.njk", { title: "Vehicle register", entries, rules: vehicles.rules });
  });

  async function showSightingForm(request: FastifyRequest, reply: FastifyReply, form: Record<string, string>, problems: AppError | null = null, patrols?: Array<{ id: number }>) {
    patrols ??= await vehicles.openPatrolsOf(request.staff!.user);
    return reply.page(
      "vehicles/views/sighting.njk",
      { title: "Record a vehicle sighting", form, colours: COLOURS, patrols, errors: problems ? formErrors(problems.fields) : undefined },
      problems ? 400 : 200,
    );
  }

  app.get("/staff/vehicles/sightings/new", { config: { access: record } }, async (request, reply) => {
    const now = utcToLondonParts(new Date().toISOString());
    const patrols = await vehicles.openPatrolsOf(request.staff!.user);
    // Filled in with the present moment and the officer's own patrol: most sightings are recorded as they happen.
    const form = {
      "date-day": String(now.day),
      "date-month": String(now.month),
      "date-year": String(now.year),
      time: `${String(now.hour).padStart(2, "0")}:${String(now.minute).padStart(2, "0")}`,
      source: "officer",
      patrolId: patrols[0] ? String(patrols[0].id) : "",
    };
    return showSightingForm(request, reply, form, null, patrols);
  });

  app.post("/staff/vehicles/sightings/new", { config: { access: record } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const form = sightingForm(body);
    const input: SightingInput = {
      registration: form.registration!,
      make: form.make!,
      colour: form.colour!,
      seenAt: seenAtFrom(body),
      latitude: form.latitude!,
      longitude: form.longitude!,
      locationText: form.locationText!,
      area: form.area!,
      source: form.source!,
      patrolId: form.patrolId!,
    };
    try {
      const { registration } = await vehicles.recordSighting(input, request.staff!.user);
      return reply.redirect(vehicleUrl(registration, "sighting"));
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showSightingForm(request, reply, form, error);
      throw error;
    }
  });

  async function showVehicle(request: FastifyRequest<WithRegistration>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const vehicle = await vehicles.vehicle(request.params.registration);
    const role = request.staff!.user.role;
    const saved = (request.query as { saved?: string } | undefined)?.saved;
    return reply.page(
      "vehicles/views/vehicle.njk",
      {
        title: `Vehicle ${vehicle.display}`,
        vehicle,
        colours: COLOURS,
        reasonCodes: REASON_CODES,
        mayKeeper: can(role, "vehicles:keeper"),
        mayApprove: can(role, "vehicles:approve"),
        saved: typeof saved === "string" ? saved : null,
        ...extra,
      },
      status,
    );
  }

  app.get<WithRegistration>("/staff/vehicles/:registration", { config: { access: recordOne } }, async (request, reply) => showVehicle(request, reply));

  app.post<WithRegistration>("/staff/vehicles/:registration/keeper", { config: { access: keeper } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const keeperForm = {
      name: field(body, "keeperName"),
      address: field(body, "keeperAddress"),
      make: field(body, "keeperMake"),
      colour: field(body, "keeperColour"),
      checkReference: field(body, "checkReference"),
    };
    try {
      await vehicles.enterKeeper(request.params.registration, keeperForm, request.staff!.user);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400) return showVehicle(request, reply, { errors: formErrors(error.fields), keeperForm }, 400);
      throw error;
    }
    return reply.redirect(vehicleUrl(request.params.registration, "keeper"));
  });

  app.post<WithRegistration>("/staff/vehicles/:registration/keeper/view", { config: { access: keeper } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const code = field(body, "reasonCode");
    const reasonReference = field(body, "reasonReference").trim();
    const problems = [];
    if (!(code in REASON_CODES)) problems.push({ field: "reasonCode", message: "Choose why you need the keeper's details" });
    if (!REFERENCE_PATTERN.test(reasonReference)) {
      problems.push({ field: "reasonReference", message: "Give a reference for the reason (a letter, incident or crime number: letters, numbers, slashes and dashes)" });
    }
    if (problems.length) return showVehicle(request, reply, { errors: formErrors(problems) }, 400);
    const details = await vehicles.revealKeeper(request.params.registration, { code: code as ReasonCode, reference: reasonReference }, request.staff!.user);
    return showVehicle(request, reply, { keeperDetails: details });
  });

  app.post<WithRegistration>("/staff/vehicles/:registration/approve", { config: { access: approve } }, async (request, reply) => {
    await vehicles.approve(request.params.registration, request.staff!.user);
    return reply.redirect(vehicleUrl(request.params.registration, "approved"));
  });

  app.post<WithRegistration>("/staff/vehicles/:registration/sent", { config: { access: keeper } }, async (request, reply) => {
    await vehicles.markSent(request.params.registration, request.staff!.user);
    return reply.redirect(vehicleUrl(request.params.registration, "sent"));
  });

  app.get<WithRegistration>("/staff/vehicles/:registration/letter.pdf", { config: { access: keeper } }, async (request, reply) => {
    const { reference, pdf } = await vehicles.letterPdf(request.params.registration, request.staff!.user);
    return reply
      .header("cache-control", "no-store")
      .header("content-disposition", `attachment; filename="${reference}.pdf"`)
      .type("application/pdf")
      .send(pdf);
  });
}
