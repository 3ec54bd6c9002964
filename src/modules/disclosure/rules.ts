// The rules of principle 3, stated once: k, the public cell, and the month a report counts in.
// Only the disclosure module reads them (a guard test makes sure): every other module gets
// figures and places that have already been through the gate.
import { cellToLatLng, cellToParent, POLYGON_TO_CELLS_FLAGS, polygonToCellsExperimental } from "h3-js";
import type { Polygonal } from "../../domain/geo.ts";
import { londonToUtc, utcToLondonParts } from "../../domain/time.ts";

/** k for resident reports and police activity. */
export const K_REPORTS = 5;
/** k for police.uk data, whose locations are already snapped to anonymous points. */
export const K_POLICE_UK = 3;
/** Public maps use coarser cells than storage (resolution 9): about 0.7 km² at resolution 8. */
export const PUBLIC_H3_RESOLUTION = 8;

export function publicCell(storedCell: string): string {
  return cellToParent(storedCell, PUBLIC_H3_RESOLUTION);
}

/** The centre of a public cell, rounded to what the cell can tell (about 1 m). */
export function cellCentre(cell: string): { lat: number; long: number } {
  const [lat, long] = cellToLatLng(cell);
  return { lat: Number(lat.toFixed(6)), long: Number(long.toFixed(6)) };
}

/** The public cells that overlap a drawn area, holes left out. */
export function cellsOverlapping(geometry: Polygonal): string[] {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates as number[][][]] : (geometry.coordinates as number[][][][]);
  return polygons.filter((polygon) => (polygon[0]?.length ?? 0) >= 4).flatMap((polygon) => polygonToCellsExperimental(polygon, PUBLIC_H3_RESOLUTION, POLYGON_TO_CELLS_FLAGS.containmentOverlapping, true));
}

function monthText(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, "0")}`;
}

/**
 * The month a report counts in, everywhere it is counted: the month it was received, in UK
 * time. Never the month the resident says it happened: a report of last month's events sent
 * today would change a month already published, and the difference would give it away.
 */
export function reportMonth(createdAt: string): string {
  const parts = utcToLondonParts(createdAt);
  return monthText(parts.year, parts.month);
}

/** The month an instant falls in, in UK time (police activity, like reports). */
export const monthOfInstant = reportMonth;

/** 'YYYY-MM' (UK time) → its first instant and the next month's, as ISO strings (UTC). */
export function monthBounds(month: string): { start: string; end: string } {
  const [year, number] = month.split("-").map(Number) as [number, number];
  const next = number === 12 ? [year + 1, 1] : [year, number + 1];
  return { start: londonToUtc(year, number, 1, 0, 0).toISOString(), end: londonToUtc(next[0]!, next[1]!, 1, 0, 0).toISOString() };
}

/** Months are published only once complete: the last complete month (UK time) before `now`. */
export function lastCompleteMonth(now: Date = new Date()): string {
  const parts = utcToLondonParts(now.toISOString());
  return parts.month === 1 ? monthText(parts.year - 1, 12) : monthText(parts.year, parts.month - 1);
}

export function isCompleteMonth(month: string, now: Date = new Date()): boolean {
  return month <= lastCompleteMonth(now);
}

/** The months (UK time) an interval touches, oldest first. */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const last = reportMonth(to.toISOString());
  for (let month = reportMonth(from.toISOString()); month <= last; ) {
    months.push(month);
    const [year, number] = month.split("-").map(Number) as [number, number];
    month = number === 12 ? monthText(year + 1, 1) : monthText(year, number + 1);
  }
  return months;
}

/** 'YYYY-Qn' of a month. */
export function quarterOf(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  return `${year}-Q${Math.floor((number - 1) / 3) + 1}`;
}

/** The three months of a quarter. */
export function quarterMonths(quarter: string): string[] {
  const [year, q] = [Number(quarter.slice(0, 4)), Number(quarter.slice(6))];
  return [1, 2, 3].map((i) => monthText(year, (q - 1) * 3 + i));
}

/** A single figure (an operation-level quarterly total of a sensitive category): shown only at k or more. */
export function publishableTotal(count: number, k: number = K_REPORTS): number | null {
  return count > 0 && count < k ? null : count;
}
