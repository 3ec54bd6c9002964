// The kerb-crawler vehicle register: officers record sightings beside residents' reports; a
// vehicle seen on enough occasions, one of them corroborated, is proposed for a warning
// letter; an authorised officer types in the keeper's details from a check made outside
// openbeat; an inspector approves; the letter is produced and its sending logged. Every
// collection, combination, consultation, disclosure and erasure goes to the audit log, which
// never holds a registration.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { decrypt, encrypt } from "../../http/encryption.ts";
import { fromJson } from "../../db/database.ts";
import { isInUk } from "../../domain/geo.ts";
import { displayRegistration, normaliseRegistration, RegistrationError, type RegistrationFormat } from "../../domain/registrations.ts";
import {
  assess,
  checkKeeperMatch,
  COLOURS,
  DEFAULT_RULES,
  erasureCutoff,
  escalatingSightings,
  isCorroborating,
  STATUS_LABELS,
  vehicleStatus,
  type VehicleRules,
  type VehicleStatus,
} from "../../domain/vehicles.ts";
import type { AuditService, ReasonCode } from "../audit/audit.service.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import type { OperationsRepository } from "../operations/operations.repository.ts";
import type { OperationsService } from "../operations/operations.service.ts";
import { renderLetter } from "./letter.ts";
import type { Deployment } from "../../deployment.ts";
import type { LetterRow, SightingRow, VehiclesRepository } from "./vehicles.repository.ts";

const CLOCK_SKEW_MS = 10 * 60_000;
const ERASURE_BATCH = 500;
/** A keeper-check or reason reference: letters, digits, slashes and dashes, as the force writes them. */
export const REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/;
const looksLikeHtml = (text: string) => /<[a-z!/?]/i.test(text);

export interface SightingInput {
  registration: string;
  make: string;
  colour: string;
  seenAt: Date | null;
  latitude: string;
  longitude: string;
  locationText: string;
  /** Where the officer says it was, when no coordinates are given. */
  area: string;
  source: string;
  patrolId: string;
}

export interface KeeperInput {
  name: string;
  address: string;
  make: string;
  colour: string;
  checkReference: string;
}

export interface RegisterEntry {
  registration: string;
  display: string;
  unrecognisedFormat: boolean;
  status: VehicleStatus;
  statusLabel: string;
  sightings: number;
  occasions: number;
  corroborated: boolean;
  lastSeenAt: string;
}

/** Proposed letters first (they wait on someone), then vehicles seen again after a letter. */
const STATUS_ORDER: VehicleStatus[] = ["proposed", "escalated", "approved", "sent", "watching"];

export function letterReference(id: number): string {
  return `WL-${String(id).padStart(5, "0")}`;
}

type Actor = Pick<StaffUser, "id" | "role">;

export class VehiclesService {
  constructor(
    private readonly repository: VehiclesRepository,
    private readonly operations: OperationsService,
    private readonly operationsRepository: OperationsRepository,
    private readonly audit: AuditService,
    private readonly keeperKey: Buffer,
    private readonly options: { rules?: VehicleRules; deployment?: Deployment | null } = {},
  ) {}

  get rules(): VehicleRules {
    return this.options.rules ?? DEFAULT_RULES;
  }

  /** The registration in a URL, or not found: a malformed one and an unknown one look the same. */
  private parseKey(registration: string): string {
    try {
      return normaliseRegistration(registration).normalised;
    } catch (error) {
      if (error instanceof RegistrationError) throw errors.notFound("vehicle");
      throw error;
    }
  }

