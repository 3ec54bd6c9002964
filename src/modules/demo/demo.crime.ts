// The demo's synthetic police.uk crime: one street file per month, in police.uk's own format (its
// header, CRLF line endings, 64-hex Crime IDs, anti-social behaviour without an id or outcome,
// the odd "No Location" row), for the twelve months before the operation's start and every
// complete month since. Rows sit at the real police.uk snap points of the demo's areas
// (snap-points.ts), in proportion to how many rows each held in 2018, with the 2018 mix of
// categories in each area. The story in the numbers: a mild summer rise everywhere; since the
// start, in the target, fewer crimes and anti-social behaviour the more of its planned hours the
// operation delivered that month, and more of the crimes that rise when enforcement rises; a
// little diffusion of benefit to the buffer; the comparison area untouched.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { addMonths, monthRange } from "../../domain/evaluation.ts";
import { containsPoint, type Polygonal } from "../../domain/geo.ts";
import { ANTI_SOCIAL_BEHAVIOUR, POLICE_GENERATED, STREET_HEADER } from "../../domain/police-uk.ts";
import { seeded } from "./demo.plan.ts";
import { DEMO_SNAP_POINTS } from "./snap-points.ts";

/** Plainly not a real force's rows, wherever they are shown. */
export const DEMO_FORCE = "Essex Police (synthetic demo data)";

type Role = "target" | "buffer" | "comparison";

/** The 2018 mix of categories in each area (rows, January to July 2018). */
const MIX: Record<Role, Record<string, number>> = {
  target: {
    "Anti-social behaviour": 444, "Violence and sexual offences": 452, "Criminal damage and arson": 116, "Other theft": 81, "Public order": 71, "Vehicle crime": 52,
    Burglary: 47, Drugs: 22, Robbery: 20, "Bicycle theft": 15, Shoplifting: 15, "Other crime": 14, "Theft from the person": 14, "Possession of weapons": 11,
  },
  buffer: {
    "Violence and sexual offences": 571, "Anti-social behaviour": 541, Shoplifting: 169, "Other theft": 139, "Criminal damage and arson": 131, "Public order": 98,
    "Vehicle crime": 88, Burglary: 59, Drugs: 48, "Bicycle theft": 30, "Theft from the person": 26, "Other crime": 25, "Possession of weapons": 25, Robbery: 23,
  },
  comparison: {
    "Anti-social behaviour": 186, "Violence and sexual offences": 135, "Criminal damage and arson": 52, "Other theft": 43, Burglary: 30, "Public order": 29,
    "Vehicle crime": 26, Shoplifting: 25, "Other crime": 10, "Bicycle theft": 8, Drugs: 5, Robbery: 4, "Theft from the person": 2, "Possession of weapons": 1,
  },
};
const MONTHS_IN_2018_FILES = 7;

/** How far the operation moves each kind of count at full delivery of its planned hours. */
const EFFECT = { targetCrime: -0.22, targetAntiSocial: -0.18, targetPoliceGenerated: 0.3, buffer: -0.06 };

/** Outcomes of crimes no longer under investigation, about as often as police.uk shows them: most with no one charged. */
const OUTCOMES_RESOLVED: Array<[string, number]> = [
  ["Investigation complete; no suspect identified", 0.4],
  ["Unable to prosecute suspect", 0.3],
  ["Local resolution", 0.07],
  ["Offender given a caution", 0.05],
  ["Awaiting court outcome", 0.06],
  ["Offender given community sentence", 0.05],
  ["Offender sent to prison", 0.03],
  ["Further investigation is not in the public interest", 0.04],
];

interface Snap {
  fields: string;
  rows: number;
  role: Role;
}

export interface DemoCrimeFiles {
  folder: string;
  months: string[];
  rows: number;
  remove(): void;
}

/**
 * Writes the street files into a new temporary folder: from twelve months before `startsOn` to
 * `lastMonth`. `delivery` gives, for each month since the start, the share of its planned patrol
 * hours the operation delivered.
 */
