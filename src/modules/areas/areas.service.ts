// Areas from real data. An area is a drawn polygon, a list of LSOA codes, a set of police.uk snap
// points, or (for a buffer) a ring of some metres around the target. Its members are snap
// points: the LSOAs' points, or the points inside the polygon, or the points picked; the buffer
// takes the points inside its outer ring that are not in the target; the comparison may share
// nothing with either. Membership is worked out again whenever an area changes and after every
// import, and LSOA- and point-defined areas get an outline (a padded hull of their points) to
// draw on maps and to place residents' reports.
import { fromJson, toJson } from "../../db/database.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { containsPoint } from "../../domain/geo.ts";
import { errors } from "../../http/errors.ts";
import type { AreaRole } from "../operations/operations.service.ts";
import { boundingBox, displayPolygon, groupedDisplayPolygon, insideOuter, overlaps, ringAround, type Position } from "./geometry.ts";
import type { AreaRow, AreasRepository, PointRow } from "./areas.repository.ts";

export type AreaDefinition =
  | { kind: "polygon"; geometry: Polygonal }
  | { kind: "lsoas"; lsoaCodes: string[] }
  | { kind: "snap-points"; snapPointIds: number[] }
  | { kind: "ring"; metres: number };

export const AREA_ROLES: readonly AreaRole[] = ["target", "buffer", "comparison"];
const LSOA_CODE = /^[EWSN]\d{8}$/;
const EMPTY: Polygonal = { type: "Polygon", coordinates: [] };

export interface AreaFeature {
  type: "Feature";
  properties: {
    role: AreaRole;
    name: string;
    definition: AreaDefinition["kind"];
    lsoaCodes?: string[];
    ringMetres?: number;
    snapPoints: number;
  };
  geometry: Polygonal;
}

export interface DesignArea {
  role: string;
  name: string;
  definition: AreaDefinition["kind"];
  lsoaCodes?: string[];
  snapPointIds?: number[];
  ringMetres?: number;
  geometry: Polygonal;
  snapPoints: number;
}

interface Worked {
  geometry: Polygonal;
  members: number[];
}

export interface NewOperation {
  name: string;
  startsOn: string;
  endsOn?: string | null;
  summary?: string;
  target: { name?: string; definition: AreaDefinition };
  buffer: { name?: string; definition: AreaDefinition };
  comparison: { name?: string; definition: AreaDefinition };
}

/** Told when an operation's areas are set or changed, so the evaluation can record its design. */
export type AreasChanged = (operationId: number, reason: string, userId: number | null) => Promise<void>;

export function definitionOf(area: AreaRow): AreaDefinition {
  switch (area.definition) {
    case "lsoas":
      return { kind: "lsoas", lsoaCodes: fromJson<string[]>(area.lsoaCodes, []) };
    case "snap-points":
      return { kind: "snap-points", snapPointIds: fromJson<number[]>(area.snapPointIds, []) };
    case "ring":
      return { kind: "ring", metres: Number(area.ringMetres ?? 0) };
    default:
      return { kind: "polygon", geometry: fromJson<Polygonal>(area.geometry, EMPTY) };
  }
}

/** Normalises and checks LSOA codes as typed ("e01015840, E01015894"). */
export function parseLsoaCodes(text: string): string[] {
  const codes = [...new Set(text.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean))];
  const wrong = codes.filter((c) => !LSOA_CODE.test(c));
  if (wrong.length) throw errors.badRequest(`${wrong.join(", ")} ${wrong.length === 1 ? "is not an LSOA code" : "are not LSOA codes"}: LSOA codes look like E01015840`);
  return codes;
}

export class AreasService {
  constructor(
    private readonly repository: AreasRepository,
    private readonly changed: AreasChanged = async () => {},
  ) {}

  private async pointsOf(definition: AreaDefinition): Promise<PointRow[]> {
    switch (definition.kind) {
      case "lsoas":
        return this.repository.pointsInLsoas(definition.lsoaCodes);
      case "snap-points":
        return this.repository.pointsById(definition.snapPointIds);
      case "polygon": {
        const box = boundingBox(definition.geometry);
        if (!box) return [];
        const candidates = await this.repository.pointsInBox(box);
        return candidates.filter((p) => containsPoint(definition.geometry, p.latitude, p.longitude));
      }
      case "ring":
        return [];
    }
  }

