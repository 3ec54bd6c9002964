// The kerb-crawler vehicle register's rules. A registration typed by a resident may be
// mistyped, malicious or cloned, and the keeper may not be the driver, so a warning letter is
// proposed only on repeated, corroborated sightings in the target area, and only sent when the
// keeper's recorded vehicle matches what was seen.

/** The colours the DVLA records, so a resident's colour can be compared with the keeper's record. */
export const COLOURS = [
  "Beige", "Black", "Blue", "Bronze", "Brown", "Cream", "Gold", "Green", "Grey", "Maroon",
  "Orange", "Pink", "Purple", "Red", "Silver", "Turquoise", "White", "Yellow", "Multi-coloured",
] as const;

/** Who saw the vehicle: a resident's report, an officer on the street, or a CCTV operator. */
export const SIGHTING_SOURCES = ["report", "officer", "cctv"] as const;
export type SightingSource = (typeof SIGHTING_SOURCES)[number];

/** An officer's own sighting, or one on CCTV footage, is evidence a resident's report alone is not. */
export function isCorroborating(source: string): boolean {
  return source === "officer" || source === "cctv";
}

export interface VehicleRules {
  /** Distinct occasions needed, in the target area, before a letter is proposed. */
  minimumOccasions: number;
  /** How far back sightings count towards a proposal. */
  windowDays: number;
  /** Sightings closer together than this are one occasion. */
  occasionGapMinutes: number;
  /** Sightings that lead to no letter are erased this long after they were seen. */
  retentionDays: number;
}

export const DEFAULT_RULES: VehicleRules = { minimumOccasions: 2, windowDays: 90, occasionGapMinutes: 60, retentionDays: 90 };

const DAY_MS = 86_400_000;

export interface SightingFacts {
  id: number;
  seenAt: string;
  source: string;
  areaRole: string | null;
  make: string | null;
  colour: string | null;
}

/**
 * Groups sightings into occasions. A car circling for an evening is reported by several
 * residents and perhaps seen by an officer within minutes: that is one visit, not repeated
 * ones, and counting each report would let one evening (or one resident reporting the same car
 * five times) meet the threshold. Sightings are chained: each within the gap of the previous
 * one joins its occasion, so continuous presence stays one occasion however long it lasts,
 * which errs on the side of fewer letters.
 */
export function occasionsOf<T extends Pick<SightingFacts, "seenAt">>(sightings: readonly T[], rules: Pick<VehicleRules, "occasionGapMinutes"> = DEFAULT_RULES): T[][] {
  const ordered = [...sightings].sort((a, b) => Date.parse(a.seenAt) - Date.parse(b.seenAt));
  const gap = rules.occasionGapMinutes * 60_000;
  const occasions: T[][] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const sighting of ordered) {
    const at = Date.parse(sighting.seenAt);
    if (at - previous >= gap) occasions.push([sighting]);
    else occasions[occasions.length - 1]!.push(sighting);
    previous = at;
  }
  return occasions;
}

export interface Assessment<T extends SightingFacts = SightingFacts> {
  /** Target-area sightings in the window: the evidence a letter would list. */
  counted: T[];
  occasions: number;
  corroborated: boolean;
  /** Enough occasions and at least one corroborated: a letter can be proposed. */
  proposed: boolean;
  /** What is still missing, in words for the register page. */
  missing: string[];
}

/** Whether a vehicle's sightings justify proposing a warning letter now. */
export function assess<T extends SightingFacts>(sightings: readonly T[], now: Date, rules: VehicleRules = DEFAULT_RULES): Assessment<T> {
  const from = now.getTime() - rules.windowDays * DAY_MS;
  const counted = sightings
    .filter((s) => s.areaRole === "target")
    .filter((s) => {
      const at = Date.parse(s.seenAt);
      return at >= from && at <= now.getTime();
    })
    .sort((a, b) => Date.parse(a.seenAt) - Date.parse(b.seenAt));
  const occasions = occasionsOf(counted, rules).length;
  const corroborated = counted.some((s) => isCorroborating(s.source));
  const missing: string[] = [];
  if (occasions < rules.minimumOccasions) {
    missing.push(`Seen on ${occasions} of the ${rules.minimumOccasions} separate occasions needed in the target area in the last ${rules.windowDays} days`);
  }
  if (!corroborated) missing.push("No sighting by an officer or on CCTV yet");
  return { counted, occasions, corroborated, proposed: missing.length === 0, missing };
}

/** A vehicle seen again in the operation's areas after its letter was sent is flagged for escalation. */
export function escalatingSightings<T extends Pick<SightingFacts, "seenAt" | "areaRole">>(sightings: readonly T[], letterSentAt: string | null): T[] {
  if (!letterSentAt) return [];
  const sent = Date.parse(letterSentAt);
  return sightings.filter((s) => (s.areaRole === "target" || s.areaRole === "buffer") && Date.parse(s.seenAt) > sent);
}

/** When a sighting that is part of no letter must be erased. */
export function erasureDueAt(seenAt: string, rules: Pick<VehicleRules, "retentionDays"> = DEFAULT_RULES): Date {
  return new Date(Date.parse(seenAt) + rules.retentionDays * DAY_MS);
}

export function isDueForErasure(seenAt: string, inLetter: boolean, now: Date, rules: Pick<VehicleRules, "retentionDays"> = DEFAULT_RULES): boolean {
  return !inLetter && now.getTime() >= erasureDueAt(seenAt, rules).getTime();
}