export function writeDemoCrimeFiles(options: {
  startsOn: string;
  lastMonth: string;
  delivery: ReadonlyMap<string, number>;
  areas: { target: Polygonal; buffer: Polygonal; comparison: Polygonal };
}): DemoCrimeFiles {
  const random = seeded(2026);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const startMonth = options.startsOn.slice(0, 7);
  const months = monthRange(addMonths(startMonth, -12), options.lastMonth);
  const points: Snap[] = [];
  for (const line of DEMO_SNAP_POINTS) {
    const at = line.lastIndexOf(",");
    const fields = line.slice(0, at);
    const [longitude, latitude] = fields.split(",").map(Number) as [number, number];
    const { target, buffer, comparison } = options.areas;
    const role: Role | null = containsPoint(target, latitude, longitude)
      ? "target"
      : containsPoint(buffer, latitude, longitude)
        ? "buffer"
        : containsPoint(comparison, latitude, longitude)
          ? "comparison"
          : null;
    if (role) points.push({ fields, rows: Number(line.slice(at + 1)), role });
  }
  const byRole = (role: Role) => {
    const pool = points.filter((p) => p.role === role);
    const total = pool.reduce((sum, p) => sum + p.rows, 0);
    return { pool, total };
  };
  const pools = { target: byRole("target"), buffer: byRole("buffer"), comparison: byRole("comparison") };
  const pointIn = (role: Role) => {
    const { pool, total } = pools[role];
    let roll = random() * total;
    for (const point of pool) if ((roll -= point.rows) < 0) return point;
    return pool.at(-1)!;
  };
  const hex = () => {
    let out = "";
    for (let i = 0; i < 8; i++) out += Math.floor(random() * 2 ** 32).toString(16).padStart(8, "0");
    return out;
  };

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-demo-police-uk-"));
  let rows = 0;
  for (const [index, month] of months.entries()) {
    // A mild summer rise (July highest), the same in every area.
    const season = 1 + 0.08 * Math.cos((2 * Math.PI * (Number(month.slice(5, 7)) - 7)) / 12);
    const delivered = month >= startMonth ? (options.delivery.get(month) ?? 0) : 0;
    const age = months.length - 1 - index;
    const lines = [STREET_HEADER.join(",")];
    for (const role of ["target", "buffer", "comparison"] as const) {
      const roleTotal = Object.values(MIX[role]).reduce((a, b) => a + b, 0);
      for (const [category, share] of Object.entries(MIX[role])) {
        let effect = 1;
        if (role === "target") {
          effect += delivered * (category === ANTI_SOCIAL_BEHAVIOUR ? EFFECT.targetAntiSocial : POLICE_GENERATED.has(category) ? EFFECT.targetPoliceGenerated : EFFECT.targetCrime);
        } else if (role === "buffer" && category !== ANTI_SOCIAL_BEHAVIOUR) effect += delivered * EFFECT.buffer;
        const expected = (pools[role].total / MONTHS_IN_2018_FILES) * (share / roleTotal) * season * effect;
        const count = Math.max(0, Math.round(expected + Math.sqrt(expected) * normal()));
        for (let i = 0; i < count; i++) {
          const point = pointIn(role);
          if (category === ANTI_SOCIAL_BEHAVIOUR) lines.push(`,${month},${DEMO_FORCE},${DEMO_FORCE},${point.fields},${category},,`);
          else lines.push(`${hex()},${month},${DEMO_FORCE},${DEMO_FORCE},${point.fields},${category},${outcome(age, random)},`);
        }
      }
    }
    // police.uk cannot place a few rows a month.
    lines.push(`${hex()},${month},${DEMO_FORCE},${DEMO_FORCE},,,No Location,,,Other theft,${outcome(age, random)},`);
    rows += lines.length - 1;
    fs.writeFileSync(path.join(folder, `${month}-essex-synthetic-demo-street.csv`), `${lines.join("\r\n")}\r\n`);
  }
  return { folder, months, rows, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

/** The latest outcome police.uk would show for a crime `age` months old: recent ones are mostly still open. */
function outcome(age: number, random: () => number): string {
  const open = age < 1 ? 0.85 : age < 3 ? 0.5 : age < 6 ? 0.25 : 0.08;
  if (random() < open) return "Under investigation";
  let roll = random();
  for (const [name, share] of OUTCOMES_RESOLVED) if ((roll -= share) < 0) return name;
  return OUTCOMES_RESOLVED[0]![0];
}
