import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEMO_BUFFER, DEMO_COMPARISON, DEMO_TARGET } from "../modules/demo/demo.service.ts";
import { ringAround } from "../modules/areas/geometry.ts";
import type { Polygonal } from "./geo.ts";
import { checkAreaGeometry, checkBufferOutsideTarget, checkComparisonApart, parseAreaGeoJson } from "./geojson.ts";

const box = (west: number, south: number, east: number, north: number): number[][] => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];
const polygon = (...rings: number[][][]): Polygonal => ({ type: "Polygon", coordinates: rings });
const text = (value: unknown) => JSON.stringify(value);

function refused(result: ReturnType<typeof parseAreaGeoJson>, pattern: RegExp): void {
  assert.equal(result.ok, false, "the area should have been refused");
  if (!result.ok) assert.match(result.problem, pattern);
}

describe("pasted GeoJSON areas", () => {
  it("accepts a Polygon, a Feature, a MultiPolygon, and a FeatureCollection joined into one area", () => {
    const square = polygon(box(0.72, 51.53, 0.74, 51.54));
    const plain = parseAreaGeoJson(text(square), "target area");
    assert.deepEqual(plain, { ok: true, geometry: square });
    assert.deepEqual(parseAreaGeoJson(text({ type: "Feature", properties: { name: "x" }, geometry: square }), "target area"), plain);
    const multi = parseAreaGeoJson(text(DEMO_COMPARISON), "comparison area");
    assert.ok(multi.ok && multi.geometry.type === "MultiPolygon" && multi.geometry.coordinates.length === 2);
    const collection = parseAreaGeoJson(
      text({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: square }, { type: "Feature", properties: {}, geometry: polygon(box(0.75, 51.53, 0.76, 51.54)) }] }),
      "comparison area",
    );
    assert.ok(collection.ok && collection.geometry.type === "MultiPolygon" && collection.geometry.coordinates.length === 2);
  });

  it("accepts a polygon with a hole inside its shell, and drops altitudes and repeated corners", () => {
    const result = parseAreaGeoJson(text(DEMO_BUFFER), "buffer area");
    assert.ok(result.ok);
    const withExtras = parseAreaGeoJson(text(polygon([[0.72, 51.53, 12], [0.74, 51.53, 12], [0.74, 51.53], [0.74, 51.54], [0.72, 51.54], [0.72, 51.53]])), "target area");
    assert.deepEqual(withExtras, { ok: true, geometry: polygon(box(0.72, 51.53, 0.74, 51.54)) });
  });

  it("refuses text that is not GeoJSON, or not an area, saying what to give instead", () => {
    refused(parseAreaGeoJson("", "target area"), /Paste the target area as GeoJSON, or draw it on the map/);
    refused(parseAreaGeoJson('{"type": "Polygon", "coordinates": [[', "target area"), /not valid GeoJSON: check that it was copied whole/);
    refused(parseAreaGeoJson(text({ type: "Point", coordinates: [0.73, 51.53] }), "target area"), /target area is a Point: give a Polygon or MultiPolygon/);
    refused(parseAreaGeoJson("[1, 2]", "buffer area"), /must be a GeoJSON object/);
    refused(parseAreaGeoJson(text({ type: "FeatureCollection", features: [] }), "target area"), /has no features/);
    refused(parseAreaGeoJson("x".repeat(40_000), "target area"), /longer than 30,000 characters/);
  });

  it("refuses rings that are not closed or have fewer than four positions", () => {
    refused(parseAreaGeoJson(text(polygon([[0.72, 51.53], [0.74, 51.53], [0.74, 51.54], [0.72, 51.54]])), "target area"), /outline is not closed: end it with its first position again, \[0\.72, 51\.53\]/);
    refused(parseAreaGeoJson(text(polygon([[0.72, 51.53], [0.74, 51.53], [0.72, 51.53]])), "target area"), /has 2 corners: an area needs at least 3 corners/);
    refused(parseAreaGeoJson(text({ type: "Polygon", coordinates: [[[0.72, 51.53], [0.74, 51.53], ["a", 51.54], [0.72, 51.53]]] }), "target area"), /not \[longitude, latitude\]/);
  });

  it("refuses positions outside the UK, and says when latitude and longitude are swapped", () => {
    refused(parseAreaGeoJson(text(polygon(box(2.3, 48.8, 2.4, 48.9))), "target area"), /outside the UK, \[2\.3, 48\.8\]/);
    const swapped = box(0.72, 51.53, 0.74, 51.54).map(([x, y]) => [y!, x!]);
    refused(parseAreaGeoJson(text(polygon(swapped)), "target area"), /latitude and longitude the wrong way round: GeoJSON gives longitude first/);
  });

  it("refuses a ring that crosses, touches or doubles back on itself", () => {
    const bowTie = [[0.72, 51.53], [0.74, 51.54], [0.74, 51.53], [0.72, 51.54], [0.72, 51.53]];
    refused(parseAreaGeoJson(text(polygon(bowTie)), "target area"), /target area.s outline crosses or touches itself near \[0\.73, 51\.535\]/);
    const touching = [[0.72, 51.53], [0.74, 51.53], [0.73, 51.535], [0.74, 51.54], [0.72, 51.54], [0.73, 51.535], [0.72, 51.53]];
    refused(parseAreaGeoJson(text(polygon(touching)), "target area"), /crosses or touches itself/);
    const straight = [[0.72, 51.53], [0.73, 51.53], [0.74, 51.53], [0.74, 51.54], [0.72, 51.54], [0.72, 51.53]];
    assert.ok(parseAreaGeoJson(text(polygon(straight)), "target area").ok, "a corner on a straight edge is fine");
    const backTrack = [[0.72, 51.53], [0.74, 51.53], [0.73, 51.53], [0.73, 51.54], [0.72, 51.53]];
    refused(parseAreaGeoJson(text(polygon(backTrack)), "target area"), /crosses or touches itself/);
    const multi = { type: "MultiPolygon", coordinates: [[box(0.72, 51.53, 0.74, 51.54)], [bowTie]] };
    refused(parseAreaGeoJson(text(multi), "comparison area"), /comparison area \(part 2\)'s outline crosses/);
  });

  it("refuses a hole that is not inside its shell", () => {
    const outside = polygon(box(0.72, 51.53, 0.74, 51.54), box(0.75, 51.53, 0.76, 51.54));
    refused(parseAreaGeoJson(text(outside), "buffer area"), /Hole 1 of the buffer area is not inside its outline/);
    const crossing = polygon(box(0.72, 51.53, 0.74, 51.54), box(0.73, 51.535, 0.75, 51.545));
    refused(parseAreaGeoJson(text(crossing), "buffer area"), /Hole 1 of the buffer area is not inside/);
    const badHole = polygon(box(0.72, 51.53, 0.74, 51.54), [[0.725, 51.535], [0.73, 51.535], [0.725, 51.535]]);
    refused(parseAreaGeoJson(text(badHole), "buffer area"), /Hole 1 of the buffer area has 2 corners/);
  });

  it("refuses an area with too many positions to check", () => {
    const many = Array.from({ length: 3_100 }, (_, i) => {
      const angle = (2 * Math.PI * i) / 3_100;
      return [0.73 + 0.01 * Math.cos(angle), 51.535 + 0.005 * Math.sin(angle)];
    });
    refused(checkAreaGeometry(polygon([...many, many[0]!]), "target area") as never, /3101 positions: simplify it to 3000 or fewer/);
  });
});

