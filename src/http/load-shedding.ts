// Admission to the database, per instance. PostgreSQL serves as many queries at once as the pool
// has connections; the rest wait in the pool's queue, and under a flood that queue grew until
// clients gave up, none of them told anything (432 timeouts at 300 clients). So at most
// pool size + OPENBEAT_DB_QUEUE_LIMIT requests are in flight at once; the next is answered 503
// with Retry-After straight away, before it has done or saved anything. SQLite has no pool: its
// queries run one at a time on the event loop, and nothing is shed.
import type { FastifyReply } from "fastify";

/** How long a shed client is asked to wait: the queue drains in well under that. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

export class AdmissionGate {
  #inFlight = 0;

  constructor(readonly capacity: number) {}

  get busy(): boolean {
    return this.#inFlight >= this.capacity;
  }

  /** Admits the request unless the instance is full; its place is freed when its response is finished or its connection closes. */
  admit(reply: FastifyReply): boolean {
    if (this.busy) return false;
    this.#inFlight++;
    reply.raw.once("close", () => this.#inFlight--);
    return true;
  }
}
