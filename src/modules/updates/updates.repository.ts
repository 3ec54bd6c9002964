import type { Kysely, Selectable } from "kysely";
import type { PublicUpdatesTable, Schema } from "../../db/schema.ts";

export type PublicUpdateRow = Selectable<PublicUpdatesTable>;

export class UpdatesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(update: Omit<PublicUpdateRow, "id">, reportIds: number[]): Promise<number> {
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
}
