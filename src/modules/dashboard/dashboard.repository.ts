// The dashboard's queries. Every one is bounded by the operation (its areas' snap points, its
// reports, its activity) or by a small table, never by the size of police_crimes: the snapshot
// is worked out from these, and a visit reads the snapshot alone.
import type { Kysely, Selectable } from "kysely";
import type { DashboardSnapshotsTable, OperationsTable, Schema } from "../../db/schema.ts";
import { publicReportCellMonths, type PublishedCellMonths } from "../open311/public-reports.ts";

export type DashboardOperation = Selectable<OperationsTable>;

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Tells the dashboard that something its figures come from has changed: one operation's, or
 * every operation's (null: a police.uk import). Cheap, so the services that change those inputs
 * call it as they write; the snapshot is worked out again at the next visit.
 */
export async function markDashboardStale(db: Kysely<Schema>, operationId: number | null, now: Date = new Date()): Promise<void> {
  const scope = operationId === null ? "all" : `operation:${operationId}`;
  await db
    .insertInto("dashboardChanges")
    .values({ scope, version: 1, changedAt: now.toISOString() })
    .onConflict((conflict) => conflict.column("scope").doUpdateSet((eb) => ({ version: eb("dashboardChanges.version", "+", 1), changedAt: now.toISOString() })))
    .execute();
}

export interface SnapPointInCell {
  id: number;
  h3Cell: string;
  location: string;
}