  /** Works out outlines and members of a target, buffer and comparison, in that order. */
  private async work(definitions: Record<AreaRole, AreaDefinition>, previous: Partial<Record<AreaRole, Polygonal>> = {}): Promise<Record<AreaRole, Worked>> {
    const position = (p: PointRow) => [p.longitude, p.latitude] as Position;
    const outline = (definition: AreaDefinition, points: PointRow[], role: AreaRole): Polygonal => {
      if (definition.kind === "polygon") return definition.geometry;
      const drawn =
        definition.kind === "lsoas"
          ? groupedDisplayPolygon(definition.lsoaCodes.map((code) => points.filter((p) => p.lsoaCode === code).map(position)))
          : displayPolygon(points.map(position));
      return drawn ?? previous[role] ?? EMPTY;
    };

    const targetPoints = await this.pointsOf(definitions.target);
    const target: Worked = { geometry: outline(definitions.target, targetPoints, "target"), members: targetPoints.map((p) => p.id) };
    const inTarget = new Set(target.members);

    const bufferDefinition = definitions.buffer;
    let buffer: Worked;
    if (bufferDefinition.kind === "ring") {
      const ring = ringAround(target.geometry, bufferDefinition.metres) ?? previous.buffer ?? EMPTY;
      const box = boundingBox(ring);
      const candidates = box ? await this.repository.pointsInBox(box) : [];
      buffer = { geometry: ring, members: candidates.filter((p) => !inTarget.has(p.id) && insideOuter(ring, p.latitude, p.longitude)).map((p) => p.id) };
    } else {
      const points = await this.pointsOf(bufferDefinition);
      buffer = { geometry: outline(bufferDefinition, points, "buffer"), members: points.filter((p) => !inTarget.has(p.id)).map((p) => p.id) };
    }

    const comparisonPoints = await this.pointsOf(definitions.comparison);
    const comparison: Worked = { geometry: outline(definitions.comparison, comparisonPoints, "comparison"), members: comparisonPoints.map((p) => p.id) };
    return { target, buffer, comparison };
  }

  /** The comparison must share no snap point and no LSOA with the target or buffer, nor, when drawn, any ground. */
  private checkSeparate(definitions: Record<AreaRole, AreaDefinition>, worked: Record<AreaRole, Worked>): void {
    const treated = new Set([...worked.target.members, ...worked.buffer.members]);
    const shared = worked.comparison.members.filter((id) => treated.has(id)).length;
    if (shared > 0) {
      throw errors.badRequest(
        `The comparison area overlaps the target or buffer: ${shared} police.uk snap point${shared === 1 ? " is" : "s are"} in both. Choose a comparison area that the operation does not reach, or a narrower buffer.`,
      );
    }
    const lsoas = (d: AreaDefinition) => (d.kind === "lsoas" ? d.lsoaCodes : []);
    const comparisonLsoas = new Set(lsoas(definitions.comparison));
    const both = [...lsoas(definitions.target), ...lsoas(definitions.buffer)].filter((c) => comparisonLsoas.has(c));
    if (both.length) throw errors.badRequest(`The comparison area overlaps the target or buffer: LSOA ${both.join(", ")} is in both.`);
    if (definitions.comparison.kind === "polygon") {
      for (const role of ["target", "buffer"] as const) {
        if (overlaps(worked.comparison.geometry, worked[role].geometry)) {
          throw errors.badRequest(`The comparison area overlaps the ${role} area on the map. Draw it where the operation does not reach.`);
        }
      }
    }
  }

  private checkDefinition(role: AreaRole, definition: AreaDefinition): void {
    if (definition.kind === "ring" && role !== "buffer") throw errors.badRequest(`Only the buffer can be a ring around the target, not the ${role}.`);
    if (definition.kind === "ring" && !(definition.metres > 0 && definition.metres <= 5000)) throw errors.badRequest("The buffer must be between 1 and 5,000 metres wide.");
    if (definition.kind === "lsoas" && definition.lsoaCodes.length === 0) throw errors.badRequest(`Give at least one LSOA code for the ${role} area.`);
    if (definition.kind === "snap-points" && definition.snapPointIds.length === 0) throw errors.badRequest(`Pick at least one police.uk point for the ${role} area.`);
  }

