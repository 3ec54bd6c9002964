import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boundsOfParts, MAX_TILES, planTiles, TILE_MAX_ZOOM, TILE_MIN_ZOOM, tileKey, tileX, tileY, widen } from "./map-tiles.ts";

describe("the box of map tiles kept", () => {
  const ambleside = { west: 0.7147, south: 51.5284, east: 0.7518, north: 51.5436 };

  it("covers an operation's areas with a margin, at every zoom the maps use, in under two thousand tiles", () => {
    const plan = planTiles([{ bounds: widen(ambleside, 500), public: true }]);
    assert.equal(plan.maxZoom, TILE_MAX_ZOOM);
    assert.deepEqual(plan.perZoom.map((level) => level.zoom), [12, 13, 14, 15, 16, 17, 18]);
    assert.ok(plan.tiles.size < 2000, `${plan.tiles.size} tiles`);
    for (let zoom = TILE_MIN_ZOOM; zoom <= TILE_MAX_ZOOM; zoom++) {
      for (const [longitude, latitude] of [[ambleside.west, ambleside.south], [ambleside.east, ambleside.north]]) {
        assert.ok(plan.tiles.has(tileKey({ zoom, x: tileX(longitude!, zoom), y: tileY(latitude!, zoom) })));
      }
    }
  });

  it("leaves out the closest zooms rather than pass its bound, and says so", () => {
    const county = { west: 0.0, south: 51.4, east: 1.3, north: 52.0 };
    const plan = planTiles([{ bounds: county, public: true }]);
    assert.ok(plan.maxZoom < TILE_MAX_ZOOM);
    assert.ok(plan.tiles.size <= MAX_TILES);
    assert.equal(plan.perZoom.at(-1)!.zoom, plan.maxZoom);
    assert.ok(![...plan.tiles.values()].some((tile) => tile.zoom > plan.maxZoom));
  });

  it("makes a tile public when any published operation's box holds it", () => {
    const plan = planTiles([
      { bounds: ambleside, public: false },
      { bounds: { ...ambleside, west: ambleside.east - 0.001, east: ambleside.east + 0.02 }, public: true },
      { bounds: { west: 0.5, south: 51.7, east: 0.51, north: 51.71 }, public: false },
    ]);
    const shared = { zoom: 18, x: tileX(ambleside.east, 18), y: tileY(ambleside.north, 18) };
    assert.equal(plan.tiles.get(tileKey(shared))!.public, true);
    assert.equal(plan.tiles.get(tileKey({ zoom: 18, x: tileX(ambleside.west, 18), y: tileY(ambleside.north, 18) }))!.public, false);
    assert.equal(plan.tiles.get(tileKey({ zoom: 18, x: tileX(0.505, 18), y: tileY(51.705, 18) }))!.public, false);
  });

  it("takes a box for each part of an area, not one spanning the gap between them", () => {
    const twoParts = { type: "MultiPolygon" as const, coordinates: [[[[0.7755, 51.5302], [0.7837, 51.5302], [0.7837, 51.5352], [0.7755, 51.5302]]], [[[0.6443, 51.5394], [0.6654, 51.5394], [0.6654, 51.5429], [0.6443, 51.5394]]]] };
    const parts = boundsOfParts(twoParts);
    assert.deepEqual(parts, [
      { west: 0.7755, south: 51.5302, east: 0.7837, north: 51.5352 },
      { west: 0.6443, south: 51.5394, east: 0.6654, north: 51.5429 },
    ]);
  });
});
