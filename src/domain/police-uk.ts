// The police.uk open data formats as openbeat reads them: which file is which, the crime
// categories (old labels mapped to today's), outcome groups, and one row checked at a time.
// Pure: the importer streams the files and hands rows here.
import { isInUk } from "./geo.ts";

/** Said wherever police.uk data is shown or given out. */
export const POLICE_UK_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk data).";
/** For a demo operation, whose police.uk rows are synthetic though its snap points are police.uk's own. */
export const SYNTHETIC_POLICE_UK_ATTRIBUTION =
  "The crime figures are synthetic: generated for openbeat's demo in the police.uk format, not real crime. The map points they sit at are police.uk's, which contain public sector information licensed under the Open Government Licence v3.0.";

/** The header police.uk publishes on its monthly street-level crime files. */
export const STREET_HEADER = [
  "Crime ID",
  "Month",
  "Reported by",
  "Falls within",
  "Longitude",
  "Latitude",
  "Location",
  "LSOA code",
  "LSOA name",
  "Crime type",
  "Last outcome category",
  "Context",
] as const;

/** The header of police.uk's outcomes files: one row per outcome given to a crime. */
export const OUTCOMES_HEADER = [
  "Crime ID",
  "Month",
  "Reported by",
  "Falls within",
  "Longitude",
  "Latitude",
  "Location",
  "LSOA code",
  "LSOA name",
  "Outcome type",
] as const;

const STOP_AND_SEARCH_START = ["type", "date", "part of a policing operation"];

export const ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour";
/** The figure that adds up every crime category: anti-social behaviour is not a crime and is left out. */
export const ALL_CRIME = "all crime";

/** police.uk's crime types today, in its own order. */
export const CRIME_CATEGORIES = [
  ANTI_SOCIAL_BEHAVIOUR,
  "Bicycle theft",
  "Burglary",
  "Criminal damage and arson",
  "Drugs",
  "Other theft",
  "Possession of weapons",
  "Public order",
  "Robbery",
  "Shoplifting",
  "Theft from the person",
  "Vehicle crime",
  "Violence and sexual offences",
  "Other crime",
] as const;
export type CrimeCategory = (typeof CRIME_CATEGORIES)[number];

/**
 * Categories that rise when enforcement rises: a rise can mean more policing, not more crime.
 * Kerb crawling is recorded under "Other crime".
 */
export const POLICE_GENERATED: ReadonlySet<string> = new Set(["Drugs", "Public order", "Other crime"]);

/** Labels police.uk used before its 2013 changes, and spellings seen in older downloads. */
const OLD_LABELS: Record<string, CrimeCategory> = {
  violentcrime: "Violence and sexual offences",
  violenceagainsttheperson: "Violence and sexual offences",
  sexualoffences: "Violence and sexual offences",
  // Split in 2013 into "Public order" and "Possession of weapons"; the old rows cannot be told apart.
  publicdisorderandweapons: "Public order",
  criminaldamage: "Criminal damage and arson",
  theftfromaperson: "Theft from the person",
  vehicleoffences: "Vehicle crime",
};

const labelKey = (label: string) => label.toLowerCase().replace(/[^a-z]/g, "");
const CURRENT_BY_KEY = new Map<string, CrimeCategory>(CRIME_CATEGORIES.map((c) => [labelKey(c), c]));

const seenLabels = new Map<string, CrimeCategory | null>();

/** Today's category for a label as published (any year, any case), or null when it is not a police.uk crime type. */
export function currentCategory(label: string): CrimeCategory | null {
  let category = seenLabels.get(label);
  if (category === undefined) {
    const key = labelKey(label);
    category = CURRENT_BY_KEY.get(key) ?? OLD_LABELS[key] ?? null;
    // A file has a dozen distinct labels in a million rows: remember them (bounded, for odd files).
    if (seenLabels.size < 1000) seenLabels.set(label, category);
  }
  return category;
}

export type OutcomeGroup = "court" | "out-of-court" | "no-further-action" | "open" | "other";