  /** Areas defined from data must find that data: an LSOA openbeat holds no rows for is most likely a typing mistake. */
  private async checkFound(role: AreaRole, definition: AreaDefinition, worked: Worked): Promise<void> {
    if (definition.kind === "lsoas") {
      const found = new Set((await this.repository.pointsInLsoas(definition.lsoaCodes)).map((p) => p.lsoaCode));
      const missing = definition.lsoaCodes.filter((c) => !found.has(c));
      if (missing.length) {
        throw errors.badRequest(
          `No police.uk data holds LSOA ${missing.join(", ")} (${role} area). Check the code, or import the street files that cover it first (openbeat import police-uk FILES).`,
        );
      }
    }
    if (definition.kind === "snap-points" && worked.members.length < definition.snapPointIds.length) {
      throw errors.badRequest(`Some police.uk points picked for the ${role} area do not exist.`);
    }
  }

  private areaFields(definition: AreaDefinition) {
    return {
      definition: definition.kind,
      lsoaCodes: definition.kind === "lsoas" ? toJson(definition.lsoaCodes) : null,
      snapPointIds: definition.kind === "snap-points" ? toJson(definition.snapPointIds) : null,
      ringMetres: definition.kind === "ring" ? definition.metres : null,
    };
  }

  /** Creates an operation with its three areas; refused when the comparison overlaps the others. */
  async createOperation(input: NewOperation, userId: number | null = null, now: Date = new Date()): Promise<number> {
    const name = input.name.trim();
    if (!name || name.length > 120) throw errors.badRequest("Give the operation a name of up to 120 characters.");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startsOn) || Number.isNaN(Date.parse(input.startsOn))) throw errors.badRequest("The start date must be a date like 2018-04-01.");
    if (input.endsOn && (!/^\d{4}-\d{2}-\d{2}$/.test(input.endsOn) || input.endsOn < input.startsOn)) throw errors.badRequest("The end date must be a date like 2018-09-30, after the start.");
    const definitions = { target: input.target.definition, buffer: input.buffer.definition, comparison: input.comparison.definition };
    for (const role of AREA_ROLES) this.checkDefinition(role, definitions[role]);
    const worked = await this.work(definitions);
    for (const role of AREA_ROLES) await this.checkFound(role, definitions[role], worked[role]);
    this.checkSeparate(definitions, worked);

    const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "operation";
    let slug = base;
    for (let n = 2; await this.repository.slugTaken(slug); n++) slug = `${base}-${n}`;
    const at = now.toISOString();
    const today = at.slice(0, 10);
    const names: Record<AreaRole, string> = {
      target: input.target.name ?? "Target area",
      buffer: input.buffer.name ?? (definitions.buffer.kind === "ring" ? `${definitions.buffer.metres} m around the target` : "Buffer area"),
      comparison: input.comparison.name ?? "Comparison area",
    };
    const id = await this.repository.createOperation(
      {
        slug,
        name,
        summary: input.summary ?? "",
        objectives: toJson([]),
        categoriesInScope: toJson([]),
        startsOn: input.startsOn,
        endsOn: input.endsOn ?? null,
        plannedHoursPerWeek: 0,
        status: input.startsOn <= today && (!input.endsOn || input.endsOn >= today) ? "active" : input.startsOn > today ? "planned" : "ended",
        published: false,
        isDemo: false,
        createdAt: at,
        updatedAt: at,
      },
      AREA_ROLES.map((role) => ({
        area: { role, name: names[role], geometry: toJson(worked[role].geometry), createdAt: at, updatedAt: at, ...this.areaFields(definitions[role]) },
        members: worked[role].members,
      })),
    );
    await this.changed(id, "Recorded when the operation was created", userId);
    return id;
  }

  private async definitionsOf(areas: AreaRow[]): Promise<Record<AreaRole, AreaDefinition> | null> {
    const byRole = (role: AreaRole) => areas.find((a) => a.role === role);
    const target = byRole("target");
    if (!target) return null;
    const buffer = byRole("buffer");
    const comparison = byRole("comparison");
    return {
      target: definitionOf(target),
      buffer: buffer ? definitionOf(buffer) : { kind: "polygon", geometry: EMPTY },
      comparison: comparison ? definitionOf(comparison) : { kind: "polygon", geometry: EMPTY },
    };
  }

  /** Changes one area's definition, works out the operation's membership again and records a new design version. */
  async redefine(areaId: number, definition: AreaDefinition, reason: string, userId: number | null, now: Date = new Date()): Promise<void> {
    const area = await this.repository.find(areaId);
    if (!area) throw errors.notFound("area");
    const role = area.role as AreaRole;
    this.checkDefinition(role, definition);
    const areas = await this.repository.areasOf(area.operationId);
    const definitions = (await this.definitionsOf(areas))!;
    definitions[role] = definition;
    const worked = await this.work(definitions, this.previousOutlines(areas));
    await this.checkFound(role, definition, worked[role]);
    this.checkSeparate(definitions, worked);
    await this.repository.save(
      areas
        .filter((a) => AREA_ROLES.includes(a.role as AreaRole))
        .map((a) => ({
          id: a.id,
          geometry: toJson(worked[a.role as AreaRole].geometry),
          members: worked[a.role as AreaRole].members,
          changes: a.id === areaId ? { ...this.areaFields(definition), updatedAt: now.toISOString() } : {},
        })),
    );
    await this.changed(area.operationId, reason, userId);
  }

  private previousOutlines(areas: AreaRow[]): Partial<Record<AreaRole, Polygonal>> {
    return Object.fromEntries(areas.map((a) => [a.role, fromJson<Polygonal>(a.geometry, EMPTY)]));
  }

  /**
   * Works out membership again for one operation (after an import brings new snap points). Areas
   * drawn before the LSOA definitions existed are read as polygons. Never refuses: an overlap that
   * new data reveals is shown by the evaluation as a warning.
   */
  async recompute(operationId: number): Promise<void> {
    const areas = await this.repository.areasOf(operationId);
    const definitions = await this.definitionsOf(areas);
    if (!definitions) return;
    const worked = await this.work(definitions, this.previousOutlines(areas));
    await this.repository.save(
      areas
        .filter((a) => AREA_ROLES.includes(a.role as AreaRole))
        .map((a) => ({ id: a.id, geometry: toJson(worked[a.role as AreaRole].geometry), members: worked[a.role as AreaRole].members })),
    );
  }

  async recomputeAll(): Promise<number> {
    const operations = await this.repository.operationIdsWithAreas();
    for (const id of operations) await this.recompute(id);
    return operations.length;
  }

  /** Areas drawn before membership existed (the demo's) get theirs the first time they are needed. */
  async ensureMembership(operationId: number): Promise<void> {
    const areas = await this.repository.areasOf(operationId);
    const counts = await this.repository.memberCounts(areas.map((a) => a.id));
    if (areas.some((a) => a.definition === null && !counts.get(a.id))) await this.recompute(operationId);
  }

  /** The operation's areas as GeoJSON features, with their role and how each is defined. */
  async features(operationId: number): Promise<AreaFeature[]> {
    const areas = (await this.repository.areasOf(operationId)).filter((a) => AREA_ROLES.includes(a.role as AreaRole));
    const counts = await this.repository.memberCounts(areas.map((a) => a.id));
    const order = (role: string) => AREA_ROLES.indexOf(role as AreaRole);
    return areas
      .sort((a, b) => order(a.role) - order(b.role))
      .map((area) => {
        const definition = definitionOf(area);
        return {
          type: "Feature" as const,
          properties: {
            role: area.role as AreaRole,
            name: area.name,
            definition: definition.kind,
            ...(definition.kind === "lsoas" ? { lsoaCodes: definition.lsoaCodes } : {}),
            ...(definition.kind === "ring" ? { ringMetres: definition.metres } : {}),
            snapPoints: counts.get(area.id) ?? 0,
          },
          geometry: fromJson<Polygonal>(area.geometry, EMPTY),
        };
      });
  }

  /** The areas as the evaluation design records them. */
  async describe(operationId: number): Promise<DesignArea[]> {
    const areas = (await this.repository.areasOf(operationId)).filter((a) => AREA_ROLES.includes(a.role as AreaRole));
    const counts = await this.repository.memberCounts(areas.map((a) => a.id));
    return areas
      .sort((a, b) => AREA_ROLES.indexOf(a.role as AreaRole) - AREA_ROLES.indexOf(b.role as AreaRole))
      .map((area) => {
        const definition = definitionOf(area);
        return {
          role: area.role,
          name: area.name,
          definition: definition.kind,
          ...(definition.kind === "lsoas" ? { lsoaCodes: definition.lsoaCodes } : {}),
          ...(definition.kind === "snap-points" ? { snapPointIds: definition.snapPointIds } : {}),
          ...(definition.kind === "ring" ? { ringMetres: definition.metres } : {}),
          geometry: fromJson<Polygonal>(area.geometry, EMPTY),
          snapPoints: counts.get(area.id) ?? 0,
        };
      });
  }
}
