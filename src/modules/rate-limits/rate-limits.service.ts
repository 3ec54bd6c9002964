// Fixed-window limits kept in the database, so every app instance sharing it enforces the same
// limit. Keys hold a keyed hash of the client's address bucket and last only for their window.
import crypto from "node:crypto";
import { errors } from "../../http/errors.ts";
import type { RateLimitsRepository } from "./rate-limits.repository.ts";

export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
}

export class RateLimitsService {
  constructor(
    private readonly repository: RateLimitsRepository,
    private readonly key: Buffer,
  ) {}

  /** Counts one attempt; throws a 429 that says how long to wait once the limit is passed. */
  async hit(limit: Limit, client: string, now: Date = new Date()): Promise<void> {
    const windowMs = limit.windowSeconds * 1000;
    const windowIndex = Math.floor(now.getTime() / windowMs);
    const windowEnd = (windowIndex + 1) * windowMs;
    const key = crypto.createHmac("sha256", this.key).update(`${limit.name}:${client}:${windowIndex}`).digest("base64url");
    const count = await this.repository.increment(key, new Date(windowEnd).toISOString());
    if (Math.random() < 0.01) await this.repository.deleteExpired(now.toISOString());
    if (count > limit.max) throw errors.tooMany(Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)));
  }
}
