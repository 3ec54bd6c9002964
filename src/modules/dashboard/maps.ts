// The dashboard's maps as plain SVG geometry: H3 cells and the operation's area outlines projected
// onto a flat picture once, when the snapshot is worked out, so a visit only writes them out.
import { cellToBoundary, cellToLatLng } from "h3-js";
import type { Polygonal } from "../../domain/geo.ts";

export interface MapOutline {
  role: string;
  name: string;
  path: string;
}

export interface MapGeometry {
  width: number;
  height: number;
  /** One per cell, in the order given: the hexagon's path and where its number goes. */
  cells: Array<{ path: string; x: number; y: number }>;
  outlines: MapOutline[];
}

const PADDING = 12;
const round = (value: number) => Math.round(value * 10) / 10;

function rings(geometry: Polygonal): number[][][] {
  if (geometry.type === "Polygon") return geometry.coordinates as number[][][];
  return (geometry.coordinates as number[][][][]).flat();
}

/**
 * Projects cells and outlines into a picture `width` wide (equirectangular, scaled by the cosine
 * of the middle latitude: at a town's size the distortion is invisible).
 */
export function projectMap(cells: readonly string[], outlines: ReadonlyArray<{ role: string; name: string; geometry: Polygonal }>, width = 640): MapGeometry {
  const cellRings = cells.map((cell) => cellToBoundary(cell, true));
  const outlineRings = outlines.map((outline) => rings(outline.geometry));
  const positions = [...cellRings.flat(), ...outlineRings.flat(2)];
  if (positions.length === 0) return { width, height: 0, cells: [], outlines: [] };
  const longitudes = positions.map((p) => p[0]!);
  const latitudes = positions.map((p) => p[1]!);
  const [west, east] = [Math.min(...longitudes), Math.max(...longitudes)];
  const [south, north] = [Math.min(...latitudes), Math.max(...latitudes)];
  const stretch = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const spanX = Math.max((east - west) * stretch, 1e-9);
  const spanY = Math.max(north - south, 1e-9);
  const scale = (width - 2 * PADDING) / spanX;
  const height = Math.ceil(spanY * scale + 2 * PADDING);
  const x = (longitude: number) => round(PADDING + (longitude - west) * stretch * scale);
  const y = (latitude: number) => round(PADDING + (north - latitude) * scale);
  const path = (ring: number[][]) => `M${ring.map((p) => `${x(p[0]!)} ${y(p[1]!)}`).join("L")}Z`;
  return {
    width,
    height,
    cells: cells.map((cell, i) => {
      const [latitude, longitude] = cellToLatLng(cell);
      return { path: path(cellRings[i]!), x: x(longitude), y: y(latitude) };
    }),
    outlines: outlines.map((outline, i) => ({ role: outline.role, name: outline.name, path: outlineRings[i]!.filter((ring) => ring.length >= 4).map(path).join("") })),
  };
}
