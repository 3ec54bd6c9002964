import { loadConfig, type Config } from "../config.ts";
import { openDatabase, type Database } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { CategoriesRepository } from "../modules/categories/categories.repository.ts";
import { DEFAULT_CATEGORIES } from "../domain/categories.ts";

/** Migrates, then adds the report categories a new deployment starts with. */
export async function prepareDatabase(database: Database): Promise<{ migrations: string[]; categoriesAdded: number }> {
  const migrations = await migrateToLatest(database);
  const categoriesAdded = await new CategoriesRepository(database.db).addMissing(DEFAULT_CATEGORIES);
  return { migrations, categoriesAdded };
}

/** For a command: opens the configured database, prepares it, runs `work`, and closes it however `work` ends. */
export async function withDatabase<T>(work: (config: Config, database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await prepareDatabase(database);
    return await work(config, database);
  } finally {
    await database.close();
  }
}
