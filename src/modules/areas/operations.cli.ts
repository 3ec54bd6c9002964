// `openbeat operations create`: an operation whose areas come from real data, made from a script.
import fs from "node:fs";
import type { Polygonal } from "../../domain/geo.ts";
import { errors } from "../../http/errors.ts";
import type { Services } from "../../services.ts";
import { parseLsoaCodes, type AreaDefinition } from "./areas.service.ts";

export interface CreateOperationOptions {
  name: string;
  start: string;
  end?: string;
  targetLsoas?: string;
  targetGeojson?: string;
  buffer?: string;
  bufferGeojson?: string;
  comparisonLsoas?: string;
  comparisonGeojson?: string;
}

function readPolygon(file: string): Polygonal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw errors.badRequest(`${file} could not be read as GeoJSON (${(error as Error).message})`);
  }
  const value = parsed as { type?: string; geometry?: unknown; features?: Array<{ geometry?: unknown }> };
  const geometry = (value.type === "FeatureCollection" ? value.features?.[0]?.geometry : value.type === "Feature" ? value.geometry : value) as Polygonal | undefined;
  if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) throw errors.badRequest(`${file} must hold a GeoJSON Polygon or MultiPolygon`);
  return geometry;
}

function definition(role: string, lsoas: string | undefined, geojson: string | undefined): AreaDefinition {
  if (lsoas && geojson) throw errors.badRequest(`Give the ${role} area as LSOA codes or as GeoJSON, not both.`);
  if (lsoas) return { kind: "lsoas", lsoaCodes: parseLsoaCodes(lsoas) };
  if (geojson) return { kind: "polygon", geometry: readPolygon(geojson) };
  throw errors.badRequest(`Give the ${role} area: --${role}-lsoas CODES or --${role}-geojson FILE.`);
}

/** Creates the operation and prints its id alone, for scripts. */
export async function createOperationCommand(services: Services, options: CreateOperationOptions): Promise<void> {
  const target = definition("target", options.targetLsoas, options.targetGeojson);
  const comparison = definition("comparison", options.comparisonLsoas, options.comparisonGeojson);
  let buffer: AreaDefinition;
  if (options.buffer && options.bufferGeojson) throw errors.badRequest("Give the buffer as --buffer METRES or --buffer-geojson FILE, not both.");
  if (options.bufferGeojson) buffer = { kind: "polygon", geometry: readPolygon(options.bufferGeojson) };
  else {
    const metres = Number(options.buffer ?? "");
    if (!Number.isFinite(metres) || metres <= 0) throw errors.badRequest("Give the buffer's width in metres: --buffer 400.");
    buffer = { kind: "ring", metres };
  }
  const id = await services.areas.createOperation({
    name: options.name,
    startsOn: options.start,
    endsOn: options.end ?? null,
    target: { definition: target },
    buffer: { definition: buffer },
    comparison: { definition: comparison },
  });
  console.log(String(id));
}
