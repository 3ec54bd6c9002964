// Areas residents draw for alerts and feeds. An area must be large enough that following it
// cannot watch one home (principle 3), and small enough to mean a neighbourhood.
import turfArea from "@turf/area";
import booleanIntersects from "@turf/boolean-intersects";
import { containsPoint, isInUk, type Polygonal } from "../../domain/geo.ts";

/** About 500 m by 500 m: no smaller, so an alert cannot single out a house. */
export const MIN_AREA_KM2 = 0.25;
export const MAX_AREA_KM2 = 100;
const MAX_VERTICES = 200;

export interface DrawnArea {
  type: "Polygon";
  coordinates: number[][][];
}

export type AreaResult = { ok: true; area: DrawnArea; km2: number } | { ok: false; problem: string };

export function areaKm2(area: Polygonal): number {
  return turfArea(area as never) / 1_000_000;
}

function sized(area: DrawnArea): AreaResult {
  const km2 = areaKm2(area);
  if (km2 < MIN_AREA_KM2) {
    return { ok: false, problem: `The area is too small (${km2.toFixed(2)} km²). Make it at least ${MIN_AREA_KM2} km², about 500 metres across, so that it cannot single out one home.` };
  }
  if (km2 > MAX_AREA_KM2) return { ok: false, problem: `The area is too large (${Math.round(km2)} km²). Draw ${MAX_AREA_KM2} km² or less, around the streets you care about.` };
  return { ok: true, area, km2 };
}

/** A GeoJSON polygon (or a Feature holding one) drawn on the map: one ring, in the UK, of a sensible size. */
export function parseDrawnArea(text: string): AreaResult {
  const problem = "Draw the area on the map again: what was sent is not an area openbeat can read.";
  if (!text.trim() || text.length > 20_000) return { ok: false, problem: "Draw an area on the map, with at least three corners." };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem };
  }
  const geometry = (parsed as { type?: string; geometry?: unknown })?.type === "Feature" ? (parsed as { geometry: unknown }).geometry : parsed;
  const polygon = geometry as { type?: unknown; coordinates?: unknown };
  if (polygon?.type !== "Polygon" || !Array.isArray(polygon.coordinates) || polygon.coordinates.length !== 1) return { ok: false, problem };
  const ring = polygon.coordinates[0];
  if (!Array.isArray(ring) || ring.length > MAX_VERTICES + 1) return { ok: false, problem };
  const points: number[][] = [];
  for (const position of ring) {
    if (!Array.isArray(position) || position.length < 2 || !position.slice(0, 2).every((n) => typeof n === "number" && Number.isFinite(n))) return { ok: false, problem };
    const [longitude, latitude] = position as [number, number];
    if (!isInUk(latitude, longitude)) return { ok: false, problem: "Draw the area in the UK." };
    points.push([Number(longitude.toFixed(6)), Number(latitude.toFixed(6))]);
  }
  const first = points[0];
  const last = points.at(-1);
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) points.push([...first]);
  if (points.length < 4) return { ok: false, problem: "Draw an area on the map, with at least three corners." };
  return sized({ type: "Polygon", coordinates: [points] });
}

/** A rectangle given as west,south,east,north (a feed's bbox parameter). */
export function parseBbox(text: string | undefined): AreaResult {
  const parts = (text ?? "").split(",").map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => !/^-?\d{1,3}(\.\d{1,10})?$/.test(p))) {
    return { ok: false, problem: "Give bbox as west,south,east,north in decimal degrees, like bbox=0.72,51.53,0.75,51.55" };
  }
  const [west, south, east, north] = numbers as [number, number, number, number];
  if (west >= east || south >= north) return { ok: false, problem: "In bbox, west must be less than east and south less than north" };
  if (!isInUk(south, west) || !isInUk(north, east)) return { ok: false, problem: "The bbox must be in the UK" };
  return sized({ type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] });
}

export function overlaps(a: Polygonal, b: Polygonal): boolean {
  return booleanIntersects(a as never, b as never);
}

export function holds(area: Polygonal, latitude: number, longitude: number): boolean {
  return containsPoint(area, latitude, longitude);
}
