// Fixed-window limits kept in the database, so every app instance sharing it enforces the same
// limit. Keys hold a keyed hash of the client's address bucket and last only for their window.
import crypto from "node:crypto";
import type { Transaction } from "kysely";
import type { Schema } from "../../db/schema.ts";
import type { WriteBatcher } from "../../db/write-batcher.ts";
import { errors } from "../../http/errors.ts";
import type { RateLimitsRepository } from "./rate-limits.repository.ts";

export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
  /** What the refusal says was too many, when it is not the client's attempts ("Too many codes for this account"). */
  refusal?: string;
}

export class RateLimitsService {
  constructor(
    private readonly repository: RateLimitsRepository,
    private readonly key: Buffer,
    private readonly writes: WriteBatcher,
  ) {}

  /** Counts one attempt; throws a 429 that says how long to wait once the limit is passed. */
  async hit(limit: Limit, client: string, now: Date = new Date()): Promise<void> {
    await this.writes.run((trx) => this.hitIn(trx, limit, client, now));
    if (Math.random() < 0.01) await this.repository.deleteExpired(now.toISOString());
  }

  /**
   * The same, inside a write already under way (a report's own transaction), so the count and
   * the report share one commit. Past the limit the count is rolled back with the refused write,
   * which leaves it at the limit: the client stays refused until the window ends.
   */
  async hitIn(trx: Transaction<Schema>, limit: Limit, client: string, now: Date = new Date()): Promise<void> {
    const windowMs = limit.windowSeconds * 1000;
    const windowIndex = Math.floor(now.getTime() / windowMs);
    const windowEnd = (windowIndex + 1) * windowMs;
    const key = crypto.createHmac("sha256", this.key).update(`${limit.name}:${client}:${windowIndex}`).digest("base64url");
    const count = await this.repository.increment(key, new Date(windowEnd).toISOString(), trx);
    if (count > limit.max) throw errors.tooMany(Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)), limit.refusal);
  }
}