export const OUTCOME_GROUP_NAMES: Record<OutcomeGroup, string> = {
  court: "Charged, or dealt with by a court",
  "out-of-court": "Dealt with out of court (caution, penalty notice, warning, local resolution)",
  "no-further-action": "Closed with no one charged or dealt with",
  open: "Still open, or no outcome known",
  other: "Other outcome",
};

/** Where an outcome label stands on the question residents ask: was anyone dealt with? */
export function outcomeGroup(label: string | null | undefined): OutcomeGroup {
  const text = (label ?? "").trim().toLowerCase();
  if (!text || text === "under investigation" || text === "status update unavailable" || text === "awaiting court outcome") return "open";
  if (/caution|penalty notice|possession warning|cannabis warning|local resolution|community resolution/.test(text)) return "out-of-court";
  if (/^(offender|defendant|suspect charged|court)/.test(text)) return "court";
  if (/no suspect identified|unable to prosecute|not in the public interest|another organisation|no further action/.test(text)) return "no-further-action";
  return "other";
}

export type FileKind =
  | { kind: "street" }
  | { kind: "outcomes" }
  | { kind: "refused"; what: string };

const sameHeader = (fields: string[], expected: readonly string[]) =>
  fields.length === expected.length && fields.every((field, i) => field.trim().toLowerCase() === expected[i]!.toLowerCase());

/**
 * What a file is, from its first bytes and its first line. Anything but a street or outcomes
 * file is refused with a description of what it appears to be.
 */
