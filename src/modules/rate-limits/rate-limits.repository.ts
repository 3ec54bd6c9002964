import { sql, type Kysely, type Transaction } from "kysely";
import type { Schema } from "../../db/schema.ts";

export class RateLimitsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Adds one to a window's counter and returns the new count, atomically on both engines. */
  async increment(key: string, expiresAt: string, executor: Kysely<Schema> | Transaction<Schema> = this.db): Promise<number> {
    const row = await executor
      .insertInto("rateLimits")
      .values({ key, count: 1, expiresAt })
      .onConflict((oc) => oc.column("key").doUpdateSet({ count: sql`rate_limits.count + 1` }))
      .returning("count")
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom("rateLimits").where("expiresAt", "<", now).execute();
  }
}
