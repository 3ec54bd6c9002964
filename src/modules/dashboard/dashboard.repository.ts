// The dashboard's own queries: operations, snapshots, settings, the months held and the public
// updates. Every count it shows comes from the disclosure gate; a visit reads the snapshot alone.
import type { Kysely, Selectable } from "kysely";
import type { DashboardSnapshotsTable, OperationsTable, Schema } from "../../db/schema.ts";

export type DashboardOperation = Selectable<OperationsTable>;

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

  heldMonths(): Promise<Array<{ fallsWithin: string; month: string }>> {
    return this.db.selectFrom("policeMonths").select(["fallsWithin", "month"]).where("kind", "=", "street").execute();
  }

  updatesOf(operationId: number, limit: number): Promise<Array<{ id: number; title: string; body: string; publishedAt: string }>> {
    return this.db
      .selectFrom("publicUpdates")
      .select(["id", "title", "body", "publishedAt"])
      .where("operationId", "=", operationId)
      .where("withdrawnAt", "is", null)
      .orderBy("publishedAt", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }
}
