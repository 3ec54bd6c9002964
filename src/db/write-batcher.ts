// Group commit. Every durable commit waits for the disk (SQLite runs with synchronous=FULL, so a
// report acknowledged to a resident is on disk); measured here, about 190 commits a second. Small
// writes that arrive together — residents' reports, rate-limit counters — are run in one
// transaction and share one commit. Each write keeps its own all-or-nothing behaviour through a
// savepoint: one that fails is rolled back alone and its caller gets its error; the others commit.
// A write waits one turn of the event loop (setImmediate) before its batch starts, so the
// requests read in the same turn join it: with better-sqlite3 a commit blocks the process while
// the disk syncs, so nothing can join once a commit has begun. On a quiet server that turn is
// microseconds.
//
// PostgreSQL is given `batch: false`: each write then runs in its own transaction on the pool's
// connections, which the server commits concurrently and whose WAL flushes it already shares.
// Batched there, every statement of every write waited its turn on one connection (measured:
// 419 reports/s batched against more without).
import { sql, type Kysely, type Transaction } from "kysely";
import type { Schema } from "./schema.ts";

type Work<T> = (trx: Transaction<Schema>) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteBatcher {
  #queue: Pending[] = [];
  #running = false;

  readonly #maxBatch: number;
  readonly #batch: boolean;

  constructor(
    private readonly db: Kysely<Schema>,
    /** maxBatch: the most writes to share one commit, which bounds how long the last of them waits. */
    options: { maxBatch?: number; batch?: boolean } = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 100;
    this.#batch = options.batch ?? true;
  }

  run<T>(work: Work<T>): Promise<T> {
    if (!this.#batch) return this.db.transaction().execute(work);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
        try {
          await this.db.transaction().execute(async (trx) => {
            outcomes.length = 0;
            for (const [index, pending] of batch.entries()) {
              const savepoint = sql.raw(`write_${index}`);
              await sql`SAVEPOINT ${savepoint}`.execute(trx);
              try {
                const value = await pending.work(trx);
                await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
                outcomes.push({ ok: true, value });
              } catch (error) {
                await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
                await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
                outcomes.push({ ok: false, error });
              }
            }
          });
        } catch (error) {
          // The commit itself failed (the database went away): nothing in the batch is stored.
          for (const pending of batch) pending.reject(error);
          continue;
        }
        batch.forEach((pending, index) => {
          const outcome = outcomes[index]!;
          if (outcome.ok) pending.resolve(outcome.value);
          else pending.reject(outcome.error);
        });
      }
    } finally {
      this.#running = false;
    }
  }
}