export class DashboardRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  publishedOperations(): Promise<DashboardOperation[]> {
    return this.db.selectFrom("operations").selectAll().where("published", "=", true).orderBy("startsOn", "desc").orderBy("id").execute();
  }

  operationBySlug(slug: string): Promise<DashboardOperation | undefined> {
    return this.db.selectFrom("operations").selectAll().where("slug", "=", slug).executeTakeFirst();
  }

  operationById(id: number): Promise<DashboardOperation | undefined> {
    return this.db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /**
   * Everything a snapshot depends on that can change without a stale mark, in one round trip:
   * the change versions, and the operation's activity and budget (small, indexed by operation).
   */
  async inputs(operationId: number): Promise<string> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb.selectFrom("dashboardChanges").select("version").where("scope", "=", "all").as("all"),
        eb.selectFrom("dashboardChanges").select("version").where("scope", "=", `operation:${operationId}`).as("operation"),
        // A new report shows as a new highest id (the primary key's index answers it at once):
        // submissions need not bump a shared version row, which on PostgreSQL every concurrent
        // submission would have waited on until the one before it committed.
        eb.selectFrom("reports").select((e) => e.fn.max("id").as("n")).as("reports"),
        eb.selectFrom("patrols").select((e) => e.fn.count<number>("endedAt").as("n")).where("operationId", "=", operationId).as("patrols"),
        eb.selectFrom("engagements").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("engagements"),
        eb.selectFrom("enforcementActions").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("enforcement"),
        eb.selectFrom("budgetAllocations").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("allocations"),
        eb.selectFrom("budgetAllocations").select((e) => e.fn.sum<number>("amountPence").as("n")).where("operationId", "=", operationId).as("allocated"),
        eb.selectFrom("budgetSpend").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("spends"),
        eb.selectFrom("budgetSpend").select((e) => e.fn.sum<number>("amountPence").as("n")).where("operationId", "=", operationId).as("spent"),
        eb.selectFrom("planningSettings").select("updatedAt").where("operationId", "=", operationId).as("planning"),
        eb.selectFrom("dashboardSettings").select("updatedAt").where("operationId", "=", operationId).as("settings"),
      ])
      .executeTakeFirstOrThrow();
    return Object.values(row)
      .map((value) => (value === null || value === undefined ? "-" : String(value)))
      .join(",");
  }

  snapshot(operationId: number): Promise<Selectable<DashboardSnapshotsTable> | undefined> {
    return this.db.selectFrom("dashboardSnapshots").selectAll().where("operationId", "=", operationId).executeTakeFirst();
  }

  async saveSnapshot(snapshot: Selectable<DashboardSnapshotsTable>): Promise<void> {
    await this.db
      .insertInto("dashboardSnapshots")
      .values(snapshot)
      .onConflict((conflict) => conflict.column("operationId").doUpdateSet({ freshness: snapshot.freshness, data: snapshot.data, computedAt: snapshot.computedAt }))
      .execute();
  }

  async settings(operationId: number): Promise<{ publishBudget: boolean; updatedAt: string } | null> {
    const row = await this.db.selectFrom("dashboardSettings").select(["publishBudget", "updatedAt"]).where("operationId", "=", operationId).executeTakeFirst();
    return row ? { publishBudget: Boolean(row.publishBudget), updatedAt: row.updatedAt } : null;
  }

  async saveSettings(operationId: number, publishBudget: boolean, userId: number | null, now: string): Promise<void> {
    await this.db
      .insertInto("dashboardSettings")
      .values({ operationId, publishBudget, updatedAt: now, updatedBy: userId })
      .onConflict((conflict) => conflict.column("operationId").doUpdateSet({ publishBudget, updatedAt: now, updatedBy: userId }))
      .execute();
  }

  /** The stored (resolution 9) cells of the snap points in the operation's target and buffer. */
  async memberCells(operationId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("areaSnapPoints as m")
      .innerJoin("areas as a", "a.id", "m.areaId")
      .innerJoin("snapPoints as p", "p.id", "m.snapPointId")
      .where("a.operationId", "=", operationId)
      .where("a.role", "in", ["target", "buffer"])
      .select("p.h3Cell")
      .distinct()
      .execute();
    return rows.map((r) => r.h3Cell);
  }

  /** Snap points inside a box [west, south, east, north], through the position index. */
  pointsInBox([west, south, east, north]: [number, number, number, number]): Promise<SnapPointInCell[]> {
    return this.db
      .selectFrom("snapPoints")
      .select(["id", "h3Cell", "location"])
      .where("longitude", ">=", west)
      .where("longitude", "<=", east)
      .where("latitude", ">=", south)
      .where("latitude", "<=", north)
      .execute();
  }

  /** police.uk rows per snap point, month and category, for the given points and months (through the point index). */
  async crimeCounts(pointIds: readonly number[], months: readonly string[]): Promise<Array<{ snapPointId: number; month: string; crimeType: string; count: number }>> {
    if (pointIds.length === 0 || months.length === 0) return [];
    const found: Array<{ snapPointId: number; month: string; crimeType: string; count: number }> = [];
    for (const part of chunks(pointIds)) {
      const rows = await this.db
        .selectFrom("policeCrimes")
        .select(["snapPointId", "month", "crimeType", (eb) => eb.fn.countAll<number>().as("count")])
        .where("snapPointId", "in", part)
        .where("month", "in", [...months])
        .groupBy(["snapPointId", "month", "crimeType"])
        .execute();
      for (const row of rows) found.push({ snapPointId: row.snapPointId!, month: row.month, crimeType: row.crimeType, count: Number(row.count) });
    }
    return found;
  }

  heldMonths(): Promise<Array<{ fallsWithin: string; month: string }>> {
    return this.db.selectFrom("policeMonths").select(["fallsWithin", "month"]).where("kind", "=", "street").execute();
  }

  /** The cell and month received of residents' reports in categories that may be placed, received in [from, to). */
  reportCells(from: string, to: string): Promise<Array<{ h3Cell: string | null; createdAt: string }>> {
    return this.db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.h3Cell", "reports.createdAt"])
      .where("categories.sensitive", "=", false)
      .where("reports.h3Cell", "is not", null)
      .where("reports.createdAt", ">=", from)
      .where("reports.createdAt", "<", to)
      .execute();
  }

  /** The one rule every public output shares for placing residents' reports. */
  publishedReportCellMonths(months: string[], now: Date): Promise<PublishedCellMonths> {
    return publicReportCellMonths(this.db, months, now);
  }

  /** What happened to the operation's reports: no words, no place, no time beyond the day. */
  reportsOf(operationId: number): Promise<Array<{ categoryCode: string; status: string; outcome: string | null; createdAt: string; closedAt: string | null }>> {
    return this.db.selectFrom("reports").select(["categoryCode", "status", "outcome", "createdAt", "closedAt"]).where("operationId", "=", operationId).execute();
  }

  enforcementOf(operationId: number): Promise<Array<{ occurredAt: string; targetGroup: string }>> {
    return this.db.selectFrom("enforcementActions").select(["occurredAt", "targetGroup"]).where("operationId", "=", operationId).execute();
  }

  engagementsOf(operationId: number): Promise<Array<{ occurredAt: string; referralOffered: boolean | number; referralResponse: string | null }>> {
    return this.db.selectFrom("engagements").select(["occurredAt", "referralOffered", "referralResponse"]).where("operationId", "=", operationId).execute();
  }

  updatesOf(operationId: number, limit: number): Promise<Array<{ id: number; title: string; body: string; publishedAt: string }>> {
    return this.db
      .selectFrom("publicUpdates")
      .select(["id", "title", "body", "publishedAt"])
      .where("operationId", "=", operationId)
      .orderBy("publishedAt", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }
}
