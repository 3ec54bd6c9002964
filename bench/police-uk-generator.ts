// Generates SYNTHETIC police.uk street-level crime files in the real format (the header, CRLF
// line endings, 64-hex Crime IDs, empty ids and outcomes on anti-social behaviour, "No Location"
// rows, 6-decimal snap points shared by many rows) for benchmarks and fault tests. Files go to a
// temporary folder, never into the repository.
//
// The set always holds a "home" force with a fixed 100,000 rows over January–July 2018 around
// Southend-on-Sea, where the benchmark operation's areas are; every row beyond that belongs to
// other forces placed elsewhere in England. So the operation's own data is the same at 100k,
// 1M or 10M rows: what grows is the table around it, as when a deployment imports more forces.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CRIME_CATEGORIES, STREET_HEADER } from "../src/domain/police-uk.ts";

export const HOME_FORCE = "Essex Police (synthetic)";
export const HOME_ROWS = 100_000;
export const HOME_MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06", "2018-07"];
/** Rows per file for the other forces (a mid-sized force's month). */
const OTHER_FILE_ROWS = 25_000;
const HOME_POINTS = 15_000;
const OTHER_POINTS = 6_000;

const OUTCOMES = [
  "Under investigation",
  "Investigation complete; no suspect identified",
  "Unable to prosecute suspect",
  "Status update unavailable",
  "Offender given a caution",
  "Awaiting court outcome",
  "Local resolution",
];

export interface GeneratedFiles {
  folder: string;
  /** Street files in the order the importer reads them (by name). */
  files: string[];
  /** Only the home force's files (100,000 rows, or all rows when fewer were asked for). */
  homeFiles: string[];
  rows: number;
  bytes: number;
  remove(): void;
}

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    // mulberry32: fast and good enough to spread rows over points and categories.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Point {
  fields: string;
}

/** Snap points in a box: "lon,lat,On or near …,LSOA code,LSOA name" ready to write. */
function points(count: number, box: [number, number, number, number], lsoaPrefix: number, area: string, random: () => number, fixed: string[] = []): Point[] {
  const [west, south, east, north] = box;
  const out: Point[] = fixed.map((fields) => ({ fields }));
  const lsoas = Math.max(1, Math.round(count / 150));
  for (let i = out.length; i < count; i++) {
    const lsoa = Math.floor(random() * lsoas);
    const longitude = (west + random() * (east - west)).toFixed(6);
    const latitude = (south + random() * (north - south)).toFixed(6);
    const code = `E0${String(lsoaPrefix * 10_000 + lsoa).padStart(7, "0")}`;
    out.push({ fields: `${longitude},${latitude},On or near Synthetic Street ${i},${code},${area} ${String(lsoa).padStart(3, "0")}X` });
  }
  return out;
}

/** The two real Ambleside Drive snap points and the comparison LSOAs' points, as police.uk publishes them. */
const AMBLESIDE = [
  "0.727421,51.538327,On or near Ambleside Drive,E01015840,Southend-on-Sea 014B",
  "0.735329,51.538412,On or near Ambleside Drive,E01015894,Southend-on-Sea 016F",
];

function hex64(random: () => number): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += Math.floor(random() * 2 ** 32).toString(16).padStart(8, "0");
  return out;
}

function writeFile(file: string, force: string, month: string, rows: number, pool: Point[], random: () => number, hot: Point[]): number {
  const handle = fs.openSync(file, "w");
  let buffer = `${STREET_HEADER.join(",")}\r\n`;
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const category = CRIME_CATEGORIES[Math.floor(random() * CRIME_CATEGORIES.length)]!;
    // About a quarter of police.uk rows are anti-social behaviour, which has no id and no outcome.
    const asb = random() < 0.25 ? true : category === "Anti-social behaviour";
    const type = asb ? "Anti-social behaviour" : category;
    const id = asb ? "" : hex64(random);
    const outcome = asb ? "" : OUTCOMES[Math.floor(random() * OUTCOMES.length)]!;
    let place: string;
    if (random() < 0.002) place = ",,No Location,,";
    else {
      // A few points hold many rows (hotspots), as in the real files.
      const point = hot.length && random() < 0.05 ? hot[Math.floor(random() * hot.length)]! : pool[Math.floor(random() * pool.length)]!;
      place = point.fields;
    }
    buffer += `${id},${month},${force},${force},${place},${type},${outcome},\r\n`;
    if (buffer.length > 1 << 20) {
      bytes += fs.writeSync(handle, buffer);
      buffer = "";
    }
  }
  bytes += fs.writeSync(handle, buffer);
  fs.closeSync(handle);
  return bytes;
}

function monthAfter(start: string, offset: number): string {
  const [year, month] = start.split("-").map(Number) as [number, number];
  const date = new Date(Date.UTC(year, month - 1 + offset, 1));
  return date.toISOString().slice(0, 7);
}

/** Writes `rows` rows of street files into a new temporary folder (or `folder`). */
export function generatePoliceUk(options: { rows: number; folder?: string; seed?: number }): GeneratedFiles {
  const folder = options.folder ?? fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-police-uk-generated-"));
  fs.mkdirSync(folder, { recursive: true });
  const random = seeded(options.seed ?? 2018);
  const files: string[] = [];
  const homeFiles: string[] = [];
  let bytes = 0;

  // Home: Southend and around (the operation's target, buffer and comparison are in this box).
  const homeRows = Math.min(options.rows, HOME_ROWS);
  const homePool = points(HOME_POINTS, [0.45, 51.45, 0.95, 51.65], 101, "Southend-on-Sea", random, AMBLESIDE);
  const hot = homePool.slice(0, 40);
  for (const [index, month] of HOME_MONTHS.entries()) {
    const share = Math.floor(homeRows / HOME_MONTHS.length) + (index < homeRows % HOME_MONTHS.length ? 1 : 0);
    const file = path.join(folder, `${month}-essex-synthetic-street.csv`);
    bytes += writeFile(file, HOME_FORCE, month, share, homePool, random, hot);
    files.push(file);
    homeFiles.push(file);
  }

  // Other forces: boxes of 0.4° across England, away from the home box, 24 months each.
  let left = options.rows - homeRows;
  let force = 0;
  const boxes: Array<[number, number, number, number]> = [];
  for (let lat = 50.6; lat < 54.6; lat += 0.5) for (let lon = -3.4; lon < 0; lon += 0.5) boxes.push([lon, lat, lon + 0.4, lat + 0.4]);
  while (left > 0) {
    const name = `Synthetic Force ${String(force + 1).padStart(2, "0")}`;
    const pool = points(OTHER_POINTS, boxes[force % boxes.length]!, 200 + force, name, random);
    for (let m = 0; m < 24 && left > 0; m++) {
      const rows = Math.min(left, OTHER_FILE_ROWS);
      const month = monthAfter("2017-01", m);
      const file = path.join(folder, `${month}-synthetic-force-${String(force + 1).padStart(2, "0")}-street.csv`);
      bytes += writeFile(file, name, month, rows, pool, random, []);
      files.push(file);
      left -= rows;
    }
    force++;
  }
  files.sort();
  return { folder, files, homeFiles, rows: options.rows, bytes, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

/** One month of the home force's street file, `rows` rows, at `file`. */
export function generateStreetFile(file: string, options: { rows: number; month: string; seed?: number }): number {
  const random = seeded(options.seed ?? 2018);
  const pool = points(HOME_POINTS, [0.45, 51.45, 0.95, 51.65], 101, "Southend-on-Sea", random, AMBLESIDE);
  return writeFile(file, HOME_FORCE, options.month, options.rows, pool, random, pool.slice(0, 40));
}