describe("the buffer and the comparison against the target", () => {
  const target = polygon(box(0.7205, 51.532, 0.746, 51.54));

  it("accepts a buffer that surrounds the target, with or without the target cut out, or lies beside it", () => {
    assert.equal(checkBufferOutsideTarget(DEMO_BUFFER, DEMO_TARGET), null);
    assert.equal(checkBufferOutsideTarget(polygon(box(0.71, 51.52, 0.76, 51.55)), target), null);
    assert.equal(checkBufferOutsideTarget(ringAround(target, 400)!, target), null);
    assert.equal(checkBufferOutsideTarget(polygon(box(0.746, 51.532, 0.76, 51.54)), target), null);
  });

  it("refuses a buffer inside the target, or one whose edge cuts across it", () => {
    assert.match(checkBufferOutsideTarget(polygon(box(0.725, 51.534, 0.74, 51.538)), target)!, /buffer is inside the target area/);
    assert.match(checkBufferOutsideTarget(target, target)!, /inside the target area/);
    assert.match(checkBufferOutsideTarget(polygon(box(0.73, 51.53, 0.76, 51.55)), target)!, /buffer's edge cuts across the target area/);
    const holeAcrossEdge = polygon(box(0.71, 51.52, 0.76, 51.55), box(0.73, 51.534, 0.75, 51.538));
    assert.match(checkBufferOutsideTarget(holeAcrossEdge, target)!, /cuts across the target/);
  });

  it("refuses a comparison that overlaps the target or the buffer", () => {
    assert.equal(checkComparisonApart(DEMO_COMPARISON, { target: DEMO_TARGET, buffer: DEMO_BUFFER }), null);
    assert.equal(checkComparisonApart(DEMO_COMPARISON, { target: DEMO_TARGET, buffer: null }), null);
    assert.match(checkComparisonApart(polygon(box(0.74, 51.535, 0.78, 51.545)), { target: DEMO_TARGET, buffer: DEMO_BUFFER })!, /comparison area overlaps the target area/);
    assert.match(checkComparisonApart(polygon(box(0.748, 51.541, 0.76, 51.55)), { target: DEMO_TARGET, buffer: DEMO_BUFFER })!, /comparison area overlaps the buffer area/);
  });
});
