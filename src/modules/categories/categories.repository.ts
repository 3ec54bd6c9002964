import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import { fromJson } from "../../db/database.ts";
import type { Category } from "../../domain/categories.ts";

export class CategoriesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(): Promise<Category[]> {
    const rows = await this.db.selectFrom("categories").selectAll().orderBy("sortOrder").execute();
    return rows.map((row) => ({
      code: row.code,
      name: row.name,
      hint: row.hint,
      guidance: row.guidance,
      askVehicle: Boolean(row.askVehicle),
      inScope: Boolean(row.inScope),
      sensitive: Boolean(row.sensitive),
      sortOrder: row.sortOrder,
      questions: fromJson(row.questions, []),
    }));
  }

  /** Adds the categories a deployment does not have yet; never overwrites its own edits. */
  async addMissing(categories: Category[]): Promise<number> {
    let added = 0;
    for (const category of categories) {
      const result = await this.db
        .insertInto("categories")
        .values({ ...category, questions: JSON.stringify(category.questions) })
        .onConflict((oc) => oc.column("code").doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }
}