  async register(now: Date = new Date()): Promise<RegisterEntry[]> {
    const [sightings, letters] = await Promise.all([this.repository.allWithRegistration(), this.repository.allLetters()]);
    const byRegistration = new Map<string, SightingRow[]>();
    for (const s of sightings) byRegistration.set(s.registration!, [...(byRegistration.get(s.registration!) ?? []), s]);
    const entries: RegisterEntry[] = [];
    for (const [registration, rows] of byRegistration) {
      const letter = letters.find((l) => l.registration === registration) ?? null;
      const assessment = assess(rows, now, this.rules);
      const status = vehicleStatus(letter, assessment, escalatingSightings(rows, letter?.sentAt ?? null).length > 0);
      const format = (rows[0]!.registrationFormat ?? "unrecognised") as RegistrationFormat;
      entries.push({
        registration,
        display: displayRegistration({ normalised: registration, format }),
        unrecognisedFormat: format === "unrecognised",
        status,
        statusLabel: STATUS_LABELS[status],
        sightings: rows.length,
        occasions: assessment.occasions,
        corroborated: assessment.corroborated,
        lastSeenAt: rows[rows.length - 1]!.seenAt,
      });
    }
    return entries.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || b.lastSeenAt.localeCompare(a.lastSeenAt));
  }

  openPatrolsOf(user: Actor) {
    return this.repository.openPatrolsOf(user.id);
  }

  /** An officer's own sighting, or one on CCTV: both corroborate residents' reports. */
  async recordSighting(input: SightingInput, user: Actor, now: Date = new Date()): Promise<{ registration: string }> {
    const problems: FieldProblem[] = [];
    let registration: { normalised: string; format: RegistrationFormat } | null = null;
    if (!input.registration.trim()) problems.push({ field: "registration", message: "Enter the registration, like AB12 CDE" });
    else {
      try {
        registration = normaliseRegistration(input.registration);
      } catch (error) {
        if (!(error instanceof RegistrationError)) throw error;
        problems.push({ field: "registration", message: error.message });
      }
    }
    const make = input.make.trim();
    if (make.length > 40) problems.push({ field: "make", message: "Make must be 40 characters or fewer" });
    else if (looksLikeHtml(make)) problems.push({ field: "make", message: "Remove anything written between < and >" });
    const colour = input.colour.trim();
    if (colour && !(COLOURS as readonly string[]).includes(colour)) problems.push({ field: "colour", message: "Choose a colour from the list, or “Not sure”" });
    if (!input.seenAt) problems.push({ field: "date-day", message: "Enter the date and time you saw it, like 27 3 2026 and 21:30" });
    else if (input.seenAt.getTime() > now.getTime() + CLOCK_SKEW_MS) problems.push({ field: "date-day", message: "The date and time you saw it must be in the past" });
    else if (input.seenAt.getTime() < now.getTime() - this.rules.retentionDays * 86_400_000) {
      problems.push({ field: "date-day", message: `Record sightings from the last ${this.rules.retentionDays} days` });
    }
    if (!["officer", "cctv"].includes(input.source)) problems.push({ field: "source", message: "Choose whether you saw it yourself or on CCTV" });

    let point: { latitude: number; longitude: number } | null = null;
    if (input.latitude.trim() || input.longitude.trim()) {
      const latitude = Number(input.latitude);
      const longitude = Number(input.longitude);
      if (!input.latitude.trim() || !input.longitude.trim() || !Number.isFinite(latitude) || !Number.isFinite(longitude) || !isInUk(latitude, longitude)) {
        problems.push({ field: "latitude", message: "Give a latitude and longitude in the UK, like 51.5383 and 0.7274, or leave both blank" });
      } else point = { latitude, longitude };
    }
    const locationText = input.locationText.trim();
    if (locationText.length > 200) problems.push({ field: "locationText", message: "Describe the place in 200 characters or fewer" });
    else if (looksLikeHtml(locationText)) problems.push({ field: "locationText", message: "Remove anything written between < and >" });
    if (!point && !locationText && !problems.some((p) => p.field === "latitude")) {
      problems.push({ field: "locationText", message: "Say where: the street and nearest junction or landmark, or the coordinates" });
    }
    if (!point && !["target", "buffer", "outside"].includes(input.area)) {
      problems.push({ field: "area", message: "Without coordinates, say which area of the operation it was in" });
    }
    let patrolId: number | null = null;
    if (input.patrolId) {
      const patrols = await this.repository.openPatrolsOf(user.id);
      patrolId = patrols.find((p) => String(p.id) === input.patrolId)?.id ?? null;
      if (patrolId === null) problems.push({ field: "patrolId", message: "Choose one of your patrols that is still going, or “Not on a patrol”" });
    }
    if (problems.length) throw errors.invalid(problems);

    const placed = await this.operations.place(point, now);
    const areaRole = point ? placed.areaRole : input.area === "outside" ? null : input.area;
    const id = await this.repository.addSighting({
      registration: registration!.normalised,
      registrationFormat: registration!.format,
      make: make || null,
      colour: colour || null,
      seenAt: input.seenAt!.toISOString(),
      source: input.source,
      latitude: point?.latitude ?? null,
      longitude: point?.longitude ?? null,
      operationId: placed.operationId,
      areaRole,
      locationText: locationText || null,
      patrolId,
      recordedBy: user.id,
      createdAt: now.toISOString(),
    });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "collection", recordType: "vehicle-sighting", recordIds: [id] }, now);
    return { registration: registration!.normalised };
  }

  /** One vehicle for staff: its sightings, where it stands, the keeper's vehicle (not their identity), its letter. */
  async vehicle(registrationParam: string, now: Date = new Date()) {
    const registration = this.parseKey(registrationParam);
    const [sightings, keeper, letters] = await Promise.all([
      this.repository.sightingsOf(registration),
      this.repository.keeperOf(registration),
      this.repository.lettersOf(registration),
    ]);
    const letter = letters[0] ?? null;
    if (sightings.length === 0 && !letter) throw errors.notFound("vehicle");
    const assessment = assess(sightings, now, this.rules);
    const seenAgain = escalatingSightings(sightings, letter?.sentAt ?? null);
    const status = vehicleStatus(letter, assessment, seenAgain.length > 0);
    const evidence = letter ? sightings.filter((s) => fromJson<number[]>(letter.sightingIds, []).includes(s.id)) : assessment.counted;
    const match = keeper ? checkKeeperMatch({ make: keeper.make, colour: keeper.colour }, evidence) : null;
    const places = await this.placeNames(sightings);
    const format = (sightings[0]?.registrationFormat ?? "unrecognised") as RegistrationFormat;
    const counted = new Set(assessment.counted.map((s) => s.id));
    const again = new Set(seenAgain.map((s) => s.id));
    return {
      registration,
      display: displayRegistration({ normalised: registration, format }),
      unrecognisedFormat: format === "unrecognised",
      status,
      statusLabel: STATUS_LABELS[status],
      rules: this.rules,
      assessment: { occasions: assessment.occasions, corroborated: assessment.corroborated, missing: assessment.missing },
      sightings: [...sightings].reverse().map((s) => ({
        id: s.id,
        seenAt: s.seenAt,
        source: s.source,
        corroborating: isCorroborating(s.source),
        make: s.make,
        colour: s.colour,
        areaRole: s.areaRole,
        place: s.locationText ?? (s.latitude !== null ? `${s.latitude.toFixed(5)}, ${s.longitude!.toFixed(5)}` : null),
        areaName: places.get(`${s.operationId}:${s.areaRole}`) ?? null,
        reportReference: s.reportReference,
        recordedByName: s.recordedByName,
        counted: counted.has(s.id),
        conflicting: match?.conflicting.includes(s.id) ?? false,
        seenAgain: again.has(s.id),
      })),
      keeper: keeper
        ? { make: keeper.make, colour: keeper.colour, checkReference: keeper.checkReference, enteredAt: keeper.enteredAt, enteredByName: keeper.enteredByName }
        : null,
      match,
      canEnterKeeper: status === "proposed",
      canApprove: status === "proposed" && Boolean(match?.matches),
      letter: letter
        ? {
            reference: letterReference(letter.id),
            status: letter.status,
            approvedAt: letter.approvedAt,
            approvedByName: letter.approvedByName,
            sentAt: letter.sentAt,
          }
        : null,
    };
  }

  /** Names of the areas sightings fell in, keyed "operationId:role". */
  private async placeNames(sightings: SightingRow[]): Promise<Map<string, string>> {
    const operationIds = [...new Set(sightings.map((s) => s.operationId).filter((id): id is number => id !== null))];
    const areas = await this.operationsRepository.areasOf(operationIds);
    return new Map(areas.map((a) => [`${a.operationId}:${a.role}`, a.name]));
  }

  /**
   * The keeper's details from a keeper check made outside openbeat. Typing them in collects
   * personal data and combines it with the register, so both are logged, with the check's
   * reference as the justification. Only asked for once a letter is proposed: no keeper
   * checks on vehicles that may never get one.
   */
  async enterKeeper(registrationParam: string, input: KeeperInput, user: Actor, now: Date = new Date()): Promise<void> {
    const registration = this.parseKey(registrationParam);
    const state = await this.vehicle(registration, now);
    if (!state.canEnterKeeper) {
      throw errors.conflict("Keeper details can only be entered while a letter is proposed and not yet approved.");
    }
    const problems: FieldProblem[] = [];
    const name = input.name.trim();
    const address = input.address.trim();
    const make = input.make.trim();
    const colour = input.colour.trim();
    const checkReference = input.checkReference.trim();
    if (!name) problems.push({ field: "keeperName", message: "Enter the keeper's name as the keeper check gives it" });
    else if (name.length > 120) problems.push({ field: "keeperName", message: "The name must be 120 characters or fewer" });
    if (!address) problems.push({ field: "keeperAddress", message: "Enter the keeper's address as the keeper check gives it" });
    else if (address.length > 400) problems.push({ field: "keeperAddress", message: "The address must be 400 characters or fewer" });
    if (!make) problems.push({ field: "keeperMake", message: "Enter the make the keeper check records, like Ford" });
    else if (make.length > 40) problems.push({ field: "keeperMake", message: "Make must be 40 characters or fewer" });
    if (!(COLOURS as readonly string[]).includes(colour)) problems.push({ field: "keeperColour", message: "Choose the colour the keeper check records" });
    if (!REFERENCE_PATTERN.test(checkReference)) {
      problems.push({ field: "checkReference", message: "Give the keeper check's reference (letters, numbers, slashes and dashes), like PNC/1234/26" });
    }
    if (problems.length) throw errors.invalid(problems);

    const { id, replaced } = await this.repository.saveKeeper({
      registration,
      detailsEncrypted: encrypt(this.keeperKey, JSON.stringify({ name, address })),
      make,
      colour,
      checkReference,
      enteredBy: user.id,
      enteredAt: now.toISOString(),
    });
    const actor = { id: user.id, role: user.role };
    const reason = { code: "warning-letter" as const, reference: checkReference };
    await this.audit.record({ actor, operation: replaced ? "alteration" : "collection", recordType: "vehicle-keeper", recordIds: [id], reason }, now);
    const sightings = await this.repository.sightingsOf(registration);
    await this.audit.record(
      {
        actor,
        operation: "combination",
        recordType: "vehicle-register",
        recordIds: [`vehicle-keeper:${id}`, ...sightings.map((s) => `vehicle-sighting:${s.id}`)],
        reason,
      },
      now,
    );
  }

  /** The keeper's name and address, shown to staff with a stated reason; the consultation is logged. */
  async revealKeeper(registrationParam: string, reason: { code: ReasonCode; reference: string }, user: Actor, now: Date = new Date()): Promise<{ name: string; address: string }> {
    const registration = this.parseKey(registrationParam);
    const keeper = await this.repository.keeperOf(registration);
    if (!keeper) throw errors.notFound("keeper details");
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "consultation", recordType: "vehicle-keeper", recordIds: [keeper.id], reason }, now);
    return JSON.parse(decrypt(this.keeperKey, keeper.detailsEncrypted)) as { name: string; address: string };
  }

  /** An inspector approves the proposed letter; the sightings it lists are fixed from then on. */
  async approve(registrationParam: string, user: Actor, now: Date = new Date()): Promise<string> {
    const registration = this.parseKey(registrationParam);
    const state = await this.vehicle(registration, now);
    if (state.status !== "proposed") throw errors.conflict("Only a proposed letter can be approved, and this vehicle has none waiting.");
    const keeper = await this.repository.keeperOf(registration);
    if (!keeper) throw errors.conflict("Enter the keeper's details before approving the letter.");
    if (!state.match?.matches) throw errors.conflict("The keeper's recorded make and colour do not match the sightings, so no letter can be approved.");
    const sightings = await this.repository.sightingsOf(registration);
    const counted = assess(sightings, now, this.rules).counted;
    const places = await this.placeNames(counted);
    const operationId = counted[counted.length - 1]?.operationId ?? null;
    const id = await this.repository.createLetter({
      registration,
      operationId,
      keeperId: keeper.id,
      status: "approved",
      sightingIds: JSON.stringify(counted.map((s) => s.id)),
      // Officers' own words for the place, or the area's name: never a resident's words.
      sightings: JSON.stringify(
        counted.map((s) => ({
          seenAt: s.seenAt,
          place: (isCorroborating(s.source) && s.locationText) || places.get(`${s.operationId}:${s.areaRole}`) || "the operation's target area",
        })),
      ),
      approvedBy: user.id,
      approvedAt: now.toISOString(),
      sentBy: null,
      sentAt: null,
      createdAt: now.toISOString(),
    });
    if (id === null) throw errors.conflict("This vehicle already has a letter. Reload the page to see it.");
    return letterReference(id);
  }

  private async currentLetter(registration: string) {
    const letter = (await this.repository.lettersOf(registration))[0];
    if (!letter) throw errors.notFound("letter");
    return letter;
  }

  /** The letter as a PDF. Each download is a consultation of the keeper's details, and is logged. */
  /** Who letters come from. A letter from no one named cannot be checked by its keeper, and would read as a scam. */
  private sender(): Deployment {
    if (!this.options.deployment) throw errors.conflict("Letters need the force's identity: set OPENBEAT_DEPLOYMENT to its file (docs/operations.md, Deployment identity).");
    return this.options.deployment;
  }

  async letterPdf(registrationParam: string, user: Actor, now: Date = new Date()): Promise<{ reference: string; pdf: Buffer }> {
    this.sender();
    const registration = this.parseKey(registrationParam);
    const letter = await this.currentLetter(registration);
    const reference = letterReference(letter.id);
    const pdf = await this.render(letter);
    await this.audit.record(
      {
        actor: { id: user.id, role: user.role },
        operation: "consultation",
        recordType: "warning-letter",
        recordIds: [letter.id],
        reason: { code: "warning-letter", reference },
      },
      now,
    );
    return { reference, pdf };
  }

  private async render(letter: LetterRow & { approvedByName: string | null }): Promise<Buffer> {
    const keeper = await this.repository.keeperOf(letter.registration);
    if (!keeper || keeper.id !== letter.keeperId) throw errors.notFound("keeper details");
    const details = JSON.parse(decrypt(this.keeperKey, keeper.detailsEncrypted)) as { name: string; address: string };
    const from = this.sender();
    const operation = letter.operationId ? await this.operationsRepository.findById(letter.operationId) : undefined;
    const sightings = await this.repository.sightingsOf(letter.registration);
    const format = (sightings[0]?.registrationFormat ?? "unrecognised") as RegistrationFormat;
    return renderLetter({
      reference: letterReference(letter.id),
      issuedAt: letter.sentAt ?? letter.approvedAt,
      from,
      operation: operation?.name ?? "The neighbourhood policing team",
      keeper: details,
      vehicle: { registration: displayRegistration({ normalised: letter.registration, format }), make: keeper.make, colour: keeper.colour },
      sightings: fromJson<Array<{ seenAt: string; place: string }>>(letter.sightings, []),
      approvedBy: letter.approvedByName ?? "The operation lead",
    });
  }

  /** Records that the approved letter was posted to the keeper: a disclosure, with its recipient. */
  async markSent(registrationParam: string, user: Actor, now: Date = new Date()): Promise<string> {
    const registration = this.parseKey(registrationParam);
    const letter = await this.currentLetter(registration);
    const reference = letterReference(letter.id);
    if (!(await this.repository.markSent(letter.id, user.id, now.toISOString()))) {
      throw errors.conflict("This letter has already been marked as sent.");
    }
    await this.audit.record(
      {
        actor: { id: user.id, role: user.role },
        operation: "disclosure",
        recordType: "warning-letter",
        recordIds: [letter.id],
        reason: { code: "warning-letter", reference },
        recipients: [`registered keeper (vehicle-keeper ${letter.keeperId})`],
      },
      now,
    );
    return reference;
  }

  /**
   * Retention: erases sightings seen more than 90 days ago that no letter lists, and the keeper
   * details of vehicles left with neither sightings nor a letter. One erasure event per batch,
   * naming record ids only, never a registration.
   */
  async eraseExpiredSightings(now: Date = new Date()): Promise<{ sightings: number; keepers: number }> {
    const { sightings, keepers } = await this.repository.eraseSightingsBefore(erasureCutoff(now, this.rules), ERASURE_BATCH);
    const reason = { code: "retention" as const, reference: `vehicle-sightings-${this.rules.retentionDays}-days` };
    for (const batch of sightings) {
      await this.audit.record({ actor: null, operation: "erasure", recordType: "vehicle-sighting", recordIds: batch, reason }, now);
    }
    for (let i = 0; i < keepers.length; i += ERASURE_BATCH) {
      await this.audit.record({ actor: null, operation: "erasure", recordType: "vehicle-keeper", recordIds: keepers.slice(i, i + ERASURE_BATCH), reason }, now);
    }
    return { sightings: sightings.reduce((n, b) => n + b.length, 0), keepers: keepers.length };
  }
}