export function detectFileKind(head: Uint8Array, headerFields: string[] | null): FileKind {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (head.length === 0) return { kind: "refused", what: "an empty file" };
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { kind: "refused", what: "a zip archive (or a spreadsheet saved as .xlsx) inside an archive" };
  if (starts(0x25, 0x50, 0x44, 0x46)) return { kind: "refused", what: "a PDF document" };
  if (starts(0x1f, 0x8b)) return { kind: "refused", what: "a gzip-compressed file" };
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return { kind: "refused", what: "an old-style Excel or Word document" };
  if (head.subarray(0, 4096).includes(0)) return { kind: "refused", what: "a binary file, not text" };
  const fields = (headerFields ?? []).map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, "") : f));
  if (sameHeader(fields, STREET_HEADER)) return { kind: "street" };
  if (sameHeader(fields, OUTCOMES_HEADER)) return { kind: "outcomes" };
  const lower = fields.map((f) => f.trim().toLowerCase());
  if (STOP_AND_SEARCH_START.every((name, i) => lower[i] === name)) return { kind: "refused", what: "a police.uk stop-and-search file" };
  if (lower[0] === "crime id" && lower.includes("crime type")) {
    return { kind: "refused", what: `a street-level crime file with an unexpected header (${fields.length} columns: ${preview(fields)})` };
  }
  if (/^\s*(<!doctype|<html|<\?xml)/i.test(fields.join(","))) return { kind: "refused", what: "a web page or XML document" };
  if (/^\s*[[{]/.test(fields.join(","))) return { kind: "refused", what: "a JSON document" };
  return { kind: "refused", what: `not a police.uk street or outcomes file (its first line is: ${preview(fields)})` };
}

function preview(fields: string[]): string {
  const text = fields.join(",");
  return `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`;
}

/** "No Location" in street files, "No location" in outcomes files. */
export function isNoLocation(location: string): boolean {
  return location.trim().toLowerCase() === "no location";
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const LSOA_CODE = /^[A-Z]\d{8}$/;
const MAX_TEXT = 300;

export interface StreetRow {
  crimeId: string | null;
  month: string;
  reportedBy: string;
  fallsWithin: string;
  /** Null for "No Location" rows: counted, never placed on a map or in an area. */
  point: SnapPoint | null;
  category: CrimeCategory;
  /** True when the label was an older name for the category. */
  relabelled: boolean;
  lastOutcome: string | null;
  context: string | null;
}

export interface SnapPoint {
  longitude: number;
  latitude: number;
  location: string;
  lsoaCode: string | null;
  lsoaName: string | null;
}

export interface OutcomeRow {
  crimeId: string;
  month: string;
  fallsWithin: string;
  outcome: string;
}

export type Checked<T> = { ok: true; row: T } | { ok: false; reason: string };

const problem = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function text(value: string | undefined): string {
  return (value ?? "").trim();
}

/** The snap point police.uk moved a crime to, or null for "No Location"; a string says what is wrong. */
function checkPoint(longitude: string, latitude: string, location: string, lsoaCode: string, lsoaName: string): SnapPoint | null | string {
  if (isNoLocation(location) || (!longitude && !latitude)) return null;
  const lng = Number(longitude);
  const lat = Number(latitude);
  if (!longitude || !latitude || !Number.isFinite(lng) || !Number.isFinite(lat)) {
    return `Longitude and Latitude must both be numbers (found "${longitude}", "${latitude}")`;
  }
  if (!isInUk(lat, lng)) return `the point (${longitude}, ${latitude}) is outside the UK`;
  if (lsoaCode && !LSOA_CODE.test(lsoaCode)) return `LSOA code "${lsoaCode}" is not a code like E01015840`;
  if (location.length > MAX_TEXT || lsoaName.length > MAX_TEXT) return "Location or LSOA name is longer than 300 characters";
  return { longitude: lng, latitude: lat, location, lsoaCode: lsoaCode || null, lsoaName: lsoaName || null };
}

function checkCommon(fields: string[], expected: number): string | null {
  if (fields.length !== expected) return `expected ${expected} fields, found ${fields.length}`;
  const month = text(fields[1]);
  if (!MONTH.test(month)) return `Month must be YYYY-MM (found "${month}")`;
  if (!text(fields[3])) return "Falls within (the force) is empty";
  const crimeId = text(fields[0]);
  if (crimeId.length > 128 || /[\s,]/.test(crimeId)) return `Crime ID "${crimeId.slice(0, 40)}" is not an identifier`;
  return null;
}

/** One data row of a street file (fields in STREET_HEADER order). */
export function checkStreetRow(fields: string[]): Checked<StreetRow> {
  const common = checkCommon(fields, STREET_HEADER.length);
  if (common) return problem(common);
  const label = text(fields[9]);
  const category = currentCategory(label);
  if (!category) return problem(label ? `"${label}" is not a police.uk crime type` : "Crime type is empty");
  const point = checkPoint(text(fields[4]), text(fields[5]), text(fields[6]), text(fields[7]), text(fields[8]));
  if (typeof point === "string") return problem(point);
  const lastOutcome = text(fields[10]);
  const context = text(fields[11]);
  if (lastOutcome.length > MAX_TEXT || context.length > 2000) return problem("Last outcome category or Context is too long");
  return {
    ok: true,
    row: {
      crimeId: text(fields[0]) || null,
      month: text(fields[1]),
      reportedBy: text(fields[2]),
      fallsWithin: text(fields[3]),
      point,
      category,
      relabelled: category !== label,
      lastOutcome: lastOutcome || null,
      context: context || null,
    },
  };
}

/** One data row of an outcomes file (fields in OUTCOMES_HEADER order). */
export function checkOutcomeRow(fields: string[]): Checked<OutcomeRow> {
  const common = checkCommon(fields, OUTCOMES_HEADER.length);
  if (common) return problem(common);
  const crimeId = text(fields[0]);
  if (!crimeId) return problem("an outcome needs the Crime ID it belongs to");
  const outcome = text(fields[9]);
  if (!outcome) return problem("Outcome type is empty");
  if (outcome.length > MAX_TEXT) return problem("Outcome type is longer than 300 characters");
  return { ok: true, row: { crimeId, month: text(fields[1]), fallsWithin: text(fields[3]), outcome } };
}

/** The identity of a snap point: police.uk's coordinates (6 decimals), its street name and LSOA. */
export function snapPointKey(point: SnapPoint): string {
  return `${point.longitude.toFixed(6)},${point.latitude.toFixed(6)},${point.lsoaCode ?? ""},${point.location}`;
}
