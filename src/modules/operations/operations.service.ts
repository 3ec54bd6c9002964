// Operations and their areas as the rest of openbeat needs them today: which operation a
// point belongs to, and the areas to draw on a map. (Creating and editing operations belongs
// to the operation lead's pages.)
import { fromJson, toJson } from "../../db/database.ts";
import { containsPoint, type Polygonal } from "../../domain/geo.ts";
import { errors } from "../../http/errors.ts";
import type { AreaRow, OperationRow, OperationsRepository } from "./operations.repository.ts";

export type AreaRole = "target" | "buffer" | "comparison";

export interface Placement {
  operationId: number | null;
  areaRole: AreaRole | null;
}

export const OPERATION_STATUSES = ["planned", "active", "ended"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** What the operation lead sets besides the areas. */
export interface OperationDetails {
  name: string;
  slug: string;
  summary: string;
  objectives: string[];
  categoriesInScope: string[];
  startsOn: string;
  endsOn: string | null;
  plannedHoursPerWeek: number;
  status: OperationStatus;
  published: boolean;
}

export interface AreaFeature {
  type: "Feature";
  properties: { operation: string; role: string; name: string };
  geometry: Polygonal;
}

/** Which operations a map shows: published ones, unless it is a staff map. */
export interface ShownOperations {
  unpublished?: boolean;
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export class OperationsService {
  constructor(
    private readonly repository: OperationsRepository,
    /** Told when an operation's details change (its publication, status or dates decide which maps show it). */
    private readonly changed: () => Promise<void> = async () => {},
  ) {}

  listActive(now: Date = new Date()): Promise<OperationRow[]> {
    return this.repository.listActive(today(now));
  }

  list(): Promise<OperationRow[]> {
    return this.repository.list();
  }

  find(id: number): Promise<OperationRow | undefined> {
    return this.repository.findById(id);
  }

  /** Whether an operation other than `exceptId` already has this address. */
  async slugTaken(slug: string, exceptId: number | null = null): Promise<boolean> {
    const holder = await this.repository.findBySlug(slug);
    return Boolean(holder && holder.id !== exceptId);
  }

  /** Saves the operation's details (checked by the form that sent them); its short name must be its own. */
  async saveDetails(id: number, details: OperationDetails, now: Date = new Date()): Promise<void> {
    if (await this.slugTaken(details.slug, id)) throw errors.invalid([{ field: "slug", message: `Another operation already uses the short name ${details.slug}: choose another` }]);
    await this.repository.update(id, {
      ...details,
      objectives: toJson(details.objectives),
      categoriesInScope: toJson(details.categoriesInScope),
      updatedAt: now.toISOString(),
    });
    await this.changed();
  }

  /**
   * The active operation whose target (first) or buffer holds a point. A report described only
   * in words goes to the single active operation when there is exactly one.
   */
  async place(point: { latitude: number; longitude: number } | null, now: Date = new Date()): Promise<Placement> {
    const operations = await this.listActive(now);
    if (!point) return { operationId: operations.length === 1 ? operations[0]!.id : null, areaRole: null };
    const areas = await this.repository.areasOf(operations.map((o) => o.id));
    for (const role of ["target", "buffer"] as const) {
      const hit = areas.find(
        (area) => area.role === role && containsPoint(fromJson<Polygonal>(area.geometry, { type: "Polygon", coordinates: [] }), point.latitude, point.longitude),
      );
      if (hit) return { operationId: hit.operationId, areaRole: role };
    }
    return { operationId: null, areaRole: null };
  }

  /**
   * Target and buffer outlines of active operations, for the report map (never the comparison: it
   * is not policed). Public maps show published operations only, as their dashboards do; staff
   * maps (`{ unpublished: true }`) show every active operation.
   */
  async activeAreaFeatures(now: Date = new Date(), options: ShownOperations = {}): Promise<AreaFeature[]> {
    const operations = (await this.listActive(now)).filter((o) => options.unpublished || o.published);
    const areas = await this.repository.areasOf(operations.map((o) => o.id));
    return areas
      .filter((area) => area.role !== "comparison")
      .map((area: AreaRow) => ({
        type: "Feature",
        properties: { operation: operations.find((o) => o.id === area.operationId)!.name, role: area.role, name: area.name },
        geometry: fromJson<Polygonal>(area.geometry, { type: "Polygon", coordinates: [] }),
      }));
  }

  /** Where a map should open: the middle of the first active operation's target area (published ones only, unless asked). */
  async mapCentre(now: Date = new Date(), options: ShownOperations = {}): Promise<{ latitude: number; longitude: number }> {
    const features = await this.activeAreaFeatures(now, options);
    const target = features.find((f) => f.properties.role === "target");
    const ring = target?.geometry.type === "Polygon" ? target.geometry.coordinates[0] : target?.geometry.coordinates[0]?.[0];
    if (!ring || ring.length === 0) return { latitude: 51.5383, longitude: 0.7314 };
    const longitudes = ring.map((p) => p[0]!);
    const latitudes = ring.map((p) => p[1]!);
    return {
      latitude: (Math.min(...latitudes) + Math.max(...latitudes)) / 2,
      longitude: (Math.min(...longitudes) + Math.max(...longitudes)) / 2,
    };
  }
}
