// Areas pasted or drawn as GeoJSON by an operation lead. What is accepted must be a shape the
// evaluation can trust: a Polygon or MultiPolygon in the UK whose rings are closed, do not cross
// themselves, and whose holes sit inside their shell. Each refusal says what to fix, in the
// lead's words, because a GeoJSON file from another tool often fails in ways that are invisible
// on a map (an unclosed ring, latitude and longitude swapped, a figure-of-eight corner).
import { isInUk, type Polygonal } from "./geo.ts";
import { outerRings, overlaps } from "../modules/areas/geometry.ts";

/** A pasted area is at most this long: an operation's streets, not a county boundary. */
export const GEOJSON_TEXT_LIMIT = 30_000;
/** Corners across all rings: enough for any street-level area, few enough to check quickly. */
export const MAX_POSITIONS = 3_000;

type Position = [number, number];
export type GeoJsonResult = { ok: true; geometry: Polygonal } | { ok: false; problem: string };

const fail = (problem: string): GeoJsonResult => ({ ok: false, problem });

const formatPosition = ([x, y]: Position) => `[${x}, ${y}]`;

/** A Polygon, a MultiPolygon, a Feature holding one, or a FeatureCollection of them (joined into one area). */
function geometryOf(value: unknown, label: string): { geometry?: { type: string; coordinates: unknown }; problem?: string } {
  const object = value as { type?: unknown; geometry?: unknown; features?: unknown; coordinates?: unknown } | null;
  if (!object || typeof object !== "object" || Array.isArray(object)) return { problem: `The ${label} must be a GeoJSON object, starting with {"type": "Polygon", …}` };
  if (object.type === "Feature") return geometryOf(object.geometry, label);
  if (object.type === "FeatureCollection") {
    const features = Array.isArray(object.features) ? object.features : [];
    if (features.length === 0) return { problem: `The ${label}'s FeatureCollection has no features: paste one with a Polygon in it` };
    const polygons: unknown[] = [];
    for (const feature of features) {
      const found = geometryOf(feature, label);
      if (found.problem) return found;
      if (found.geometry!.type === "Polygon") polygons.push(found.geometry!.coordinates);
      else if (Array.isArray(found.geometry!.coordinates)) polygons.push(...found.geometry!.coordinates);
    }
    return { geometry: polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] } : { type: "MultiPolygon", coordinates: polygons } };
  }
  if (object.type === "Polygon" || object.type === "MultiPolygon") return { geometry: { type: object.type, coordinates: object.coordinates } };
  const kind = typeof object.type === "string" ? object.type : "not a GeoJSON type";
  return { problem: `The ${label} is a ${kind}: give a Polygon or MultiPolygon, the outline of the area` };
}

/** Positions as [longitude, latitude], rounded to about a centimetre, with repeated corners dropped. */
function readRing(value: unknown, where: string): { ring?: Position[]; problem?: string } {
  if (!Array.isArray(value)) return { problem: `${where} is not a list of positions` };
  const ring: Position[] = [];
  for (const position of value) {
    if (!Array.isArray(position) || position.length < 2 || !position.slice(0, 2).every((n) => typeof n === "number" && Number.isFinite(n))) {
      return { problem: `${where} has a position that is not [longitude, latitude]: ${JSON.stringify(position)?.slice(0, 60)}` };
    }
    const [longitude, latitude] = position as [number, number];
    if (!isInUk(latitude, longitude)) {
      if (isInUk(longitude, latitude)) return { problem: `${where} has latitude and longitude the wrong way round: GeoJSON gives longitude first, like [0.7314, 51.5383]` };
      return { problem: `${where} has a position outside the UK, ${formatPosition([longitude, latitude])}: positions are [longitude, latitude] in degrees, like [0.7314, 51.5383]` };
    }
    const rounded: Position = [Math.round(longitude * 1e7) / 1e7, Math.round(latitude * 1e7) / 1e7];
    const last = ring.at(-1);
    if (!last || last[0] !== rounded[0] || last[1] !== rounded[1]) ring.push(rounded);
  }
  return { ring };
}

const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);

