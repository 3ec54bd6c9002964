// Turns the web form's pages into a report: parsing each page's fields, checking them, and
// composing the same NewReport the JSON API takes.
import type { FieldProblem } from "../../http/errors.ts";
import { checkAnswers, type Category } from "../../domain/categories.ts";
import { isInUk } from "../../domain/geo.ts";
import { normaliseRegistration, RegistrationError } from "../../domain/registrations.ts";
import { isRealDate, londonToUtc } from "../../domain/time.ts";
import type { Draft } from "./drafts.ts";
import { DESCRIPTION_LIMIT, LOCATION_TEXT_LIMIT, type NewReport } from "./reports.schemas.ts";

export type FormBody = Record<string, string | string[] | undefined>;

export function field(body: FormBody, name: string): string {
  const value = body[name];
  return (Array.isArray(value) ? value[0] : value)?.toString() ?? "";
}

export function fieldList(body: FormBody, name: string): string[] {
  const value = body[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String).filter(Boolean);
}

const looksLikeHtml = (text: string) => /<[a-z!/?]/i.test(text);

export function parseWhere(body: FormBody): { values: Partial<Draft>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const latitude = field(body, "latitude").trim();
  const longitude = field(body, "longitude").trim();
  const locationText = field(body, "locationText").trim();
  let point: { latitude: string; longitude: string } | null = null;
  if (latitude || longitude) {
    const lat = Number(latitude);
    const lng = Number(longitude);
    if (!Number.isFinite(lat) || !Number.isFinite(lng) || !isInUk(lat, lng)) {
      problems.push({ field: "locationText", message: "The pin is outside the area we cover: move it, or describe the place instead" });
    } else point = { latitude: lat.toFixed(6), longitude: lng.toFixed(6) };
  }
  if (locationText.length > LOCATION_TEXT_LIMIT) problems.push({ field: "locationText", message: `Describe the place in ${LOCATION_TEXT_LIMIT} characters or fewer` });
  else if (looksLikeHtml(locationText)) problems.push({ field: "locationText", message: "Remove anything written between < and >" });
  if (!point && !locationText && problems.length === 0) {
    problems.push({ field: "locationText", message: "Say where it happened: the street and the nearest house number, junction or landmark" });
  }
  return { values: { latitude: point?.latitude, longitude: point?.longitude, locationText }, problems };
}

