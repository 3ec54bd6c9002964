// Which map tiles openbeat keeps: a fixed box around each operation's areas, at every zoom the
// maps use. The box is the whole promise of the tile proxy: inside it every tile is answered from
// the store, outside it every tile is the same blank, and nothing a visitor asks for changes
// what is stored. So how a tile is answered tells no one where anyone looked.
import type { Polygonal } from "./geo.ts";

/** The widest zoom kept: a box around a neighbourhood fits in one to four tiles. */
export const TILE_MIN_ZOOM = 12;
/**
 * The closest zoom kept (about 95 m a tile in Essex). Maps may zoom one step closer (19) by
 * enlarging these tiles; a zoom 19 box would need four times the tiles for little more detail.
 */
export const TILE_MAX_ZOOM = 18;
/** Room around the areas for a resident to pan to the street they mean. */
export const TILE_MARGIN_METRES = 500;
/** At most this many tiles in all; past it the closest zooms are left out, and the plan says so. */
export const MAX_TILES = 10_000;

const METRES_PER_DEGREE_OF_LATITUDE = 111_320;
const MAX_LATITUDE = 85.0511;

export interface Bounds {
  west: number;
  south: number;
  east: number;
  north: number;
}

export interface TileKey {
  zoom: number;
  x: number;
  y: number;
}

export interface PlannedTile extends TileKey {
  /** In the box of a published operation: shown to everyone, not only to staff. */
  public: boolean;
}

/** An area to cover, and whether its tiles may be shown to everyone. */
export interface AreaToCover {
  bounds: Bounds;
  public: boolean;
}

export interface TilePlan {
  tiles: Map<string, PlannedTile>;
  /** The closest zoom in the plan: TILE_MAX_ZOOM, or less when MAX_TILES would be passed. */
  maxZoom: number;
  /** Tiles per zoom, widest first. */
  perZoom: Array<{ zoom: number; tiles: number }>;
}

export function tileKey({ zoom, x, y }: TileKey): string {
  return `${zoom}/${x}/${y}`;
}

export function tileX(longitude: number, zoom: number): number {
  return Math.min(2 ** zoom - 1, Math.max(0, Math.floor(((longitude + 180) / 360) * 2 ** zoom)));
}

export function tileY(latitude: number, zoom: number): number {
  const radians = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, latitude)) * Math.PI) / 180;
  const y = ((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * 2 ** zoom;
  return Math.min(2 ** zoom - 1, Math.max(0, Math.floor(y)));
}

/**
 * The bounding box of each polygon of an area: the two parts of a comparison area kilometres
 * apart take two small boxes, not one spanning the town between them.
 */
export function boundsOfParts(geometry: Polygonal): Bounds[] {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flatMap((polygon) => {
    const points = polygon.flat();
    if (points.length === 0) return [];
    const longitudes = points.map((p) => p[0]!);
    const latitudes = points.map((p) => p[1]!);
    return [{ west: Math.min(...longitudes), south: Math.min(...latitudes), east: Math.max(...longitudes), north: Math.max(...latitudes) }];
  });
}

export function widen(bounds: Bounds, metres: number): Bounds {
  const latitude = metres / METRES_PER_DEGREE_OF_LATITUDE;
  const middle = ((bounds.south + bounds.north) / 2) * (Math.PI / 180);
  const longitude = metres / (METRES_PER_DEGREE_OF_LATITUDE * Math.cos(middle));
  return { west: bounds.west - longitude, south: bounds.south - latitude, east: bounds.east + longitude, north: bounds.north + latitude };
}

/**
 * Every tile of every area's box from TILE_MIN_ZOOM to TILE_MAX_ZOOM, public when any public
 * area's box holds it. A zoom that would take the plan past `maxTiles` is left out, with all
 * closer ones: a bounded store, and a map that is sharp to some zoom rather than patchy.
 */
export function planTiles(areas: AreaToCover[], options: { minZoom?: number; maxZoom?: number; maxTiles?: number } = {}): TilePlan {
  const minZoom = options.minZoom ?? TILE_MIN_ZOOM;
  const maxZoom = options.maxZoom ?? TILE_MAX_ZOOM;
  const maxTiles = options.maxTiles ?? MAX_TILES;
  const tiles = new Map<string, PlannedTile>();
  const perZoom: TilePlan["perZoom"] = [];
  let reached = minZoom - 1;
  for (let zoom = minZoom; zoom <= maxZoom; zoom++) {
    const level = new Map<string, PlannedTile>();
    for (const area of areas) {
      const [west, east] = [tileX(area.bounds.west, zoom), tileX(area.bounds.east, zoom)];
      const [north, south] = [tileY(area.bounds.north, zoom), tileY(area.bounds.south, zoom)];
      for (let x = west; x <= east; x++) {
        for (let y = north; y <= south; y++) {
          const key = tileKey({ zoom, x, y });
          const seen = level.get(key);
          if (seen) seen.public ||= area.public;
          else level.set(key, { zoom, x, y, public: area.public });
        }
      }
    }
    if (tiles.size + level.size > maxTiles) break;
    for (const [key, tile] of level) tiles.set(key, tile);
    perZoom.push({ zoom, tiles: level.size });
    reached = zoom;
  }
  return { tiles, maxZoom: reached, perZoom };
}
