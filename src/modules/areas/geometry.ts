// Outlines for areas defined from data: a padded convex hull around snap points (to draw an
// LSOA-defined area on a map and in residents' reports), a ring of a given width around a target,
// and whether two drawn areas overlap. Metres are measured in a local flat projection, which is
// accurate to well under a metre over the few kilometres an operation covers.
import { containsPoint, type Polygonal } from "../../domain/geo.ts";

export type Position = [number, number];

/** Padding around the outermost snap points of an LSOA- or point-defined area. */
export const DISPLAY_PADDING_METRES = 100;
const CIRCLE_SEGMENTS = 24;
const METRES_PER_DEGREE_LATITUDE = 110_574;

function metresPerDegreeLongitude(latitude: number): number {
  return 111_320 * Math.cos((latitude * Math.PI) / 180);
}

const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull (Andrew's monotone chain), counter-clockwise, not closed. */
export function convexHull(points: Position[]): Position[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const unique = sorted.filter((p, i) => i === 0 || p[0] !== sorted[i - 1]![0] || p[1] !== sorted[i - 1]![1]);
  if (unique.length < 3) return unique;
  const lower: Position[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Position[] = [];
  for (const p of [...unique].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

function close(ring: Position[]): Position[] {
  const rounded = ring.map(([x, y]) => [round(x), round(y)] as Position);
  return [...rounded, rounded[0]!];
}

/** The convex hull of discs of a radius around every point: a padded outline, counter-clockwise and closed. */
export function paddedHull(points: Position[], metres: number): Position[] {
  const grown: Position[] = [];
  for (const [longitude, latitude] of convexHull(points)) {
    const dx = metres / metresPerDegreeLongitude(latitude);
    const dy = metres / METRES_PER_DEGREE_LATITUDE;
    for (let i = 0; i < CIRCLE_SEGMENTS; i++) {
      const angle = (2 * Math.PI * i) / CIRCLE_SEGMENTS;
      grown.push([longitude + dx * Math.cos(angle), latitude + dy * Math.sin(angle)]);
    }
  }
  return close(convexHull(grown));
}

/** The outline drawn for an area defined by LSOA codes or snap points; null when it has no points. */
export function displayPolygon(points: Position[], metres = DISPLAY_PADDING_METRES): Polygonal | null {
  if (points.length === 0) return null;
  return { type: "Polygon", coordinates: [paddedHull(points, metres)] };
}

/**
 * The outline of an area made of separate groups of points (LSOAs): one padded hull per group
 * that does not meet the others, so two neighbourhoods a mile apart are not drawn as one shape
 * spanning everything between them. Groups whose hulls overlap are drawn as one hull.
 */
export function groupedDisplayPolygon(groups: Position[][], metres = DISPLAY_PADDING_METRES): Polygonal | null {
  let parts = groups.filter((g) => g.length > 0);
  if (parts.length === 0) return null;
  for (let merged = true; merged && parts.length > 1; ) {
    merged = false;
    outer: for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        const a: Polygonal = { type: "Polygon", coordinates: [paddedHull(parts[i]!, metres)] };
        const b: Polygonal = { type: "Polygon", coordinates: [paddedHull(parts[j]!, metres)] };
        if (overlaps(a, b)) {
          parts = [...parts.filter((_, k) => k !== i && k !== j), [...parts[i]!, ...parts[j]!]];
          merged = true;
          break outer;
        }
      }
    }
  }
  if (parts.length === 1) return displayPolygon(parts[0]!, metres);
  return { type: "MultiPolygon", coordinates: parts.map((points) => [paddedHull(points, metres)]) };
}

/** The outer rings of an area (its holes left out). */
export function outerRings(area: Polygonal): Position[][] {
  const polygons = area.type === "Polygon" ? [area.coordinates] : area.coordinates;
  return polygons.filter((p) => p.length > 0).map((p) => p[0] as Position[]);
}

export function vertices(area: Polygonal): Position[] {
  return outerRings(area).flat();
}

/**
 * A ring of a width around a target: the target's outline (its convex hull) grown by that many
 * metres, with the target itself cut out as holes.
 */
export function ringAround(target: Polygonal, metres: number): Polygonal | null {
  const rings = outerRings(target);
  if (rings.length === 0) return null;
  const outer = paddedHull(rings.flat(), metres);
  const holes = rings.map((ring) => [...ring].reverse());
  return { type: "Polygon", coordinates: [outer, ...holes] };
}

/** [west, south, east, north] of an area's outer rings. */
export function boundingBox(area: Polygonal): [number, number, number, number] | null {
  const points = vertices(area);
  if (points.length === 0) return null;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Inside the area's outer rings, holes ignored: a buffer ring's hole is the target, taken out by membership. */
export function insideOuter(area: Polygonal, latitude: number, longitude: number): boolean {
  return outerRings(area).some((ring) => containsPoint({ type: "Polygon", coordinates: [ring] }, latitude, longitude));
}

function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Whether two drawn areas share any ground: an edge crossing, or one lying inside the other. */
export function overlaps(a: Polygonal, b: Polygonal): boolean {
  const ringsA = outerRings(a);
  const ringsB = outerRings(b);
  if (ringsA.length === 0 || ringsB.length === 0) return false;
  for (const ra of ringsA) {
    for (const rb of ringsB) {
      for (let i = 0; i + 1 < ra.length; i++) {
        for (let j = 0; j + 1 < rb.length; j++) if (segmentsCross(ra[i]!, ra[i + 1]!, rb[j]!, rb[j + 1]!)) return true;
      }
    }
  }
  const inside = (area: Polygonal, point: Position) => containsPoint(area, point[1], point[0]);
  return ringsA.some((ring) => ring.some((p) => inside(b, p))) || ringsB.some((ring) => ring.some((p) => inside(a, p)));
}
