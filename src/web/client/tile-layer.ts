// The map's tiles, from openbeat's own store (no third party sees who is looking). The store
// keeps zooms TILE_MIN_ZOOM to TILE_MAX_ZOOM around the operations' areas: the map asks for
// nothing wider, and enlarges the closest tiles to zoom in one step further.
import L from "leaflet";
import { TILE_MAX_ZOOM, TILE_MIN_ZOOM } from "../../domain/map-tiles.ts";

export function addTiles(map: L.Map, container: HTMLElement): void {
  if (!container.dataset.tiles) return;
  L.tileLayer(container.dataset.tiles, {
    minZoom: TILE_MIN_ZOOM,
    maxNativeZoom: TILE_MAX_ZOOM,
    maxZoom: TILE_MAX_ZOOM + 1,
    attribution: container.dataset.attribution ?? "",
  }).addTo(map);
}
