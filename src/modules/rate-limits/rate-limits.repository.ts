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
    await this.db.deleteFrom("slowdowns").where("expiresAt", "<", now).execute();
  }

  findSlowdown(key: string, now: string): Promise<{ failures: number; nextTurnAt: string | null } | undefined> {
    return this.db.selectFrom("slowdowns").select(["failures", "nextTurnAt"]).where("key", "=", key).where("expiresAt", ">", now).executeTakeFirst();
  }

  /** Counts one more failure (from one, once the last has expired) and returns the count. */
  async addFailure(key: string, now: string, expiresAt: string): Promise<number> {
    const row = await this.db
      .insertInto("slowdowns")
      .values({ key, failures: 1, nextTurnAt: null, expiresAt })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          failures: sql`case when slowdowns.expires_at <= ${now} then 1 else slowdowns.failures + 1 end`,
          nextTurnAt: sql`case when slowdowns.expires_at <= ${now} then null else slowdowns.next_turn_at end`,
          expiresAt,
        }),
      )
      .returning("failures")
      .executeTakeFirstOrThrow();
    return Number(row.failures);
  }

  /** Moves the next turn later, never earlier. */
  async deferTurn(key: string, until: string): Promise<void> {
    await this.db
      .updateTable("slowdowns")
      .set({ nextTurnAt: until })
      .where("key", "=", key)
      .where((eb) => eb.or([eb("nextTurnAt", "is", null), eb("nextTurnAt", "<", until)]))
      .execute();
  }

  /** Takes the turn `current` and sets the next one, unless another attempt took it first. */
  async takeTurn(key: string, current: string | null, next: string): Promise<boolean> {
    const result = await this.db
      .updateTable("slowdowns")
      .set({ nextTurnAt: next })
      .where("key", "=", key)
      .where("nextTurnAt", current === null ? "is" : "=", current)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