function onSegment(p: Position, a: Position, b: Position): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Where two segments meet (crossing or touching), or null when they share no point. */
function meetingPoint(a: Position, b: Position, c: Position, d: Position): Position | null {
  const d1 = sign(cross(c, d, a));
  const d2 = sign(cross(c, d, b));
  const d3 = sign(cross(a, b, c));
  const d4 = sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) {
    const t = cross(c, d, a) / (cross(c, d, a) - cross(c, d, b));
    return [round6(a[0] + t * (b[0] - a[0])), round6(a[1] + t * (b[1] - a[1]))];
  }
  if (d1 === 0 && onSegment(a, c, d)) return a;
  if (d2 === 0 && onSegment(b, c, d)) return b;
  if (d3 === 0 && onSegment(c, a, b)) return c;
  if (d4 === 0 && onSegment(d, a, b)) return d;
  return null;
}

/** Whether two segments cross through each other's middles (touching at an end is not crossing). */
function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = sign(cross(c, d, a));
  const d2 = sign(cross(c, d, b));
  const d3 = sign(cross(a, b, c));
  const d4 = sign(cross(a, b, d));
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/** The first place a closed ring meets itself other than at its neighbouring corners, or null. */
function selfIntersection(ring: Position[]): Position | null {
  const edges = ring.length - 1;
  for (let i = 0; i < edges; i++) {
    for (let j = i + 1; j < edges; j++) {
      const neighbours = j === i + 1 || (i === 0 && j === edges - 1);
      if (neighbours) {
        // Neighbouring edges share one corner; they go wrong only by doubling back along each other.
        const [a, b, c] = j === i + 1 ? [ring[i]!, ring[i + 1]!, ring[j + 1]!] : [ring[j]!, ring[0]!, ring[1]!];
        if (cross(a, b, c) === 0 && (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0) return b;
        continue;
      }
      const meeting = meetingPoint(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!);
      if (meeting) return meeting;
    }
  }
  return null;
}

/** Inside a ring or on its edge (even-odd rule; the edge counts as inside). */
function inRing(point: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (cross(a, b, point) === 0 && onSegment(point, a, b)) return true;
    if (a[1] > point[1] !== b[1] > point[1] && point[0] < ((b[0] - a[0]) * (point[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

function ringsCross(a: Position[], b: Position[]): boolean {
  for (let i = 0; i + 1 < a.length; i++) for (let j = 0; j + 1 < b.length; j++) if (segmentsCross(a[i]!, a[i + 1]!, b[j]!, b[j + 1]!)) return true;
  return false;
}

/** Checks one polygon's rings; `name` says which polygon in a MultiPolygon. */
function checkPolygon(rings: unknown, name: string, label: string): { rings?: Position[][]; problem?: string } {
  if (!Array.isArray(rings) || rings.length === 0) return { problem: `The ${label}${name} has no rings: give its outline as a list of [longitude, latitude] positions` };
  const checked: Position[][] = [];
  for (const [index, value] of rings.entries()) {
    const where = index === 0 ? `The ${label}${name}'s outline` : `Hole ${index} of the ${label}${name}`;
    const { ring, problem } = readRing(value, where);
    if (problem) return { problem };
    const first = ring![0];
    const last = ring!.at(-1);
    if (first && last && ring!.length > 1 && (first[0] !== last[0] || first[1] !== last[1])) {
      return { problem: `${where} is not closed: end it with its first position again, ${formatPosition(first)} (it ends at ${formatPosition(last)})` };
    }
    if (ring!.length < 4) return { problem: `${where} has ${Math.max(ring!.length - 1, 0)} corner${ring!.length === 2 ? "" : "s"}: an area needs at least 3 corners, and the ring at least 4 positions with the first repeated at the end` };
    const meeting = selfIntersection(ring!);
    if (meeting) return { problem: `${where} crosses or touches itself near ${formatPosition(meeting)}: redraw it so that its edges only meet at neighbouring corners` };
    checked.push(ring!);
  }
  const [shell, ...holes] = checked;
  for (const [index, hole] of holes.entries()) {
    if (ringsCross(shell!, hole) || !hole.every((p) => inRing(p, shell!))) {
      return { problem: `Hole ${index + 1} of the ${label}${name} is not inside its outline: a hole must lie wholly within the area around it` };
    }
  }
  return { rings: checked };
}

/** Checks a GeoJSON value already parsed; `label` names the area in messages ("target area"). */
export function checkAreaGeometry(value: unknown, label: string): GeoJsonResult {
  const found = geometryOf(value, label);
  if (found.problem) return fail(found.problem);
  const geometry = found.geometry!;
  if (!Array.isArray(geometry.coordinates)) return fail(`The ${label}'s "coordinates" must be a list of rings`);
  if (geometry.type === "Polygon") {
    const positions = (geometry.coordinates as unknown[]).reduce<number>((n, ring) => n + (Array.isArray(ring) ? ring.length : 0), 0);
    if (positions > MAX_POSITIONS) return fail(`The ${label} has ${positions} positions: simplify it to ${MAX_POSITIONS} or fewer`);
    const { rings, problem } = checkPolygon(geometry.coordinates, "", label);
    return problem ? fail(problem) : { ok: true, geometry: { type: "Polygon", coordinates: rings! } };
  }
  const polygons = geometry.coordinates as unknown[];
  if (polygons.length === 0) return fail(`The ${label}'s MultiPolygon has no polygons in it`);
  const positions = polygons.flat().reduce<number>((n, ring) => n + (Array.isArray(ring) ? ring.length : 0), 0);
  if (positions > MAX_POSITIONS) return fail(`The ${label} has ${positions} positions: simplify it to ${MAX_POSITIONS} or fewer`);
  const checked: Position[][][] = [];
  for (const [index, polygon] of polygons.entries()) {
    const { rings, problem } = checkPolygon(polygon, polygons.length > 1 ? ` (part ${index + 1})` : "", label);
    if (problem) return fail(problem);
    checked.push(rings!);
  }
  return { ok: true, geometry: checked.length === 1 ? { type: "Polygon", coordinates: checked[0]! } : { type: "MultiPolygon", coordinates: checked } };
}

/** Reads pasted or drawn GeoJSON text and checks it. */
export function parseAreaGeoJson(text: string, label: string): GeoJsonResult {
  const trimmed = text.trim();
  if (!trimmed) return fail(`Paste the ${label} as GeoJSON, or draw it on the map`);
  if (trimmed.length > GEOJSON_TEXT_LIMIT) return fail(`The ${label}'s GeoJSON is longer than ${GEOJSON_TEXT_LIMIT.toLocaleString("en-GB")} characters: simplify the outline`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return fail(`The ${label} is not valid GeoJSON: check that it was copied whole, from the first { to the last }, with nothing added`);
  }
  return checkAreaGeometry(parsed, label);
}

/**
 * The buffer measures displacement around the target, so it must lie outside it: it may
 * surround the target (the target's ground is left out of the buffer when it is counted) or
 * lie beside it, but not sit inside the target or cut across it.
 */
export function checkBufferOutsideTarget(buffer: Polygonal, target: Polygonal): string | null {
  const targetRings = outerRings(target);
  const bufferRings = (buffer.type === "Polygon" ? [buffer.coordinates] : buffer.coordinates).flat() as Position[][];
  if (targetRings.length === 0 || bufferRings.length === 0) return null;
  const insideTarget = (p: Position) => targetRings.some((ring) => inRing(p, ring as Position[]));
  if (outerRings(buffer).some((ring) => ring.every((p) => insideTarget(p as Position)))) {
    return "The buffer is inside the target area. Draw the buffer around the outside of the target, or choose a ring of some metres around it";
  }
  if (bufferRings.some((ring) => targetRings.some((t) => ringsCross(ring, t as Position[])))) {
    return "The buffer's edge cuts across the target area. Draw the buffer so that it surrounds the target or lies beside it: the target is left out of the buffer when it is counted";
  }
  return null;
}

/** The comparison must be ground the operation does not reach: apart from the target and the buffer. */
export function checkComparisonApart(comparison: Polygonal, treated: { target?: Polygonal | null; buffer?: Polygonal | null }): string | null {
  for (const role of ["target", "buffer"] as const) {
    const other = treated[role];
    if (other && overlaps(comparison, other)) {
      return `The comparison area overlaps the ${role} area. Draw the comparison somewhere similar that the operation does not reach, apart from the target and the buffer`;
    }
  }
  return null;
}