export function parseTime(text: string): { hour: number; minute: number } | null {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$/i.exec(text.trim());
  if (!match) return null;
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  const half = match[3]?.toLowerCase();
  if (half) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (half === "pm" ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

export function occurredFrom(draft: Draft): { occurredAt: string; occurredUntil?: string } | null {
  const date = draft.date;
  const time = draft.time ? parseTime(draft.time) : null;
  if (!date || !time) return null;
  const [day, month, year] = [Number(date.day), Number(date.month), Number(date.year)];
  const start = londonToUtc(year, month, day, time.hour, time.minute);
  const until = draft.untilTime ? parseTime(draft.untilTime) : null;
  if (!until) return { occurredAt: start.toISOString() };
  let end = londonToUtc(year, month, day, until.hour, until.minute);
  // "From 23:00 until 01:00" runs past midnight.
  if (end < start) end = new Date(end.getTime() + 86_400_000);
  return { occurredAt: start.toISOString(), occurredUntil: end.toISOString() };
}

export function parseDetails(body: FormBody, category: Category, now: Date = new Date()): { values: Partial<Draft>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const date = { day: field(body, "date-day").trim(), month: field(body, "date-month").trim(), year: field(body, "date-year").trim() };
  const time = field(body, "time").trim();
  const untilTime = field(body, "untilTime").trim();
  const description = field(body, "description").trim();

  if (!date.day && !date.month && !date.year) problems.push({ field: "date-day", message: "Enter the date it happened" });
  else if (!/^\d{1,2}$/.test(date.day) || !/^\d{1,2}$/.test(date.month) || !/^\d{4}$/.test(date.year) || !isRealDate(Number(date.year), Number(date.month), Number(date.day))) {
    problems.push({ field: "date-day", message: "The date it happened must be a real date, like 27 3 2026" });
  }
  if (!time) problems.push({ field: "time", message: "Enter the time it happened, like 21:30" });
  else if (!parseTime(time)) problems.push({ field: "time", message: "Enter the time like 21:30 or 9:30pm" });
  if (untilTime && !parseTime(untilTime)) problems.push({ field: "untilTime", message: "Enter the end time like 23:00, or leave it blank" });

  const values: Partial<Draft> = { date, time, untilTime, description };
  if (problems.length === 0) {
    const when = occurredFrom({ date, time, untilTime });
    if (when && new Date(when.occurredAt).getTime() > now.getTime() + 10 * 60_000) problems.push({ field: "date-day", message: "The date and time it happened must be in the past" });
    else if (when && new Date(when.occurredAt).getTime() < now.getTime() - 365 * 86_400_000) problems.push({ field: "date-day", message: "Report things from the last 12 months" });
  }

  if (!description) problems.push({ field: "description", message: "Tell us what happened" });
  else if (description.length > DESCRIPTION_LIMIT) problems.push({ field: "description", message: `Tell us what happened in ${DESCRIPTION_LIMIT} characters or fewer` });
  else if (looksLikeHtml(description)) problems.push({ field: "description", message: "Remove anything written between < and >" });

  const rawAnswers: Record<string, string | string[]> = {};
  for (const question of category.questions) {
    rawAnswers[question.code] = question.type === "multivaluelist" ? fieldList(body, `answers-${question.code}`) : field(body, `answers-${question.code}`);
  }
  const checked = checkAnswers(category, rawAnswers);
  for (const p of checked.problems) problems.push({ field: `answers-${p.question}`, message: p.message });
  values.answers = checked.answers;

  if (category.askVehicle) {
    const vehicle = { registration: field(body, "registration").trim(), make: field(body, "make").trim(), colour: field(body, "colour").trim() };
    if (vehicle.registration) {
      try {
        normaliseRegistration(vehicle.registration);
      } catch (error) {
        if (!(error instanceof RegistrationError)) throw error;
        problems.push({ field: "registration", message: error.message });
      }
    }
    if (vehicle.make.length > 40) problems.push({ field: "make", message: "Make must be 40 characters or fewer" });
    if (vehicle.colour.length > 30) problems.push({ field: "colour", message: "Colour must be 30 characters or fewer" });
    values.vehicle = vehicle;
  }
  return { values, problems };
}

export function parseContact(body: FormBody): { values: Partial<Draft>; problems: FieldProblem[] } {
  const wantsContact = field(body, "wantsContact");
  const email = field(body, "email").trim();
  if (wantsContact !== "yes" && wantsContact !== "no") return { values: {}, problems: [{ field: "wantsContact", message: "Choose whether we can contact you" }] };
  if (wantsContact === "no") return { values: { wantsContact, email: undefined }, problems: [] };
  if (!email) return { values: { wantsContact, email }, problems: [{ field: "email", message: "Enter your email address, or choose not to be contacted" }] };
  if (email.length > 254 || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email)) {
    return { values: { wantsContact, email }, problems: [{ field: "email", message: "Enter an email address in the correct format, like name@example.com" }] };
  }
  return { values: { wantsContact, email }, problems: [] };
}

/** The finished draft as the same report the API takes; null while a page is still missing. */
export function draftToReport(draft: Draft): NewReport | null {
  const when = occurredFrom(draft);
  if (!draft.category || !when || !draft.description || !draft.wantsContact) return null;
  const vehicle = draft.vehicle && Object.values(draft.vehicle).some(Boolean) ? draft.vehicle : undefined;
  return {
    category: draft.category,
    ...when,
    ...(draft.latitude && draft.longitude ? { lat: Number(draft.latitude), lng: Number(draft.longitude) } : {}),
    ...(draft.locationText ? { locationText: draft.locationText } : {}),
    description: draft.description,
    answers: draft.answers ?? {},
    ...(vehicle ? { vehicle: Object.fromEntries(Object.entries(vehicle).filter(([, v]) => v)) } : {}),
    ...(draft.wantsContact === "yes" && draft.email ? { contact: { email: draft.email } } : {}),
  };
}
