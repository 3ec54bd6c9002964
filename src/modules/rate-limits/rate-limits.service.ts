// Limits kept in the database, so every app instance sharing it enforces the same limit:
// fixed-window counts, and slowdowns that make repeated failures wait their turn. Keys hold a
// keyed hash of the client's address bucket (or of the email tried) and last only for their window.
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

/**
 * Failures after which attempts on one subject (an email address) wait their turn: each check
 * comes at least a delay after the last failure, the delay doubling with each failure up to a
 * ceiling, and attempts arriving together queue a delay apart. Nobody is locked out: an
 * attempt whose turn is too far off is told to come back then.
 */
export interface Slowdown extends FailureCount {
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** The longest an attempt is kept waiting; later turns are refused with 429 and a time to come back. */
  maxWaitMs: number;
  refusal: string;
}

/** Failures counted per subject, forgotten `windowSeconds` after the last one. */
export interface FailureCount {
  name: string;
  windowSeconds: number;
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

  private slowdownKey(count: FailureCount, subject: string): string {
    return crypto.createHmac("sha256", this.key).update(`${count.name}:${subject}`).digest("base64url");
  }

  private delayAfter(slowdown: Slowdown, failures: number): number {
    return Math.min(slowdown.maxDelayMs, slowdown.firstDelayMs * 2 ** (failures - slowdown.freeFailures));
  }

  /** Waits for this attempt's turn (at once while failures are few); 429 when the turn is too far off. */
  async awaitTurn(slowdown: Slowdown, subject: string): Promise<void> {
    const key = this.slowdownKey(slowdown, subject);
    for (let tries = 0; tries < 100; tries++) {
      const now = Date.now();
      const state = await this.repository.findSlowdown(key, new Date(now).toISOString());
      if (!state || state.failures < slowdown.freeFailures) return;
      const turn = Math.max(now, state.nextTurnAt ? Date.parse(state.nextTurnAt) : now);
      if (turn - now > slowdown.maxWaitMs) throw errors.tooMany(Math.ceil((turn - now) / 1000), slowdown.refusal);
      // Compare-and-set: of attempts arriving together each gets its own turn, a delay apart.
      if (await this.repository.takeTurn(key, state.nextTurnAt, new Date(turn + this.delayAfter(slowdown, state.failures)).toISOString())) {
        if (turn > Date.now()) await new Promise((resolve) => setTimeout(resolve, turn - Date.now()));
        return;
      }
    }
    throw errors.tooMany(Math.ceil(slowdown.maxWaitMs / 1000), slowdown.refusal);
  }

  /** Counts a failure; under a slowdown the next check then waits at least a delay. */
  async failed(count: FailureCount | Slowdown, subject: string, now: Date = new Date()): Promise<number> {
    const key = this.slowdownKey(count, subject);
    const failures = await this.repository.addFailure(key, now.toISOString(), new Date(now.getTime() + count.windowSeconds * 1000).toISOString());
    if ("freeFailures" in count && failures >= count.freeFailures) await this.repository.deferTurn(key, new Date(now.getTime() + this.delayAfter(count, failures)).toISOString());
    if (Math.random() < 0.01) await this.repository.deleteExpired(now.toISOString());
    return failures;
  }

  /** How many failures the subject has in its window. */
  async failures(count: FailureCount, subject: string, now: Date = new Date()): Promise<number> {
    return (await this.repository.findSlowdown(this.slowdownKey(count, subject), now.toISOString()))?.failures ?? 0;
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
