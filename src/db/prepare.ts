import type { Database } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { CategoriesRepository } from "../modules/categories/categories.repository.ts";
import { DEFAULT_CATEGORIES } from "../domain/categories.ts";

/** Migrates, then adds the report categories a new deployment starts with. */
export async function prepareDatabase(database: Database): Promise<{ migrations: string[]; categoriesAdded: number }> {
  const migrations = await migrateToLatest(database);
  const categoriesAdded = await new CategoriesRepository(database.db).addMissing(DEFAULT_CATEGORIES);
  return { migrations, categoriesAdded };
}
