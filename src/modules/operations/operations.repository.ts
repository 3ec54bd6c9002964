import type { Insertable, Kysely, Selectable } from "kysely";
import type { AreasTable, OperationsTable, Schema } from "../../db/schema.ts";

export type OperationRow = Selectable<OperationsTable>;
export type AreaRow = Selectable<AreasTable>;

export class OperationsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  list(): Promise<OperationRow[]> {
    return this.db.selectFrom("operations").selectAll().orderBy("startsOn", "desc").execute();
  }

  listActive(today: string): Promise<OperationRow[]> {
    return this.db
      .selectFrom("operations")
      .selectAll()
      .where("status", "=", "active")
      .where("startsOn", "<=", today)
      .where((eb) => eb.or([eb("endsOn", "is", null), eb("endsOn", ">=", today)]))
      .execute();
  }

  findById(id: number): Promise<OperationRow | undefined> {
    return this.db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findBySlug(slug: string): Promise<OperationRow | undefined> {
    return this.db.selectFrom("operations").selectAll().where("slug", "=", slug).executeTakeFirst();
  }

  async update(id: number, values: Partial<Omit<OperationRow, "id">>): Promise<void> {
    await this.db.updateTable("operations").set(values).where("id", "=", id).execute();
  }

  areasOf(operationIds: number[]): Promise<AreaRow[]> {
    if (operationIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("areas").selectAll().where("operationId", "in", operationIds).execute();
  }

  async create(operation: Omit<Insertable<OperationsTable>, "id">, areas: Array<Omit<Insertable<AreasTable>, "id" | "operationId">>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto("operations").values(operation).returning("id").executeTakeFirstOrThrow();
      for (const area of areas) await trx.insertInto("areas").values({ ...area, operationId: id }).execute();
      return id;
    });
  }
}
