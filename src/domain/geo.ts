// Places: coordinates residents give, operation areas, and the fixed H3 grid every point is
// stored against so that public views can aggregate without ever publishing the point.
import { latLngToCell, cellToLatLng } from "h3-js";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";

/** One fixed resolution for every stored point and every public map (about 0.1 km² a cell). */
export const H3_RESOLUTION = 9;

/** Great Britain and Northern Ireland, with a margin: a coordinate outside is a mistake. */
export const UK_BOUNDS = { south: 49.8, north: 60.95, west: -8.7, east: 1.85 };

export type Polygonal =
  | { type: "Polygon"; coordinates: number[][][] }
  | { type: "MultiPolygon"; coordinates: number[][][][] };

export function isInUk(latitude: number, longitude: number): boolean {
  return (
    latitude >= UK_BOUNDS.south && latitude <= UK_BOUNDS.north && longitude >= UK_BOUNDS.west && longitude <= UK_BOUNDS.east
  );
}

export function h3CellFor(latitude: number, longitude: number): string {
  return latLngToCell(latitude, longitude, H3_RESOLUTION);
}

export function cellCentre(cell: string): { latitude: number; longitude: number } {
  const [latitude, longitude] = cellToLatLng(cell);
  return { latitude, longitude };
}

export function containsPoint(area: Polygonal, latitude: number, longitude: number): boolean {
  return booleanPointInPolygon([longitude, latitude], area);
}
