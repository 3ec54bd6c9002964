import type { Kysely, Selectable } from "kysely";
import type { PublicUpdatesTable, Schema } from "../../db/schema.ts";

export type PublicUpdateRow = Selectable<PublicUpdatesTable>;

export class UpdatesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(update: Omit<PublicUpdateRow, "id" | "changedAt" | "withdrawnAt" | "withdrawalReason">, reportIds: number[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto("publicUpdates").values(update).returning("id").executeTakeFirstOrThrow();
      for (const reportId of reportIds) await trx.insertInto("publicUpdateReports").values({ publicUpdateId: id, reportId }).execute();
      return id;
    });
  }

  list(limit: number): Promise<Array<PublicUpdateRow & { operationName: string | null; reportCount: number }>> {
    return this.db
      .selectFrom("publicUpdates")
      .leftJoin("operations", "operations.id", "publicUpdates.operationId")
      .selectAll("publicUpdates")
      .select("operations.name as operationName")
      .select((eb) =>
        eb.selectFrom("publicUpdateReports").whereRef("publicUpdateReports.publicUpdateId", "=", "publicUpdates.id").select((e) => e.fn.countAll<number>().as("n")).as("reportCount"),
      )
      .where("publicUpdates.withdrawnAt", "is", null)
      .orderBy("publicUpdates.publishedAt", "desc")
      .limit(limit)
      .execute() as never;
  }

  findById(id: number) {
    return this.db
      .selectFrom("publicUpdates")
      .leftJoin("operations", "operations.id", "publicUpdates.operationId")
      .selectAll("publicUpdates")
      .select("operations.name as operationName")
      .where("publicUpdates.id", "=", id)
      .executeTakeFirst();
  }

  /** Keeps the wording being replaced, then changes it, in one transaction. */
  async change(id: number, wording: { title: string; body: string }, userId: number | null, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom("publicUpdates").select(["title", "body"]).where("id", "=", id).executeTakeFirstOrThrow();
      await trx.insertInto("publicUpdateVersions").values({ publicUpdateId: id, title: current.title, body: current.body, replacedAt: now, replacedBy: userId }).execute();
      await trx.updateTable("publicUpdates").set({ ...wording, changedAt: now }).where("id", "=", id).execute();
    });
  }

  async withdraw(id: number, reason: string, now: string): Promise<void> {
    await this.db.updateTable("publicUpdates").set({ withdrawnAt: now, withdrawalReason: reason, changedAt: now }).where("id", "=", id).where("withdrawnAt", "is", null).execute();
  }

  /** The wordings an update had before its changes, newest first (staff only). */
  versions(id: number): Promise<Array<{ title: string; body: string; replacedAt: string }>> {
    return this.db.selectFrom("publicUpdateVersions").select(["title", "body", "replacedAt"]).where("publicUpdateId", "=", id).orderBy("replacedAt", "desc").orderBy("id", "desc").execute();
  }
}