/** The latest instant whose sightings are due for erasure at `now`: for a single query. */
export function erasureCutoff(now: Date, rules: Pick<VehicleRules, "retentionDays"> = DEFAULT_RULES): string {
  return new Date(now.getTime() - rules.retentionDays * DAY_MS).toISOString();
}

// Makes and colours as people write them. The keys are squashed (lower case, letters and
// digits only, accents removed); the values are the name the DVLA would record. A make is
// compared by its first word when the whole is not listed, so "Ford Focus" is a Ford.
const MAKE_ALIASES: Record<string, string> = {
  merc: "mercedes-benz",
  mercedes: "mercedes-benz",
  mercedesbenz: "mercedes-benz",
  benz: "mercedes-benz",
  vw: "volkswagen",
  volkswagon: "volkswagen",
  beemer: "bmw",
  bimmer: "bmw",
  land: "land rover",
  landrover: "land rover",
  range: "land rover",
  rangerover: "land rover",
  chevy: "chevrolet",
  alfa: "alfa romeo",
  alfaromeo: "alfa romeo",
  aston: "aston martin",
  astonmartin: "aston martin",
  vauxhal: "vauxhall",
};

const COLOUR_ALIASES: Record<string, string> = {
  gray: "grey",
  grey: "grey",
  burgundy: "maroon",
  navy: "blue",
  multicoloured: "multi-coloured",
  multicolored: "multi-coloured",
  multicolour: "multi-coloured",
  multicolor: "multi-coloured",
};

/** Words that qualify a colour without changing it: "dark blue" was still a blue car. */
const SHADES = new Set(["dark", "light", "pale", "bright", "metallic", "matt", "matte", "deep"]);

function squash(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A make as comparable text: "Merc", "MERCEDES BENZ C200" and "Mercedes-Benz" are one make. */
export function canonicalMake(make: string): string {
  const whole = squash(make);
  const firstWord = squash(make.split(/[\s-]+/).find(Boolean) ?? "");
  return MAKE_ALIASES[whole] ?? MAKE_ALIASES[firstWord] ?? firstWord;
}

/** A colour as comparable text: "Gray", "grey" and "dark grey" are one colour. */
export function canonicalColour(colour: string): string {
  const words = colour
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^a-z-]+/)
    .filter((w) => w && !SHADES.has(w));
  const squashed = words.join("").replace(/-/g, "");
  return COLOUR_ALIASES[squashed] ?? squashed;
}

export function sameMake(a: string, b: string): boolean {
  return canonicalMake(a) === canonicalMake(b) && canonicalMake(a) !== "";
}

export function sameColour(a: string, b: string): boolean {
  return canonicalColour(a) === canonicalColour(b) && canonicalColour(a) !== "";
}

export interface MatchCheck {
  matches: boolean;
  /** Why it does not match, in words for the page; empty when it does. */
  problems: string[];
  /** Ids of sightings whose make or colour differs from the keeper's record. */
  conflicting: number[];
}

/**
 * Checks the keeper's recorded make and colour against the sightings a letter would list.
 * Every sighting that gives a make or colour must agree, and at least one must give each: a
 * different make or colour suggests a mistyped, false or cloned plate, and then no letter goes.
 */
export function checkKeeperMatch(keeper: { make: string; colour: string }, sightings: ReadonlyArray<Pick<SightingFacts, "id" | "make" | "colour">>): MatchCheck {
  const problems: string[] = [];
  const conflicting = new Set<number>();
  const withMake = sightings.filter((s) => s.make?.trim());
  const withColour = sightings.filter((s) => s.colour?.trim());
  if (withMake.length === 0) problems.push("No sighting records the make, so the keeper's vehicle cannot be confirmed");
  if (withColour.length === 0) problems.push("No sighting records the colour, so the keeper's vehicle cannot be confirmed");
  const makeConflicts = withMake.filter((s) => !sameMake(s.make!, keeper.make));
  const colourConflicts = withColour.filter((s) => !sameColour(s.colour!, keeper.colour));
  if (makeConflicts.length) problems.push(`${makeConflicts.length} sighting${makeConflicts.length === 1 ? "" : "s"} record a different make from the keeper's vehicle`);
  if (colourConflicts.length) problems.push(`${colourConflicts.length} sighting${colourConflicts.length === 1 ? "" : "s"} record a different colour from the keeper's vehicle`);
  for (const s of [...makeConflicts, ...colourConflicts]) conflicting.add(s.id);
  return { matches: problems.length === 0, problems, conflicting: [...conflicting].sort((a, b) => a - b) };
}

export type VehicleStatus = "watching" | "proposed" | "approved" | "sent" | "escalated";

export const STATUS_LABELS: Record<VehicleStatus, string> = {
  watching: "Watching",
  proposed: "Letter proposed",
  approved: "Letter approved",
  sent: "Letter sent",
  escalated: "Seen again after letter",
};

/** Where a vehicle stands: its letter's state when it has one, otherwise what its sightings justify. */
export function vehicleStatus(letter: { status: string; sentAt: string | null } | null, assessment: Pick<Assessment, "proposed">, seenAgain: boolean): VehicleStatus {
  if (letter?.status === "sent") return seenAgain ? "escalated" : "sent";
  if (letter?.status === "approved") return "approved";
  return assessment.proposed ? "proposed" : "watching";
}
